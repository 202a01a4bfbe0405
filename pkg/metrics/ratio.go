package metrics

import (
	"fmt"
	"math"
)

// Tolerances are the dead band around a usage ratio of 1 inside which the controller keeps the
// current replica count: Down below, Up above (0.1 each by default).
type Tolerances struct {
	Down float64 `json:"down"`
	Up   float64 `json:"up"`
}

// Within reports whether ratio is inside the band, bounds included.
func (t Tolerances) Within(ratio float64) bool {
	return 1-t.Down <= ratio && ratio <= 1+t.Up
}

// String reads as "[-10%, +10%]".
func (t Tolerances) String() string {
	return fmt.Sprintf("[-%s%%, +%s%%]", percent(t.Down), percent(t.Up))
}

func percent(f float64) string {
	return fmt.Sprintf("%g", math.Round(f*100*1000)/1000)
}

// ceilReplicas is int32(ceil(x)) as the controller computes it, made total: NaN and negative
// values give 0 and values past int32 give math.MaxInt32. Inputs the API accepts never reach
// those ends; there the controller's conversion depends on the CPU it runs on.
func ceilReplicas(x float64) int32 {
	switch {
	case math.IsNaN(x) || x <= 0:
		return 0
	case x >= math.MaxInt32:
		return math.MaxInt32
	}
	return int32(math.Ceil(x))
}

// saturate32 converts a whole float to int32, saturating at the ends where Go's conversion
// depends on the platform.
func saturate32(x float64) int32 {
	switch {
	case math.IsNaN(x):
		return 0
	case x >= math.MaxInt32:
		return math.MaxInt32
	case x <= math.MinInt32:
		return math.MinInt32
	}
	return int32(x)
}

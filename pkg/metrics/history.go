package metrics

import "time"

// Recommendation is one raw replica recommendation the controller recorded (the largest
// metric proposal of a sync, before stabilization).
type Recommendation struct {
	Replicas int32     `json:"replicas"`
	Time     time.Time `json:"time"`
	// Inferred marks a recommendation reconstructed from events or assumed, not seen.
	Inferred bool `json:"inferred,omitempty"`
}

// ScaleEvent is one successful rescale: how many replicas it added or removed.
type ScaleEvent struct {
	Change int32     `json:"change"`
	Time   time.Time `json:"time"`
}

// History is what the controller remembers about an HPA between syncs. None of it is in the
// API; callers reconstruct it (see HistoryFromEvents) or supply it for a what-if.
type History struct {
	Recommendations []Recommendation `json:"recommendations"`
	// ScaleUps and ScaleDowns feed the behavior rate policies; Change is always positive.
	ScaleUps   []ScaleEvent `json:"scaleUps"`
	ScaleDowns []ScaleEvent `json:"scaleDowns"`
	// Complete is false when part of the history could not be known; Gaps says what.
	Complete bool     `json:"complete"`
	Gaps     []string `json:"gaps,omitempty"`
}

package metrics

import (
	"fmt"
	"math"
	"time"
)

// timeline is the replica count over time as the rescale events tell it.
type timeline struct {
	rescales []Rescale
	// before is the count assumed before the first rescale; after the count since the last.
	before, after int32
	upWindow      time.Duration
	downWindow    time.Duration
	gaps          []string
}

func newTimeline(in EventHistoryInput, rescales []Rescale, downscale time.Duration) *timeline {
	tl := &timeline{rescales: rescales, before: in.Current, after: in.Current,
		downWindow: downscale}
	if b := in.HPA.Spec.Behavior; b != nil {
		tl.upWindow = ScaleUpRules(b).Window
		tl.downWindow = ScaleDownRules(b, downscale).Window
	}
	if len(rescales) == 0 {
		return tl
	}

	first, last := rescales[0], rescales[len(rescales)-1]
	tl.before = first.NewSize
	if last.NewSize != in.Current {
		tl.gaps = append(tl.gaps, fmt.Sprintf("the last rescale went to %d but the target "+
			"has %d replicas: something else changed it since", last.NewSize, in.Current))
	}
	return tl
}

// sizeAt is the replica count in effect at t.
func (tl *timeline) sizeAt(t time.Time) int32 {
	size := tl.before
	for _, r := range tl.rescales {
		if r.Time.After(t) {
			return size
		}
		size = r.NewSize
	}
	return tl.after
}

// recommendationAt infers the raw recommendation recorded at t. A rescale up to N needed every
// recommendation of its up window to be at least N, and a rescale down to N every one of its
// down window to be at most N; within those bounds the replica count of the time is assumed.
func (tl *timeline) recommendationAt(t time.Time) int32 {
	lower, upper := int32(math.MinInt32), int32(math.MaxInt32)
	for _, r := range tl.rescales {
		window := tl.downWindow
		if r.Up {
			window = tl.upWindow
		}
		if !r.Time.After(t) || !t.After(r.Time.Add(-window)) {
			continue
		}
		if r.Up {
			lower = max(lower, r.NewSize)
		} else {
			upper = min(upper, r.NewSize)
		}
	}
	return min(max(tl.sizeAt(t), lower), upper)
}

// scaleEvents turns consecutive rescales after from into scale events. The first rescale's
// starting size is unknown, so it is left out (and noted when it matters).
func (tl *timeline) scaleEvents(from time.Time) (ups, downs []ScaleEvent) {
	for i, r := range tl.rescales {
		if !r.Time.After(from) {
			continue
		}
		if i == 0 {
			tl.gaps = append(tl.gaps, fmt.Sprintf("the size before the rescale to %d at %s "+
				"is unknown; that change is left out of the rate limits", r.NewSize,
				r.Time.Format(time.RFC3339)))
			continue
		}
		change := r.NewSize - tl.rescales[i-1].NewSize
		switch {
		case change > 0:
			ups = append(ups, ScaleEvent{Change: change, Time: r.Time})
		case change < 0:
			downs = append(downs, ScaleEvent{Change: -change, Time: r.Time})
		}
	}
	return ups, downs
}

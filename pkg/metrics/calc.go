package metrics

import (
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Path names the branch of the per-metric calculation that produced the proposal.
type Path string

// The branches, in the order the controller tries them.
const (
	// PathWithinTolerance: no pod needed filling and the ratio is inside the tolerance band.
	PathWithinTolerance Path = "WithinTolerance"
	// PathScaled: no pod needed filling; proposal = ceil(ratio × counted pods).
	PathScaled Path = "Scaled"
	// PathFillWithinTolerance: after filling, the new ratio is inside the band.
	PathFillWithinTolerance Path = "FillWithinTolerance"
	// PathFillReversed: filling turned the direction of the ratio around.
	PathFillReversed Path = "FillReversed"
	// PathFillCountReversed: the filled count would move replicas against the ratio.
	PathFillCountReversed Path = "FillCountReversed"
	// PathFillScaled: proposal = ceil(new ratio × filled pod count).
	PathFillScaled Path = "FillScaled"
)

// Fill records how missing and unready pods were filled in before the recompute.
type Fill struct {
	// MissingFilled pods without a sample were given MissingPercent of their request
	// (Utilization targets) or MissingValue (average targets).
	MissingFilled  int   `json:"missingFilled"`
	MissingPercent int64 `json:"missingPercent,omitempty"`
	MissingValue   int64 `json:"missingValue,omitempty"`
	// UnreadyFilled pods were counted as using nothing (only when scaling up).
	UnreadyFilled int `json:"unreadyFilled"`
	// Count is the number of samples after filling, the multiplier of the new ratio.
	Count int `json:"count"`
	// NewUtilization (Utilization targets) or NewAverage (average targets) over the filled set.
	NewUtilization int32   `json:"newUtilization,omitempty"`
	NewAverage     int64   `json:"newAverage,omitempty"`
	NewRatio       float64 `json:"newRatio"`
}

// Calculation is one pod-based metric (resource, container resource or pods) worked through.
type Calculation struct {
	Grouping Grouping `json:"grouping"`
	// Utilization is the truncated percentage of request (Utilization targets only); it is
	// what the HPA status shows as averageUtilization.
	Utilization int32 `json:"utilization,omitempty"`
	// Average is the integer mean of the counted samples (status averageValue).
	Average int64 `json:"average"`
	// Usage and Requests are the sums behind the ratio, in milli-units; Samples how many
	// samples entered them.
	Usage      int64      `json:"usage"`
	Requests   int64      `json:"requests,omitempty"`
	Samples    int        `json:"samples"`
	Ratio      float64    `json:"ratio"`
	Tolerances Tolerances `json:"tolerances"`
	Fill       *Fill      `json:"fill,omitempty"`
	Path       Path       `json:"path"`
	Proposal   int32      `json:"proposal"`
}

// PodMetricInput is what a pod-based metric needs. Target is a percentage of request when
// Utilization is set, otherwise an average value in milli-units per pod.
type PodMetricInput struct {
	Pods        []*corev1.Pod
	Samples     Samples
	Resource    corev1.ResourceName
	Container   string
	Utilization bool
	Target      int64
	Current     int32
	Tolerances  Tolerances
	Settings    Settings
	Now         time.Time
}

// The controller's messages for empty inputs.
var (
	errNoPods        = errors.New("no pods returned by selector while calculating replica count")
	errNoSamplesLeft = errors.New(
		"did not receive metrics for targeted pods (pods might be unready)")
	errNoMatch   = errors.New("no metrics returned matched known pods")
	errBadTarget = errors.New("the target must be greater than zero")
)

// Calculate works a pod-based metric through the controller's steps: group the pods, check
// requests (Utilization), compute the ratio, then either decide directly or fill missing and
// unready pods and recompute.
func Calculate(in PodMetricInput) (Calculation, error) {
	if len(in.Pods) == 0 {
		return Calculation{}, errNoPods
	}
	c := Calculation{Tolerances: in.Tolerances}
	c.Grouping = GroupPods(in.Pods, in.Samples, in.Resource, in.Settings, in.Now)
	if c.Grouping.Counted+len(c.Grouping.Extra) == 0 {
		return c, errNoSamplesLeft
	}
	if in.Target <= 0 {
		return c, errBadTarget
	}

	set, err := newSampleSet(in, &c.Grouping)
	if err != nil {
		return c, err
	}
	ratio, err := set.ratio(&c)
	if err != nil {
		return c, err
	}
	c.Ratio = ratio

	c.decide(in.Current, set)
	return c, nil
}

// decide picks the branch and sets Path, Fill and Proposal.
func (c *Calculation) decide(current int32, set *sampleSet) {
	upWithUnready := c.Grouping.Unready > 0 && c.Ratio > 1
	if !upWithUnready && c.Grouping.Missing == 0 {
		if c.Tolerances.Within(c.Ratio) {
			c.Path, c.Proposal = PathWithinTolerance, current
			return
		}
		c.Path = PathScaled
		c.Proposal = ceilReplicas(c.Ratio * float64(c.Grouping.Counted))
		return
	}

	c.Fill = set.fill(c.Ratio, upWithUnready)
	newRatio := c.Fill.NewRatio
	switch {
	case c.Tolerances.Within(newRatio):
		c.Path, c.Proposal = PathFillWithinTolerance, current
	case (c.Ratio < 1 && newRatio > 1) || (c.Ratio > 1 && newRatio < 1):
		c.Path, c.Proposal = PathFillReversed, current
	default:
		c.recount(current, newRatio)
	}
}

func (c *Calculation) recount(current int32, newRatio float64) {
	n := ceilReplicas(newRatio * float64(c.Fill.Count))
	if (newRatio < 1 && n > current) || (newRatio > 1 && n < current) {
		c.Path, c.Proposal = PathFillCountReversed, current
		return
	}
	c.Path, c.Proposal = PathFillScaled, n
}

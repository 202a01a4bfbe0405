package metrics

import (
	"fmt"
	"math"

	corev1 "k8s.io/api/core/v1"
)

// ValueCalculation is an Object or External metric worked through.
type ValueCalculation struct {
	// Usage is the object's value, or the sum of the external series, in milli-units.
	Usage int64 `json:"usage"`
	// PerPod is set for AverageValue targets: the usage is divided among status.replicas.
	PerPod bool  `json:"perPod"`
	Target int64 `json:"target"`
	// ReadyPods (Value targets) are pods Running and Ready: the multiplier of the ratio.
	ReadyPods int64 `json:"readyPods,omitempty"`
	// StatusReplicas (AverageValue targets) is the scale's status.replicas.
	StatusReplicas int32      `json:"statusReplicas,omitempty"`
	Ratio          float64    `json:"ratio"`
	Tolerances     Tolerances `json:"tolerances"`
	Within         bool       `json:"within"`
	Proposal       int32      `json:"proposal"`
	// Status is the current value the HPA status shows for the metric.
	Status int64 `json:"status"`
}

// ValueReplicas is the controller's proposal for a Value target: current replicas when the
// ratio is within tolerance, else ceil(ratio × ready pods); from zero replicas, ceil(ratio).
func ValueReplicas(usage, target int64, current int32, pods []*corev1.Pod,
	tol Tolerances) (ValueCalculation, error) {
	v := ValueCalculation{Usage: usage, Target: target, Tolerances: tol, Status: usage}
	if target <= 0 {
		return v, errBadTarget
	}
	v.Ratio = float64(usage) / float64(target)
	if current == 0 {
		v.Proposal = ceilReplicas(v.Ratio)
		return v, nil
	}
	if v.Within = tol.Within(v.Ratio); v.Within {
		v.Proposal = current
		return v, nil
	}

	if len(pods) == 0 {
		return v, fmt.Errorf("unable to calculate ready pods: %s", errNoPods)
	}
	v.ReadyPods = readyPodCount(pods)
	v.Proposal = ceilReplicas(v.Ratio * float64(v.ReadyPods))
	return v, nil
}

// AverageValueReplicas is the controller's proposal for an AverageValue target: the ratio is
// usage / (target × status.replicas); outside tolerance the proposal is ceil(usage / target),
// else status.replicas.
func AverageValueReplicas(usage, target int64, statusReplicas int32,
	tol Tolerances) (ValueCalculation, error) {
	v := ValueCalculation{
		Usage: usage, PerPod: true, Target: target, StatusReplicas: statusReplicas,
		Tolerances: tol, Proposal: statusReplicas,
	}
	if target <= 0 {
		return v, errBadTarget
	}
	v.Ratio = float64(usage) / (float64(target) * float64(statusReplicas))
	if v.Within = tol.Within(v.Ratio); !v.Within {
		v.Proposal = ceilReplicas(float64(usage) / float64(target))
	}
	v.Status = ceilInt64(float64(usage) / float64(statusReplicas))
	return v, nil
}

// SumExternal adds up the series of an external metric, stopping at math.MaxInt64 instead of
// overflowing, as the controller does.
func SumExternal(values []int64) int64 {
	var sum int64
	for _, v := range values {
		if v > 0 && sum > math.MaxInt64-v {
			return math.MaxInt64
		}
		sum += v
	}
	return sum
}

// ceilInt64 is int64(ceil(x)) made total: NaN gives 0, and the ends saturate.
func ceilInt64(x float64) int64 {
	switch {
	case math.IsNaN(x):
		return 0
	case x >= math.MaxInt64:
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	}
	return int64(math.Ceil(x))
}

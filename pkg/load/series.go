package load

import (
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// Sample is the HPA as the observer saw it at one moment.
type Sample struct {
	At time.Time `json:"time"`
	// Seconds is the time since the run started.
	Seconds         float64 `json:"seconds"`
	CurrentReplicas int32   `json:"currentReplicas"`
	DesiredReplicas int32   `json:"desiredReplicas"`
	// ReadyPods is the target Deployment's ready replica count; -1 when the target is not a
	// Deployment or could not be read.
	ReadyPods int32 `json:"readyPods"`
	// Metrics are the controller's last computed values, one per metric of the spec.
	Metrics []MetricSample `json:"metrics"`
	// LimitedByMax is set when the controller reports that it wanted more than maxReplicas.
	LimitedByMax bool `json:"limitedByMax,omitempty"`
	// Problem is the reason and message of a false AbleToScale or ScalingActive condition.
	Problem string `json:"problem,omitempty"`
}

// MetricSample is one metric's current value against its target. For Utilization targets
// both are percentages of the request; otherwise they are the metric's own values.
type MetricSample struct {
	Name        string   `json:"name"`
	Utilization bool     `json:"utilization"`
	Current     *float64 `json:"current"`
	Target      float64  `json:"target"`
}

// Ratio is current / target, or false when the controller has no current value.
func (m MetricSample) Ratio() (float64, bool) {
	if m.Current == nil || m.Target == 0 {
		return 0, false
	}
	return *m.Current / m.Target, true
}

// Rescale is one change of the target's replica count by the HPA controller.
type Rescale struct {
	At      time.Time `json:"time"`
	Seconds float64   `json:"seconds"`
	From    int32     `json:"from"`
	To      int32     `json:"to"`
	// Reason is the controller's reason from its SuccessfulRescale event; empty when the
	// rescale was seen only through status.lastScaleTime.
	Reason string `json:"reason,omitempty"`
}

// Up reports whether the rescale added pods.
func (r Rescale) Up() bool { return r.To > r.From }

// HPASpec is the part of the HPA's spec the report judges rescales against.
type HPASpec struct {
	Name        string `json:"name"`
	MinReplicas int32  `json:"minReplicas"`
	MaxReplicas int32  `json:"maxReplicas"`
	// ScaleUp and ScaleDown are the effective behaviors, defaults filled in.
	ScaleUp   Behavior `json:"scaleUp"`
	ScaleDown Behavior `json:"scaleDown"`
}

// Behavior is one direction of the HPA's scaling behavior.
type Behavior struct {
	WindowSeconds int32    `json:"stabilizationWindowSeconds"`
	Policies      []Policy `json:"policies"`
	// Select is Max, Min or Disabled.
	Select string `json:"selectPolicy"`
	// Tolerance is the fraction by which the metric must pass its target before this
	// direction acts: the spec's value, else the controller's default 0.1.
	Tolerance float64 `json:"tolerance"`
}

// Policy limits how much one direction changes the replica count per period.
type Policy struct {
	Type          string `json:"type"`
	Value         int32  `json:"value"`
	PeriodSeconds int32  `json:"periodSeconds"`
}

// DefaultTolerance is the HPA controller's default tolerance.
const DefaultTolerance = 0.1

// SpecOf extracts an HPA's limits and its behavior, with the API's defaults for whatever the
// spec leaves out (scale-up: no window, 100 % or 4 pods per 15 s; scale-down: 300 s window,
// 100 % per 15 s).
func SpecOf(hpa *autoscalingv2.HorizontalPodAutoscaler) HPASpec {
	spec := HPASpec{Name: hpa.Name, MinReplicas: 1, MaxReplicas: hpa.Spec.MaxReplicas}
	if hpa.Spec.MinReplicas != nil {
		spec.MinReplicas = *hpa.Spec.MinReplicas
	}

	spec.ScaleUp = Behavior{WindowSeconds: 0, Select: "Max", Tolerance: DefaultTolerance,
		Policies: []Policy{{"Percent", 100, 15}, {"Pods", 4, 15}}}
	spec.ScaleDown = Behavior{WindowSeconds: 300, Select: "Max", Tolerance: DefaultTolerance,
		Policies: []Policy{{"Percent", 100, 15}}}
	if b := hpa.Spec.Behavior; b != nil {
		overlay(&spec.ScaleUp, b.ScaleUp)
		overlay(&spec.ScaleDown, b.ScaleDown)
	}
	return spec
}

func overlay(dst *Behavior, rules *autoscalingv2.HPAScalingRules) {
	if rules == nil {
		return
	}
	if rules.StabilizationWindowSeconds != nil {
		dst.WindowSeconds = *rules.StabilizationWindowSeconds
	}
	if rules.SelectPolicy != nil {
		dst.Select = string(*rules.SelectPolicy)
	}
	if rules.Tolerance != nil {
		dst.Tolerance = rules.Tolerance.AsApproximateFloat64()
	}
	if len(rules.Policies) > 0 {
		dst.Policies = dst.Policies[:0:0]
		for _, p := range rules.Policies {
			dst.Policies = append(dst.Policies, Policy{Type: string(p.Type), Value: p.Value,
				PeriodSeconds: p.PeriodSeconds})
		}
	}
}

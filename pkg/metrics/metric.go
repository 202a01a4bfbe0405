package metrics

import (
	"errors"
	"fmt"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MetricResult is one entry of spec.metrics worked through.
type MetricResult struct {
	Index int                            `json:"index"`
	Type  autoscalingv2.MetricSourceType `json:"type"`
	// Name is short ("cpu", "memory of container app", "pods metric x").
	Name string `json:"name"`
	// Resource is the resource of Resource and ContainerResource metrics.
	Resource corev1.ResourceName `json:"resource,omitempty"`
	// Description is how the controller names the metric in ValidMetricFound and in
	// SuccessfulRescale reasons.
	Description string `json:"description,omitempty"`
	// Target reads like "70% of request" or "500m per pod".
	Target string            `json:"target"`
	Pods   *Calculation      `json:"pods,omitempty"`
	Value  *ValueCalculation `json:"value,omitempty"`
	// Proposal is the replica count this metric asks for (valid metrics only).
	Proposal int32 `json:"proposal"`
	Valid    bool  `json:"valid"`
	// NotObserved is set when the metric's values were not gathered, so the controller's
	// result for it is unknown.
	NotObserved bool `json:"notObserved,omitempty"`
	// Error is the failure as the controller words it in FailedComputeMetricsReplicas.
	Error string `json:"error,omitempty"`
	// ConditionReason and ConditionMessage are the ScalingActive=False condition and
	// EventMessage the Warning event this failure produces.
	ConditionReason  string `json:"conditionReason,omitempty"`
	ConditionMessage string `json:"conditionMessage,omitempty"`
	EventMessage     string `json:"eventMessage,omitempty"`
}

// metricContext carries what every metric calculation needs.
type metricContext struct {
	namespace      string
	pods           []*corev1.Pod
	source         Source
	specReplicas   int32
	statusReplicas int32
	tolerances     Tolerances
	settings       Settings
	now            time.Time
}

// failure is a metric error in its two layers: inner (condition and event) and outer
// (returned to the combination step).
type failure struct {
	reason      string
	inner       error
	outer       error
	notObserved bool
}

// computeMetric works one metric spec through and fills in the result.
func computeMetric(ctx *metricContext, index int, spec autoscalingv2.MetricSpec) MetricResult {
	r := MetricResult{Index: index, Type: spec.Type}
	var f *failure
	switch spec.Type {
	case autoscalingv2.ResourceMetricSourceType, autoscalingv2.ContainerResourceMetricSourceType:
		f = ctx.resourceMetric(&r, spec)
	case autoscalingv2.PodsMetricSourceType:
		f = ctx.podsMetric(&r, spec)
	case autoscalingv2.ObjectMetricSourceType:
		f = ctx.objectMetric(&r, spec)
	case autoscalingv2.ExternalMetricSourceType:
		f = ctx.externalMetric(&r, spec)
	default:
		err := fmt.Errorf("unknown metric source type %q", string(spec.Type))
		f = &failure{reason: "InvalidMetricSourceType", inner: err, outer: err}
	}

	if f != nil {
		r.fail(f)
		return r
	}
	r.Valid = true
	return r
}

func (r *MetricResult) fail(f *failure) {
	r.Proposal = 0
	r.NotObserved = f.notObserved || errors.Is(f.inner, ErrNotObserved)
	r.Error = f.outer.Error()
	r.ConditionReason = f.reason
	r.ConditionMessage = "the HPA was unable to compute the replica count: " + f.inner.Error()
	r.EventMessage = f.inner.Error()
}

// selectorString formats a metric selector the way the controller prints it.
func selectorString(s *metav1.LabelSelector) string {
	return fmt.Sprintf("%+v", s)
}

// missingSpec is our own failure for a metric whose type-specific block is absent, which the
// API server's validation rejects (the controller would crash on it).
func missingSpec(reason string, t autoscalingv2.MetricSourceType) *failure {
	err := fmt.Errorf("metric of type %s has no %s block", t, lowerFirst(string(t)))
	return &failure{reason: reason, inner: err, outer: err}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

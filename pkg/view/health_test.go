package view

import (
	"testing"

	"github.com/stretchr/testify/assert"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func cond(t autoscalingv2.HorizontalPodAutoscalerConditionType, s corev1.ConditionStatus,
	reason string) autoscalingv2.HorizontalPodAutoscalerCondition {
	return autoscalingv2.HorizontalPodAutoscalerCondition{Type: t, Status: s, Reason: reason}
}

const (
	able    = autoscalingv2.AbleToScale
	active  = autoscalingv2.ScalingActive
	limited = autoscalingv2.ScalingLimited
	yes     = corev1.ConditionTrue
	no      = corev1.ConditionFalse
)

// healthy is the condition set of an HPA that works and is within range.
func healthy() []autoscalingv2.HorizontalPodAutoscalerCondition {
	return []autoscalingv2.HorizontalPodAutoscalerCondition{
		cond(able, yes, "ReadyForNewScale"), cond(active, yes, "ValidMetricFound"),
		cond(limited, no, "DesiredWithinRange"),
	}
}

func with(conds []autoscalingv2.HorizontalPodAutoscalerCondition,
	c autoscalingv2.HorizontalPodAutoscalerCondition) []autoscalingv2.HorizontalPodAutoscalerCondition {
	for i := range conds {
		if conds[i].Type == c.Type {
			conds[i] = c
		}
	}
	return conds
}

func cpuHPA(conds []autoscalingv2.HorizontalPodAutoscalerCondition,
	current *int32) *autoscalingv2.HorizontalPodAutoscaler {
	target := int32(70)
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: []autoscalingv2.MetricSpec{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
				Target: autoscalingv2.MetricTarget{AverageUtilization: &target}},
		}}},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{Conditions: conds},
	}
	if current != nil {
		hpa.Status.CurrentMetrics = []autoscalingv2.MetricStatus{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU,
				Current: autoscalingv2.MetricValueStatus{AverageUtilization: current}},
		}}
	}
	return hpa
}

func TestHealthOf(t *testing.T) {
	value := int32(40)
	tests := []struct {
		name    string
		conds   []autoscalingv2.HorizontalPodAutoscalerCondition
		current *int32
		word    Word
		reason  string
	}{
		{"no conditions", nil, nil, Pending, ""},
		{"working", healthy(), &value, OK, "ValidMetricFound"},
		{"at min is normal", with(healthy(), cond(limited, yes, "TooFewReplicas")), &value, OK,
			"ValidMetricFound"},
		{"target missing", with(healthy(), cond(able, no, "FailedGetScale")), nil, NoTarget,
			"FailedGetScale"},
		{"update failed", with(healthy(), cond(able, no, "FailedUpdateScale")), &value,
			ScaleFailed, "FailedUpdateScale"},
		{"resource metric failed", with(healthy(), cond(active, no, "FailedGetResourceMetric")),
			nil, NoMetrics, "FailedGetResourceMetric"},
		{"external metric failed", with(healthy(), cond(active, no, "FailedGetExternalMetric")),
			nil, NoMetrics, "FailedGetExternalMetric"},
		{"bad metric type", with(healthy(), cond(active, no, "InvalidMetricSourceType")), nil,
			NoMetrics, "InvalidMetricSourceType"},
		{"zero replicas", with(healthy(), cond(active, no, "ScalingDisabled")), &value,
			NotScaling, "ScalingDisabled"},
		{"two HPAs", with(healthy(), cond(active, no, "AmbiguousSelector")), &value, NotScaling,
			"AmbiguousSelector"},
		{"metric lost while active", healthy(), nil, PartialMetrics, ""},
		{"at max", with(healthy(), cond(limited, yes, "TooManyReplicas")), &value, AtMax,
			"TooManyReplicas"},
		{"rate limited", with(healthy(), cond(limited, yes, "ScaleUpLimit")), &value, Limited,
			"ScaleUpLimit"},
		{"stabilizing", with(healthy(), cond(able, yes, "ScaleDownStabilized")), &value,
			Stabilizing, "ScaleDownStabilized"},
		{"no target beats no metrics", with(with(healthy(), cond(able, no, "FailedGetScale")),
			cond(active, no, "FailedGetResourceMetric")), nil, NoTarget, "FailedGetScale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := HealthOf(cpuHPA(tt.conds, tt.current))
			assert.Equal(t, tt.word, h.Word)
			assert.Equal(t, tt.reason, h.Reason)
		})
	}
}

func TestMetricText(t *testing.T) {
	q := resource.MustParse
	value, avg, util := q("12"), q("500m"), int32(45)
	tests := []struct {
		m    Metric
		want string
	}{
		{Metric{Kind: "Resource", Name: "cpu", Target: "70%", Current: "45%"}, "cpu: 45%/70%"},
		{Metric{Kind: "Resource", Name: "memory", Target: "80%"}, "memory: <unknown>/80%"},
		{Metric{Kind: "ContainerResource", Name: "cpu", Container: "app", Target: "500m",
			Current: "250m"}, "cpu: 250m/500m"},
		{Metric{Kind: "Pods", Name: "rps", Target: "10", Current: "12"}, "12/10"},
		{Metric{Kind: "Object", Name: "rps", Target: "10", Current: "12", PerPod: true},
			"12/10 (avg)"},
		{Metric{Kind: "External", Name: "queue", Target: "30"}, "<unknown>/30"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.Text())
	}

	hpa := &autoscalingv2.HorizontalPodAutoscaler{Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
		Metrics: []autoscalingv2.MetricSpec{
			{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "queue"},
				Target: autoscalingv2.MetricTarget{AverageValue: &avg}}},
			{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "hits"},
				Target: autoscalingv2.MetricTarget{Value: &value}}},
			cpuHPA(nil, nil).Spec.Metrics[0],
		}}}
	hpa.Status.CurrentMetrics = []autoscalingv2.MetricStatus{
		{External: &autoscalingv2.ExternalMetricStatus{
			Current: autoscalingv2.MetricValueStatus{AverageValue: &avg}}},
		{Object: &autoscalingv2.ObjectMetricStatus{
			Current: autoscalingv2.MetricValueStatus{Value: &value}}},
		{Resource: &autoscalingv2.ResourceMetricStatus{
			Current: autoscalingv2.MetricValueStatus{AverageUtilization: &util}}},
	}
	var texts []string
	for _, m := range MetricsOf(hpa) {
		texts = append(texts, m.Text())
	}
	assert.Equal(t, []string{"500m/500m (avg)", "12/12", "cpu: 45%/70%"}, texts)
}

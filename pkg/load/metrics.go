package load

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
)

// metricSamples pairs each metric of the spec with the controller's current value for it.
// Status lists the metrics in spec order, but an entry can be missing or empty when the
// metric failed, so entries are matched by kind and name, not by position.
func metricSamples(hpa *autoscalingv2.HorizontalPodAutoscaler) []MetricSample {
	out := make([]MetricSample, 0, len(hpa.Spec.Metrics))
	for _, spec := range hpa.Spec.Metrics {
		name, target := specMetric(spec)
		m := MetricSample{Name: name, Target: targetValue(target),
			Utilization: target.Type == autoscalingv2.UtilizationMetricType}
		for _, status := range hpa.Status.CurrentMetrics {
			if statusName(status) == name {
				m.Current = currentValue(status, target.Type)
				break
			}
		}
		out = append(out, m)
	}
	return out
}

// specMetric names a spec metric the way the live view shows it and returns its target.
func specMetric(m autoscalingv2.MetricSpec) (string, autoscalingv2.MetricTarget) {
	switch m.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if m.Resource != nil {
			return string(m.Resource.Name), m.Resource.Target
		}
	case autoscalingv2.ContainerResourceMetricSourceType:
		if c := m.ContainerResource; c != nil {
			return string(c.Name) + "/" + c.Container, c.Target
		}
	case autoscalingv2.PodsMetricSourceType:
		if m.Pods != nil {
			return "pods/" + m.Pods.Metric.Name, m.Pods.Target
		}
	case autoscalingv2.ObjectMetricSourceType:
		if o := m.Object; o != nil {
			return o.DescribedObject.Kind + "/" + o.DescribedObject.Name + "/" + o.Metric.Name,
				o.Target
		}
	case autoscalingv2.ExternalMetricSourceType:
		if m.External != nil {
			return "external/" + m.External.Metric.Name, m.External.Target
		}
	}
	return string(m.Type), autoscalingv2.MetricTarget{}
}

func statusName(m autoscalingv2.MetricStatus) string {
	switch {
	case m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil:
		return string(m.Resource.Name)
	case m.Type == autoscalingv2.ContainerResourceMetricSourceType && m.ContainerResource != nil:
		return string(m.ContainerResource.Name) + "/" + m.ContainerResource.Container
	case m.Type == autoscalingv2.PodsMetricSourceType && m.Pods != nil:
		return "pods/" + m.Pods.Metric.Name
	case m.Type == autoscalingv2.ObjectMetricSourceType && m.Object != nil:
		o := m.Object
		return o.DescribedObject.Kind + "/" + o.DescribedObject.Name + "/" + o.Metric.Name
	case m.Type == autoscalingv2.ExternalMetricSourceType && m.External != nil:
		return "external/" + m.External.Metric.Name
	}
	return ""
}

func targetValue(t autoscalingv2.MetricTarget) float64 {
	switch {
	case t.Type == autoscalingv2.UtilizationMetricType && t.AverageUtilization != nil:
		return float64(*t.AverageUtilization)
	case t.Type == autoscalingv2.AverageValueMetricType && t.AverageValue != nil:
		return t.AverageValue.AsApproximateFloat64()
	case t.Type == autoscalingv2.ValueMetricType && t.Value != nil:
		return t.Value.AsApproximateFloat64()
	}
	return 0
}

// currentValue reads the field of the status that corresponds to the target's type; nil
// when the controller has no value (the metric failed or was never computed).
func currentValue(m autoscalingv2.MetricStatus, kind autoscalingv2.MetricTargetType) *float64 {
	var v *autoscalingv2.MetricValueStatus
	switch {
	case m.Resource != nil:
		v = &m.Resource.Current
	case m.ContainerResource != nil:
		v = &m.ContainerResource.Current
	case m.Pods != nil:
		v = &m.Pods.Current
	case m.Object != nil:
		v = &m.Object.Current
	case m.External != nil:
		v = &m.External.Current
	default:
		return nil
	}

	switch kind {
	case autoscalingv2.UtilizationMetricType:
		if v.AverageUtilization != nil {
			f := float64(*v.AverageUtilization)
			return &f
		}
	case autoscalingv2.AverageValueMetricType:
		return quantity(v.AverageValue)
	case autoscalingv2.ValueMetricType:
		return quantity(v.Value)
	}
	return nil
}

func quantity(q *resource.Quantity) *float64 {
	if q == nil {
		return nil
	}
	f := q.AsApproximateFloat64()
	return &f
}

package view

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Metric is one of an HPA's metrics with the current value its status reports, both as
// `kubectl get hpa` prints them.
type Metric struct {
	// Kind is the metric source type: Resource, ContainerResource, Pods, Object or External.
	Kind string `json:"kind"`
	// Name is the resource name (cpu, memory) or the custom or external metric's name.
	Name string `json:"name"`
	// Container is set for ContainerResource metrics.
	Container string `json:"container,omitempty"`
	// Target is "70%" for utilization targets, otherwise a quantity.
	Target string `json:"target"`
	// Current is empty when the status holds no value for the metric.
	Current string `json:"current,omitempty"`
	// Utilization is set for utilization targets: Target is a percentage of request.
	Utilization bool `json:"utilization,omitempty"`
	// PerPod is set for Object and External metrics with an AverageValue target.
	PerPod bool `json:"perPod,omitempty"`
}

// Text is the metric as `kubectl get hpa` prints it in TARGETS: "cpu: 45%/70%" for resource
// metrics, "12/10 (avg)" for per-pod object and external targets, "<unknown>" for a value the
// status lacks.
func (m Metric) Text() string {
	current := m.Current
	if current == "" {
		current = "<unknown>"
	}
	switch m.Kind {
	case string(autoscalingv2.ResourceMetricSourceType),
		string(autoscalingv2.ContainerResourceMetricSourceType):
		return fmt.Sprintf("%s: %s/%s", m.Name, current, m.Target)
	}
	if m.PerPod {
		return fmt.Sprintf("%s/%s (avg)", current, m.Target)
	}
	return current + "/" + m.Target
}

// MetricsOf pairs each metric of the spec with the status entry at the same position, the
// way the controller writes them and kubectl reads them.
func MetricsOf(hpa *autoscalingv2.HorizontalPodAutoscaler) []Metric {
	out := make([]Metric, 0, len(hpa.Spec.Metrics))
	for i := range hpa.Spec.Metrics {
		var status *autoscalingv2.MetricStatus
		if i < len(hpa.Status.CurrentMetrics) {
			status = &hpa.Status.CurrentMetrics[i]
		}
		out = append(out, metricOf(&hpa.Spec.Metrics[i], status))
	}
	return out
}

func metricOf(spec *autoscalingv2.MetricSpec, status *autoscalingv2.MetricStatus) Metric {
	m := Metric{Kind: string(spec.Type)}
	switch spec.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if spec.Resource == nil {
			break
		}
		m.Name = string(spec.Resource.Name)
		m.fillResource(spec.Resource.Target, currentOf(status, resourceCurrent))
	case autoscalingv2.ContainerResourceMetricSourceType:
		if spec.ContainerResource == nil {
			break
		}
		m.Name, m.Container = string(spec.ContainerResource.Name), spec.ContainerResource.Container
		m.fillResource(spec.ContainerResource.Target, currentOf(status, containerCurrent))
	case autoscalingv2.PodsMetricSourceType:
		if spec.Pods == nil {
			break
		}
		m.Name = spec.Pods.Metric.Name
		m.Target = quantity(spec.Pods.Target.AverageValue)
		if cur := currentOf(status, podsCurrent); cur != nil {
			m.Current = quantity(cur.AverageValue)
		}
	default:
		m.fillValueMetric(spec, status)
	}
	return m
}

// fillResource reads a resource target: a utilization percentage, or an average value.
func (m *Metric) fillResource(target autoscalingv2.MetricTarget,
	cur *autoscalingv2.MetricValueStatus) {
	if target.AverageValue != nil {
		m.Target = target.AverageValue.String()
		if cur != nil {
			m.Current = quantity(cur.AverageValue)
		}
		return
	}

	m.Utilization = true
	m.Target = "<auto>"
	if target.AverageUtilization != nil {
		m.Target = fmt.Sprintf("%d%%", *target.AverageUtilization)
	}
	if cur != nil && cur.AverageUtilization != nil {
		m.Current = fmt.Sprintf("%d%%", *cur.AverageUtilization)
	}
}

// fillValueMetric reads Object and External metrics, whose target is a total Value or a
// per-pod AverageValue.
func (m *Metric) fillValueMetric(spec *autoscalingv2.MetricSpec,
	status *autoscalingv2.MetricStatus) {
	var target autoscalingv2.MetricTarget
	var cur *autoscalingv2.MetricValueStatus
	switch {
	case spec.Type == autoscalingv2.ObjectMetricSourceType && spec.Object != nil:
		m.Name, target = spec.Object.Metric.Name, spec.Object.Target
		cur = currentOf(status, objectCurrent)
	case spec.Type == autoscalingv2.ExternalMetricSourceType && spec.External != nil:
		m.Name, target = spec.External.Metric.Name, spec.External.Target
		cur = currentOf(status, externalCurrent)
	default:
		m.Target = "<unknown type>"
		return
	}

	m.PerPod = target.AverageValue != nil
	if m.PerPod {
		m.Target = target.AverageValue.String()
		if cur != nil {
			m.Current = quantity(cur.AverageValue)
		}
		return
	}
	m.Target = quantity(target.Value)
	if cur != nil {
		m.Current = quantity(cur.Value)
	}
}

func quantity(q *resource.Quantity) string {
	if q == nil {
		return "0"
	}
	return q.String()
}

type currentFunc func(*autoscalingv2.MetricStatus) *autoscalingv2.MetricValueStatus

func currentOf(status *autoscalingv2.MetricStatus,
	get currentFunc) *autoscalingv2.MetricValueStatus {
	if status == nil {
		return nil
	}
	return get(status)
}

func resourceCurrent(s *autoscalingv2.MetricStatus) *autoscalingv2.MetricValueStatus {
	if s.Resource == nil {
		return nil
	}
	return &s.Resource.Current
}

func containerCurrent(s *autoscalingv2.MetricStatus) *autoscalingv2.MetricValueStatus {
	if s.ContainerResource == nil {
		return nil
	}
	return &s.ContainerResource.Current
}

func podsCurrent(s *autoscalingv2.MetricStatus) *autoscalingv2.MetricValueStatus {
	if s.Pods == nil {
		return nil
	}
	return &s.Pods.Current
}

func objectCurrent(s *autoscalingv2.MetricStatus) *autoscalingv2.MetricValueStatus {
	if s.Object == nil {
		return nil
	}
	return &s.Object.Current
}

func externalCurrent(s *autoscalingv2.MetricStatus) *autoscalingv2.MetricValueStatus {
	if s.External == nil {
		return nil
	}
	return &s.External.Current
}

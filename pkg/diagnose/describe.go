package diagnose

import (
	"fmt"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// defaultCPUTarget is the metric the API server fills in for an HPA with no spec.metrics.
const defaultCPUTarget = 80

// hpaKey is how findings name an HPA: namespace/name.
func hpaKey(hpa *autoscalingv2.HorizontalPodAutoscaler) string {
	return hpa.Namespace + "/" + hpa.Name
}

func hpaSubject(hpa *autoscalingv2.HorizontalPodAutoscaler) Subject {
	return Subject{Kind: KindHPA, Namespace: hpa.Namespace, Name: hpa.Name}
}

// metricsOf returns an HPA's metrics as the controller sees them: spec.metrics, or the
// default cpu target when the list is empty.
func metricsOf(hpa *autoscalingv2.HorizontalPodAutoscaler) []autoscalingv2.MetricSpec {
	if len(hpa.Spec.Metrics) > 0 {
		return hpa.Spec.Metrics
	}
	target := int32(defaultCPUTarget)
	return []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
				AverageUtilization: &target}}}}
}

// metricsOfType returns the metrics of an HPA whose source type is one of types.
func metricsOfType(hpa *autoscalingv2.HorizontalPodAutoscaler,
	types ...autoscalingv2.MetricSourceType) []autoscalingv2.MetricSpec {
	var out []autoscalingv2.MetricSpec
	for _, m := range metricsOf(hpa) {
		for _, t := range types {
			if m.Type == t {
				out = append(out, m)
			}
		}
	}
	return out
}

// resourceMetricTypes are served by metrics.k8s.io.
var resourceMetricTypes = []autoscalingv2.MetricSourceType{autoscalingv2.ResourceMetricSourceType,
	autoscalingv2.ContainerResourceMetricSourceType}

// describeMetric names a metric and its target the way a user reads them.
func describeMetric(m autoscalingv2.MetricSpec) string {
	switch {
	case m.Resource != nil:
		return m.Resource.Name.String() + " " + describeTarget(m.Resource.Target)
	case m.ContainerResource != nil:
		return fmt.Sprintf("%s of container %s %s", m.ContainerResource.Name,
			m.ContainerResource.Container, describeTarget(m.ContainerResource.Target))
	case m.Pods != nil:
		return "pods metric " + m.Pods.Metric.Name + " " + describeTarget(m.Pods.Target)
	case m.Object != nil:
		return fmt.Sprintf("object metric %s of %s/%s %s", m.Object.Metric.Name,
			m.Object.DescribedObject.Kind, m.Object.DescribedObject.Name,
			describeTarget(m.Object.Target))
	case m.External != nil:
		return "external metric " + m.External.Metric.Name + " " + describeTarget(m.External.Target)
	}
	return "metric of type " + string(m.Type)
}

func describeTarget(t autoscalingv2.MetricTarget) string {
	switch {
	case t.AverageUtilization != nil:
		return fmt.Sprintf("%d%% utilization", *t.AverageUtilization)
	case t.AverageValue != nil:
		return "average " + t.AverageValue.String()
	case t.Value != nil:
		return "value " + t.Value.String()
	}
	return "without target"
}

// describeMetrics joins the descriptions of several metrics.
func describeMetrics(metrics []autoscalingv2.MetricSpec) string {
	parts := make([]string, 0, len(metrics))
	for _, m := range metrics {
		parts = append(parts, describeMetric(m))
	}
	return strings.Join(parts, ", ")
}

// condition returns the HPA condition of that type, if the controller wrote one.
func condition(hpa *autoscalingv2.HorizontalPodAutoscaler,
	kind autoscalingv2.HorizontalPodAutoscalerConditionType,
) (autoscalingv2.HorizontalPodAutoscalerCondition, bool) {
	for _, c := range hpa.Status.Conditions {
		if c.Type == kind {
			return c, true
		}
	}
	return autoscalingv2.HorizontalPodAutoscalerCondition{}, false
}

// conditionWith returns the HPA condition of that type when it has that status.
func conditionWith(hpa *autoscalingv2.HorizontalPodAutoscaler,
	kind autoscalingv2.HorizontalPodAutoscalerConditionType, status corev1.ConditionStatus,
) (autoscalingv2.HorizontalPodAutoscalerCondition, bool) {
	c, ok := condition(hpa, kind)
	return c, ok && c.Status == status
}

// describeCondition quotes a condition as evidence: type=status reason: message.
func describeCondition(c autoscalingv2.HorizontalPodAutoscalerCondition) string {
	out := fmt.Sprintf("condition %s=%s %s", c.Type, c.Status, c.Reason)
	if c.Message != "" {
		out += ": " + c.Message
	}
	return out
}

// age renders a duration as kubectl does: 45s, 4m, 3h, 2d.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// selectorString renders a selector, or "<none>".
func selectorString(sel labels.Selector) string {
	if sel == nil || sel.Empty() {
		return "<none>"
	}
	return sel.String()
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// metricResource is the resource (cpu, memory) of a Resource or ContainerResource metric.
func metricResource(m autoscalingv2.MetricSpec) corev1.ResourceName {
	switch {
	case m.Resource != nil:
		return m.Resource.Name
	case m.ContainerResource != nil:
		return m.ContainerResource.Name
	}
	return ""
}

// metricContainer is the container a ContainerResource metric reads, empty otherwise.
func metricContainer(m autoscalingv2.MetricSpec) string {
	if m.ContainerResource != nil {
		return m.ContainerResource.Container
	}
	return ""
}

// hasUsage reports whether every container sample carries the resource, as the controller
// requires for a pod to have a sample at all.
func hasUsage(containers []metricsv1beta1.ContainerMetrics, name corev1.ResourceName) bool {
	if len(containers) == 0 {
		return false
	}
	for _, c := range containers {
		if _, ok := c.Usage[name]; !ok {
			return false
		}
	}
	return true
}

// minReplicas is spec.minReplicas, 1 when unset.
func minReplicas(hpa *autoscalingv2.HorizontalPodAutoscaler) int32 {
	if hpa.Spec.MinReplicas == nil {
		return 1
	}
	return *hpa.Spec.MinReplicas
}

// describeCurrent renders status.currentMetrics as kubectl shows them: cpu 20% (50m).
func describeCurrent(hpa *autoscalingv2.HorizontalPodAutoscaler) string {
	var parts []string
	for _, m := range hpa.Status.CurrentMetrics {
		if s := describeMetricStatus(m); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "no metric values"
	}
	return strings.Join(parts, ", ")
}

func describeMetricStatus(m autoscalingv2.MetricStatus) string {
	var name string
	var cur autoscalingv2.MetricValueStatus
	switch {
	case m.Resource != nil:
		name, cur = m.Resource.Name.String(), m.Resource.Current
	case m.ContainerResource != nil:
		name, cur = m.ContainerResource.Name.String(), m.ContainerResource.Current
	case m.Pods != nil:
		name, cur = m.Pods.Metric.Name, m.Pods.Current
	case m.Object != nil:
		name, cur = m.Object.Metric.Name, m.Object.Current
	case m.External != nil:
		name, cur = m.External.Metric.Name, m.External.Current
	default:
		return ""
	}
	switch {
	case cur.AverageUtilization != nil && cur.AverageValue != nil:
		return fmt.Sprintf("%s %d%% (%s)", name, *cur.AverageUtilization, cur.AverageValue.String())
	case cur.AverageUtilization != nil:
		return fmt.Sprintf("%s %d%%", name, *cur.AverageUtilization)
	case cur.AverageValue != nil:
		return name + " " + cur.AverageValue.String()
	case cur.Value != nil:
		return name + " " + cur.Value.String()
	}
	return name + " <unknown>"
}

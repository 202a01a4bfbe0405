package metrics

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	custommetrics "k8s.io/metrics/pkg/apis/custom_metrics/v1beta2"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// Source supplies the metric values the controller would fetch for one HPA. Each method
// returns either the values or the error the controller's metrics client would report; an
// error wrapping ErrNotObserved means the caller did not gather that metric.
type Source interface {
	// ResourceSamples reads the resource metrics API (container empty: whole pods).
	ResourceSamples(resource corev1.ResourceName, container string) (Samples, error)
	// PodsSamples reads a per-pod custom metric.
	PodsSamples(metric autoscalingv2.MetricIdentifier) (Samples, error)
	// ObjectValue reads a custom metric describing one object.
	ObjectValue(object autoscalingv2.CrossVersionObjectReference,
		metric autoscalingv2.MetricIdentifier) (int64, error)
	// ExternalValues reads the series of an external metric.
	ExternalValues(metric autoscalingv2.MetricIdentifier) ([]int64, error)
}

// ObservedSource is a Source over data gathered beforehand: a PodMetrics list and, when
// gathered, custom and external metric values. Anything not gathered reports ErrNotObserved.
type ObservedSource struct {
	// PodMetrics is a metrics.k8s.io list; PodMetricsErr the error of that list, if it
	// failed. Namespace (when set) and Selector narrow it to the HPA's pods.
	PodMetrics    []resourcemetrics.PodMetrics
	PodMetricsErr error
	Namespace     string
	Selector      labels.Selector
	// Custom holds per-pod custom metric lists by metric name.
	Custom map[string]*custommetrics.MetricValueList
	// Objects holds object metric values (milli-units) by ObjectKey.
	Objects map[string]int64
	// External holds the series of external metrics (milli-units) by metric name.
	External map[string][]int64
}

// ObjectKey is the key of ObservedSource.Objects: "Kind/name/metric".
func ObjectKey(object autoscalingv2.CrossVersionObjectReference, metric string) string {
	return object.Kind + "/" + object.Name + "/" + metric
}

// WithSelector returns a copy of s that keeps only the PodMetrics matching selector, unless
// s already has a selector.
func (s *ObservedSource) WithSelector(selector labels.Selector) Source {
	if s.Selector != nil {
		return s
	}
	narrowed := *s
	narrowed.Selector = selector
	return &narrowed
}

// ResourceSamples implements Source.
func (s *ObservedSource) ResourceSamples(resource corev1.ResourceName,
	container string) (Samples, error) {
	items := s.PodMetrics
	if s.Namespace != "" {
		items = inNamespace(items, s.Namespace)
	}
	samples, _, err := ResourceSamples(items, s.PodMetricsErr, s.Selector, resource, container)
	return samples, err
}

// PodsSamples implements Source.
func (s *ObservedSource) PodsSamples(metric autoscalingv2.MetricIdentifier) (Samples, error) {
	list, ok := s.Custom[metric.Name]
	if !ok {
		return nil, fmt.Errorf("custom metric %s: %w", metric.Name, ErrNotObserved)
	}
	samples, _, err := CustomSamples(list, nil)
	return samples, err
}

// ObjectValue implements Source.
func (s *ObservedSource) ObjectValue(object autoscalingv2.CrossVersionObjectReference,
	metric autoscalingv2.MetricIdentifier) (int64, error) {
	value, ok := s.Objects[ObjectKey(object, metric.Name)]
	if !ok {
		return 0, fmt.Errorf("object metric %s: %w", metric.Name, ErrNotObserved)
	}
	return value, nil
}

// ExternalValues implements Source.
func (s *ObservedSource) ExternalValues(metric autoscalingv2.MetricIdentifier) ([]int64, error) {
	values, ok := s.External[metric.Name]
	if !ok {
		return nil, fmt.Errorf("external metric %s: %w", metric.Name, ErrNotObserved)
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("no metrics returned from external metrics API")
	}
	return values, nil
}

// inNamespace returns the items of one namespace, without copying when all are.
func inNamespace(items []resourcemetrics.PodMetrics, ns string) []resourcemetrics.PodMetrics {
	for i := range items {
		if items[i].Namespace == ns {
			continue
		}
		kept := make([]resourcemetrics.PodMetrics, 0, len(items))
		for j := range items {
			if items[j].Namespace == ns {
				kept = append(kept, items[j])
			}
		}
		return kept
	}
	return items
}

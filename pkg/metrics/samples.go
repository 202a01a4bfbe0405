package metrics

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	custommetrics "k8s.io/metrics/pkg/apis/custom_metrics/v1beta2"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// customMetricDefaultWindow is the window the controller assumes when a custom metrics adapter
// sends none.
const customMetricDefaultWindow = time.Minute

// ErrNotObserved marks a metric value the caller did not gather (for example a custom metric
// when only the resource metrics API was read). A metric failing with it makes the decision
// uncertain rather than reproducing a controller failure.
var ErrNotObserved = errors.New("not observed")

// Sample is one pod's value of a metric as the controller sees it: milli-units, with the
// timestamp and window the metrics API reported.
type Sample struct {
	Value     int64     `json:"value"`
	Timestamp time.Time `json:"timestamp"`
	Window    Duration  `json:"window"`
}

// Duration is a time.Duration that reads as "5m0s" in JSON and YAML.
type Duration time.Duration

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration as a string such as "30s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Duration) UnmarshalJSON(data []byte) error {
	text, err := strconv.Unquote(string(data))
	if err != nil {
		return fmt.Errorf("duration %s is not a quoted string such as \"30s\"", data)
	}
	parsed, err := time.ParseDuration(text)
	if err != nil {
		return fmt.Errorf("duration %q: %w", text, err)
	}
	*d = Duration(parsed)
	return nil
}

// Samples maps pod names to their samples.
type Samples map[string]Sample

// ResourceSamples turns a metrics.k8s.io PodMetrics list into the samples the controller uses
// for resource (container empty) or container-resource metrics. Items whose labels do not
// match selector are skipped, as the API server would not have returned them; a nil selector
// keeps all. listErr is the error of the LIST call, if it failed. The timestamp returned is
// the first item's, as in the controller.
func ResourceSamples(items []resourcemetrics.PodMetrics, listErr error, selector labels.Selector,
	resource corev1.ResourceName, container string) (Samples, time.Time, error) {
	if listErr != nil {
		return nil, time.Time{}, fmt.Errorf("unable to fetch metrics from resource metrics API: %w",
			listErr)
	}

	keep := func(m *resourcemetrics.PodMetrics) bool {
		return selector == nil || selector.Empty() || selector.Matches(labels.Set(m.Labels))
	}
	samples := make(Samples, len(items))
	var first *resourcemetrics.PodMetrics
	for i := range items {
		m := &items[i]
		if !keep(m) {
			continue
		}
		if first == nil {
			first = m
		}
		if value, ok := podUsage(m, resource, container); ok {
			samples[m.Name] = Sample{Value: value, Timestamp: m.Timestamp.Time,
				Window: Duration(m.Window.Duration)}
		}
	}

	if first == nil {
		return nil, time.Time{}, errors.New("no metrics returned from resource metrics API")
	}
	return samples, first.Timestamp.Time, nil
}

// podUsage is a pod's usage of resource: the named container's, or the sum over all
// containers. A pod lacking the resource in any summed container, or listing no containers,
// has no usage.
func podUsage(m *resourcemetrics.PodMetrics, resource corev1.ResourceName,
	container string) (int64, bool) {
	if container != "" {
		for _, c := range m.Containers {
			if c.Name != container {
				continue
			}
			q, ok := c.Usage[resource]
			return q.MilliValue(), ok
		}
		return 0, false
	}

	if len(m.Containers) == 0 {
		return 0, false
	}
	var sum int64
	for _, c := range m.Containers {
		q, ok := c.Usage[resource]
		if !ok {
			return 0, false
		}
		sum += q.MilliValue()
	}
	return sum, true
}

// CustomSamples turns a custom.metrics.k8s.io list for pods into samples, or the error the
// controller reports. listErr is the error of the call, if it failed.
func CustomSamples(list *custommetrics.MetricValueList, listErr error) (Samples, time.Time,
	error) {
	if listErr != nil {
		return nil, time.Time{}, fmt.Errorf("unable to fetch metrics from custom metrics API: %w",
			listErr)
	}
	if list == nil || len(list.Items) == 0 {
		return nil, time.Time{}, errors.New("no metrics returned from custom metrics API")
	}

	samples := make(Samples, len(list.Items))
	for _, item := range list.Items {
		window := customMetricDefaultWindow
		if item.WindowSeconds != nil {
			window = time.Duration(*item.WindowSeconds) * time.Second
		}
		samples[item.DescribedObject.Name] = Sample{
			Value:     item.Value.MilliValue(),
			Timestamp: item.Timestamp.Time,
			Window:    Duration(window),
		}
	}
	return samples, list.Items[0].Timestamp.Time, nil
}

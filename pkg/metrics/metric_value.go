package metrics

import (
	"errors"
	"fmt"
	"math"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// objectMetric handles Object metrics: one value describing one object.
func (ctx *metricContext) objectMetric(r *MetricResult, spec autoscalingv2.MetricSpec) *failure {
	const reason = "FailedGetObjectMetric"
	if spec.Object == nil {
		return missingSpec(reason, spec.Type)
	}
	obj, metric, target := spec.Object.DescribedObject, spec.Object.Metric, spec.Object.Target
	r.Name = fmt.Sprintf("%s %s/%s metric %s", "object", obj.Kind, obj.Name, metric.Name)
	wrap := func(inner, outer error, notObserved bool) *failure {
		return &failure{reason: reason, inner: inner, notObserved: notObserved,
			outer: fmt.Errorf("failed to get object metric value: %w", outer)}
	}

	if _, err := metav1.LabelSelectorAsSelector(metric.Selector); err != nil {
		return wrap(err, err, false)
	}
	perPod := target.Type == autoscalingv2.AverageValueMetricType && target.AverageValue != nil
	if !perPod && (target.Type != autoscalingv2.ValueMetricType || target.Value == nil) {
		err := errors.New("invalid object metric source: neither a value target nor an " +
			"average value target was set")
		return wrap(err, err, false)
	}

	usage, f := ctx.objectValue(obj, metric, perPod, wrap)
	if f != nil {
		return f
	}
	if perPod {
		r.Target = target.AverageValue.String() + " per pod"
		r.Description = fmt.Sprintf("external metric %s(%s)", metric.Name,
			selectorString(metric.Selector))
		return ctx.averageValue(r, usage, target.AverageValue.MilliValue(), wrapSame(wrap))
	}
	r.Target = "value " + target.Value.String()
	r.Description = fmt.Sprintf("%s metric %s", obj.Kind, metric.Name)
	return ctx.value(r, usage, target.Value.MilliValue(), wrapSame(wrap))
}

// objectValue reads the object's metric, wording a failure as the controller does.
func (ctx *metricContext) objectValue(obj autoscalingv2.CrossVersionObjectReference,
	metric autoscalingv2.MetricIdentifier, perPod bool,
	wrap func(inner, outer error, notObserved bool) *failure) (int64, *failure) {
	usage, err := ctx.source.ObjectValue(obj, metric)
	if err == nil {
		return usage, nil
	}
	inner := fmt.Errorf("unable to get metric %s on %s %s/%s: %w", metric.Name, obj.Kind,
		ctx.namespace, obj.Name, err)
	outer := error(inner)
	if perPod {
		outer = fmt.Errorf("failed to get %s object metric: %w", metric.Name, inner)
	}
	return 0, wrap(inner, outer, errors.Is(err, ErrNotObserved))
}

// wrapSame adapts a two-layer wrapper to errors that are the same in both layers.
func wrapSame(wrap func(inner, outer error, notObserved bool) *failure) func(error) *failure {
	return func(err error) *failure { return wrap(err, err, false) }
}

// externalMetric handles External metrics: the sum of the series the adapter returns.
func (ctx *metricContext) externalMetric(r *MetricResult, spec autoscalingv2.MetricSpec) *failure {
	const reason = "FailedGetExternalMetric"
	if spec.External == nil {
		return missingSpec(reason, spec.Type)
	}
	metric, target := spec.External.Metric, spec.External.Target
	r.Name = "external metric " + metric.Name
	r.Description = fmt.Sprintf("external metric %s(%s)", metric.Name,
		selectorString(metric.Selector))
	perPod := target.AverageValue != nil
	wrap := func(inner error, notObserved bool) *failure {
		middle := fmt.Errorf("failed to get external metric %s: %w", metric.Name, inner)
		if perPod {
			middle = fmt.Errorf("failed to get %s external metric: %w", metric.Name, inner)
		}
		return &failure{reason: reason, inner: inner, notObserved: notObserved,
			outer: fmt.Errorf("failed to get %s external metric value: %w", metric.Name, middle)}
	}

	if !perPod && target.Value == nil {
		err := errors.New("invalid external metric source: neither a value target nor an " +
			"average value target was set")
		return &failure{reason: reason, inner: err,
			outer: fmt.Errorf("failed to get %s external metric value: %w", metric.Name, err)}
	}
	values, f := ctx.externalValues(metric, wrap)
	if f != nil {
		return f
	}

	plain := func(err error) *failure { return wrap(err, false) }
	if perPod {
		r.Target = target.AverageValue.String() + " per pod"
		return ctx.averageValue(r, sumPerPod(values), target.AverageValue.MilliValue(), plain)
	}
	r.Target = "value " + target.Value.String()
	return ctx.value(r, SumExternal(values), target.Value.MilliValue(), plain)
}

func (ctx *metricContext) externalValues(metric autoscalingv2.MetricIdentifier,
	wrap func(error, bool) *failure) ([]int64, *failure) {
	if _, err := metav1.LabelSelectorAsSelector(metric.Selector); err != nil {
		return nil, wrap(err, false)
	}
	values, err := ctx.source.ExternalValues(metric)
	if err != nil {
		inner := fmt.Errorf("unable to get external metric %s/%s/%s: %s", ctx.namespace,
			metric.Name, selectorString(metric.Selector), err)
		return nil, wrap(inner, errors.Is(err, ErrNotObserved))
	}
	return values, nil
}

// sumPerPod adds the series for AverageValue targets, where the controller turns any negative
// running sum into math.MaxInt64.
func sumPerPod(values []int64) int64 {
	var sum int64
	for _, v := range values {
		sum += v
		if sum < 0 {
			return math.MaxInt64
		}
	}
	return sum
}

func (ctx *metricContext) value(r *MetricResult, usage, target int64,
	fail func(error) *failure) *failure {
	v, err := ValueReplicas(usage, target, ctx.specReplicas, ctx.pods, ctx.tolerances)
	r.Value = &v
	if err != nil {
		return fail(err)
	}
	r.Proposal = v.Proposal
	return nil
}

func (ctx *metricContext) averageValue(r *MetricResult, usage, target int64,
	fail func(error) *failure) *failure {
	v, err := AverageValueReplicas(usage, target, ctx.statusReplicas, ctx.tolerances)
	r.Value = &v
	if err != nil {
		return fail(err)
	}
	r.Proposal = v.Proposal
	return nil
}

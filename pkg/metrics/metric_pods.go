package metrics

import (
	"errors"
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// resourceMetric handles Resource and ContainerResource metrics.
func (ctx *metricContext) resourceMetric(r *MetricResult, spec autoscalingv2.MetricSpec) *failure {
	var (
		name      corev1.ResourceName
		container string
		target    autoscalingv2.MetricTarget
	)
	reason := "FailedGetResourceMetric"
	if spec.Type == autoscalingv2.ContainerResourceMetricSourceType {
		reason = "FailedGetContainerResourceMetric"
		if spec.ContainerResource == nil {
			return missingSpec(reason, spec.Type)
		}
		name, target = spec.ContainerResource.Name, spec.ContainerResource.Target
		container = spec.ContainerResource.Container
		r.Name = fmt.Sprintf("%s of container %s", name, container)
	} else {
		if spec.Resource == nil {
			return missingSpec(reason, spec.Type)
		}
		name, target = spec.Resource.Name, spec.Resource.Target
		r.Name = string(name)
	}

	r.Resource = name
	inner := ctx.resourceTarget(r, name, container, target)
	if inner == nil {
		return nil
	}
	f := &failure{reason: reason, inner: inner}
	if container != "" {
		f.outer = fmt.Errorf("failed to get %s container metric value: %w", container, inner)
	} else {
		f.outer = fmt.Errorf("failed to get %s resource metric value: %w", name, inner)
	}
	return f
}

// resourceTarget computes a resource metric for its AverageValue or AverageUtilization target
// (AverageValue wins when both are set, as in the controller).
func (ctx *metricContext) resourceTarget(r *MetricResult, name corev1.ResourceName,
	container string, target autoscalingv2.MetricTarget) error {
	if target.AverageValue != nil {
		r.Target = target.AverageValue.String() + " per pod"
		r.Description = fmt.Sprintf("%s resource", name)
		err := ctx.resourceCalc(r, name, container, false, target.AverageValue.MilliValue())
		if err != nil {
			return fmt.Errorf("failed to get %s usage: %w", name, err)
		}
		return nil
	}

	if target.AverageUtilization == nil {
		return errors.New("invalid resource metric source: neither an average utilization " +
			"target nor an average value (usage) target was set")
	}
	r.Target = fmt.Sprintf("%d%% of request", *target.AverageUtilization)
	r.Description = fmt.Sprintf("%s resource utilization (percentage of request)", name)
	if container != "" {
		r.Description = fmt.Sprintf("%s container resource utilization (percentage of request)",
			name)
	}
	err := ctx.resourceCalc(r, name, container, true, int64(*target.AverageUtilization))
	if err != nil {
		return fmt.Errorf("failed to get %s utilization: %w", name, err)
	}
	return nil
}

func (ctx *metricContext) resourceCalc(r *MetricResult, name corev1.ResourceName,
	container string, utilization bool, target int64) error {
	samples, err := ctx.source.ResourceSamples(name, container)
	if err != nil {
		return fmt.Errorf("unable to get metrics for resource %s: %w", name, err)
	}
	return ctx.podCalc(r, PodMetricInput{
		Samples: samples, Resource: name, Container: container,
		Utilization: utilization, Target: target,
	})
}

// podCalc runs Calculate with the context's pods, replicas and knobs, and keeps the partial
// calculation (the pod grouping) even when it fails.
func (ctx *metricContext) podCalc(r *MetricResult, in PodMetricInput) error {
	in.Pods, in.Current, in.Tolerances = ctx.pods, ctx.specReplicas, ctx.tolerances
	in.Settings, in.Now = ctx.settings, ctx.now
	calc, err := Calculate(in)
	if calc.Grouping.Pods != nil {
		r.Pods = &calc
	}
	if err != nil {
		return err
	}
	r.Proposal = calc.Proposal
	return nil
}

// podsMetric handles Pods (per-pod custom) metrics: plain averages with no readiness check.
func (ctx *metricContext) podsMetric(r *MetricResult, spec autoscalingv2.MetricSpec) *failure {
	const reason = "FailedGetPodsMetric"
	if spec.Pods == nil {
		return missingSpec(reason, spec.Type)
	}
	name := spec.Pods.Metric.Name
	r.Name = "pods metric " + name
	r.Description = "pods metric " + name
	wrap := func(inner error, notObserved bool) *failure {
		return &failure{reason: reason, inner: inner, notObserved: notObserved,
			outer: fmt.Errorf("failed to get pods metric value: %w", inner)}
	}

	if _, err := metav1.LabelSelectorAsSelector(spec.Pods.Metric.Selector); err != nil {
		return wrap(err, false)
	}
	if spec.Pods.Target.AverageValue == nil {
		return wrap(errors.New("invalid pods metric source: no average value target was set"),
			false)
	}
	r.Target = spec.Pods.Target.AverageValue.String() + " per pod"

	samples, err := ctx.source.PodsSamples(spec.Pods.Metric)
	if err != nil {
		return wrap(fmt.Errorf("unable to get metric %s: %w", name, err),
			errors.Is(err, ErrNotObserved))
	}
	err = ctx.podCalc(r, PodMetricInput{
		Samples: samples, Target: spec.Pods.Target.AverageValue.MilliValue(),
	})
	if err != nil {
		return wrap(err, false)
	}
	return nil
}

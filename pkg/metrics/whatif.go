package metrics

import (
	"fmt"
	"maps"
	"sort"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// WhatIf replaces observed inputs with hypothetical ones, so a decision can be recomputed
// before targets or load change.
type WhatIf struct {
	// Utilization sets, per resource, every sampled pod's usage to this percentage of its
	// request (the pods the controller counts keep being counted).
	Utilization map[corev1.ResourceName]int64
	// CPU sets named pods' cpu usage, in millicores; a pod without a sample gets one.
	CPU map[string]int64
	// Replicas replaces the scale's replica count.
	Replicas *int32
}

// Empty reports whether w changes nothing.
func (w WhatIf) Empty() bool {
	return len(w.Utilization) == 0 && len(w.CPU) == 0 && w.Replicas == nil
}

// Apply returns in with w's changes, each described in in.WhatIf. A pod named in CPU must be
// one of the pods the HPA's target selects.
func (w WhatIf) Apply(in Input) (Input, error) {
	if w.Empty() {
		return in, nil
	}
	if err := w.checkPods(in); err != nil {
		return in, err
	}

	in.WhatIf = append([]string(nil), in.WhatIf...)
	if w.Replicas != nil {
		in.WhatIf = append(in.WhatIf, fmt.Sprintf("current replicas set to %d (the target "+
			"has %d)", *w.Replicas, in.Scale.SpecReplicas))
		in.Scale.SpecReplicas, in.Scale.StatusReplicas = *w.Replicas, *w.Replicas
	}
	for _, r := range sortedResources(w.Utilization) {
		in.WhatIf = append(in.WhatIf, fmt.Sprintf("%s usage of every sampled pod set to "+
			"%d%% of its request", r, w.Utilization[r]))
	}
	for _, pod := range sortedNames(w.CPU) {
		in.WhatIf = append(in.WhatIf, fmt.Sprintf("pod %s uses %s cpu", pod,
			quantity(w.CPU[pod])))
	}
	if len(w.Utilization) > 0 || len(w.CPU) > 0 {
		in.Source = &whatIfSource{inner: in.Source, w: w, pods: in.Pods,
			podLevel: !in.Settings.PodLevelResourcesOff, now: in.Now}
	}
	return in, nil
}

func (w WhatIf) checkPods(in Input) error {
	selected, _, err := SelectPods(in.Pods, in.Scale.Selector)
	if err != nil {
		return nil
	}
	names := make(map[string]bool, len(selected))
	for _, pod := range selected {
		names[pod.Name] = true
	}
	for _, name := range sortedNames(w.CPU) {
		if !names[name] {
			return fmt.Errorf("pod %q is not one of the %d pods the HPA counts (selector %s)",
				name, len(selected), in.Scale.Selector)
		}
	}
	return nil
}

func sortedNames(m map[string]int64) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func sortedResources(m map[corev1.ResourceName]int64) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// whatIfSource rewrites the resource samples of an inner Source.
type whatIfSource struct {
	inner    Source
	w        WhatIf
	pods     []*corev1.Pod
	podLevel bool
	now      time.Time
}

// WithSelector narrows the pods the hypothetical samples are made for, and the inner source.
func (s *whatIfSource) WithSelector(selector labels.Selector) Source {
	narrowed := *s
	narrowed.pods = nil
	for _, pod := range s.pods {
		if selector.Matches(labels.Set(pod.Labels)) {
			narrowed.pods = append(narrowed.pods, pod)
		}
	}
	if inner, ok := s.inner.(interface{ WithSelector(labels.Selector) Source }); ok {
		narrowed.inner = inner.WithSelector(selector)
	}
	return &narrowed
}

// ResourceSamples sets the hypothetical usage. When the metrics API failed, a utilization
// what-if gives every pod a sample, as if the API had answered.
func (s *whatIfSource) ResourceSamples(resource corev1.ResourceName,
	container string) (Samples, error) {
	samples, err := s.inner.ResourceSamples(resource, container)
	percent, hasPercent := s.w.Utilization[resource]
	usage := s.w.CPU
	if resource != corev1.ResourceCPU {
		usage = nil
	}
	if err != nil && !hasPercent {
		return samples, err
	}

	out := make(Samples, len(samples))
	maps.Copy(out, samples)
	if hasPercent {
		s.setUtilization(out, resource, container, percent, err != nil)
	}
	for name, v := range usage {
		out[name] = s.resample(out, name, v)
	}
	return out, nil
}

func (s *whatIfSource) setUtilization(out Samples, resource corev1.ResourceName,
	container string, percent int64, everyPod bool) {
	for _, pod := range s.pods {
		if _, sampled := out[pod.Name]; !sampled && !everyPod {
			continue
		}
		request, err := PodRequest(pod, resource, container, s.podLevel)
		if err != nil {
			continue
		}
		out[pod.Name] = s.resample(out, pod.Name, request*percent/100)
	}
}

// resample keeps a sample's time and window and changes its value; a new sample is taken now.
func (s *whatIfSource) resample(out Samples, name string, value int64) Sample {
	old, ok := out[name]
	if !ok {
		return Sample{Value: value, Timestamp: s.now}
	}
	old.Value = value
	return old
}

// PodsSamples implements Source.
func (s *whatIfSource) PodsSamples(m autoscalingv2.MetricIdentifier) (Samples, error) {
	return s.inner.PodsSamples(m)
}

// ObjectValue implements Source.
func (s *whatIfSource) ObjectValue(o autoscalingv2.CrossVersionObjectReference,
	m autoscalingv2.MetricIdentifier) (int64, error) {
	return s.inner.ObjectValue(o, m)
}

// ExternalValues implements Source.
func (s *whatIfSource) ExternalValues(m autoscalingv2.MetricIdentifier) ([]int64, error) {
	return s.inner.ExternalValues(m)
}

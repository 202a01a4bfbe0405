package view

import (
	"sort"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// SortBy orders the pods of top.
type SortBy string

// The orders top accepts; the default is by name.
const (
	SortByName   SortBy = ""
	SortByCPU    SortBy = "cpu"
	SortByMemory SortBy = "memory"
)

// TopReport is what the HPA controller sees of each HPA's pods, and the figure it computes
// from them.
type TopReport struct {
	HPAs []TopHPA `json:"hpas"`
	// Notices say why values are missing; they are for stderr, not part of the data.
	Notices       []string `json:"-"`
	AllNamespaces bool     `json:"-"`
}

// TopHPA is one HPA: its pods as the controller treats them, and its metrics.
type TopHPA struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Reference string `json:"reference"`
	// CurrentReplicas and DesiredReplicas are what the HPA's status says.
	CurrentReplicas int32       `json:"currentReplicas"`
	DesiredReplicas int32       `json:"desiredReplicas"`
	MinReplicas     int32       `json:"minReplicas"`
	MaxReplicas     int32       `json:"maxReplicas"`
	Pods            []TopPod    `json:"pods"`
	Metrics         []TopMetric `json:"metrics"`
	// NotComputed says why the controller computes no metric this cycle, if it does not.
	NotComputed string `json:"notComputed,omitempty"`
}

// Usage is a resource's use against its request. CPU is in millicores, memory in bytes; a nil
// field is a value the cluster did not give (no sample, no request).
type Usage struct {
	Used    *int64 `json:"used,omitempty"`
	Request *int64 `json:"request,omitempty"`
	// Percent is Used × 100 / Request, truncated as the controller truncates.
	Percent *int64 `json:"percent,omitempty"`
}

// TopPod is one pod of an HPA's target.
type TopPod struct {
	Name string `json:"name"`
	// Phase is the pod's phase, or Terminating once it is being deleted.
	Phase string `json:"phase"`
	// Ready is the status of the pod's Ready condition, empty when it has none.
	Ready      string         `json:"ready,omitempty"`
	CPU        Usage          `json:"cpuMillicores"`
	Memory     Usage          `json:"memoryBytes"`
	Treatments []Treatment    `json:"treatments"`
	Containers []TopContainer `json:"containers,omitempty"`
}

// Treatment is how the controller treats a pod for one metric this cycle.
type Treatment struct {
	Metric    string `json:"metric"`
	Treatment string `json:"treatment"`
	Reason    string `json:"reason"`
	Detail    string `json:"detail"`
}

// TopContainer is one container of a pod.
type TopContainer struct {
	Name   string `json:"name"`
	CPU    Usage  `json:"cpuMillicores"`
	Memory Usage  `json:"memoryBytes"`
}

// Top builds the top report for every HPA in the snapshot; pods are ordered by sortBy.
func Top(snap *snapshot.Snapshot, sortBy SortBy) *TopReport {
	report := &TopReport{HPAs: []TopHPA{}, AllNamespaces: snap.Scope.AllNamespaces}
	in := newTopInput(snap)
	for _, hpa := range sortedHPAs(snap) {
		top, notices := in.topOf(hpa)
		sortPods(top.Pods, sortBy)
		report.HPAs = append(report.HPAs, top)
		report.Notices = append(report.Notices, notices...)
	}
	report.Notices = append(MetricsNotices(snap), report.Notices...)
	return report
}

func (in *topInput) topOf(hpa *autoscalingv2.HorizontalPodAutoscaler) (TopHPA, []string) {
	snap := in.snap
	top := TopHPA{Namespace: hpa.Namespace, Name: hpa.Name, Reference: Reference(hpa),
		CurrentReplicas: hpa.Status.CurrentReplicas, DesiredReplicas: hpa.Status.DesiredReplicas,
		MinReplicas: 1, MaxReplicas: hpa.Spec.MaxReplicas, Pods: []TopPod{}}
	if hpa.Spec.MinReplicas != nil {
		top.MinReplicas = *hpa.Spec.MinReplicas
	}

	target := snap.TargetOf(hpa)
	if !target.Found {
		top.NotComputed = targetProblem(target)
		top.Metrics = metricRows(hpa, nil)
		return top, nil
	}

	pods := snap.PodsOf(hpa)
	decision := in.decide(hpa, target, pods)
	top.NotComputed = notComputed(&decision)
	top.Metrics = metricRows(hpa, decision.Metrics)
	for _, pod := range pods {
		top.Pods = append(top.Pods, podRow(pod, snap.MetricsOf(pod), decision.Metrics))
	}
	return top, podNotices(snap, hpa, pods)
}

// decide runs the controller's sync for the HPA on the gathered data; top keeps the metric
// results: the pod grouping and the utilization of each metric.
func (in *topInput) decide(hpa *autoscalingv2.HorizontalPodAutoscaler, target *snapshot.Target,
	pods []*corev1.Pod) metrics.Decision {
	scale := metrics.Scale{SpecReplicas: target.SpecReplicas,
		StatusReplicas: target.StatusReplicas}
	if target.Selector != nil {
		scale.Selector = target.Selector.String()
	}
	source := &metrics.ObservedSource{PodMetrics: in.samplesFor(hpa.Namespace, target.Selector),
		PodMetricsErr: in.snap.MetricsError, Selector: target.Selector}
	return metrics.Decide(metrics.Input{HPA: hpa, Scale: scale, Pods: pods, Source: source,
		Peers: in.peersOf(hpa, pods), Now: in.snap.Taken})
}

func targetProblem(target *snapshot.Target) string {
	ref := target.Key.Kind + "/" + target.Key.Name
	if target.Err != nil {
		return "cannot read the target " + ref + ": " + target.Err.Error()
	}
	return "the target " + ref + " does not exist"
}

// notComputed says why a sync stops before the metrics, from the decision.
func notComputed(d *metrics.Decision) string {
	switch {
	case d.PreCheck != "":
		return "metrics are not computed this cycle: " + d.PreCheck
	case d.SelectorError != "":
		return "metrics are not computed this cycle: " + d.SelectorError
	}
	return ""
}

// sortPods orders pods by name, or by usage, highest first, with pods lacking a sample last.
func sortPods(pods []TopPod, by SortBy) {
	used := func(p *TopPod) *int64 {
		if by == SortByMemory {
			return p.Memory.Used
		}
		return p.CPU.Used
	}
	sort.SliceStable(pods, func(a, b int) bool {
		if by != SortByName {
			x, y := used(&pods[a]), used(&pods[b])
			switch {
			case x != nil && y == nil:
				return true
			case x == nil && y != nil:
				return false
			case x != nil && *x != *y:
				return *x > *y
			}
		}
		return pods[a].Name < pods[b].Name
	})
}

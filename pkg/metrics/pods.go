package metrics

import (
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Treatment is how the controller treats a pod when it computes one metric.
type Treatment string

// The four groups of the controller's pod sorting.
const (
	// Counted pods have a sample that enters the average.
	Counted Treatment = "counted"
	// Unready pods are left out, and count as using nothing when the metric would scale up.
	Unready Treatment = "unready"
	// Missing pods have no sample; they are filled in before a scale is decided.
	Missing Treatment = "missing"
	// Ignored pods (deleted or failed) are dropped entirely.
	Ignored Treatment = "ignored"
)

// PodReason says which rule put a pod in its group.
type PodReason string

// The rules, in the order the controller applies them.
const (
	ReasonDeleted              PodReason = "Deleted"
	ReasonFailed               PodReason = "Failed"
	ReasonPending              PodReason = "Pending"
	ReasonNoSample             PodReason = "NoSample"
	ReasonReadinessNotChecked  PodReason = "ReadinessNotChecked"
	ReasonNoReadyCondition     PodReason = "NoReadyCondition"
	ReasonNoStartTime          PodReason = "NoStartTime"
	ReasonInitializingNotReady PodReason = "InitializingNotReady"
	ReasonSampleBeforeReady    PodReason = "SampleBeforeReady"
	ReasonNeverReady           PodReason = "NeverReady"
	ReasonReady                PodReason = "Ready"
	ReasonReadyAfterInit       PodReason = "ReadyAfterInitialization"
)

// Explain is a one-line description of the rule.
func (r PodReason) Explain() string {
	switch r {
	case ReasonDeleted:
		return "being deleted: dropped"
	case ReasonFailed:
		return "phase Failed: dropped"
	case ReasonPending:
		return "phase Pending: left out; counts as 0 when the metric would scale up"
	case ReasonNoSample:
		return "no sample from the metrics API: filled in before a scale is decided"
	case ReasonReadinessNotChecked:
		return "sampled; readiness is looked at only for cpu: counted"
	case ReasonNoReadyCondition:
		return "no Ready condition: left out"
	case ReasonNoStartTime:
		return "no start time: left out"
	case ReasonInitializingNotReady:
		return "not Ready within the cpu initialization period: left out"
	case ReasonSampleBeforeReady:
		return "within the cpu initialization period, sampled less than one metric window " +
			"after turning Ready: left out"
	case ReasonNeverReady:
		return "not Ready, and never Ready since it started: left out"
	case ReasonReady:
		return "Ready, sampled at least one metric window after turning Ready: counted"
	case ReasonReadyAfterInit:
		return "past the cpu initialization period, Ready or Ready once before: counted"
	}
	return string(r)
}

// PodView is one pod as the controller treats it for one metric.
type PodView struct {
	Name      string    `json:"name"`
	Treatment Treatment `json:"treatment"`
	Reason    PodReason `json:"reason"`
	// HasSample and Sample are the pod's sample, kept even when the pod is left out.
	HasSample bool   `json:"hasSample"`
	Sample    Sample `json:"sample,omitzero"`
	// Request is the pod's request in milli-units, set for Utilization targets only.
	Request    int64 `json:"request,omitempty"`
	HasRequest bool  `json:"hasRequest,omitempty"`
}

// Grouping is the controller's view of the pods for one metric.
type Grouping struct {
	// Pods are in the order they were given.
	Pods    []PodView `json:"pods"`
	Counted int       `json:"counted"`
	Unready int       `json:"unready"`
	Missing int       `json:"missing"`
	Ignored int       `json:"ignored"`
	// Extra names samples of pods that are not in the pod list; the controller keeps them
	// in its sample set (they change the counts of plain averages).
	Extra []string `json:"extra,omitempty"`
}

// GroupPods sorts pods the way the controller does for one metric. resource is the
// resource's name for resource metrics, empty for custom (Pods) metrics; only cpu looks at
// readiness. settings supplies the cpu initialization period and initial readiness delay
// (zero fields mean the controller's defaults); now is the time of the decision.
func GroupPods(pods []*corev1.Pod, samples Samples, resource corev1.ResourceName,
	settings Settings, now time.Time) Grouping {
	knobs := settings.resolve()
	g := Grouping{Pods: make([]PodView, len(pods))}
	matched := 0
	for i, pod := range pods {
		sample, found := samples[pod.Name]
		if found {
			matched++
		}
		view := classify(pod, sample, found, resource, knobs, now)
		g.Pods[i] = view
		g.count(view.Treatment)
	}

	if matched < len(samples) {
		g.Extra = extraSamples(pods, samples)
	}
	return g
}

func (g *Grouping) count(t Treatment) {
	switch t {
	case Counted:
		g.Counted++
	case Unready:
		g.Unready++
	case Missing:
		g.Missing++
	case Ignored:
		g.Ignored++
	}
}

// classify applies the controller's rules to one pod; the first that matches decides. The
// view keeps the pod's sample even when the pod is left out, so callers can show it.
func classify(pod *corev1.Pod, sample Sample, found bool, resource corev1.ResourceName,
	knobs resolved, now time.Time) PodView {
	view := PodView{Name: pod.Name, HasSample: found, Sample: sample}
	switch {
	case pod.DeletionTimestamp != nil:
		return view.as(Ignored, ReasonDeleted)
	case pod.Status.Phase == corev1.PodFailed:
		return view.as(Ignored, ReasonFailed)
	case pod.Status.Phase == corev1.PodPending:
		return view.as(Unready, ReasonPending)
	}

	if !found {
		return view.as(Missing, ReasonNoSample)
	}
	if resource != corev1.ResourceCPU {
		return view.as(Counted, ReasonReadinessNotChecked)
	}
	return view.as(cpuReadiness(pod, sample, knobs, now))
}

func (v PodView) as(t Treatment, r PodReason) PodView {
	v.Treatment, v.Reason = t, r
	return v
}

// cpuReadiness decides whether a cpu sample counts, from the pod's Ready condition, its start
// time and the age of the sample.
func cpuReadiness(pod *corev1.Pod, sample Sample, knobs resolved,
	now time.Time) (Treatment, PodReason) {
	ready := readyCondition(pod)
	if ready == nil {
		return Unready, ReasonNoReadyCondition
	}
	if pod.Status.StartTime == nil {
		return Unready, ReasonNoStartTime
	}

	start := pod.Status.StartTime.Time
	notReady := ready.Status == corev1.ConditionFalse
	if start.Add(knobs.CPUInitializationPeriod).After(now) {
		if notReady {
			return Unready, ReasonInitializingNotReady
		}
		if sample.Timestamp.Before(ready.LastTransitionTime.Add(time.Duration(sample.Window))) {
			return Unready, ReasonSampleBeforeReady
		}
		return Counted, ReasonReady
	}

	if notReady && start.Add(knobs.InitialReadinessDelay).After(ready.LastTransitionTime.Time) {
		return Unready, ReasonNeverReady
	}
	return Counted, ReasonReadyAfterInit
}

func readyCondition(pod *corev1.Pod) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

// extraSamples lists, sorted, the sampled names that match no pod.
func extraSamples(pods []*corev1.Pod, samples Samples) []string {
	names := make(map[string]struct{}, len(pods))
	for _, pod := range pods {
		names[pod.Name] = struct{}{}
	}
	var extra []string
	for name := range samples {
		if _, ok := names[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	return extra
}

// SelectPods returns the pods whose labels match the scale's selector string, as the
// controller's pod lister does, or the controller's error for an empty or invalid selector.
func SelectPods(pods []*corev1.Pod, selector string) ([]*corev1.Pod, labels.Selector, error) {
	if selector == "" {
		return nil, nil, fmt.Errorf("selector is required")
	}
	parsed, err := labels.Parse(selector)
	if err != nil {
		return nil, nil, fmt.Errorf(
			"couldn't convert selector into a corresponding internal selector object: %v", err)
	}

	var selected []*corev1.Pod
	for _, pod := range pods {
		if parsed.Matches(labels.Set(pod.Labels)) {
			selected = append(selected, pod)
		}
	}
	return selected, parsed, nil
}

// readyPodCount counts pods Running with condition Ready=True, as the controller does for
// Object and External Value targets.
func readyPodCount(pods []*corev1.Pod) int64 {
	var n int64
	for _, pod := range pods {
		ready := readyCondition(pod)
		if pod.Status.Phase == corev1.PodRunning && ready != nil &&
			ready.Status == corev1.ConditionTrue {
			n++
		}
	}
	return n
}

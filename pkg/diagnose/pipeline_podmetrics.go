package diagnose

import (
	"fmt"
	"sort"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const idPodMetrics = "HPA-MET-040"

// Ages that tell metrics-server's first-scrape gap from a fault. metrics-server reports a
// container after one or two scrapes (resolution 15-60 s).
const (
	youngPod          = 2 * time.Minute
	settledPod        = 3 * time.Minute
	persistentFailure = 10 * time.Minute
	// cpuInitPeriod and readinessDelay are the controller's defaults
	// (--horizontal-pod-autoscaler-cpu-initialization-period, -initial-readiness-delay);
	// the doctor assumes them, since flags are not visible through the API.
	cpuInitPeriod  = 5 * time.Minute
	readinessDelay = 30 * time.Second
)

func podMetricsCheck() Check {
	return Check{ID: idPodMetrics, Area: AreaPipeline,
		Title: "the pods the HPA counts have resource metrics",
		Needs: []string{snapshot.ResPods, snapshot.ResPodMetrics},
		ExplainedBy: []string{idResourceAPI, idTargetExists, idTargetSelector, idSharedPods,
			idScaledToZero},
		RunHPA: checkPodMetrics}
}

// coverage is what the controller finds when it reads resource metrics for an HPA's pods.
type coverage struct {
	counted  int           // pods neither ignored nor pending
	sampled  int           // pods with a sample for every resource the HPA reads
	problem  []*corev1.Pod // pods without a sample, or unready for cpu when no pod is usable
	unready  bool          // the problem is readiness, not missing samples
	youngest time.Duration
	oldest   time.Duration
}

func checkPodMetrics(cc CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	resources := resourcesRead(hpa)
	if len(resources) == 0 {
		return nil
	}
	cov := measureCoverage(cc.Now, snap, snap.PodsOf(hpa), resources)
	if cov.counted == 0 || len(cov.problem) == 0 {
		return nil
	}

	failing := failingFor(cc.Now, snap, hpa)
	severity := coverageSeverity(cov, failing)
	evidence := []string{fmt.Sprintf("pods with metrics: %d/%d", cov.sampled, cov.counted),
		nodeCoverage(snap)}
	evidence = append(evidence, podsByNode(cc.Now, cov.problem)...)
	if failing > 0 {
		evidence = append(evidence, fmt.Sprintf("the controller has failed to read them for %s",
			age(failing)))
	}
	evidence = append(evidence, conditionQuote(hpa)...)
	return []Finding{{ID: idPodMetrics, Severity: severity, Subject: hpaSubject(hpa),
		Message:     coverageMessage(cov, severity),
		Evidence:    evidence,
		Remediation: coverageRemedy(severity)}}
}

// resourcesRead lists the resources the HPA's Resource and ContainerResource metrics read.
func resourcesRead(hpa *autoscalingv2.HorizontalPodAutoscaler) []corev1.ResourceName {
	var out []corev1.ResourceName
	for _, m := range metricsOfType(hpa, resourceMetricTypes...) {
		out = mergeResources([][]corev1.ResourceName{out, {metricResource(m)}})
	}
	return out
}

func measureCoverage(now time.Time, snap *snapshot.Snapshot, pods []*corev1.Pod,
	resources []corev1.ResourceName) coverage {
	var cov coverage
	var unreadyCPU []*corev1.Pod
	usableCPU := 0
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodFailed ||
			pod.Status.Phase == corev1.PodPending {
			continue
		}
		cov.counted++
		if !sampled(snap, pod, resources) {
			cov.problem = append(cov.problem, pod)
			continue
		}
		cov.sampled++
		if unreadyForCPU(now, pod) {
			unreadyCPU = append(unreadyCPU, pod)
		} else {
			usableCPU++
		}
	}
	if len(cov.problem) == 0 && usableCPU == 0 && readsCPU(resources) && len(unreadyCPU) > 0 {
		cov.problem, cov.unready = unreadyCPU, true
	}
	cov.youngest, cov.oldest = ageRange(now, cov.problem)
	return cov
}

func readsCPU(resources []corev1.ResourceName) bool {
	for _, r := range resources {
		if r == corev1.ResourceCPU {
			return true
		}
	}
	return false
}

func sampled(snap *snapshot.Snapshot, pod *corev1.Pod, resources []corev1.ResourceName) bool {
	m := snap.MetricsOf(pod)
	if m == nil {
		return false
	}
	for _, r := range resources {
		if !hasUsage(m.Containers, r) {
			return false
		}
	}
	return true
}

// unreadyForCPU applies the controller's readiness rules for cpu samples: no Ready condition
// or start time; young and not Ready; or old, not Ready and never was. The rule that also drops
// a young pod's sample taken before its Ready transition plus the sample window is left out:
// it needs the sample's timestamp and window, which the replica calculator in pkg/metrics
// handles; using it here would make this check agree with the controller in that corner too.
func unreadyForCPU(now time.Time, pod *corev1.Pod) bool {
	ready, ok := readyCondition(pod)
	if !ok || pod.Status.StartTime == nil {
		return true
	}
	start := pod.Status.StartTime.Time
	if now.Sub(start) < cpuInitPeriod {
		return ready.Status != corev1.ConditionTrue
	}
	return ready.Status == corev1.ConditionFalse &&
		ready.LastTransitionTime.Time.Before(start.Add(readinessDelay))
}

func readyCondition(pod *corev1.Pod) (corev1.PodCondition, bool) {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c, true
		}
	}
	return corev1.PodCondition{}, false
}

// podAge is how long ago the pod started (or was created, before it starts).
func podAge(now time.Time, pod *corev1.Pod) time.Duration {
	if pod.Status.StartTime != nil {
		return now.Sub(pod.Status.StartTime.Time)
	}
	return now.Sub(pod.CreationTimestamp.Time)
}

func ageRange(now time.Time, pods []*corev1.Pod) (youngest, oldest time.Duration) {
	for i, pod := range pods {
		a := podAge(now, pod)
		if i == 0 || a < youngest {
			youngest = a
		}
		oldest = max(oldest, a)
	}
	return youngest, oldest
}

// failingFor is how long the controller has been failing to read metrics: since the
// ScalingActive condition turned False for a metric reason, else since the first failure
// event; 0 when neither says.
func failingFor(now time.Time, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) time.Duration {
	if c, ok := conditionWith(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse); ok &&
		strings.HasPrefix(c.Reason, "FailedGet") {
		return now.Sub(c.LastTransitionTime.Time)
	}
	for _, ev := range snap.EventsFor(hpa.Namespace, KindHPA, hpa.Name) {
		if ev.Reason == "FailedGetResourceMetric" && now.Sub(snapshot.EventTime(ev)) < youngPod {
			return now.Sub(snapshot.EventFirstTime(ev))
		}
	}
	return 0
}

// coverageSeverity: INFO while every pod without metrics is young; ERROR when no pod is usable,
// the pods have settled and the failure has lasted; WARN in between and for partial data.
func coverageSeverity(cov coverage, failing time.Duration) Severity {
	switch {
	case cov.oldest < youngPod:
		return Info
	case cov.sampled == 0 || cov.unready:
		if cov.youngest >= settledPod && failing >= persistentFailure {
			return Error
		}
		return Warning
	}
	return Warning
}

func coverageMessage(cov coverage, severity Severity) string {
	none := cov.sampled == 0 || cov.unready
	switch {
	case severity == Info && cov.unready:
		return fmt.Sprintf("cpu samples not usable yet: the %d pods started %s ago and are not "+
			"Ready; expected, should clear within a minute or two", len(cov.problem),
			age(cov.oldest))
	case severity == Info:
		return fmt.Sprintf("metrics not yet available for %d %s that started less than %s "+
			"ago; expected, should clear within a minute or two", len(cov.problem),
			plural(len(cov.problem), "pod", "pods"), age(youngPod))
	case none && cov.unready:
		return "no targeted pod is Ready, so the controller has no usable cpu sample"
	case none:
		return fmt.Sprintf("none of the %d targeted pods has resource metrics: the HPA "+
			"cannot compute its resource metrics", cov.counted)
	}
	return fmt.Sprintf("%d of %d targeted pods have no resource metrics: the HPA works from "+
		"incomplete data and cannot scale down past them", len(cov.problem), cov.counted)
}

func coverageRemedy(severity Severity) string {
	switch severity {
	case Info:
		return "nothing to do; run the doctor again in a couple of minutes"
	case Warning:
		return "run the doctor again shortly; if it persists, read metrics-server's logs for " +
			"the nodes listed (`kubectl -n kube-system logs deploy/metrics-server`)"
	}
	return "read metrics-server's logs for scrape errors about the nodes listed; compare with " +
		"what the kubelet serves: `kubectl get --raw /api/v1/nodes/<node>/proxy/metrics/" +
		"resource` should carry container series for these pods; if not, look at the " +
		"container runtime or cgroup setup on that node"
}

// nodeCoverage says how many nodes metrics-server reports.
func nodeCoverage(snap *snapshot.Snapshot) string {
	if len(snap.Nodes) == 0 {
		return fmt.Sprintf("nodes with metrics: %d", len(snap.NodeMetrics))
	}
	has := map[string]bool{}
	for _, m := range snap.NodeMetrics {
		has[m.Name] = true
	}
	n := 0
	for _, node := range snap.Nodes {
		if has[node.Name] {
			n++
		}
	}
	return fmt.Sprintf("nodes with metrics: %d/%d", n, len(snap.Nodes))
}

// podsByNode lists the pods without metrics grouped by the node hosting them, with ages.
func podsByNode(now time.Time, pods []*corev1.Pod) []string {
	byNode := map[string][]string{}
	for _, pod := range pods {
		node := pod.Spec.NodeName
		if node == "" {
			node = "<unscheduled>"
		}
		byNode[node] = append(byNode[node], fmt.Sprintf("%s (started %s ago)", pod.Name,
			age(podAge(now, pod))))
	}
	nodes := sortedKeys(byNode)
	out := make([]string, 0, len(nodes))
	for _, node := range nodes {
		sort.Strings(byNode[node])
		out = append(out, fmt.Sprintf("without usable metrics on %s: %s", node,
			strings.Join(byNode[node], ", ")))
	}
	return out
}

package diagnose

import (
	"fmt"
	"sort"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const idPodMetrics = "HPA-MET-040"

// Ages that tell metrics-server's first-scrape gap from a fault. metrics-server reports a
// container after one or two scrapes (resolution 15-60 s).
const (
	youngPod          = 2 * time.Minute
	settledPod        = 3 * time.Minute
	persistentFailure = 10 * time.Minute
)

func podMetricsCheck() Check {
	return Check{ID: idPodMetrics, Area: AreaPipeline,
		Title: "the pods the HPA counts have resource metrics",
		Needs: []string{snapshot.ResPods, snapshot.ResPodMetrics},
		ExplainedBy: []string{idResourceAPI, idTargetExists, idTargetSelector, idSharedPods,
			idScaledToZero},
		RunHPA: checkPodMetrics}
}

// coverage is what the controller finds when it reads resource metrics for an HPA's pods,
// for the metric that fares worst.
type coverage struct {
	metric   string            // the metric judged, e.g. "cpu"
	counted  int               // pods neither ignored nor pending
	sampled  int               // of those, pods with a sample
	problem  []*corev1.Pod     // pods without a sample, or unready when none is counted
	why      map[string]string // pod name -> the controller's rule that left it out
	unready  bool              // the problem is readiness, not missing samples
	youngest time.Duration
	oldest   time.Duration
}

func checkPodMetrics(cc CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	cov, ok := measureCoverage(cc.Now, snap, hpa)
	if !ok || cov.counted == 0 || len(cov.problem) == 0 {
		return nil
	}

	failing := failingFor(cc.Now, snap, hpa)
	severity := coverageSeverity(cov, failing)
	evidence := []string{fmt.Sprintf("pods with %s metrics: %d/%d", cov.metric, cov.sampled,
		cov.counted), nodeCoverage(snap)}
	evidence = append(evidence, podsByNode(cc.Now, cov)...)
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

// measureCoverage groups the HPA's pods as the controller does (pkg/metrics) for each of its
// resource metrics and keeps the metric with the fewest pods counted.
func measureCoverage(now time.Time, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) (coverage, bool) {
	pods := snap.PodsOf(hpa)
	items := podMetricsOf(snap, pods)
	var worst *metrics.Grouping
	var name string
	for _, m := range metricsOfType(hpa, resourceMetricTypes...) {
		resource, container := metricResource(m), metricContainer(m)
		samples, _, _ := metrics.ResourceSamples(items, nil, nil, resource, container)
		g := metrics.GroupPods(pods, samples, resource, metrics.Settings{}, now)
		if worst == nil || g.Counted < worst.Counted ||
			(g.Counted == worst.Counted && g.Missing > worst.Missing) {
			worst, name = &g, string(resource)
		}
	}
	if worst == nil {
		return coverage{}, false
	}
	return coverageOf(now, pods, *worst, name), true
}

// podMetricsOf collects the PodMetrics of the pods, so samples are keyed within one namespace.
func podMetricsOf(snap *snapshot.Snapshot, pods []*corev1.Pod) []metricsv1beta1.PodMetrics {
	out := make([]metricsv1beta1.PodMetrics, 0, len(pods))
	for _, pod := range pods {
		if m := snap.MetricsOf(pod); m != nil {
			out = append(out, *m)
		}
	}
	return out
}

func coverageOf(now time.Time, pods []*corev1.Pod, g metrics.Grouping, name string) coverage {
	cov := coverage{metric: name, why: map[string]string{}}
	var unready []*corev1.Pod
	for i, view := range g.Pods {
		if view.Treatment == metrics.Ignored || view.Reason == metrics.ReasonPending {
			continue
		}
		cov.counted++
		switch view.Treatment {
		case metrics.Missing:
			cov.problem = append(cov.problem, pods[i])
			cov.why[view.Name] = view.Reason.Explain()
			continue
		case metrics.Unready:
			unready = append(unready, pods[i])
			cov.why[view.Name] = view.Reason.Explain()
		}
		cov.sampled++
	}
	if len(cov.problem) == 0 && g.Counted == 0 && len(unready) > 0 {
		cov.problem, cov.unready = unready, true
	}
	cov.youngest, cov.oldest = ageRange(now, cov.problem)
	return cov
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
		return fmt.Sprintf("%s samples not usable yet: the %d pods started %s ago and are not "+
			"Ready; expected, should clear within a minute or two", cov.metric,
			len(cov.problem), age(cov.oldest))
	case severity == Info:
		return fmt.Sprintf("metrics not yet available for %d %s that started less than %s "+
			"ago; expected, should clear within a minute or two", len(cov.problem),
			plural(len(cov.problem), "pod", "pods"), age(youngPod))
	case none && cov.unready:
		return fmt.Sprintf("no targeted pod is Ready, so the controller has no usable %s "+
			"sample", cov.metric)
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

// podsByNode lists the pods without usable metrics grouped by the node hosting them, with
// their ages and the controller's rule that left each out.
func podsByNode(now time.Time, cov coverage) []string {
	byNode := map[string][]string{}
	for _, pod := range cov.problem {
		node := pod.Spec.NodeName
		if node == "" {
			node = "<unscheduled>"
		}
		byNode[node] = append(byNode[node], fmt.Sprintf("%s (started %s ago; %s)", pod.Name,
			age(podAge(now, pod)), cov.why[pod.Name]))
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

package diagnose

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

const noMetricsTail = "unable to get metrics for resource cpu: no metrics returned from resource metrics API"

// threePodsOnThreeNodes is K07's layout: pods on node-b, node-c, node-c, nodes a-c reporting.
func threePodsOnThreeNodes(t *testing.T, w *world, started time.Duration) {
	w.pod(t, "cms-7d9c5-q2xkz").Spec.NodeName = "node-b"
	w.pod(t, "cms-7d9c5-m8wtn").Spec.NodeName = "node-c"
	w.add(cmsPod("cms-7d9c5-r4vhd", "node-c"), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-c"}})
	w.nodeMetrics = append(w.nodeMetrics, nodeUsage("node-c"))
	w.cms(t).Spec.Replicas = ptr(int32(3))
	w.hpa(t).Status.CurrentReplicas, w.hpa(t).Status.DesiredReplicas = 3, 3
	for _, name := range []string{"cms-7d9c5-q2xkz", "cms-7d9c5-m8wtn", "cms-7d9c5-r4vhd"} {
		startedAgo(w.pod(t, name), started)
	}
}

func startedAgo(pod *corev1.Pod, d time.Duration) {
	containers := []string{}
	for _, c := range pod.Spec.Containers {
		containers = append(containers, c.Name)
	}
	pod.CreationTimestamp = ago(d + 5*time.Second)
	pod.Status = runningReady(d, containers...)
}

// noCMSMetrics drops the PodMetrics of the cms pods, keeping pg and kv.
func noCMSMetrics(w *world, keep ...string) {
	var kept []metricsv1beta1.PodMetrics
	for _, m := range w.podMetrics {
		if m.Name == "pg-0" || m.Name == "kv-0" || contains(keep, m.Name) {
			kept = append(kept, m)
		}
	}
	w.podMetrics = kept
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func noMetricsSince(t *testing.T, w *world, since time.Duration, tail string) {
	hpa := w.hpa(t)
	hpa.Status.CurrentMetrics = nil
	setCondition(hpa, hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse, failedMetric,
		"the HPA was unable to compute the replica count: failed to get cpu utilization: "+tail,
		since))
}

func TestK07PodMetricsMissing(t *testing.T) {
	w := baseline()
	threePodsOnThreeNodes(t, w, 45*time.Minute)
	noCMSMetrics(w)
	noMetricsSince(t, w, 40*time.Minute, noMetricsTail)

	report := w.report(t)

	f := requireFinding(t, report, idPodMetrics)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assertEvidence(t, f, "pods with cpu metrics: 0/3", "nodes with metrics: 3/3",
		"on node-b: cms-7d9c5-q2xkz (started 45m ago; no sample from the metrics API",
		"on node-c: cms-7d9c5-m8wtn (started 45m ago;", "cms-7d9c5-r4vhd (started 45m ago;",
		"failed to read them for 40m")
	assert.Contains(t, f.Remediation, "/proxy/metrics/resource")
	assertOnlyProblems(t, report, idPodMetrics)
}

func TestK07PartialPodMetrics(t *testing.T) {
	w := baseline()
	threePodsOnThreeNodes(t, w, 45*time.Minute)
	noCMSMetrics(w, "cms-7d9c5-q2xkz")

	report := w.report(t)

	f := requireFinding(t, report, idPodMetrics)
	assert.Equal(t, Warning, f.Severity)
	assertEvidence(t, f, "pods with cpu metrics: 1/3", "nodes with metrics: 3/3",
		"on node-c: cms-7d9c5-m8wtn (started 45m ago;", "cms-7d9c5-r4vhd")
	assertNoEvidence(t, f, "node-b")
	assertOnlyProblems(t, report, idPodMetrics)
}

func TestK07YoungPodsAreNotAFault(t *testing.T) {
	w := baseline()
	threePodsOnThreeNodes(t, w, 40*time.Second)
	noCMSMetrics(w)
	noMetricsSince(t, w, 30*time.Second, noMetricsTail)

	report := w.report(t)

	assert.Equal(t, Info, requireFinding(t, report, idPodMetrics).Severity)
	assertAtMost(t, report, Info)
}

func TestK17TransientGapAfterStart(t *testing.T) {
	w := baseline()
	for _, name := range cmsPods {
		startedAgo(w.pod(t, name), 40*time.Second)
	}
	w.hpa(t).CreationTimestamp = ago(45 * time.Second)
	noCMSMetrics(w)
	noMetricsSince(t, w, 30*time.Second, noMetricsTail)
	w.add(hpaEvent(corev1.EventTypeWarning, failedMetric, "failed to get cpu utilization: "+
		noMetricsTail, 3, 30*time.Second, 5*time.Second))

	report := w.report(t)

	f := requireFinding(t, report, idPodMetrics)
	assert.Equal(t, Info, f.Severity)
	assertEvidence(t, f, "pods with cpu metrics: 0/2", "cms-7d9c5-q2xkz (started 40s ago;")
	assertAtMost(t, report, Info)
	assert.False(t, report.HasErrors())
}

func TestK17TransientNotReadyOldWording(t *testing.T) {
	w := baseline()
	for _, name := range cmsPods {
		pod := w.pod(t, name)
		startedAgo(pod, 50*time.Second)
		pod.Status.Conditions[0].Status = corev1.ConditionFalse
	}
	w.hpa(t).CreationTimestamp = ago(time.Minute)
	noMetricsSince(t, w, 30*time.Second, "did not receive metrics for any ready pods")

	report := w.report(t)

	f := requireFinding(t, report, idPodMetrics)
	assert.Equal(t, Info, f.Severity)
	assert.Contains(t, f.Message, "not Ready")
	assertEvidence(t, f, "pods with cpu metrics: 2/2",
		"started 50s ago; not Ready within the cpu initialization period")
	assertAtMost(t, report, Info)
}

func TestK17PersistentGap(t *testing.T) {
	w := baseline()
	for _, name := range cmsPods {
		startedAgo(w.pod(t, name), 25*time.Minute)
	}
	w.hpa(t).CreationTimestamp = ago(30 * time.Minute)
	noCMSMetrics(w)
	noMetricsSince(t, w, 20*time.Minute, noMetricsTail)
	w.add(hpaEvent(corev1.EventTypeWarning, failedMetric, "failed to get cpu utilization: "+
		noMetricsTail, 80, 20*time.Minute, time.Minute))

	report := w.report(t)

	f := requireFinding(t, report, idPodMetrics)
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "pods with cpu metrics: 0/2", "started 25m ago", "for 20m")
	assert.Contains(t, f.Remediation, "metrics-server")
	assertOnlyProblems(t, report, idPodMetrics)
}

func TestK17InBetween(t *testing.T) {
	w := baseline()
	for _, name := range cmsPods {
		startedAgo(w.pod(t, name), 4*time.Minute)
	}
	noCMSMetrics(w)
	noMetricsSince(t, w, 3*time.Minute, noMetricsTail)

	report := w.report(t)

	f := requireFinding(t, report, idPodMetrics)
	assert.Equal(t, Warning, f.Severity)
	assertEvidence(t, f, "started 4m ago", "for 3m")
	assertOnlyProblems(t, report, idPodMetrics)
}

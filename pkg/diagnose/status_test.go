package diagnose

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// atMax puts cms at ten pods with the given cpu and memory utilization.
func atMax(t *testing.T, w *world, cpu int32, cpuValue string, memory int32, memValue string) {
	w.cms(t).Spec.Replicas = ptr(int32(10))
	w.podMetrics = nil
	for i := range 10 {
		name := fmt.Sprintf("cms-7d9c5-p%02d", i)
		if i < 2 {
			name = cmsPods[i]
		} else {
			w.add(cmsPod(name, "node-a"))
		}
		w.podMetrics = append(w.podMetrics, podUsage(name, cpuValue, memValue))
	}
	hpa := w.hpa(t)
	hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas = 10, 10
	hpa.Status.CurrentMetrics = []autoscalingv2.MetricStatus{
		utilizationStatus(corev1.ResourceCPU, cpu, cpuValue),
		utilizationStatus(corev1.ResourceMemory, memory, memValue)}
	setCondition(hpa, hpaCondition(autoscalingv2.AbleToScale, corev1.ConditionTrue,
		"ScaleDownStabilized", "recent recommendations were higher than current one", time.Hour))
	setCondition(hpa, hpaCondition(autoscalingv2.ScalingLimited, corev1.ConditionTrue,
		"TooManyReplicas", "the desired replica count is more than the maximum replica count",
		2*time.Hour))
}

func TestK15PinnedAtMaxByMemory(t *testing.T) {
	w := baseline()
	atMax(t, w, 38, "95m", 96, "492Mi")

	report := w.report(t)

	f := requireFinding(t, report, idPinnedAtMax)
	assert.Equal(t, Warning, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assert.Contains(t, f.Message, "memory at 96%")
	assertEvidence(t, f, "cpu at 38%, target 70%: proposes 6 replicas",
		"memory at 96%, target 80%: proposes 12 replicas, capped at maxReplicas 10",
		"currentReplicas 10 = maxReplicas 10", "TooManyReplicas", "(for 2h)")
	assert.Contains(t, f.Remediation, "maxReplicas alone only pins")
	assertOnlyProblems(t, report, idPinnedAtMax)
}

func TestK15CapacityShortfall(t *testing.T) {
	w := baseline()
	atMax(t, w, 92, "230m", 90, "461Mi")

	report := w.report(t)

	f := requireFinding(t, report, idPinnedAtMax)
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "cpu at 92%, target 70%: proposes 14 replicas",
		"memory at 90%, target 80%: proposes 12 replicas")
	assert.Contains(t, f.Remediation, "raise maxReplicas")
	assertOnlyProblems(t, report, idPinnedAtMax)
}

func TestStatusNeverWritten(t *testing.T) {
	w := baseline()
	w.hpa(t).Status = autoscalingv2.HorizontalPodAutoscalerStatus{}

	report := w.report(t)

	f := requireFinding(t, report, idNoStatus)
	assert.Equal(t, Warning, f.Severity)
	assertEvidence(t, f, "status.conditions: none", "created 3h ago")
}

func TestUnexplainedScalingActiveFailure(t *testing.T) {
	w := baseline()
	setCondition(w.hpa(t), hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse,
		"InvalidMetricSourceType", `the HPA was unable to compute the replica count: unknown `+
			`metric source type "Bogus"`, 30*time.Minute))

	report := w.report(t)

	f := requireFinding(t, report, idScalingActive)
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "ScalingActive=False InvalidMetricSourceType", "failing for 30m")
}

func TestFailedUpdateScale(t *testing.T) {
	w := baseline()
	setCondition(w.hpa(t), hpaCondition(autoscalingv2.AbleToScale, corev1.ConditionFalse,
		"FailedUpdateScale", "the HPA controller was unable to update the target scale: "+
			`admission webhook "policy.example" denied the request`, 10*time.Minute))
	w.add(hpaEvent(corev1.EventTypeWarning, "FailedRescale", "New size: 3; reason: cpu "+
		"resource utilization (percentage of request) above target; error: denied", 40,
		10*time.Minute, 10*time.Second))

	report := w.report(t)

	f := requireFinding(t, report, idAbleToScale)
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "FailedUpdateScale", "FailedRescale (x40)")
	assertOnlyProblems(t, report, idAbleToScale)
}

func TestStartupWarningsThatStopped(t *testing.T) {
	w := baseline()
	w.add(hpaEvent(corev1.EventTypeWarning, failedMetric, "failed to get cpu utilization: "+
		noMetricsTail, 4, 59*time.Minute, 58*time.Minute))
	w.hpa(t).CreationTimestamp = ago(time.Hour)

	report := w.report(t)

	f := requireFinding(t, report, idWarningEvents)
	assert.Equal(t, Info, f.Severity)
	assert.Contains(t, f.Message, "start-up")
	assertEvidence(t, f, "FailedGetResourceMetric x4")
	assertAtMost(t, report, Info)
}

func TestOngoingWarningsWhileScaling(t *testing.T) {
	w := baseline()
	w.add(hpaEvent(corev1.EventTypeWarning, "FailedGetObjectMetric", "unable to get metric "+
		"queue_length: not found", 120, 30*time.Minute, 15*time.Second))

	f := requireFinding(t, w.report(t), idWarningEvents)

	assert.Equal(t, Warning, f.Severity)
	assertEvidence(t, f, "FailedGetObjectMetric x120")
}

func TestDesiredDiffersForLong(t *testing.T) {
	w := baseline()
	hpa := w.hpa(t)
	hpa.Status.DesiredReplicas = 4
	hpa.Status.LastScaleTime = ptr(ago(20 * time.Minute))

	f := requireFinding(t, w.report(t), idDesiredDiffers)

	assert.Equal(t, Warning, f.Severity)
	assertEvidence(t, f, "status.desiredReplicas 4, status.currentReplicas 2")
}

func TestWarningsBeforeRecoveryAreTransient(t *testing.T) {
	w := baseline()
	w.hpa(t).CreationTimestamp = ago(3 * time.Minute)
	setCondition(w.hpa(t), hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionTrue,
		"ValidMetricFound", "the HPA was able to successfully calculate a replica count",
		80*time.Second))
	w.add(hpaEvent(corev1.EventTypeWarning, failedMetric, "failed to get cpu utilization: "+
		noMetricsTail, 8, 2*time.Minute, 84*time.Second))

	report := w.report(t)

	f := requireFinding(t, report, idWarningEvents)
	assert.Equal(t, Info, f.Severity)
	assert.Contains(t, f.Message, "start-up")
	assertAtMost(t, report, Info)
}

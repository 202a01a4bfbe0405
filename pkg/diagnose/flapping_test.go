package diagnose

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const cpuAbove = "cpu resource utilization (percentage of request) above target"

type rescale struct {
	size        int
	reason      string
	count       int32
	first, last time.Duration
}

func k16Rescales() []rescale {
	return []rescale{
		{4, cpuAbove, 1, 58 * time.Minute, 58 * time.Minute},
		{5, cpuAbove, 1, 44 * time.Minute, 44 * time.Minute},
		{6, cpuAbove, 1, 29 * time.Minute, 29 * time.Minute},
		{3, cpuAbove, 1, 12 * time.Minute, 12 * time.Minute},
		{2, "All metrics below target", 4, 51 * time.Minute, 5 * time.Minute},
	}
}

func flappyBehavior(t *testing.T, w *world) {
	w.hpa(t).Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(0))},
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(0)),
			Policies: []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PercentScalingPolicy,
				Value: 100, PeriodSeconds: 15}}},
	}
}

func rescaleEvent(r rescale) *corev1.Event {
	return hpaEvent(corev1.EventTypeNormal, "SuccessfulRescale",
		fmt.Sprintf("New size: %d; reason: %s", r.size, r.reason), r.count, r.first, r.last)
}

// seriesEvent is the same rescale as events.k8s.io/v1 writes it: series and eventTime.
func seriesEvent(r rescale) *corev1.Event {
	ev := rescaleEvent(r)
	ev.Count, ev.FirstTimestamp, ev.LastTimestamp = 0, metav1.Time{}, metav1.Time{}
	ev.EventTime = metav1.NewMicroTime(fixtureNow.Add(-r.first))
	if r.count > 1 {
		ev.Series = &corev1.EventSeries{Count: r.count,
			LastObservedTime: metav1.NewMicroTime(fixtureNow.Add(-r.last))}
	}
	return ev
}

func TestK16FlappingReplicas(t *testing.T) {
	for name, shape := range map[string]func(rescale) *corev1.Event{
		"core/v1": rescaleEvent, "events.k8s.io/v1": seriesEvent,
	} {
		t.Run(name, func(t *testing.T) {
			w := baseline()
			flappyBehavior(t, w)
			for _, r := range k16Rescales() {
				w.add(shape(r))
			}

			report := w.report(t)

			f := requireFinding(t, report, idFlapping)
			assert.Equal(t, Warning, f.Severity)
			assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
			assertEvidence(t, f, "4 scale-ups and 4 scale-downs", "last 60m",
				"no longer stored", "sizes seen: 2-6",
				"scale-down stabilization window: 0s (default 300s)",
				"scale-down policies: Percent 100 per 15s")
			assert.Contains(t, f.Remediation, "stabilizationWindowSeconds: 300")
			assertOnlyProblems(t, report, idFlapping)
		})
	}
}

func TestK16OrdinaryLoadFollowing(t *testing.T) {
	w := baseline()
	w.add(rescaleEvent(rescale{4, cpuAbove, 1, 40 * time.Minute, 40 * time.Minute}),
		rescaleEvent(rescale{2, "All metrics below target", 1, 10 * time.Minute, 10 * time.Minute}))

	report := w.report(t)

	assertOnlyProblems(t, report)
}

func TestK16EventsOutsideTheWindowDoNotCount(t *testing.T) {
	w := baseline()
	flappyBehavior(t, w)
	for _, r := range k16Rescales() {
		r.first, r.last = r.first+time.Hour, r.last+time.Hour
		w.add(rescaleEvent(r))
	}

	assertOnlyProblems(t, w.report(t))
}

package load

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

const (
	testNS  = "web"
	testHPA = "directus-directus"
)

func testHPAObject(cpu int32) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: testHPA, Namespace: testNS},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: testHPA},
			MinReplicas: ptr.To[int32](2), MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
						AverageUtilization: ptr.To[int32](70)}},
			}},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 2,
			DesiredReplicas: 2, CurrentMetrics: []autoscalingv2.MetricStatus{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU,
					Current: autoscalingv2.MetricValueStatus{AverageUtilization: &cpu}},
			}}},
	}
}

func rescaleEvent(uid, message string, at time.Time, count int32) *corev1.Event {
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: testHPA + "." + uid, Namespace: testNS,
			UID: types.UID(uid)},
		InvolvedObject: corev1.ObjectReference{Kind: "HorizontalPodAutoscaler",
			Name: testHPA, Namespace: testNS},
		Reason: "SuccessfulRescale", Message: message, Count: count,
		FirstTimestamp: metav1.NewTime(at), LastTimestamp: metav1.NewTime(at),
	}
}

type observerFixture struct {
	t      *testing.T
	client *fake.Clientset
	obs    *Observer
	start  time.Time
}

func newObserverFixture(t *testing.T) *observerFixture {
	start := time.Now().Add(-time.Minute).Truncate(time.Second)
	deploy := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: testHPA, Namespace: testNS},
		Status: appsv1.DeploymentStatus{ReadyReplicas: 2}}
	old := rescaleEvent("old", "New size: 3; reason: All metrics below target",
		start.Add(-time.Hour), 1)
	unrelated := rescaleEvent("other", "New size: 9; reason: x", start.Add(time.Second), 1)
	unrelated.InvolvedObject.Name = "someone-else"

	client := fake.NewClientset(testHPAObject(30), deploy, old, unrelated)
	return &observerFixture{t: t, client: client, start: start,
		obs: NewObserver(client, testNS, testHPA, start)}
}

func (f *observerFixture) sample() (Sample, []Rescale) {
	f.t.Helper()
	s, news, err := f.obs.Sample(context.Background())
	require.NoError(f.t, err)
	return s, news
}

func (f *observerFixture) setStatus(mutate func(*autoscalingv2.HorizontalPodAutoscalerStatus)) {
	f.t.Helper()
	hpas := f.client.AutoscalingV2().HorizontalPodAutoscalers(testNS)
	hpa, err := hpas.Get(context.Background(), testHPA, metav1.GetOptions{})
	require.NoError(f.t, err)
	mutate(&hpa.Status)
	_, err = hpas.Update(context.Background(), hpa, metav1.UpdateOptions{})
	require.NoError(f.t, err)
}

func (f *observerFixture) event(ev *corev1.Event) {
	f.t.Helper()
	events := f.client.CoreV1().Events(testNS)
	if _, err := events.Update(context.Background(), ev, metav1.UpdateOptions{}); err == nil {
		return
	}
	_, err := events.Create(context.Background(), ev, metav1.CreateOptions{})
	require.NoError(f.t, err)
}

func TestObserverSample(t *testing.T) {
	f := newObserverFixture(t)
	s, news := f.sample()

	assert.Empty(t, news, "events from before the start and of other objects are ignored")
	assert.EqualValues(t, 2, s.CurrentReplicas)
	assert.EqualValues(t, 2, s.ReadyPods)
	require.Len(t, s.Metrics, 1)
	assert.Equal(t, "cpu", s.Metrics[0].Name)
	assert.True(t, s.Metrics[0].Utilization)
	assert.Equal(t, 30.0, *s.Metrics[0].Current)
	assert.Equal(t, 70.0, s.Metrics[0].Target)
	assert.Equal(t, int32(10), f.obs.Spec().MaxReplicas)
}

func TestObserverRescalesFromEventsAndStatus(t *testing.T) {
	f := newObserverFixture(t)
	f.sample()
	up := f.start.Add(30 * time.Second)

	// An event and the status written by the same rescale count once.
	f.event(rescaleEvent("up4", "New size: 4; reason: cpu resource utilization "+
		"(percentage of request) above target", up, 1))
	f.setStatus(func(s *autoscalingv2.HorizontalPodAutoscalerStatus) {
		s.LastScaleTime, s.DesiredReplicas = ptr.To(metav1.NewTime(up.Add(time.Second))), 4
	})
	_, news := f.sample()
	require.Len(t, news, 1)
	assert.Equal(t, Rescale{At: up, Seconds: 30, From: 2, To: 4,
		Reason: "cpu resource utilization (percentage of request) above target"}, news[0])

	// A rescale seen only in status gets the desired count; its event, arriving late,
	// takes its place.
	later := f.start.Add(50 * time.Second)
	f.setStatus(func(s *autoscalingv2.HorizontalPodAutoscalerStatus) {
		s.LastScaleTime, s.CurrentReplicas, s.DesiredReplicas =
			ptr.To(metav1.NewTime(later)), 4, 6
	})
	_, news = f.sample()
	require.Len(t, news, 1)
	assert.Equal(t, Rescale{At: later, Seconds: 50, From: 4, To: 6}, news[0])

	f.event(rescaleEvent("up6", "New size: 6; reason: cpu above target", later, 1))
	f.sample()
	require.Len(t, f.obs.Rescales(), 2)
	assert.Equal(t, "cpu above target", f.obs.Rescales()[1].Reason)

	// The recorder folds a repeated message into its event: a higher count is a new rescale.
	again := f.start.Add(55 * time.Second)
	f.event(rescaleEvent("up4", "New size: 4; reason: cpu resource utilization "+
		"(percentage of request) above target", again, 2))
	_, news = f.sample()
	require.Len(t, news, 1)
	assert.Equal(t, int32(6), news[0].From)
	assert.Equal(t, int32(4), news[0].To)
	assert.False(t, news[0].Up())
}

func TestObserverMissingHPA(t *testing.T) {
	obs := NewObserver(fake.NewClientset(), testNS, "nope", time.Now())
	_, _, err := obs.Sample(context.Background())
	assert.ErrorContains(t, err, "reading HorizontalPodAutoscaler web/nope")
}

func TestParseRescale(t *testing.T) {
	size, reason, ok := parseRescale("New size: 10; reason: memory resource utilization " +
		"(percentage of request) above target")
	assert.True(t, ok)
	assert.EqualValues(t, 10, size)
	assert.Equal(t, "memory resource utilization (percentage of request) above target", reason)

	_, _, ok = parseRescale("New size: x; reason: y")
	assert.False(t, ok)
	_, _, ok = parseRescale("something else")
	assert.False(t, ok)
}

func TestMetricSamplesMatchByName(t *testing.T) {
	hpa := testHPAObject(95)
	hpa.Spec.Metrics = append(hpa.Spec.Metrics,
		autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType,
			Pods: &autoscalingv2.PodsMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "directus_active_connections"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
					AverageValue: ptr.To(resource.MustParse("100"))}}},
		autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType,
			External: &autoscalingv2.ExternalMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "queue"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType,
					Value: ptr.To(resource.MustParse("500m"))}}})
	// Status in another order, the external metric missing (it failed).
	hpa.Status.CurrentMetrics = append([]autoscalingv2.MetricStatus{{
		Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricStatus{
			Metric: autoscalingv2.MetricIdentifier{Name: "directus_active_connections"},
			Current: autoscalingv2.MetricValueStatus{
				AverageValue: ptr.To(resource.MustParse("150"))},
		}}}, hpa.Status.CurrentMetrics...)

	got := metricSamples(hpa)
	require.Len(t, got, 3)
	assert.Equal(t, 95.0, *got[0].Current)
	assert.Equal(t, "pods/directus_active_connections", got[1].Name)
	assert.False(t, got[1].Utilization)
	assert.Equal(t, 150.0, *got[1].Current)
	assert.Equal(t, 100.0, got[1].Target)
	assert.Equal(t, "external/queue", got[2].Name)
	assert.Nil(t, got[2].Current)
	assert.Equal(t, 0.5, got[2].Target)
}

func TestSampleConditions(t *testing.T) {
	hpa := testHPAObject(95)
	hpa.Status.Conditions = []autoscalingv2.HorizontalPodAutoscalerCondition{
		{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionTrue,
			Reason: "TooManyReplicas"},
		{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionFalse,
			Reason: "FailedGetResourceMetric", Message: "no metrics returned"},
	}
	s := sampleOf(hpa, time.Now(), time.Now())
	assert.True(t, s.LimitedByMax)
	assert.Equal(t, "FailedGetResourceMetric: no metrics returned", s.Problem)
}

func TestSpecOfDefaults(t *testing.T) {
	spec := SpecOf(testHPAObject(0))
	assert.Equal(t, int32(0), spec.ScaleUp.WindowSeconds)
	assert.Equal(t, int32(300), spec.ScaleDown.WindowSeconds)
	assert.Equal(t, 0.1, spec.ScaleUp.Tolerance)

	hpa := testHPAObject(0)
	hpa.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](300),
			Tolerance: ptr.To(resource.MustParse("50m")),
			Policies: []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy,
				Value: 2, PeriodSeconds: 60}}},
	}
	spec = SpecOf(hpa)
	assert.Equal(t, int32(300), spec.ScaleUp.WindowSeconds)
	assert.Equal(t, []Policy{{"Pods", 2, 60}}, spec.ScaleUp.Policies)
	assert.Equal(t, 0.05, spec.ScaleUp.Tolerance)
	assert.Equal(t, int32(300), spec.ScaleDown.WindowSeconds, "unset direction keeps defaults")
}

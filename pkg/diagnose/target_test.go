package diagnose

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// targetGone replaces Deployment cms by the chart's cms-directus, as in K11.
func targetGone(t *testing.T, w *world) {
	renamed := w.cms(t).DeepCopy()
	remove[*appsv1.Deployment](w, "shop", "cms")
	renamed.Name = "cms-directus"
	renamed.Spec.Replicas = ptr(int32(1))
	renamed.Labels = map[string]string{instanceLabel: "cms", "app.kubernetes.io/name": "directus"}
	w.add(renamed)
	setCondition(w.hpa(t), hpaCondition(autoscalingv2.AbleToScale, corev1.ConditionFalse,
		"FailedGetScale", `the HPA controller was unable to get the target's current scale: `+
			`deployments/scale.apps "cms" not found`, time.Hour))
}

func TestK11ScaleTargetNotFound(t *testing.T) {
	w := baseline()
	targetGone(t, w)

	report := w.report(t)

	f := requireFinding(t, report, idTargetExists)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assertEvidence(t, f, "Deployment shop/cms (apiVersion apps/v1)",
		"likely intended target: Deployment shop/cms-directus", "FailedGetScale")
	assert.Contains(t, f.Remediation, `"name":"cms-directus"`)
	assertOnlyProblems(t, report, idTargetExists)
}

func TestK11WrongKind(t *testing.T) {
	w := baseline()
	d := w.cms(t)
	remove[*appsv1.Deployment](w, "shop", "cms")
	w.add(&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop"},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(2)), Selector: d.Spec.Selector,
			Template: d.Spec.Template}})

	report := w.report(t)

	f := requireFinding(t, report, idTargetExists)
	assertEvidence(t, f, "a StatefulSet named cms exists; the HPA asks for a Deployment")
	assert.Contains(t, f.Remediation, `"kind":"StatefulSet"`)
	assertOnlyProblems(t, report, idTargetExists)
}

func TestK11FreshHPAWithoutStatus(t *testing.T) {
	w := baseline()
	targetGone(t, w)
	justCreated(w.hpa(t))

	report := w.report(t)

	f := requireFinding(t, report, idTargetExists)
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "likely intended target: Deployment shop/cms-directus")
	assertOnlyProblems(t, report, idTargetExists)
}

func TestTargetAPIVersionNotServed(t *testing.T) {
	w := baseline()
	w.hpa(t).Spec.ScaleTargetRef.APIVersion = "apps/v1beta2"

	f := requireFinding(t, w.report(t), idTargetExists)

	assert.Equal(t, Error, f.Severity)
	assert.Contains(t, f.Message, "apps/v1beta2")
}

// kedaHPA is the HPA KEDA creates for ScaledObject cms.
func kedaHPA() *autoscalingv2.HorizontalPodAutoscaler {
	hpa := cmsHPA()
	hpa.Name = "keda-hpa-cms"
	hpa.OwnerReferences = []metav1.OwnerReference{{APIVersion: "keda.sh/v1alpha1",
		Kind: "ScaledObject", Name: "cms", Controller: ptr(true)}}
	hpa.Labels = map[string]string{"app.kubernetes.io/managed-by": "keda-operator"}
	hpa.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ExternalMetricSourceType,
		External: &autoscalingv2.ExternalMetricSource{
			Metric: autoscalingv2.MetricIdentifier{Name: "s0-redis-queue-length"},
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
				AverageValue: ptr(resource.MustParse("20"))}}}}
	return hpa
}

// kedaMetricsAPI registers KEDA's external metrics API, available.
func kedaMetricsAPI(w *world) {
	api := &apiregv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: "v1beta1.external.metrics.k8s.io"},
		Spec: apiregv1.APIServiceSpec{Group: "external.metrics.k8s.io", Version: "v1beta1",
			Service: &apiregv1.ServiceReference{Namespace: "keda",
				Name: "keda-operator-metrics-apiserver", Port: ptr(int32(443))}}}
	setAvailable(api, apiregv1.ConditionTrue, "Passed", "all checks passed")
	w.apiServices = append(w.apiServices, api)
	w.groups = append(w.groups, "external.metrics.k8s.io/v1beta1")
}

func ambiguous(hpa *autoscalingv2.HorizontalPodAutoscaler, message string) {
	hpa.Status.CurrentMetrics = nil
	setCondition(hpa, hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse,
		"AmbiguousSelector", message, 10*time.Minute))
}

func TestK13TwoHPAsWithKEDA(t *testing.T) {
	for name, message := range map[string]string{
		"main": "pods by selector app=cms are controlled by multiple HPAs: [shop/cms shop/keda-hpa-cms]",
		"A2":   "pods by selector app=cms are controlled by more than one HPA (e.g. shop/keda-hpa-cms)",
	} {
		t.Run(name, func(t *testing.T) {
			w := baseline()
			keda := kedaHPA()
			w.add(keda)
			kedaMetricsAPI(w)
			ambiguous(w.hpa(t), message)
			ambiguous(keda, message)
			w.add(hpaEvent(corev1.EventTypeWarning, "FailedComputeMetricsReplicas",
				"invalid metrics (2 invalid out of 2), first error is: "+message, 20,
				10*time.Minute, time.Minute))

			report := w.report(t)

			f := requireFinding(t, report, idSharedPods)
			assert.Equal(t, Error, f.Severity)
			assert.Equal(t, Subject{Kind: "Deployment", Namespace: "shop", Name: "cms"}, f.Subject)
			assert.Equal(t, []string{"shop/cms", "shop/keda-hpa-cms"}, f.HPAs)
			assertEvidence(t, f, "HPA shop/cms -> Deployment/cms",
				"HPA shop/keda-hpa-cms -> Deployment/cms",
				"managed by ScaledObject cms (keda.sh/v1alpha1)", "AmbiguousSelector")
			assert.Contains(t, f.Remediation, "ScaledObject")
			assertOnlyProblems(t, report, idSharedPods)
		})
	}
}

func TestK13PlainSecondHPAWithoutConditions(t *testing.T) {
	w := baseline()
	old := cmsHPA()
	old.Name = "cms-old"
	justCreated(old)
	justCreated(w.hpa(t))
	w.add(old)

	report := w.report(t)

	f := requireFinding(t, report, idSharedPods)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, "cms", f.Subject.Name)
	assert.Equal(t, []string{"shop/cms", "shop/cms-old"}, f.HPAs)
	assertNoEvidence(t, f, "managed by", "AmbiguousSelector")
	assert.NotContains(t, f.Remediation, "ScaledObject")
	assertOnlyProblems(t, report, idSharedPods)
}

func scaledToZero(t *testing.T, w *world) {
	w.cms(t).Spec.Replicas = ptr(int32(0))
	w.cms(t).Status = appsv1.DeploymentStatus{}
	remove[*corev1.Pod](w, "shop", "cms-7d9c5-q2xkz")
	remove[*corev1.Pod](w, "shop", "cms-7d9c5-m8wtn")
	w.podMetrics = nil
}

func TestK14TargetScaledToZero(t *testing.T) {
	w := baseline()
	scaledToZero(t, w)
	hpa := w.hpa(t)
	hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas, hpa.Status.CurrentMetrics = 0, 0, nil
	setCondition(hpa, hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse,
		"ScalingDisabled", "scaling is disabled since the replica count of the target is zero",
		time.Hour))

	report := w.report(t)

	f := requireFinding(t, report, idScaledToZero)
	assert.Equal(t, Warning, f.Severity)
	assert.Equal(t, Subject{Kind: "Deployment", Namespace: "shop", Name: "cms"}, f.Subject)
	assertEvidence(t, f, "Deployment shop/cms: spec.replicas 0", "minReplicas 2", "ScalingDisabled")
	assert.Contains(t, f.Remediation, "scale deployment/cms --replicas=2")
	assertOnlyProblems(t, report, idScaledToZero)
}

func TestK14NoStatusYet(t *testing.T) {
	w := baseline()
	scaledToZero(t, w)
	justCreated(w.hpa(t))

	report := w.report(t)

	f := requireFinding(t, report, idScaledToZero)
	assert.Equal(t, Warning, f.Severity)
	assertOnlyProblems(t, report, idScaledToZero)
}

func TestK14ZeroMadeByTheHPA(t *testing.T) {
	w := baseline()
	scaledToZero(t, w)
	hpa := w.hpa(t)
	hpa.Spec.MinReplicas = ptr(int32(0))
	hpa.Spec.Metrics = kedaHPA().Spec.Metrics
	kedaMetricsAPI(w)
	hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas, hpa.Status.CurrentMetrics = 0, 0, nil
	setCondition(hpa, hpaCondition("ScaledToZero", corev1.ConditionTrue, "ScaledToZero",
		"the HPA controller scaled the workload to zero", time.Hour))

	report := w.report(t)

	f := requireFinding(t, report, idScaledToZero)
	assert.Equal(t, Info, f.Severity)
	assertAtMost(t, report, Info)
}

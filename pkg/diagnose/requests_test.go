package diagnose

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var cmsPods = []string{"cms-7d9c5-q2xkz", "cms-7d9c5-m8wtn"}

// setResources gives container directus the same resources in the template and the pods.
func setResources(t *testing.T, w *world, res corev1.ResourceRequirements) {
	w.cms(t).Spec.Template.Spec.Containers[0].Resources = res
	for _, name := range cmsPods {
		w.pod(t, name).Spec.Containers[0].Resources = res
	}
}

func requestMissing(t *testing.T, w *world, resource, container, pod string) {
	hpa := w.hpa(t)
	hpa.Status.CurrentMetrics = nil
	setCondition(hpa, hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse, failedMetric,
		"the HPA was unable to compute the replica count: failed to get "+resource+
			" utilization: missing request for "+resource+" in container "+container+" of Pod "+
			pod, time.Hour))
}

func TestK01ContainerWithoutRequests(t *testing.T) {
	w := baseline()
	setResources(t, w, corev1.ResourceRequirements{})
	requestMissing(t, w, "cpu", "directus", "cms-7d9c5-q2xkz")

	report := w.report(t)

	f := requireFinding(t, report, idRequestsTemplate)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assertEvidence(t, f, "Deployment shop/cms pod template, container directus: no request "+
		"for cpu, memory", "same on 2/2 targeted pods",
		"cpu 70% utilization, memory 80% utilization", "FailedGetResourceMetric")
	assert.Contains(t, f.Remediation, "its own request")
	assertOnlyProblems(t, report, idRequestsTemplate)
}

func TestK01MemoryRequestOnly(t *testing.T) {
	w := baseline()
	setResources(t, w, requests("250m", ""))
	requestMissing(t, w, "memory", "directus", "cms-7d9c5-q2xkz")

	report := w.report(t)

	f := requireFinding(t, report, idRequestsTemplate)
	assertEvidence(t, f, "container directus: no request for memory", "memory 80% utilization")
	assertNoEvidence(t, f, "cpu 70%", "for cpu")
	assertOnlyProblems(t, report, idRequestsTemplate)
}

func TestK01FreshHPAWithoutStatus(t *testing.T) {
	w := baseline()
	setResources(t, w, corev1.ResourceRequirements{})
	justCreated(w.hpa(t))

	report := w.report(t)

	f := requireFinding(t, report, idRequestsTemplate)
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "container directus: no request for cpu, memory")
	assertOnlyProblems(t, report, idRequestsTemplate)
}

func TestK01TemplateFaultFoundBeforePodsExist(t *testing.T) {
	w := baseline()
	setResources(t, w, corev1.ResourceRequirements{})
	for _, name := range cmsPods {
		remove[*corev1.Pod](w, "shop", name)
	}
	w.podMetrics = nil

	f := requireFinding(t, w.report(t), idRequestsTemplate)

	assertEvidence(t, f, "container directus: no request for cpu, memory")
}

func injectSidecar(t *testing.T, w *world) {
	w.cms(t).Spec.Template.Annotations = map[string]string{"mesh.example/inject": "enabled"}
	for _, name := range cmsPods {
		pod := w.pod(t, name)
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "mesh-proxy",
			Image: "mesh/proxy:1.0"})
	}
	for i := range w.podMetrics {
		w.podMetrics[i] = podUsage(w.podMetrics[i].Name, "75m", "282Mi", "directus", "mesh-proxy")
	}
	requestMissing(t, w, "cpu", "mesh-proxy", "cms-7d9c5-q2xkz")
}

func TestK02InjectedSidecarWithoutRequests(t *testing.T) {
	w := baseline()
	injectSidecar(t, w)

	report := w.report(t)

	f := requireFinding(t, report, idRequestsInjected)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assertEvidence(t, f, "container mesh-proxy: no request for cpu, memory on 2/2 targeted pods",
		"cms-7d9c5-q2xkz", "not in the pod template of Deployment cms: it was added at admission",
		"mesh.example/inject=enabled")
	assertNoEvidence(t, f, "container directus")
	assert.Contains(t, f.Remediation, "ContainerResource")
	assertOnlyProblems(t, report, idRequestsInjected)
}

func TestK02NativeSidecarCounts(t *testing.T) {
	w := baseline()
	always := corev1.ContainerRestartPolicyAlways
	for _, name := range cmsPods {
		pod := w.pod(t, name)
		pod.Spec.InitContainers = []corev1.Container{{Name: "mesh-proxy", RestartPolicy: &always},
			{Name: "migrate"}}
	}

	f := requireFinding(t, w.report(t), idRequestsInjected)

	assertEvidence(t, f, "container mesh-proxy")
	assertNoEvidence(t, f, "migrate")
}

func TestK02ContainerResourceMetricsIgnoreTheSidecar(t *testing.T) {
	w := baseline()
	injectSidecar(t, w)
	hpa := w.hpa(t)
	for i, m := range hpa.Spec.Metrics {
		hpa.Spec.Metrics[i] = autoscalingv2.MetricSpec{
			Type: autoscalingv2.ContainerResourceMetricSourceType,
			ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
				Name: m.Resource.Name, Container: "directus", Target: m.Resource.Target}}
	}
	setCondition(hpa, cmsHPA().Status.Conditions[1])

	report := w.report(t)

	assertOnlyProblems(t, report)
}

// sharedInstanceLabel gives cms and kv only the release label in their selectors, as
// umbrella charts do.
func sharedInstanceLabel(t *testing.T) *world {
	w := baseline()
	cmsLabels := map[string]string{instanceLabel: "cms", "app.kubernetes.io/name": "directus"}
	d := w.cms(t)
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{instanceLabel: "cms"}}
	d.Spec.Template.Labels = cmsLabels
	for _, name := range cmsPods {
		w.pod(t, name).Labels = cmsLabels
	}
	get[*appsv1.ReplicaSet](t, w, "shop", "cms-7d9c5").Labels = cmsLabels
	get[*policyv1.PodDisruptionBudget](t, w, "shop", "cms").Spec.Selector.MatchLabels = cmsLabels
	return w
}

func TestK03ForeignPodsMatchedBySelector(t *testing.T) {
	w := sharedInstanceLabel(t)
	kvLabels := map[string]string{instanceLabel: "cms", "app.kubernetes.io/name": "kv"}
	kv := get[*appsv1.StatefulSet](t, w, "shop", "kv")
	kv.Spec.Selector.MatchLabels = kvLabels
	kv.Spec.Template.Labels = kvLabels
	kv.Spec.Template.Spec.Containers = []corev1.Container{{Name: "redis"}}
	pod := get[*corev1.Pod](t, w, "shop", "kv-0")
	pod.Labels = kvLabels
	pod.Spec.Containers = []corev1.Container{{Name: "redis"}}
	requestMissing(t, w, "cpu", "redis", "kv-0")

	report := w.report(t)

	f := requireFinding(t, report, idRequestsForeign)
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assertEvidence(t, f, "selector: app.kubernetes.io/instance=cms",
		"pod kv-0 (owned by StatefulSet kv, not Deployment cms): container redis: no request "+
			"for cpu, memory")
	assertNoEvidence(t, f, "directus")
	foreign := requireFinding(t, report, idForeignPods)
	assertEvidence(t, foreign, "pod kv-0 owned by StatefulSet kv")
	assertOnlyProblems(t, report, idRequestsForeign, idForeignPods)
}

func TestK03CompletedJobPodMatched(t *testing.T) {
	w := sharedInstanceLabel(t)
	w.add(&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "cms-migrate", Namespace: "shop"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "cms-migrate-x7p2d", Namespace: "shop",
			Labels: map[string]string{instanceLabel: "cms"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job",
				Name: "cms-migrate", Controller: ptr(true)}}},
			Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "migrate"}}},
			Status: corev1.PodStatus{Phase: corev1.PodSucceeded}})

	report := w.report(t)

	f := requireFinding(t, report, idRequestsForeign)
	assertEvidence(t, f, "pod cms-migrate-x7p2d (owned by Job cms-migrate, not Deployment cms)",
		"container migrate: no request for cpu, memory")
	assert.Contains(t, f.Remediation, "Job templates")
}

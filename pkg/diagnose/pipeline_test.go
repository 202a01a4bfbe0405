package diagnose

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

const (
	failedMetric    = "FailedGetResourceMetric"
	unavailableTail = "the server is currently unable to handle the request (get pods.metrics.k8s.io)"
)

// metricsFailing puts HPA shop/cms in the state the controller writes when it cannot read
// resource metrics for the given reason.
func metricsFailing(t *testing.T, w *world, tail string) {
	hpa := w.hpa(t)
	hpa.Status.CurrentMetrics = nil
	setCondition(hpa, hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse, failedMetric,
		"the HPA was unable to compute the replica count: failed to get cpu utilization: "+
			"unable to get metrics for resource cpu: unable to fetch metrics from resource "+
			"metrics API: "+tail, 40*time.Minute))
	w.add(hpaEvent(corev1.EventTypeWarning, failedMetric, "failed to get cpu utilization: "+tail,
		40, 40*time.Minute, 10*time.Second),
		hpaEvent(corev1.EventTypeWarning, "FailedComputeMetricsReplicas",
			"invalid metrics (2 invalid out of 2), first error is: "+tail, 40, 40*time.Minute,
			10*time.Second))
}

func setAvailable(api *apiregv1.APIService, status apiregv1.ConditionStatus, reason, msg string) {
	api.Status.Conditions = []apiregv1.APIServiceCondition{{Type: apiregv1.Available,
		Status: status, Reason: reason, Message: msg, LastTransitionTime: ago(40 * time.Minute)}}
}

func unavailableMetrics(t *testing.T, w *world, reason, message string) {
	setAvailable(w.apiService(t, "v1beta1.metrics.k8s.io"), apiregv1.ConditionFalse, reason, message)
	w.metricsErr = apierrors.NewServiceUnavailable(unavailableTail)
	metricsFailing(t, w, unavailableTail)
}

func TestK04MetricsAPINotRegistered(t *testing.T) {
	w := baseline()
	w.apiServices = nil
	w.groups = []string{"v1", "apps/v1", "autoscaling/v1", "autoscaling/v2"}
	remove[*appsv1.Deployment](w, "kube-system", "metrics-server")
	remove[*corev1.Pod](w, "kube-system", "metrics-server-6d4f7-zt9wd")
	remove[*corev1.Service](w, "kube-system", "metrics-server")
	remove[*discoveryv1.EndpointSlice](w, "kube-system", "metrics-server-abcde")
	w.metricsErr = apierrors.NewNotFound(schema.GroupResource{Group: "metrics.k8s.io",
		Resource: "pods"}, "")
	metricsFailing(t, w, "the server could not find the requested resource (get pods.metrics.k8s.io)")

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-001")
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, Subject{Kind: "APIService", Name: "v1beta1.metrics.k8s.io"}, f.Subject)
	assertEvidence(t, f, "APIService v1beta1.metrics.k8s.io: not registered",
		"group metrics.k8s.io not served", "no Deployment named metrics-server",
		"HPA shop/cms uses cpu 70% utilization, memory 80% utilization")
	assert.Equal(t, []string{"shop/cms"}, f.HPAs)
	assert.Contains(t, f.Remediation, "metrics-server")
	assertOnlyProblems(t, report, "HPA-MET-001")
}

func TestK05MissingEndpointsPodNotReady(t *testing.T) {
	w := baseline()
	unavailableMetrics(t, w, "MissingEndpoints", `endpointslices for service/metrics-server in `+
		`"kube-system" have no addresses with port name "https"`)
	pod := get[*corev1.Pod](t, w, "kube-system", "metrics-server-6d4f7-zt9wd")
	pod.Status.Conditions[0].Status = corev1.ConditionFalse
	pod.Status.ContainerStatuses[0].Ready = false
	slice := get[*discoveryv1.EndpointSlice](t, w, "kube-system", "metrics-server-abcde")
	slice.Endpoints[0].Conditions.Ready = ptr(false)
	w.add(&corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "ms.unhealthy", Namespace: "kube-system"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "kube-system",
			Name: pod.Name},
		Type: corev1.EventTypeWarning, Reason: "Unhealthy", Count: 30,
		Message:       "Readiness probe failed: HTTP probe failed with statuscode: 500",
		LastTimestamp: ago(time.Minute)})

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-002")
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, "v1beta1.metrics.k8s.io", f.Subject.Name)
	assertEvidence(t, f, "MissingEndpoints", `Service kube-system/metrics-server: port 443 (name "https")`,
		`0 of 1 endpoints ready on port "https"`, "pod kube-system/metrics-server-6d4f7-zt9wd: Running, not Ready",
		"Readiness probe failed: HTTP probe failed with statuscode: 500")
	assert.Contains(t, f.Remediation, "logs")
	assertOnlyProblems(t, report, "HPA-MET-002")
}

func TestK05MissingEndpointsPortName(t *testing.T) {
	w := baseline()
	unavailableMetrics(t, w, "MissingEndpoints", "no addresses with port name \"https\"")
	pod := get[*corev1.Pod](t, w, "kube-system", "metrics-server-6d4f7-zt9wd")
	pod.Spec.Containers[0].Ports[0].Name = "metrics"
	slice := get[*discoveryv1.EndpointSlice](t, w, "kube-system", "metrics-server-abcde")
	slice.Endpoints = nil

	f := requireFinding(t, w.report(t), "HPA-MET-002")

	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "MissingEndpoints", `0 of 0 endpoints ready on port "https"`,
		`no container port named "https" (its ports: metrics:10250)`)
	assert.Contains(t, f.Remediation, `"https"`)
}

func TestK05MissingEndpointsScaledToZero(t *testing.T) {
	w := baseline()
	unavailableMetrics(t, w, "MissingEndpoints", "no addresses with port name \"https\"")
	get[*appsv1.Deployment](t, w, "kube-system", "metrics-server").Spec.Replicas = ptr(int32(0))
	remove[*corev1.Pod](w, "kube-system", "metrics-server-6d4f7-zt9wd")
	get[*discoveryv1.EndpointSlice](t, w, "kube-system", "metrics-server-abcde").Endpoints = nil

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-002")
	assertEvidence(t, f, "Deployment kube-system/metrics-server: spec.replicas 0")
	assert.Contains(t, f.Remediation, "scale deployment/metrics-server --replicas=1")
	assertOnlyProblems(t, report, "HPA-MET-002")
}

const discoveryPrefix = "failing or missing response from https://10.96.0.15:443/apis/metrics.k8s.io/v1beta1: "

func TestK06FailedDiscoveryNetwork(t *testing.T) {
	w := baseline()
	unavailableMetrics(t, w, "FailedDiscoveryCheck", discoveryPrefix+`Get "https://10.96.0.15:443/`+
		`apis/metrics.k8s.io/v1beta1": dial tcp 10.96.0.15:443: connect: no route to host`)
	w.add(&networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "default-deny-ingress", Namespace: "kube-system"},
		Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}})

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-003")
	assert.Equal(t, Error, f.Severity)
	assert.Contains(t, f.Message, "network")
	assertEvidence(t, f, "FailedDiscoveryCheck", "no route to host", "which does not settle it",
		"pod kube-system/metrics-server-6d4f7-zt9wd: Running, Ready", "1 of 1 endpoints ready",
		"NetworkPolicy kube-system/default-deny-ingress selects pod metrics-server-6d4f7-zt9wd")
	assert.Contains(t, f.Remediation, "hostNetwork")
	assertOnlyProblems(t, report, "HPA-MET-003")
}

func TestK06FailedDiscoveryAuth(t *testing.T) {
	for name, tail := range map[string]string{
		"forbidden":  "Forbidden",
		"bad status": "bad status from https://10.96.0.15:443/apis/metrics.k8s.io/v1beta1: 403",
	} {
		t.Run(name, func(t *testing.T) {
			w := baseline()
			unavailableMetrics(t, w, "FailedDiscoveryCheck", discoveryPrefix+tail)

			f := requireFinding(t, w.report(t), "HPA-MET-003")

			assert.Contains(t, f.Message, "credentials")
			assertEvidence(t, f, tail, "Running, Ready")
			assert.Contains(t, f.Remediation, "requestheader")
		})
	}
}

func TestK06FailedDiscoveryUnclassified(t *testing.T) {
	w := baseline()
	unavailableMetrics(t, w, "FailedDiscoveryCheck", discoveryPrefix+"x509: certificate has expired")

	f := requireFinding(t, w.report(t), "HPA-MET-003")

	assert.NotContains(t, f.Message, "network")
	assert.NotContains(t, f.Message, "credentials")
	assertEvidence(t, f, "x509: certificate has expired")
	assert.NotContains(t, f.Message, "MissingEndpoints")
}

// adapterTakesOver points v1beta1.metrics.k8s.io at monitoring/prometheus-adapter.
func adapterTakesOver(t *testing.T, w *world) {
	api := w.apiService(t, "v1beta1.metrics.k8s.io")
	api.Labels = map[string]string{"app.kubernetes.io/name": "prometheus-adapter"}
	api.Spec.Service = &apiregv1.ServiceReference{Namespace: "monitoring",
		Name: "prometheus-adapter", Port: ptr(int32(443))}
}

func TestK08ServedByAnotherAdapter(t *testing.T) {
	w := baseline()
	adapterTakesOver(t, w)
	labels := map[string]string{"app": "prometheus-adapter"}
	w.add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}},
		service("monitoring", "prometheus-adapter", labels, 443, intstr.FromString("https")),
		readySlice("monitoring", "prometheus-adapter", "https", 6443))

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-006")
	assert.Equal(t, Warning, f.Severity)
	assert.Equal(t, "v1beta1.metrics.k8s.io", f.Subject.Name)
	assertEvidence(t, f, "Service monitoring/prometheus-adapter",
		"Deployment kube-system/metrics-server (1/1 ready) is installed but does not serve")
	assertNoEvidence(t, f, "lack")
	assertOnlyProblems(t, report, "HPA-MET-006")
}

func TestK08AdapterLacksMemory(t *testing.T) {
	w := baseline()
	adapterTakesOver(t, w)
	for i := range w.podMetrics {
		delete(w.podMetrics[i].Containers[0].Usage, corev1.ResourceMemory)
	}

	f := requireFinding(t, w.report(t), "HPA-MET-006")

	assertEvidence(t, f, "lack memory for 2/2 pods of HPA shop/cms")
}

func TestK08DanglingAPIService(t *testing.T) {
	w := baseline()
	adapterTakesOver(t, w)
	unavailableMetrics(t, w, "ServiceNotFound", `service/prometheus-adapter in "monitoring" is not present`)

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-004")
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "ServiceNotFound", "Service monitoring/prometheus-adapter: not found",
		"Deployment kube-system/metrics-server (1/1 ready) could serve instead")
	assert.Contains(t, f.Remediation, "kube-system/metrics-server")
	assertOnlyProblems(t, report, "HPA-MET-004")
}

// TestExternalNameBackendStopped is the local control plane's layout: metrics-server runs as
// a process behind an ExternalName Service; when it stops, discovery is refused.
func TestExternalNameBackendStopped(t *testing.T) {
	w := baseline()
	remove[*corev1.Service](w, "kube-system", "metrics-server")
	w.add(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "metrics-server", Namespace: "kube-system"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "127.0.0.1"}})
	w.apiService(t, "v1beta1.metrics.k8s.io").Spec.Service.Port = ptr(int32(37649))
	unavailableMetrics(t, w, "FailedDiscoveryCheck", "failing or missing response from "+
		"https://127.0.0.1:37649/apis/metrics.k8s.io/v1beta1: Get \"https://127.0.0.1:37649/apis/"+
		"metrics.k8s.io/v1beta1\": dial tcp 127.0.0.1:37649: connect: connection refused")

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-003")
	assert.Equal(t, Error, f.Severity)
	assert.Contains(t, f.Message, "network path")
	assertEvidence(t, f, "connection refused", "type ExternalName (-> 127.0.0.1)")
	assertNoEvidence(t, f, "does not settle")
	assertOnlyProblems(t, report, "HPA-MET-003")
}

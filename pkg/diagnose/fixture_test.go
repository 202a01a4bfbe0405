package diagnose

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorfake "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/fake"
	cmv1beta2 "k8s.io/metrics/pkg/apis/custom_metrics/v1beta2"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"
	cmfake "k8s.io/metrics/pkg/client/custom_metrics/fake"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// fixtureNow is the clock of every fixture; times in the cases are relative to it.
var fixtureNow = time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) metav1.Time { return metav1.NewTime(fixtureNow.Add(-d)) }

func ptr[T any](v T) *T { return &v }

// world is the cluster state of one fixture: API objects for the fake clientset, the
// aggregated APIServices, discovery, and canned metrics answers. Cases start from baseline()
// and change what their sketch shows.
type world struct {
	objects     []runtime.Object
	apiServices []*apiregv1.APIService
	groups      []string
	podMetrics  []metricsv1beta1.PodMetrics
	nodeMetrics []metricsv1beta1.NodeMetrics
	// metricsErr, when set, is what metrics.k8s.io answers to every list.
	metricsErr error
	// customOffered lists the names custom.metrics.k8s.io discovery returns, e.g.
	// "pods/http_requests"; customAnswer answers value queries.
	customOffered []string
	customAnswer  func(metric string) (*cmv1beta2.MetricValueList, error)
	// reactors are added to the fake clientset, e.g. to forbid a list.
	reactors []reactor
	// apiServicesErr, when set, is what listing APIServices answers.
	apiServicesErr error
}

type reactor struct {
	verb, resource string
	fn             k8stesting.ReactionFunc
}

// get returns the object of type T with that namespace and name; tests change it in place.
func get[T metav1.Object](t *testing.T, w *world, ns, name string) T {
	t.Helper()
	for _, obj := range w.objects {
		if typed, ok := obj.(T); ok && typed.GetNamespace() == ns && typed.GetName() == name {
			return typed
		}
	}
	var zero T
	t.Fatalf("fixture has no %T %s/%s", zero, ns, name)
	return zero
}

// remove drops the object of type T with that namespace and name.
func remove[T metav1.Object](w *world, ns, name string) {
	kept := w.objects[:0]
	for _, obj := range w.objects {
		if typed, ok := obj.(T); ok && typed.GetNamespace() == ns && typed.GetName() == name {
			continue
		}
		kept = append(kept, obj)
	}
	w.objects = kept
}

func (w *world) add(objs ...runtime.Object) { w.objects = append(w.objects, objs...) }

func (w *world) hpa(t *testing.T) *autoscalingv2.HorizontalPodAutoscaler {
	return get[*autoscalingv2.HorizontalPodAutoscaler](t, w, "shop", "cms")
}

func (w *world) cms(t *testing.T) *appsv1.Deployment {
	return get[*appsv1.Deployment](t, w, "shop", "cms")
}

func (w *world) pod(t *testing.T, name string) *corev1.Pod {
	return get[*corev1.Pod](t, w, "shop", name)
}

func (w *world) apiService(t *testing.T, name string) *apiregv1.APIService {
	t.Helper()
	for _, api := range w.apiServices {
		if api.Name == name {
			return api
		}
	}
	t.Fatalf("fixture has no APIService %s", name)
	return nil
}

// snapshot gathers the world through the real Gather, with fake clients.
func (w *world) snapshot(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	snap, err := snapshot.Gather(context.Background(), w.clients(),
		snapshot.Scope{Namespace: "shop"}, snapshot.PartAll)
	require.NoError(t, err)
	return snap
}

// report runs every registered check over the world at fixtureNow.
func (w *world) report(t *testing.T) *Report {
	t.Helper()
	return DefaultRegistry().Run(CheckContext{Now: fixtureNow}, w.snapshot(t))
}

func (w *world) clients() *kube.Clients {
	kubeClient := fake.NewClientset(w.objects...)
	for _, r := range w.reactors {
		kubeClient.PrependReactor(r.verb, r.resource, r.fn)
	}
	disco := kubeClient.Discovery().(*fakediscovery.FakeDiscovery)
	for _, gv := range w.groups {
		disco.Resources = append(disco.Resources, &metav1.APIResourceList{GroupVersion: gv})
	}
	w.addCustomDiscovery(disco)

	apis := make([]runtime.Object, 0, len(w.apiServices))
	for _, api := range w.apiServices {
		apis = append(apis, api)
	}
	aggregator := aggregatorfake.NewClientset(apis...)
	if w.apiServicesErr != nil {
		aggregator.PrependReactor("list", "apiservices",
			func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, w.apiServicesErr
			})
	}
	return &kube.Clients{
		Kube:          kubeClient,
		Metrics:       w.metricsClient(),
		CustomMetrics: w.customClient(),
		Aggregator:    aggregator,
		Discovery:     disco,
		Config:        &rest.Config{Host: "https://127.0.0.1:6443"},
		Requests:      kube.NewRequestCounter(),
	}
}

func (w *world) metricsClient() *metricsfake.Clientset {
	client := metricsfake.NewSimpleClientset() // the metrics fake has no NewClientset
	client.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if w.metricsErr != nil {
			return true, nil, w.metricsErr
		}
		list := &metricsv1beta1.PodMetricsList{}
		for _, m := range w.podMetrics {
			if a.GetNamespace() == "" || m.Namespace == a.GetNamespace() {
				list.Items = append(list.Items, m)
			}
		}
		return true, list, nil
	})
	client.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		if w.metricsErr != nil {
			return true, nil, w.metricsErr
		}
		return true, &metricsv1beta1.NodeMetricsList{Items: w.nodeMetrics}, nil
	})
	return client
}

// baseline is the healthy state every case starts from (see the cases' README).
func baseline() *world {
	w := &world{groups: []string{"v1", "apps/v1", "autoscaling/v1", "autoscaling/v2",
		"metrics.k8s.io/v1beta1"}}
	w.add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-system"}})
	w.add(cmsDeployment(), cmsReplicaSet("cms-7d9c5", "cms"))
	w.add(cmsPod("cms-7d9c5-q2xkz", "node-a"), cmsPod("cms-7d9c5-m8wtn", "node-b"))
	w.add(cmsHPA())
	w.add(shopSupport()...)
	w.add(metricsServerObjects()...)
	w.apiServices = []*apiregv1.APIService{metricsAPIService()}
	for _, name := range []string{"cms-7d9c5-q2xkz", "cms-7d9c5-m8wtn"} {
		w.podMetrics = append(w.podMetrics, podUsage(name, "75m", "282Mi"))
	}
	w.podMetrics = append(w.podMetrics, podUsage("pg-0", "20m", "120Mi", "pg"),
		podUsage("kv-0", "5m", "20Mi", "kv"))
	for _, node := range []string{"node-a", "node-b"} {
		w.nodeMetrics = append(w.nodeMetrics, nodeUsage(node))
		w.add(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}})
	}
	completeForDirectus(w)
	return w
}

func cmsLabels() map[string]string { return map[string]string{"app": "cms"} }

func requests(cpu, memory string) corev1.ResourceRequirements {
	list := corev1.ResourceList{}
	if cpu != "" {
		list[corev1.ResourceCPU] = resource.MustParse(cpu)
	}
	if memory != "" {
		list[corev1.ResourceMemory] = resource.MustParse(memory)
	}
	return corev1.ResourceRequirements{Requests: list}
}

func directusContainer() corev1.Container {
	probe := func() *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: "/server/ping", Port: intstr.FromString("http")}}}
	}
	startup := probe()
	startup.PeriodSeconds, startup.FailureThreshold = 5, 60
	secret := func(key string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "cms-secrets"}, Key: key}}
	}
	return corev1.Container{
		Name:  "directus",
		Image: "directus/directus:11.12.0",
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8055}},
		Env: []corev1.EnvVar{
			{Name: "DB_CLIENT", Value: "pg"}, {Name: "DB_HOST", Value: "pg"},
			{Name: "DB_PORT", Value: "5432"}, {Name: "DB_DATABASE", Value: "directus"},
			{Name: "DB_USER", Value: "directus"},
			{Name: "DB_PASSWORD", ValueFrom: secret("DB_PASSWORD")},
			{Name: "SECRET", ValueFrom: secret("SECRET")},
			{Name: "REDIS", Value: "redis://kv:6379"}, {Name: "CACHE_ENABLED", Value: "true"},
			{Name: "CACHE_STORE", Value: "redis"}, {Name: "CACHE_AUTO_PURGE", Value: "true"},
			{Name: "SYNCHRONIZATION_STORE", Value: "redis"},
			{Name: "PUBLIC_URL", Value: "https://cms.example.test"},
		},
		Resources:      requests("250m", "512Mi"),
		StartupProbe:   startup,
		ReadinessProbe: probe(),
		LivenessProbe:  probe(),
	}
}

func cmsDeployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop", Labels: cmsLabels()},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(int32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: cmsLabels()},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: cmsLabels()},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{directusContainer()}},
			},
		},
		Status: appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2},
	}
}

func controllerRef(kind, name string) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name,
		Controller: ptr(true)}}
}

func cmsReplicaSet(name, deployment string) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop",
		Labels: cmsLabels(), OwnerReferences: controllerRef("Deployment", deployment)}}
}

// cmsPod is a Running, Ready pod of ReplicaSet cms-7d9c5 started three hours ago.
func cmsPod(name, node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: cmsLabels(),
			CreationTimestamp: ago(3 * time.Hour),
			OwnerReferences:   controllerRef("ReplicaSet", "cms-7d9c5")},
		Spec:   corev1.PodSpec{NodeName: node, Containers: []corev1.Container{directusContainer()}},
		Status: runningReady(3*time.Hour, "directus"),
	}
}

func runningReady(age time.Duration, containers ...string) corev1.PodStatus {
	status := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		StartTime: ptr(ago(age)),
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
			LastTransitionTime: ago(age - 10*time.Second)}},
	}
	for _, c := range containers {
		status.ContainerStatuses = append(status.ContainerStatuses,
			corev1.ContainerStatus{Name: c, Ready: true})
	}
	return status
}

func cmsHPA() *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop",
			CreationTimestamp: ago(3 * time.Hour)},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "cms"},
			MinReplicas: ptr(int32(2)),
			MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{utilization(corev1.ResourceCPU, 70),
				utilization(corev1.ResourceMemory, 80)},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp:   &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(0))},
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(300))},
			},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			CurrentReplicas: 2,
			DesiredReplicas: 2,
			CurrentMetrics: []autoscalingv2.MetricStatus{
				utilizationStatus(corev1.ResourceCPU, 30, "75m"),
				utilizationStatus(corev1.ResourceMemory, 55, "282Mi"),
			},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
				hpaCondition(autoscalingv2.AbleToScale, corev1.ConditionTrue, "ReadyForNewScale",
					"recommended size matches current size", 3*time.Hour),
				hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound",
					"the HPA was able to successfully calculate a replica count from cpu "+
						"resource utilization (percentage of request)", 3*time.Hour),
				hpaCondition(autoscalingv2.ScalingLimited, corev1.ConditionFalse,
					"DesiredWithinRange", "the desired count is within the acceptable range",
					3*time.Hour),
			},
		},
	}
}

func utilization(name corev1.ResourceName, percent int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: name,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
				AverageUtilization: ptr(percent)}}}
}

func utilizationStatus(name corev1.ResourceName, percent int32, value string) autoscalingv2.MetricStatus {
	return autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricStatus{Name: name,
			Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr(percent),
				AverageValue: ptr(resource.MustParse(value))}}}
}

func hpaCondition(kind autoscalingv2.HorizontalPodAutoscalerConditionType,
	status corev1.ConditionStatus, reason, message string, since time.Duration,
) autoscalingv2.HorizontalPodAutoscalerCondition {
	return autoscalingv2.HorizontalPodAutoscalerCondition{Type: kind, Status: status,
		Reason: reason, Message: message, LastTransitionTime: ago(since)}
}

// setCondition replaces the HPA condition of the same type, or adds it.
func setCondition(hpa *autoscalingv2.HorizontalPodAutoscaler,
	c autoscalingv2.HorizontalPodAutoscalerCondition) {
	for i := range hpa.Status.Conditions {
		if hpa.Status.Conditions[i].Type == c.Type {
			hpa.Status.Conditions[i] = c
			return
		}
	}
	hpa.Status.Conditions = append(hpa.Status.Conditions, c)
}

// shopSupport is the rest of namespace shop: Secret, Services, PostgreSQL, Redis, PDB.
func shopSupport() []runtime.Object {
	out := []runtime.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cms-secrets", Namespace: "shop"},
			Data: map[string][]byte{"SECRET": []byte("s"), "DB_PASSWORD": []byte("p")}},
		service("shop", "cms", cmsLabels(), 80, intstr.FromString("http")),
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop"},
			Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr(intstr.FromInt32(1)),
				Selector: &metav1.LabelSelector{MatchLabels: cmsLabels()}}},
	}
	for _, db := range []struct {
		name, image string
		port        int32
	}{{"pg", "postgres:17", 5432}, {"kv", "valkey/valkey:8", 6379}} {
		labels := map[string]string{"app": db.name}
		out = append(out,
			&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: db.name, Namespace: "shop"},
				Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(1)),
					Selector: &metav1.LabelSelector{MatchLabels: labels},
					Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: db.name,
							Image: db.image, Resources: requests("100m", "256Mi")}}}}},
				Status: appsv1.StatefulSetStatus{Replicas: 1, ReadyReplicas: 1}},
			service("shop", db.name, labels, db.port, intstr.FromInt32(db.port)),
			readySlice("shop", db.name, "", db.port),
			&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: db.name + "-0", Namespace: "shop",
				Labels: labels, OwnerReferences: controllerRef("StatefulSet", db.name)},
				Spec:   corev1.PodSpec{NodeName: "node-a"},
				Status: runningReady(3*time.Hour, db.name)},
		)
	}
	return out
}

func service(ns, name string, selector map[string]string, port int32, target intstr.IntOrString) *corev1.Service {
	portName := target.StrVal
	if portName == "" {
		portName = name
	}
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: selector,
			Ports: []corev1.ServicePort{{Name: portName, Port: port, TargetPort: target}}}}
}

// readySlice is an EndpointSlice of Service svc with one ready endpoint on 127.0.0.1.
func readySlice(ns, svc, portName string, port int32) *discoveryv1.EndpointSlice {
	if portName == "" {
		portName = svc
	}
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: svc + "-abcde", Namespace: ns,
			Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr(portName), Port: ptr(port)}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"127.0.0.1"},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr(true)}}},
	}
}

// metricsServerObjects is metrics-server in kube-system: Deployment, pod, Service, slice.
func metricsServerObjects() []runtime.Object {
	labels := map[string]string{"k8s-app": "metrics-server"}
	container := corev1.Container{Name: "metrics-server",
		Image: "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
		Ports: []corev1.ContainerPort{{Name: "https", ContainerPort: 10250}}}
	return []runtime.Object{
		&appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "metrics-server", Namespace: "kube-system"},
			Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(1)),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{Containers: []corev1.Container{container}}}},
			Status: appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1},
		},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "metrics-server-6d4f7-zt9wd",
			Namespace: "kube-system", Labels: labels,
			OwnerReferences: controllerRef("ReplicaSet", "metrics-server-6d4f7")},
			Spec:   corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{container}},
			Status: runningReady(3*time.Hour, "metrics-server")},
		service("kube-system", "metrics-server", labels, 443, intstr.FromString("https")),
		readySlice("kube-system", "metrics-server", "https", 10250),
	}
}

func metricsAPIService() *apiregv1.APIService {
	return &apiregv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1beta1.metrics.k8s.io"},
		Spec: apiregv1.APIServiceSpec{Group: "metrics.k8s.io", Version: "v1beta1",
			Service: &apiregv1.ServiceReference{Namespace: "kube-system", Name: "metrics-server",
				Port: ptr(int32(443))}},
		Status: apiregv1.APIServiceStatus{Conditions: []apiregv1.APIServiceCondition{{
			Type: apiregv1.Available, Status: apiregv1.ConditionTrue, Reason: "Passed",
			Message: "all checks passed", LastTransitionTime: ago(3 * time.Hour)}}},
	}
}

func podUsage(name, cpu, memory string, containers ...string) metricsv1beta1.PodMetrics {
	if len(containers) == 0 {
		containers = []string{"directus"}
	}
	m := metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Timestamp: ago(20 * time.Second), Window: metav1.Duration{Duration: time.Minute}}
	for _, c := range containers {
		m.Containers = append(m.Containers, metricsv1beta1.ContainerMetrics{Name: c,
			Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu),
				corev1.ResourceMemory: resource.MustParse(memory)}})
	}
	return m
}

func nodeUsage(name string) metricsv1beta1.NodeMetrics {
	return metricsv1beta1.NodeMetrics{ObjectMeta: metav1.ObjectMeta{Name: name},
		Timestamp: ago(20 * time.Second), Window: metav1.Duration{Duration: time.Minute},
		Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"),
			corev1.ResourceMemory: resource.MustParse("2Gi")}}
}

// hpaEvent is a core/v1 Event about HPA shop/cms, as the controller writes it.
func hpaEvent(kind, reason, message string, count int32, first, last time.Duration) *corev1.Event {
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "cms." + reason + first.String(), Namespace: "shop"},
		InvolvedObject: corev1.ObjectReference{Kind: "HorizontalPodAutoscaler",
			Namespace: "shop", Name: "cms", APIVersion: "autoscaling/v2"},
		Type: kind, Reason: reason, Message: message, Count: count,
		FirstTimestamp: ago(first), LastTimestamp: ago(last),
		Source: corev1.EventSource{Component: "horizontal-pod-autoscaler"},
	}
}

func (w *world) addCustomDiscovery(disco *fakediscovery.FakeDiscovery) {
	if w.customOffered == nil {
		return
	}
	list := &metav1.APIResourceList{GroupVersion: "custom.metrics.k8s.io/v1beta1"}
	for _, name := range w.customOffered {
		list.APIResources = append(list.APIResources, metav1.APIResource{Name: name,
			Namespaced: true, Kind: "MetricValueList", Verbs: []string{"get"}})
	}
	disco.Resources = append(disco.Resources, list)
}

func (w *world) customClient() *cmfake.FakeCustomMetricsClient {
	client := &cmfake.FakeCustomMetricsClient{}
	client.AddReactor("get", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if w.customAnswer == nil {
			return true, nil, errors.New("no canned custom metrics answer in this fixture")
		}
		list, err := w.customAnswer(a.(cmfake.GetForAction).GetMetricName())
		return true, list, err
	})
	return client
}

// justCreated makes an HPA that the controller has not processed yet: no status, 30s old.
func justCreated(hpa *autoscalingv2.HorizontalPodAutoscaler) {
	hpa.Status = autoscalingv2.HorizontalPodAutoscalerStatus{}
	hpa.CreationTimestamp = ago(30 * time.Second)
}

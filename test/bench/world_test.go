package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// Labels and values every simulated app shares.
const (
	appLabel     = "app"
	templateHash = "bench" // the pod-template-hash of every ReplicaSet the benchmark makes
	cpuRequest   = "100m"
	memRequest   = "64Mi"
	memUsage     = "40Mi"
)

// builder creates the simulated cluster through a client without client-side throttling.
type builder struct {
	spec   spec
	client kubernetes.Interface
	logf   func(string, ...any)
}

// buildWorld creates nodes, namespaces, pods, ReplicaSets, Deployments, HPAs and events, and
// waits until every HPA has been through the controller with metrics. Pods are created
// directly on their nodes, and the ReplicaSets and Deployments then adopt them, so neither
// the scheduler nor the ReplicaSet controller has 10,000 pods to create.
func buildWorld(b *testing.B, c *cluster.Cluster, s spec) {
	config := c.RESTConfig()
	config.QPS, config.Burst = 1000, 2000
	config.ContentType = "application/vnd.kubernetes.protobuf"
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		b.Fatalf("bench client: %v", err)
	}
	w := &builder{spec: s, client: client, logf: b.Logf}
	ctx := b.Context()

	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"nodes", w.nodes}, {"namespaces", w.namespaces}, {"pods", w.pods},
		{"replicasets", w.replicaSets}, {"deployments", w.deployments},
		{"deployments ready", w.deploymentsReady}, {"hpas", w.hpas}, {"events", w.events},
		{"hpas with metrics", w.hpasMeasured},
	}
	for _, step := range steps {
		began := time.Now()
		if err := step.run(ctx); err != nil {
			b.Fatalf("building the simulated cluster: %s: %v", step.name, err)
		}
		b.Logf("bench: %s in %s", step.name, time.Since(began).Round(time.Second))
	}
}

// parallel calls fn for 0..n-1 on a few workers and returns the first error.
func parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
	wg.Wait()
	return first
}

func (w *builder) nodes(ctx context.Context) error {
	return parallel(ctx, w.spec.nodes(), func(ctx context.Context, i int) error {
		node, err := cluster.NewNode(fmt.Sprintf("bench-node-%02d", i), "64", "256Gi")
		if err != nil {
			return err
		}
		pods := resource.MustParse(fmt.Sprint(podsPerNode + 50))
		node.Status.Capacity[corev1.ResourcePods] = pods
		node.Status.Allocatable[corev1.ResourcePods] = pods
		_, err = w.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		return err
	})
}

func (w *builder) namespaces(ctx context.Context) error {
	return parallel(ctx, w.spec.Namespaces+1, func(ctx context.Context, i int) error {
		name := w.spec.namespace(i)
		if i == w.spec.Namespaces {
			name = emptyNamespace
		}
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if _, err := w.client.CoreV1().Namespaces().Create(ctx, ns,
			metav1.CreateOptions{}); err != nil {
			return err
		}
		return w.waitServiceAccount(ctx, name)
	})
}

// waitServiceAccount waits for the default ServiceAccount of ns: pods are refused before it.
func (w *builder) waitServiceAccount(ctx context.Context, ns string) error {
	for range 120 {
		_, err := w.client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("no default ServiceAccount in namespace %s after a minute", ns)
}

// emptyNamespace holds no HPA: the doctor's request count there is its fixed cost.
const emptyNamespace = "bench-empty"

// podTemplate is the template of app a's Deployment; the ReplicaSet's carries the hash.
func podTemplate(a app, withHash bool) corev1.PodTemplateSpec {
	labels := map[string]string{appLabel: a.Name}
	if withHash {
		labels[appsv1.DefaultDeploymentUniqueLabelKey] = templateHash
	}
	requests := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpuRequest), corev1.ResourceMemory: resource.MustParse(memRequest),
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{
			cluster.UsageCPUAnnotation: a.CPUUsage, cluster.UsageMemoryAnnotation: memUsage,
		}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "registry.invalid/app:1",
			Resources: corev1.ResourceRequirements{Requests: requests},
		}}},
	}
}

// pods creates every pod on a node, round robin, as the ReplicaSet would have named it.
func (w *builder) pods(ctx context.Context) error {
	perHPA := w.spec.PodsPerHPA
	return parallel(ctx, w.spec.pods(), func(ctx context.Context, i int) error {
		a := w.spec.app(i / perHPA)
		tmpl := podTemplate(a, true)
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name:      fmt.Sprintf("%s-%s-%05d", a.Name, templateHash, i),
				Namespace: a.Namespace, Labels: tmpl.Labels, Annotations: tmpl.Annotations,
			},
			Spec: tmpl.Spec,
		}
		pod.Spec.NodeName = fmt.Sprintf("bench-node-%02d", i%w.spec.nodes())
		_, err := w.client.CoreV1().Pods(a.Namespace).Create(ctx, pod, metav1.CreateOptions{})
		return err
	})
}

func (w *builder) replicaSets(ctx context.Context) error {
	return parallel(ctx, w.spec.HPAs, func(ctx context.Context, i int) error {
		a := w.spec.app(i)
		tmpl := podTemplate(a, true)
		rs := &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: a.Name + "-" + templateHash, Namespace: a.Namespace,
				Labels: tmpl.Labels},
			Spec: appsv1.ReplicaSetSpec{
				Replicas: ptr.To(int32(w.spec.PodsPerHPA)),
				Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels},
				Template: tmpl,
			},
		}
		_, err := w.client.AppsV1().ReplicaSets(a.Namespace).Create(ctx, rs, metav1.CreateOptions{})
		return err
	})
}

func (w *builder) deployments(ctx context.Context) error {
	return parallel(ctx, w.spec.HPAs, func(ctx context.Context, i int) error {
		a := w.spec.app(i)
		tmpl := podTemplate(a, false)
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: a.Name, Namespace: a.Namespace, Labels: tmpl.Labels},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To(int32(w.spec.PodsPerHPA)),
				Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels},
				Template: tmpl,
			},
		}
		_, err := w.client.AppsV1().Deployments(a.Namespace).Create(ctx, d, metav1.CreateOptions{})
		return err
	})
}

// deploymentsReady waits until every Deployment has adopted its ReplicaSet and counts all its
// pods ready and up to date, which also means no ReplicaSet of its own was made.
func (w *builder) deploymentsReady(ctx context.Context) error {
	want := int32(w.spec.PodsPerHPA)
	return w.waitAll(ctx, 30*time.Minute, "Deployments ready", func(ns string) (int, error) {
		list, err := w.client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, err
		}
		done := 0
		for _, d := range list.Items {
			if d.Status.ReadyReplicas == want && d.Status.UpdatedReplicas == want &&
				d.Status.Replicas == want {
				done++
			}
		}
		return done, nil
	})
}

// waitAll polls count in every namespace until the counts add up to the number of HPAs.
func (w *builder) waitAll(ctx context.Context, timeout time.Duration, what string,
	count func(ns string) (int, error)) error {
	return w.waitMost(ctx, timeout, what, w.spec.HPAs, count)
}

// waitMost polls count in every namespace until the counts add up to the number of HPAs, or,
// once timeout has passed, to at least enough of them.
func (w *builder) waitMost(ctx context.Context, timeout time.Duration, what string,
	enough int, count func(ns string) (int, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		total := 0
		for i := range w.spec.Namespaces {
			n, err := count(w.spec.namespace(i))
			if err != nil {
				return err
			}
			total += n
		}
		late := time.Now().After(deadline)
		if total == w.spec.HPAs || (late && total >= enough) {
			w.logf("bench: %s: %d of %d", what, total, w.spec.HPAs)
			return nil
		}
		if late {
			return fmt.Errorf("%s: %d of %d after %s", what, total, w.spec.HPAs, timeout)
		}
		w.logf("bench: %s: %d of %d", what, total, w.spec.HPAs)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
		}
	}
}

func (w *builder) hpas(ctx context.Context) error {
	return parallel(ctx, w.spec.HPAs, func(ctx context.Context, i int) error {
		hpa := benchHPA(w.spec.app(i), w.spec.PodsPerHPA)
		_, err := w.client.AutoscalingV2().HorizontalPodAutoscalers(hpa.Namespace).Create(ctx, hpa,
			metav1.CreateOptions{})
		return err
	})
}

// benchHPA is the HPA of app a: CPU at 70 % and memory at 80 % of requests, as deploy makes.
func benchHPA(a app, replicas int) *autoscalingv2.HorizontalPodAutoscaler {
	utilization := func(name corev1.ResourceName, target int32) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: name, Target: autoscalingv2.MetricTarget{
				Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(target),
			}},
		}
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: a.Name, Namespace: a.Namespace},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
				APIVersion: "apps/v1", Kind: "Deployment", Name: a.Name,
			},
			MinReplicas: ptr.To(int32(min(2, replicas))),
			MaxReplicas: max(a.MaxReplicas, int32(replicas)),
			Metrics: []autoscalingv2.MetricSpec{
				utilization(corev1.ResourceCPU, 70), utilization(corev1.ResourceMemory, 80),
			},
		},
	}
}

// events writes EventsPerHPA past controller events per HPA: a rescale and metric failures
// from before the measurement, as a cluster that has run for a while has.
func (w *builder) events(ctx context.Context) error {
	n := w.spec.HPAs * w.spec.EventsPerHPA
	return parallel(ctx, n, func(ctx context.Context, i int) error {
		a := w.spec.app(i / w.spec.EventsPerHPA)
		ev := pastEvent(a, i%w.spec.EventsPerHPA, time.Now())
		_, err := w.client.CoreV1().Events(a.Namespace).Create(ctx, ev, metav1.CreateOptions{})
		return err
	})
}

// pastEvent returns the k-th past event of app a's HPA.
func pastEvent(a app, k int, now time.Time) *corev1.Event {
	kinds := []struct{ kind, reason, message string }{
		{corev1.EventTypeNormal, "SuccessfulRescale",
			"New size: 10; reason: cpu resource utilization (percentage of request) above target"},
		{corev1.EventTypeWarning, "FailedGetResourceMetric",
			"failed to get cpu utilization: unable to get metrics for resource cpu: no metrics " +
				"returned from resource metrics API"},
		{corev1.EventTypeWarning, "FailedComputeMetricsReplicas",
			"invalid metrics (1 invalid out of 2), first error is: failed to get cpu resource " +
				"metric value: failed to get cpu utilization: unable to get metrics for resource cpu"},
	}
	e := kinds[k%len(kinds)]
	at := metav1.NewTime(now.Add(-time.Duration(20+5*k) * time.Minute))
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.bench%d", a.Name, k), Namespace: a.Namespace},
		InvolvedObject: corev1.ObjectReference{
			APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler",
			Namespace: a.Namespace, Name: a.Name,
		},
		Type: e.kind, Reason: e.reason, Message: e.message, Count: int32(1 + k),
		Source:         corev1.EventSource{Component: "horizontal-pod-autoscaler"},
		FirstTimestamp: at, LastTimestamp: at,
	}
}

// hpasMeasured waits until the controller has read both metrics of every HPA; on a machine
// too busy for kwok to answer every scrape in time, 95 % of them after 20 minutes will do.
func (w *builder) hpasMeasured(ctx context.Context) error {
	enough := w.spec.HPAs * 95 / 100
	return w.waitMost(ctx, 20*time.Minute, "HPAs with metrics", enough, func(ns string) (int, error) {
		list, err := w.client.AutoscalingV2().HorizontalPodAutoscalers(ns).List(ctx,
			metav1.ListOptions{})
		if err != nil {
			return 0, err
		}
		done := 0
		for _, hpa := range list.Items {
			if measured(&hpa) {
				done++
			}
		}
		return done, nil
	})
}

// measured reports whether the controller's last pass read a utilization for every metric.
func measured(hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
	if len(hpa.Status.CurrentMetrics) != len(hpa.Spec.Metrics) {
		return false
	}
	for _, m := range hpa.Status.CurrentMetrics {
		if m.Resource == nil || m.Resource.Current.AverageUtilization == nil {
			return false
		}
	}
	return true
}

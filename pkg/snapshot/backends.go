package snapshot

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// MetricsServerName is the name metrics-server's Deployment carries in its release manifests
// and Helm chart; the doctor looks for it in every namespace.
const MetricsServerName = "metrics-server"

// Backend is what runs behind the Services of the metrics APIServices, read in each Service's
// namespace: the pods its selector picks, the namespace's Deployments (to find one scaled to
// zero), its warning events and its NetworkPolicies.
type Backend struct {
	Pods        []corev1.Pod
	Deployments []appsv1.Deployment
	Events      []corev1.Event
	Policies    []networkingv1.NetworkPolicy
}

// metricsServers lists Deployments named metrics-server cluster-wide, in one call, so that the
// doctor can say whether a provider is installed at all, or idle next to another one.
func (g *gatherer) metricsServers(ctx context.Context) error {
	opts := metav1.ListOptions{FieldSelector: "metadata.name=" + MetricsServerName}
	list, err := g.clients.Kube.AppsV1().Deployments(metav1.NamespaceAll).List(ctx, opts)
	if !g.record("list", ResMetricsServers, "", err) {
		g.mu.Lock()
		g.snap.MetricsServersErr = err
		g.mu.Unlock()
		return err
	}
	for _, d := range list.Items {
		if d.Name == MetricsServerName {
			g.snap.MetricsServers = append(g.snap.MetricsServers, d)
		}
	}
	return nil
}

// readBackendPods lists the pods a backing Service selects, in its namespace.
func (g *gatherer) readBackendPods(ctx context.Context, svc *corev1.Service) {
	if len(svc.Spec.Selector) == 0 {
		return
	}
	selector := labels.SelectorFromSet(svc.Spec.Selector).String()
	list, err := g.clients.Kube.CoreV1().Pods(svc.Namespace).List(ctx,
		metav1.ListOptions{LabelSelector: selector})
	if !g.record("list", ResPods, svc.Namespace, err) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.snap.Backend.Pods = append(g.snap.Backend.Pods, list.Items...)
}

// readBackendNamespace reads the Deployments, warning events and NetworkPolicies of a
// namespace that hosts a metrics backend: three calls per namespace, usually one namespace.
func (g *gatherer) readBackendNamespace(ctx context.Context, ns string) {
	deployments, err := g.clients.Kube.AppsV1().Deployments(ns).List(ctx, listAll)
	if g.record("list", ResDeployments, ns, err) {
		g.snap.Backend.Deployments = append(g.snap.Backend.Deployments, deployments.Items...)
	}

	warnings := metav1.ListOptions{FieldSelector: "type=" + corev1.EventTypeWarning}
	events, err := g.clients.Kube.CoreV1().Events(ns).List(ctx, warnings)
	if g.record("list", ResEvents, ns, err) {
		for _, ev := range events.Items {
			if ev.Type == corev1.EventTypeWarning {
				g.snap.Backend.Events = append(g.snap.Backend.Events, ev)
			}
		}
	}

	policies, err := g.clients.Kube.NetworkingV1().NetworkPolicies(ns).List(ctx, listAll)
	if g.record("list", ResNetworkPolicies, ns, err) {
		g.snap.Backend.Policies = append(g.snap.Backend.Policies, policies.Items...)
	}
}

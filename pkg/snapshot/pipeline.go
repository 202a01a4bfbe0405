package snapshot

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// MetricsGroups are the aggregated API groups an HPA reads its metrics from.
var MetricsGroups = []string{"metrics.k8s.io", "custom.metrics.k8s.io", "external.metrics.k8s.io"}

func isMetricsGroup(group string) bool {
	for _, g := range MetricsGroups {
		if g == group {
			return true
		}
	}
	return false
}

// apiServices lists APIServices once and keeps those of the metrics groups.
func (g *gatherer) apiServices(ctx context.Context) error {
	list, err := g.clients.Aggregator.ApiregistrationV1().APIServices().List(ctx, listAll)
	if !g.record("list", ResAPIServices, "", err) {
		return err
	}
	for _, svc := range list.Items {
		if isMetricsGroup(svc.Spec.Group) {
			g.snap.APIServices = append(g.snap.APIServices, svc)
		}
	}
	return nil
}

// servedGroups records every group/version that discovery reports.
func (g *gatherer) servedGroups(ctx context.Context) error {
	groups, err := g.clients.Discovery.ServerGroups()
	served := map[string]bool{}
	if groups != nil {
		for _, group := range groups.Groups {
			for _, v := range group.Versions {
				served[v.GroupVersion] = true
			}
		}
	}
	g.mu.Lock()
	g.snap.ServedGroups = served
	g.mu.Unlock()
	g.record("get", ResDiscovery, "", err)
	return err
}

// backingServices reads the Service, EndpointSlices and pods behind each metrics APIService,
// and the Deployments, warning events and NetworkPolicies of the namespaces they live in: a
// few calls per APIService, whatever the number of HPAs.
func (g *gatherer) backingServices(ctx context.Context) error {
	seen := map[string]bool{}
	namespaces := map[string]bool{}
	for _, api := range g.snap.APIServices {
		ref := api.Spec.Service
		if ref == nil || seen[ref.Namespace+"/"+ref.Name] {
			continue
		}
		seen[ref.Namespace+"/"+ref.Name] = true
		namespaces[ref.Namespace] = true
		g.readBackingService(ctx, ref)
	}
	for ns := range namespaces {
		g.readBackendNamespace(ctx, ns)
	}
	return nil
}

func (g *gatherer) readBackingService(ctx context.Context, ref *apiregistrationv1.ServiceReference) {
	core := g.clients.Kube.CoreV1()
	svc, err := core.Services(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		g.appendBacking(svc)
		g.readBackendPods(ctx, svc)
	case !apierrors.IsNotFound(err):
		g.record("get", ResServices, ref.Namespace, err)
	}

	opts := metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + ref.Name}
	slices, err := g.clients.Kube.DiscoveryV1().EndpointSlices(ref.Namespace).List(ctx, opts)
	if g.record("list", ResEndpoints, ref.Namespace, err) {
		g.mu.Lock()
		g.snap.BackingEndpoints = append(g.snap.BackingEndpoints, slices.Items...)
		g.mu.Unlock()
	}
}

func (g *gatherer) appendBacking(svc *corev1.Service) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.snap.BackingServices = append(g.snap.BackingServices, *svc)
}

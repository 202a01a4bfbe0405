package snapshot

import (
	"time"

	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// listFuncs returns one list call per kind the parts need. The lists that grow with the
// cluster's pods (pods, their metrics, events) are read one after the other, beside the
// others: each is decoded while the previous one's transient buffers are already gone, which
// keeps the peak memory of a 10,000-pod cluster down by tens of megabytes.
func (g *gatherer) listFuncs(parts Parts) []listFunc {
	large := []listFunc{g.pods}
	if parts&PartMetrics != 0 {
		large = append(large, g.podMetrics)
	}
	if parts&PartEvents != 0 {
		large = append(large, g.events)
	}
	funcs := []listFunc{inTurn(large), g.hpas, g.deployments, g.replicaSets, g.statefulSets}
	if parts&PartMetrics != 0 && parts&PartNodes != 0 {
		funcs = append(funcs, g.nodeMetrics)
	}
	if parts&PartNodes != 0 {
		funcs = append(funcs, g.nodes)
	}
	if parts&PartPipeline != 0 {
		funcs = append(funcs, g.apiServices, g.servedGroups, g.metricsServers)
	}
	if parts&PartConfig != 0 {
		funcs = append(funcs, g.services, g.endpointSlices, g.pdbs, g.configMaps, g.jobs)
	}
	return funcs
}

// inTurn runs funcs one after the other, as one list function; it returns the first error.
func inTurn(funcs []listFunc) listFunc {
	return func(ctx context.Context) error {
		var first error
		for _, f := range funcs {
			if err := f(ctx); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
}

var listAll = metav1.ListOptions{ResourceVersion: "0"}

// dropManagedFields frees the field-ownership records of listed objects no check reads them
// from: on 10,000 pods they are a good part of the memory a snapshot holds. Deployments,
// StatefulSets and HPAs keep theirs (who owns spec.replicas is a check).
func dropManagedFields[T any, PT interface {
	*T
	SetManagedFields([]metav1.ManagedFieldsEntry)
}](items []T) []T {
	for i := range items {
		PT(&items[i]).SetManagedFields(nil)
	}
	return items
}

func (g *gatherer) hpas(ctx context.Context) error {
	list, err := g.clients.Kube.AutoscalingV2().HorizontalPodAutoscalers(g.ns).List(ctx, listAll)
	if g.record("list", ResHPAs, g.ns, err) {
		g.snap.HPAs = list.Items
	}
	return err
}

func (g *gatherer) deployments(ctx context.Context) error {
	list, err := g.clients.Kube.AppsV1().Deployments(g.ns).List(ctx, listAll)
	if g.record("list", ResDeployments, g.ns, err) {
		g.snap.Deployments = list.Items
	}
	return err
}

func (g *gatherer) replicaSets(ctx context.Context) error {
	list, err := g.clients.Kube.AppsV1().ReplicaSets(g.ns).List(ctx, listAll)
	if g.record("list", ResReplicaSets, g.ns, err) {
		g.snap.ReplicaSets = dropManagedFields(list.Items)
	}
	return err
}

func (g *gatherer) statefulSets(ctx context.Context) error {
	list, err := g.clients.Kube.AppsV1().StatefulSets(g.ns).List(ctx, listAll)
	if g.record("list", ResStatefulSets, g.ns, err) {
		g.snap.StatefulSets = list.Items
	}
	return err
}

func (g *gatherer) jobs(ctx context.Context) error {
	list, err := g.clients.Kube.BatchV1().Jobs(g.ns).List(ctx, listAll)
	if g.record("list", ResJobs, g.ns, err) {
		g.snap.Jobs = dropManagedFields(list.Items)
	}
	return err
}

// streamTimeout is the deadline of a streamed list: --request-timeout, as for a plain list
// (a watch is otherwise open-ended), 0 for none, or -1 when lists must not be streamed.
func (g *gatherer) streamTimeout() time.Duration {
	if !g.clients.StreamLists {
		return -1
	}
	return g.clients.Config.Timeout
}

// pods streams the pods, the largest list by far (see streamList).
func (g *gatherer) pods(ctx context.Context) error {
	client := g.clients.Kube.CoreV1().Pods(g.ns)
	items, err := listOrStream[corev1.Pod](ctx, g.streamTimeout(), client.Watch,
		func() ([]corev1.Pod, error) {
			list, err := client.List(ctx, listAll)
			if err != nil {
				return nil, err
			}
			return list.Items, nil
		})
	if g.record("list", ResPods, g.ns, err) {
		g.snap.Pods = trimPods(items)
	}
	return err
}

func (g *gatherer) services(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().Services(g.ns).List(ctx, listAll)
	if g.record("list", ResServices, g.ns, err) {
		g.snap.Services = dropManagedFields(list.Items)
	}
	return err
}

func (g *gatherer) endpointSlices(ctx context.Context) error {
	list, err := g.clients.Kube.DiscoveryV1().EndpointSlices(g.ns).List(ctx, listAll)
	if g.record("list", ResEndpoints, g.ns, err) {
		g.snap.Endpoints = dropManagedFields(list.Items)
	}
	return err
}

func (g *gatherer) pdbs(ctx context.Context) error {
	list, err := g.clients.Kube.PolicyV1().PodDisruptionBudgets(g.ns).List(ctx, listAll)
	if g.record("list", ResPDBs, g.ns, err) {
		g.snap.PDBs = dropManagedFields(list.Items)
	}
	return err
}

func (g *gatherer) configMaps(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().ConfigMaps(g.ns).List(ctx, listAll)
	if g.record("list", ResConfigMaps, g.ns, err) {
		g.snap.ConfigMaps = dropManagedFields(list.Items)
	}
	return err
}

func (g *gatherer) events(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().Events(g.ns).List(ctx, listAll)
	if g.record("list", ResEvents, g.ns, err) {
		g.snap.Events = dropManagedFields(list.Items)
	}
	return err
}

func (g *gatherer) nodes(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().Nodes().List(ctx, listAll)
	if g.record("list", ResNodes, "", err) {
		g.snap.Nodes = dropManagedFields(list.Items)
	}
	return err
}

func (g *gatherer) podMetrics(ctx context.Context) error {
	list, err := g.clients.Metrics.MetricsV1beta1().PodMetricses(g.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		g.mu.Lock()
		g.snap.MetricsError = err
		g.mu.Unlock()
	}
	if g.record("list", ResPodMetrics, g.ns, err) {
		g.snap.PodMetrics = list.Items
	}
	return err
}

func (g *gatherer) nodeMetrics(ctx context.Context) error {
	list, err := g.clients.Metrics.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
	if g.record("list", ResNodeMetrics, "", err) {
		g.snap.NodeMetrics = list.Items
	}
	return err
}

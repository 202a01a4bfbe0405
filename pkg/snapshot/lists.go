package snapshot

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// listFuncs returns one list call per kind the parts need.
func (g *gatherer) listFuncs(parts Parts) []listFunc {
	funcs := []listFunc{g.hpas, g.deployments, g.replicaSets, g.statefulSets, g.pods}
	if parts&PartMetrics != 0 {
		funcs = append(funcs, g.podMetrics)
	}
	if parts&PartMetrics != 0 && parts&PartNodes != 0 {
		funcs = append(funcs, g.nodeMetrics)
	}
	if parts&PartEvents != 0 {
		funcs = append(funcs, g.events)
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

var listAll = metav1.ListOptions{ResourceVersion: "0"}

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
		g.snap.ReplicaSets = list.Items
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
		g.snap.Jobs = list.Items
	}
	return err
}

func (g *gatherer) pods(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().Pods(g.ns).List(ctx, listAll)
	if g.record("list", ResPods, g.ns, err) {
		g.snap.Pods = list.Items
	}
	return err
}

func (g *gatherer) services(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().Services(g.ns).List(ctx, listAll)
	if g.record("list", ResServices, g.ns, err) {
		g.snap.Services = list.Items
	}
	return err
}

func (g *gatherer) endpointSlices(ctx context.Context) error {
	list, err := g.clients.Kube.DiscoveryV1().EndpointSlices(g.ns).List(ctx, listAll)
	if g.record("list", ResEndpoints, g.ns, err) {
		g.snap.Endpoints = list.Items
	}
	return err
}

func (g *gatherer) pdbs(ctx context.Context) error {
	list, err := g.clients.Kube.PolicyV1().PodDisruptionBudgets(g.ns).List(ctx, listAll)
	if g.record("list", ResPDBs, g.ns, err) {
		g.snap.PDBs = list.Items
	}
	return err
}

func (g *gatherer) configMaps(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().ConfigMaps(g.ns).List(ctx, listAll)
	if g.record("list", ResConfigMaps, g.ns, err) {
		g.snap.ConfigMaps = list.Items
	}
	return err
}

func (g *gatherer) events(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().Events(g.ns).List(ctx, listAll)
	if g.record("list", ResEvents, g.ns, err) {
		g.snap.Events = list.Items
	}
	return err
}

func (g *gatherer) nodes(ctx context.Context) error {
	list, err := g.clients.Kube.CoreV1().Nodes().List(ctx, listAll)
	if g.record("list", ResNodes, "", err) {
		g.snap.Nodes = list.Items
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

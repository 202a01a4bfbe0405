package view

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// NodesReport shows each node's allocatable resources, what pods request and use of them,
// and for each HPA whether its maxReplicas fits on the nodes.
type NodesReport struct {
	Nodes []TopNode `json:"nodes"`
	Fits  []Fit     `json:"fits"`
	// Notices say why values are missing; they are for stderr.
	Notices []string `json:"-"`
}

// TopNode is one node.
type TopNode struct {
	Name string `json:"name"`
	// Ready is the status of the node's Ready condition, empty when it has none.
	Ready         string `json:"ready,omitempty"`
	Unschedulable bool   `json:"unschedulable,omitempty"`
	// CPU is in millicores, Memory in bytes.
	CPU         NodeUsage `json:"cpuMillicores"`
	Memory      NodeUsage `json:"memoryBytes"`
	Pods        int       `json:"pods"`
	PodCapacity int64     `json:"podCapacity"`
}

// NodeUsage is one resource of a node: what the scheduler can hand out, what the node's pods
// request, and what they use (nil without metrics).
type NodeUsage struct {
	Allocatable    int64  `json:"allocatable"`
	Requests       int64  `json:"requests"`
	RequestPercent int64  `json:"requestPercent"`
	Used           *int64 `json:"used,omitempty"`
	UsedPercent    *int64 `json:"usedPercent,omitempty"`
}

// Nodes builds the node report. hpaScope picks the HPAs whose fit is computed; the snapshot
// must hold the pods of every namespace, since all of them take room on the nodes.
func Nodes(snap *snapshot.Snapshot, hpaScope snapshot.Scope) *NodesReport {
	report := &NodesReport{Nodes: []TopNode{}, Fits: []Fit{}}
	usage := nodeMetricsByName(snap)
	byNode := podsByNode(snap.Pods)
	for i := range snap.Nodes {
		node := &snap.Nodes[i]
		report.Nodes = append(report.Nodes, nodeRow(node, byNode[node.Name], usage[node.Name]))
	}
	sort.Slice(report.Nodes, func(a, b int) bool {
		return report.Nodes[a].Name < report.Nodes[b].Name
	})

	report.Fits = fits(snap, hpaScope, byNode)
	report.Notices = MetricsNotices(snap)
	return report
}

func nodeRow(node *corev1.Node, pods []*corev1.Pod, used corev1.ResourceList) TopNode {
	row := TopNode{Name: node.Name, Unschedulable: node.Spec.Unschedulable, Pods: len(pods),
		PodCapacity: node.Status.Allocatable.Pods().Value()}
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			row.Ready = string(c.Status)
		}
	}

	requests := sumRequests(pods)
	row.CPU = nodeUsage(node, requests, used, corev1.ResourceCPU)
	row.Memory = nodeUsage(node, requests, used, corev1.ResourceMemory)
	return row
}

func nodeUsage(node *corev1.Node, requests, used corev1.ResourceList,
	name corev1.ResourceName) NodeUsage {
	u := NodeUsage{Allocatable: amount(node.Status.Allocatable[name], name),
		Requests: amount(requests[name], name)}
	if u.Allocatable > 0 {
		u.RequestPercent = u.Requests * 100 / u.Allocatable
	}
	if q, ok := used[name]; ok {
		v := amount(q, name)
		u.Used = &v
		if u.Allocatable > 0 {
			p := v * 100 / u.Allocatable
			u.UsedPercent = &p
		}
	}
	return u
}

// podsByNode groups the pods that hold room on a node: bound and not finished.
func podsByNode(pods []corev1.Pod) map[string][]*corev1.Pod {
	out := map[string][]*corev1.Pod{}
	for i := range pods {
		pod := &pods[i]
		if holdsRoom(pod) {
			out[pod.Spec.NodeName] = append(out[pod.Spec.NodeName], pod)
		}
	}
	return out
}

func holdsRoom(pod *corev1.Pod) bool {
	return pod.Spec.NodeName != "" && pod.Status.Phase != corev1.PodSucceeded &&
		pod.Status.Phase != corev1.PodFailed
}

// sumRequests adds up the pods' requests as the scheduler counts them (init containers,
// sidecars, pod-level requests and overhead included).
func sumRequests(pods []*corev1.Pod) corev1.ResourceList {
	total := corev1.ResourceList{}
	for _, pod := range pods {
		for name, q := range resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{}) {
			sum := total[name]
			sum.Add(q)
			total[name] = sum
		}
	}
	return total
}

func nodeMetricsByName(snap *snapshot.Snapshot) map[string]corev1.ResourceList {
	out := make(map[string]corev1.ResourceList, len(snap.NodeMetrics))
	for _, m := range snap.NodeMetrics {
		out[m.Name] = m.Usage
	}
	return out
}

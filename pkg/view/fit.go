package view

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"
	schedulinghelper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Fit says whether the nodes have room for an HPA's target at maxReplicas.
//
// The room counts, on every Ready and schedulable node whose taints the pod tolerates and
// whose labels its node selector and required node affinity accept, how many more pods of
// the target's template fit in the allocatable cpu, memory and pod slots left by the pods
// already there. Pod affinity, anti-affinity and topology spread are not considered, so the
// room is an upper bound when the template uses them.
type Fit struct {
	Namespace string `json:"namespace"`
	HPA       string `json:"hpa"`
	Reference string `json:"reference"`
	// PodCPU (millicores) and PodMemory (bytes) are what one pod of the template requests.
	PodCPU    int64 `json:"podCPUMillicores"`
	PodMemory int64 `json:"podMemoryBytes"`
	// Scheduled pods of the target are already on a node.
	Scheduled   int   `json:"scheduled"`
	MaxReplicas int32 `json:"maxReplicas"`
	// Needed is how many more pods maxReplicas takes; Room how many more fit.
	Needed int  `json:"needed"`
	Room   int  `json:"room"`
	Fits   bool `json:"fits"`
	// Bound is what runs out first: cpu, memory or pods.
	Bound string `json:"bound,omitempty"`
	// Nodes is how many nodes could take the pods.
	Nodes int `json:"nodes"`
	// Unknown says why the fit could not be computed (the target has no pod template).
	Unknown string `json:"unknown,omitempty"`
}

// fits computes the Fit of every HPA in scope.
func fits(snap *snapshot.Snapshot, scope snapshot.Scope,
	byNode map[string][]*corev1.Pod) []Fit {
	out := []Fit{}
	for _, hpa := range sortedHPAs(snap) {
		if !scope.AllNamespaces && hpa.Namespace != scope.Namespace ||
			scope.HPAName != "" && hpa.Name != scope.HPAName {
			continue
		}
		fit := Fit{Namespace: hpa.Namespace, HPA: hpa.Name, Reference: Reference(hpa),
			MaxReplicas: hpa.Spec.MaxReplicas}
		target := snap.TargetOf(hpa)
		if target.Template == nil {
			fit.Unknown = "the target " + fit.Reference + " has no pod template to size"
			out = append(out, fit)
			continue
		}
		fit.Scheduled = scheduledPods(snap.PodsOf(hpa))
		fit.room(snap.Nodes, byNode, &corev1.Pod{Spec: target.Template.Spec})
		out = append(out, fit)
	}
	return out
}

func scheduledPods(pods []*corev1.Pod) int {
	n := 0
	for _, pod := range pods {
		if holdsRoom(pod) && pod.DeletionTimestamp == nil {
			n++
		}
	}
	return n
}

// room fills PodCPU, PodMemory, Needed, Room, Fits, Bound and Nodes.
func (f *Fit) room(nodes []corev1.Node, byNode map[string][]*corev1.Pod, pod *corev1.Pod) {
	request := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	f.PodCPU = amount(request[corev1.ResourceCPU], corev1.ResourceCPU)
	f.PodMemory = amount(request[corev1.ResourceMemory], corev1.ResourceMemory)
	f.Needed = max(0, int(f.MaxReplicas)-f.Scheduled)

	perBound := map[string]int{}
	for i := range nodes {
		node := &nodes[i]
		if !accepts(node, pod) {
			continue
		}
		f.Nodes++
		used := sumRequests(byNode[node.Name])
		cpu := slots(node, used, corev1.ResourceCPU, f.PodCPU)
		memory := slots(node, used, corev1.ResourceMemory, f.PodMemory)
		pods := int(node.Status.Allocatable.Pods().Value()) - len(byNode[node.Name])
		f.Room += max(0, min(cpu, memory, pods))
		perBound["cpu"] += max(0, cpu)
		perBound["memory"] += max(0, memory)
		perBound["pods"] += max(0, pods)
	}
	f.Fits = f.Room >= f.Needed
	f.Bound = tightest(perBound)
}

// slots is how many pods requesting podRequest fit in what the node has left; unlimited when
// the pod requests none of it.
func slots(node *corev1.Node, used corev1.ResourceList, name corev1.ResourceName,
	podRequest int64) int {
	if podRequest <= 0 {
		return math.MaxInt32
	}
	free := amount(node.Status.Allocatable[name], name) - amount(used[name], name)
	return int(max(0, free) / podRequest)
}

// tightest names the resource with the fewest slots over all nodes, in a fixed order on
// ties.
func tightest(perBound map[string]int) string {
	best := ""
	for _, name := range []string{"cpu", "memory", "pods"} {
		n, ok := perBound[name]
		if ok && (best == "" || n < perBound[best]) {
			best = name
		}
	}
	return best
}

// accepts reports whether the scheduler could put the pod on the node: Ready, schedulable,
// taints tolerated, node selector and required node affinity matched.
func accepts(node *corev1.Node, pod *corev1.Pod) bool {
	if node.Spec.Unschedulable || !nodeReady(node) {
		return false
	}
	_, untolerated := schedulinghelper.FindMatchingUntoleratedTaint(klog.Background(),
		node.Spec.Taints, pod.Spec.Tolerations, hardTaint, false)
	if untolerated {
		return false
	}
	for key, value := range pod.Spec.NodeSelector {
		if node.Labels[key] != value {
			return false
		}
	}
	return matchesAffinity(node, pod)
}

func hardTaint(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

func matchesAffinity(node *corev1.Node, pod *corev1.Pod) bool {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil ||
		a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true
	}
	ok, err := schedulinghelper.MatchNodeSelectorTerms(node,
		a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
	return err == nil && ok
}

func nodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// capacityCheck (HPA-CFG-010): the nodes the pods may run on must hold maxReplicas of them,
// or the HPA's last steps up create pods that stay Pending.
//
// The room is counted from node allocatable minus the requests of the pods the snapshot
// holds: one namespace unless the doctor ran with -A, so the room it finds is an upper
// bound, and a shortfall is certain. Node affinity and a cluster autoscaler are not taken
// into account: affinity would need the scheduler's rules, and an autoscaler is not visible
// through the API.
func capacityCheck(c *viewCache) Check {
	return practiceCheck("HPA-CFG-010", "the cluster can hold maxReplicas pods",
		[]string{snapshot.ResHPAs, snapshot.ResDeployments, snapshot.ResStatefulSets,
			snapshot.ResNodes, snapshot.ResPods}, true,
		func(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
			target *snapshot.Target) []Finding {
			return judgeCapacity(c.of(snap), hpa, target)
		})
}

// podSize is what one pod asks of a node.
type podSize struct {
	cpu, memory resource.Quantity
}

func (s *podSize) add(list corev1.ResourceList) {
	s.cpu.Add(list[corev1.ResourceCPU])
	s.memory.Add(list[corev1.ResourceMemory])
}

// raise lifts each resource to the list's value when that is larger.
func (s *podSize) raise(list corev1.ResourceList) {
	if cpu := list[corev1.ResourceCPU]; cpu.Cmp(s.cpu) > 0 {
		s.cpu = cpu
	}
	if mem := list[corev1.ResourceMemory]; mem.Cmp(s.memory) > 0 {
		s.memory = mem
	}
}

func (s podSize) String() string {
	return fmt.Sprintf("cpu %s, memory %s", s.cpu.String(), s.memory.String())
}

func judgeCapacity(snap *view, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding {
	spec := &target.Template.Spec
	size := sizeOf(spec)
	if size.cpu.IsZero() && size.memory.IsZero() {
		return nil
	}
	if !nodesReportAllocatable(snap) {
		return nil
	}
	nodes := eligibleNodes(snap, spec)
	running := placedPods(snap.PodsOf(hpa))
	room, biggest := roomFor(snap, nodes, size)
	if running+room >= int(hpa.Spec.MaxReplicas) {
		return nil
	}

	sev := Warning
	if biggest == 0 && nodeFitsNone(nodes, size) {
		sev = Error
	}
	return []Finding{{Severity: sev, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("the nodes hold at most %d of maxReplicas %d pods: the HPA's last "+
			"steps up would stay Pending", running+room, hpa.Spec.MaxReplicas),
		Evidence: capacityEvidence(snap, hpa, size, nodes, running, room),
		Remediation: "add nodes (or let a cluster autoscaler add them), lower the pods' " +
			"requests, or lower maxReplicas to what fits"}}
}

func capacityEvidence(snap *view, hpa *autoscalingv2.HorizontalPodAutoscaler,
	size podSize, nodes []*corev1.Node, running, room int) []string {
	counted := "requests of pods in namespace " + hpa.Namespace + " only (other namespaces " +
		"would leave less room; run with -A to count them)"
	if snap.Scope.AllNamespaces {
		counted = "requests of pods in every namespace"
	}
	return []string{
		"one pod requests " + size.String(),
		fmt.Sprintf("%d of %d nodes can run the pods (Ready, schedulable, taints tolerated, "+
			"nodeSelector matched)", len(nodes), len(snap.Nodes)),
		fmt.Sprintf("%d pods running, room for %d more; maxReplicas %d", running, room,
			hpa.Spec.MaxReplicas),
		"free room = allocatable minus " + counted,
	}
}

// placedPods counts the pods bound to a node and not finished: they already hold their room.
func placedPods(pods []*corev1.Pod) int {
	n := 0
	for _, pod := range pods {
		if pod.Spec.NodeName != "" && pod.Status.Phase != corev1.PodSucceeded &&
			pod.Status.Phase != corev1.PodFailed {
			n++
		}
	}
	return n
}

// sizeOf is the pod's effective request: the summed containers, or the largest classic init
// container when that is bigger, as the scheduler counts it.
func sizeOf(spec *corev1.PodSpec) podSize {
	var s, init podSize
	for i := range spec.Containers {
		s.add(spec.Containers[i].Resources.Requests)
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			s.add(c.Resources.Requests)
			continue
		}
		init.raise(c.Resources.Requests)
	}
	s.raise(corev1.ResourceList{corev1.ResourceCPU: init.cpu, corev1.ResourceMemory: init.memory})
	return s
}

// nodesReportAllocatable reports whether any node states its allocatable cpu or memory;
// without that the room cannot be judged.
func nodesReportAllocatable(snap *view) bool {
	for _, n := range snap.Nodes {
		alloc := n.Status.Allocatable
		if !alloc.Cpu().IsZero() || !alloc.Memory().IsZero() {
			return true
		}
	}
	return false
}

// eligibleNodes are the Ready, schedulable nodes whose taints the pod tolerates and whose
// labels match its nodeSelector.
func eligibleNodes(snap *view, spec *corev1.PodSpec) []*corev1.Node {
	var out []*corev1.Node
	for i := range snap.Nodes {
		n := &snap.Nodes[i]
		if nodeReady(n) && !n.Spec.Unschedulable && selectorMatches(spec.NodeSelector, n.Labels) &&
			toleratesAll(spec.Tolerations, n.Spec.Taints) {
			out = append(out, n)
		}
	}
	return out
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func selectorMatches(sel, nodeLabels map[string]string) bool {
	for k, v := range sel {
		if nodeLabels[k] != v {
			return false
		}
	}
	return true
}

func toleratesAll(tolerations []corev1.Toleration, taints []corev1.Taint) bool {
	for i := range taints {
		taint := &taints[i]
		if taint.Effect == corev1.TaintEffectPreferNoSchedule {
			continue
		}
		tolerated := false
		for j := range tolerations {
			tolerated = tolerated || tolerations[j].ToleratesTaint(klog.Background(), taint, false)
		}
		if !tolerated {
			return false
		}
	}
	return true
}

// roomFor counts how many more pods of the given size fit on the nodes, and the most that fit
// on one node.
func roomFor(snap *view, nodes []*corev1.Node, size podSize) (total, biggest int) {
	used := snap.nodeUsage()
	for _, n := range nodes {
		fit := fitsOn(n, used[n.Name], size)
		total += fit
		biggest = max(biggest, fit)
	}
	return total, biggest
}

// nodeUse is what the pods bound to a node request.
type nodeUse struct {
	cpu, memory resource.Quantity
	pods        int64
}

func usedByNode(snap *snapshot.Snapshot) map[string]*nodeUse {
	out := map[string]*nodeUse{}
	for i := range snap.Pods {
		pod := &snap.Pods[i]
		if pod.Spec.NodeName == "" || pod.Status.Phase == corev1.PodSucceeded ||
			pod.Status.Phase == corev1.PodFailed {
			continue
		}
		use := out[pod.Spec.NodeName]
		if use == nil {
			use = &nodeUse{}
			out[pod.Spec.NodeName] = use
		}
		size := sizeOf(&pod.Spec)
		use.cpu.Add(size.cpu)
		use.memory.Add(size.memory)
		use.pods++
	}
	return out
}

// fitsOn counts the pods of the given size that fit in the node's remaining allocatable.
func fitsOn(n *corev1.Node, use *nodeUse, size podSize) int {
	if use == nil {
		use = &nodeUse{}
	}
	alloc := n.Status.Allocatable
	fit := int64(1 << 30)
	if pods, ok := alloc[corev1.ResourcePods]; ok {
		fit = pods.Value() - use.pods
	}
	fit = min(fit, slots(alloc[corev1.ResourceCPU], use.cpu, size.cpu))
	fit = min(fit, slots(alloc[corev1.ResourceMemory], use.memory, size.memory))
	return int(max(fit, 0))
}

func slots(allocatable, used, each resource.Quantity) int64 {
	if each.IsZero() {
		return 1 << 30
	}
	free := allocatable.MilliValue() - used.MilliValue()
	return max(free, 0) / each.MilliValue()
}

// nodeFitsNone reports whether one pod exceeds the allocatable of every eligible node, empty.
func nodeFitsNone(nodes []*corev1.Node, size podSize) bool {
	for _, n := range nodes {
		if fitsOn(n, nil, size) > 0 {
			return false
		}
	}
	return true
}

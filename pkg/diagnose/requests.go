package diagnose

import (
	"slices"
	"sort"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// IDs of the request checks, by where the container without a request comes from.
const (
	idRequestsTemplate = "HPA-REQ-001"
	idRequestsInjected = "HPA-REQ-002"
	idRequestsForeign  = "HPA-REQ-003"
	idRequestsStale    = "HPA-REQ-004"
)

// requestCauses explain a request check away: without a target, or with its pods shared or
// gone, requests are not what stops the HPA.
var requestCauses = []string{idTargetExists, idTargetSelector, idSharedPods, idScaledToZero}

func requestsTemplateCheck() Check {
	return Check{ID: idRequestsTemplate, Area: AreaRequests,
		Title:       "the pod template requests every resource a utilization metric divides by",
		ExplainedBy: requestCauses,
		RunHPA:      checkTemplateRequests}
}

func requestsPodsCheck() Check {
	return Check{ID: idRequestsInjected, Area: AreaRequests,
		Title:       "every container the controller sums on the counted pods has those requests",
		Needs:       []string{snapshot.ResPods, snapshot.ResReplicaSets},
		ExplainedBy: requestCauses,
		RunHPA:      checkPodRequests}
}

// need is one resource a Utilization metric divides by, and for a ContainerResource metric
// the one container it reads.
type need struct {
	resource  corev1.ResourceName
	container string
	metric    autoscalingv2.MetricSpec
}

func utilizationNeeds(hpa *autoscalingv2.HorizontalPodAutoscaler) []need {
	var out []need
	for _, m := range metricsOf(hpa) {
		switch {
		case m.Resource != nil && m.Resource.Target.Type == autoscalingv2.UtilizationMetricType:
			out = append(out, need{resource: m.Resource.Name, metric: m})
		case m.ContainerResource != nil &&
			m.ContainerResource.Target.Type == autoscalingv2.UtilizationMetricType:
			out = append(out, need{resource: m.ContainerResource.Name,
				container: m.ContainerResource.Container, metric: m})
		}
	}
	return out
}

// lacking returns, per container the controller sums (containers and native sidecars), the
// resources it has no request for. Pod-level requests stand in for the containers' when set.
func lacking(spec *corev1.PodSpec, needs []need) map[string][]corev1.ResourceName {
	out := map[string][]corev1.ResourceName{}
	for _, n := range needs {
		podLevel := spec.Resources != nil && hasRequest(spec.Resources.Requests, n.resource)
		if n.container == "" && podLevel {
			continue
		}
		for _, c := range summedContainers(spec) {
			if n.container != "" && c.Name != n.container {
				continue
			}
			if !hasRequest(c.Resources.Requests, n.resource) &&
				!slices.Contains(out[c.Name], n.resource) {
				out[c.Name] = append(out[c.Name], n.resource)
			}
		}
	}
	return out
}

func hasRequest(list corev1.ResourceList, name corev1.ResourceName) bool {
	q, ok := list[name]
	return ok && !q.IsZero()
}

// summedContainers are the containers whose requests the controller adds up: regular
// containers and init containers that run as sidecars (restartPolicy Always).
func summedContainers(spec *corev1.PodSpec) []*corev1.Container {
	out := make([]*corev1.Container, 0, len(spec.Containers)+len(spec.InitContainers))
	for i := range spec.Containers {
		out = append(out, &spec.Containers[i])
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			out = append(out, c)
		}
	}
	return out
}

// podsLacking groups pods by container name.
type podsLacking map[string][]*corev1.Pod

// requestGaps sorts what lacks a request by where it comes from.
type requestGaps struct {
	template map[string][]corev1.ResourceName
	own      podsLacking // template containers, on pods: counted with the template
	injected podsLacking // containers not in the template
	stale    podsLacking // in the template with a request, not on the pod
	foreign  []*corev1.Pod
	missing  map[string][]corev1.ResourceName // by container, across pods
	counted  int
}

// checkTemplateRequests judges the pod template, so a fault shows before any pod exists; when
// pods could be read, it says how many carry the same fault.
func checkTemplateRequests(_ CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	needs := utilizationNeeds(hpa)
	target := snap.TargetOf(hpa)
	if len(needs) == 0 || !target.Found {
		return nil
	}
	if target.Template == nil || len(lacking(&target.Template.Spec, needs)) == 0 {
		return nil
	}
	gaps := findRequestGaps(snap, target, snap.PodsOf(hpa), needs)
	return []Finding{templateFinding(hpa, target, gaps, needs)}
}

// checkPodRequests judges the running pods: containers added at admission, pods from an older
// template, and pods of other workloads that the selector picks.
func checkPodRequests(_ CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	needs := utilizationNeeds(hpa)
	target := snap.TargetOf(hpa)
	if len(needs) == 0 || !target.Found {
		return nil
	}
	gaps := findRequestGaps(snap, target, snap.PodsOf(hpa), needs)

	var out []Finding
	if len(gaps.injected) > 0 {
		out = append(out, injectedFinding(hpa, target, gaps, needs))
	}
	if len(gaps.stale) > 0 {
		out = append(out, staleFinding(hpa, target, gaps, needs))
	}
	if len(gaps.foreign) > 0 {
		out = append(out, foreignFinding(snap, hpa, target, gaps, needs))
	}
	return out
}

func findRequestGaps(snap *snapshot.Snapshot, target *snapshot.Target, pods []*corev1.Pod,
	needs []need) requestGaps {
	gaps := requestGaps{own: podsLacking{}, injected: podsLacking{}, stale: podsLacking{},
		missing: map[string][]corev1.ResourceName{}, counted: len(pods)}
	inTemplate := map[string]bool{}
	if target.Template != nil {
		gaps.template = lacking(&target.Template.Spec, needs)
		for _, c := range summedContainers(&target.Template.Spec) {
			inTemplate[c.Name] = true
		}
	}
	foreign := foreignPods(snap, target, pods)
	for _, pod := range pods {
		if slices.Contains(foreign, pod) {
			if len(lacking(&pod.Spec, needs)) > 0 {
				gaps.foreign = append(gaps.foreign, pod)
			}
			continue
		}
		for name, res := range lacking(&pod.Spec, needs) {
			gaps.sort(name, res, pod, inTemplate)
		}
	}
	return gaps
}

func (g *requestGaps) sort(name string, res []corev1.ResourceName, pod *corev1.Pod,
	inTemplate map[string]bool) {
	for _, r := range res {
		if !slices.Contains(g.missing[name], r) {
			g.missing[name] = append(g.missing[name], r)
		}
	}
	switch {
	case g.template[name] != nil:
		g.own[name] = append(g.own[name], pod)
	case !inTemplate[name] && len(inTemplate) > 0:
		g.injected[name] = append(g.injected[name], pod)
	default:
		g.stale[name] = append(g.stale[name], pod)
	}
}

// dependingMetrics names the metrics that need one of the resources.
func dependingMetrics(needs []need, res []corev1.ResourceName) string {
	var metrics []autoscalingv2.MetricSpec
	for _, n := range needs {
		if slices.Contains(res, n.resource) {
			metrics = append(metrics, n.metric)
		}
	}
	return "metrics that need them: " + describeMetrics(metrics)
}

func resourceNames(res []corev1.ResourceName) string {
	names := make([]string, 0, len(res))
	for _, r := range res {
		names = append(names, string(r))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// allResources merges the resources of several containers.
func allResources(byContainer map[string][]corev1.ResourceName) []corev1.ResourceName {
	lists := make([][]corev1.ResourceName, 0, len(byContainer))
	for _, name := range sortedKeys(byContainer) {
		lists = append(lists, byContainer[name])
	}
	return mergeResources(lists)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func podNames(pods []*corev1.Pod) string {
	names := make([]string, 0, len(pods))
	for _, p := range pods {
		names = append(names, p.Name)
	}
	return shortList(names, maxPodsShown)
}

// conditionQuote returns the ScalingActive condition as evidence when it reports a failure.
func conditionQuote(hpa *autoscalingv2.HorizontalPodAutoscaler) []string {
	if c, ok := conditionWith(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse); ok {
		return []string{describeCondition(c)}
	}
	return nil
}

package diagnose

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// leaf is the deepest cause found behind an APIService's Service.
type leaf int

const (
	leafHealthy leaf = iota
	leafLocal
	leafServiceMissing
	leafPortMissing
	leafScaledToZero
	leafNoPods
	leafNotReady
	leafPortName
)

// backend is the chain APIService -> Service -> EndpointSlices -> pods, as evidence lines, with
// the leaf cause and what to do about it.
type backend struct {
	evidence []string
	leaf     leaf
	fix      string
	// service is the backing Service, nil when missing; pods are the pods it selects.
	service *corev1.Service
	pods    []*corev1.Pod
}

// traceBackend follows an APIService to the pods that serve it.
func traceBackend(snap *snapshot.Snapshot, api *apiregv1.APIService) backend {
	ref := api.Spec.Service
	if ref == nil {
		return backend{leaf: leafLocal,
			evidence: []string{"served by kube-apiserver itself (no Service)"}}
	}
	b := backend{}
	b.service = backingService(snap, ref.Namespace, ref.Name)
	if b.service == nil {
		b.serviceMissing(snap, ref)
		return b
	}
	if t := b.service.Spec.Type; t != "" && t != corev1.ServiceTypeClusterIP {
		b.evidence = append(b.evidence, fmt.Sprintf("Service %s/%s is of type %s%s: the "+
			"aggregator checks no port or endpoints for it", b.service.Namespace,
			b.service.Name, t, externalName(b.service)))
		return b
	}
	port, ok := b.servicePort(ref)
	if !ok {
		return b
	}

	ready := b.endpoints(snap, port)
	if len(b.service.Spec.Selector) == 0 {
		b.selectorless(ready)
		return b
	}
	b.pods = backendPods(snap, b.service)
	if len(b.pods) == 0 {
		b.noPods(snap)
		return b
	}
	b.podStates(snap, port)
	return b
}

func externalName(svc *corev1.Service) string {
	if svc.Spec.ExternalName == "" {
		return ""
	}
	return " (-> " + svc.Spec.ExternalName + ")"
}

func backingService(snap *snapshot.Snapshot, ns, name string) *corev1.Service {
	for i := range snap.BackingServices {
		svc := &snap.BackingServices[i]
		if svc.Namespace == ns && svc.Name == name {
			return svc
		}
	}
	return nil
}

func (b *backend) serviceMissing(snap *snapshot.Snapshot, ref *apiregv1.ServiceReference) {
	b.leaf = leafServiceMissing
	line := fmt.Sprintf("Service %s/%s: not found", ref.Namespace, ref.Name)
	for _, gap := range snap.Gaps {
		if gap.Resource == snapshot.ResServices && gap.Namespace == ref.Namespace {
			line = fmt.Sprintf("Service %s/%s: %s", ref.Namespace, ref.Name, gap)
		}
	}
	b.evidence = append(b.evidence, line)
	b.fix = fmt.Sprintf("re-create Service %s/%s by re-applying the metrics provider's "+
		"manifest, or point the APIService at the Service of a provider that runs",
		ref.Namespace, ref.Name)
}

// servicePort finds the Service port the APIService uses (443 unless set).
func (b *backend) servicePort(ref *apiregv1.ServiceReference) (corev1.ServicePort, bool) {
	want := int32(443)
	if ref.Port != nil {
		want = *ref.Port
	}
	svc := b.service
	for _, p := range svc.Spec.Ports {
		if p.Port == want {
			b.evidence = append(b.evidence, fmt.Sprintf("Service %s/%s: port %d (name %q) -> "+
				"targetPort %s, selector %s", svc.Namespace, svc.Name, p.Port, p.Name,
				p.TargetPort.String(), labels.SelectorFromSet(svc.Spec.Selector)))
			return p, true
		}
	}
	b.leaf = leafPortMissing
	b.evidence = append(b.evidence, fmt.Sprintf("Service %s/%s: no port %d", svc.Namespace,
		svc.Name, want))
	b.fix = fmt.Sprintf("make Service %s/%s listen on port %d, or set the APIService's "+
		"spec.service.port to the port it has", svc.Namespace, svc.Name, want)
	return corev1.ServicePort{}, false
}

// selectorless judges a Service without selector, whose endpoints someone manages directly
// (an out-of-cluster or hand-wired provider): only its ready endpoints can be checked.
func (b *backend) selectorless(ready int) {
	svc := b.service
	b.evidence = append(b.evidence, fmt.Sprintf("Service %s/%s has no selector: its endpoints "+
		"are managed directly, not by pods the doctor can inspect", svc.Namespace, svc.Name))
	if ready == 0 {
		b.leaf = leafNoPods
		b.fix = fmt.Sprintf("start the provider behind Service %s/%s, or fix the "+
			"EndpointSlices that point at it", svc.Namespace, svc.Name)
	}
}

// endpoints counts the ready endpoints carrying the Service port's name.
func (b *backend) endpoints(snap *snapshot.Snapshot, port corev1.ServicePort) int {
	slices, total, ready := 0, 0, 0
	for i := range snap.BackingEndpoints {
		slice := &snap.BackingEndpoints[i]
		if slice.Namespace != b.service.Namespace ||
			slice.Labels[discoveryv1.LabelServiceName] != b.service.Name {
			continue
		}
		slices++
		if !slicePortNamed(slice, port.Name) {
			continue
		}
		for _, ep := range slice.Endpoints {
			total++
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				ready++
			}
		}
	}
	if slices == 0 {
		b.evidence = append(b.evidence, fmt.Sprintf("EndpointSlices of Service %s/%s: none",
			b.service.Namespace, b.service.Name))
		return 0
	}
	b.evidence = append(b.evidence, fmt.Sprintf("EndpointSlices of Service %s/%s: %d of %d "+
		"endpoints ready on port %q", b.service.Namespace, b.service.Name, ready, total, port.Name))
	return ready
}

func slicePortNamed(slice *discoveryv1.EndpointSlice, name string) bool {
	for _, p := range slice.Ports {
		if (p.Name == nil && name == "") || (p.Name != nil && *p.Name == name) {
			return true
		}
	}
	return false
}

func backendPods(snap *snapshot.Snapshot, svc *corev1.Service) []*corev1.Pod {
	if len(svc.Spec.Selector) == 0 {
		return nil
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	var out []*corev1.Pod
	for i := range snap.Backend.Pods {
		pod := &snap.Backend.Pods[i]
		if pod.Namespace == svc.Namespace && sel.Matches(labels.Set(pod.Labels)) {
			out = append(out, pod)
		}
	}
	return out
}

// noPods looks for the Deployment that should run the backend, to tell "scaled to zero" from
// "nothing matches".
func (b *backend) noPods(snap *snapshot.Snapshot) {
	svc := b.service
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	b.leaf = leafNoPods
	b.fix = fmt.Sprintf("start the provider whose pods Service %s/%s selects (%s), or fix the "+
		"Service selector", svc.Namespace, svc.Name, sel)
	for _, d := range backendDeployments(snap, svc) {
		if d.Spec.Replicas != nil && *d.Spec.Replicas == 0 {
			b.leaf = leafScaledToZero
			b.evidence = append(b.evidence, fmt.Sprintf("Deployment %s/%s: spec.replicas 0",
				d.Namespace, d.Name))
			b.fix = fmt.Sprintf("kubectl -n %s scale deployment/%s --replicas=1", d.Namespace,
				d.Name)
			return
		}
	}
	b.evidence = append(b.evidence, fmt.Sprintf("pods matching %s in %s: none", sel,
		svc.Namespace))
}

// backendDeployments returns the Deployments whose pods the Service would select.
func backendDeployments(snap *snapshot.Snapshot, svc *corev1.Service) []*appsv1.Deployment {
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	var out []*appsv1.Deployment
	for i := range snap.Backend.Deployments {
		d := &snap.Backend.Deployments[i]
		if d.Namespace == svc.Namespace && !sel.Empty() &&
			sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			out = append(out, d)
		}
	}
	return out
}

// podStates adds each backend pod's readiness and, for the first fault found, the leaf cause.
func (b *backend) podStates(snap *snapshot.Snapshot, port corev1.ServicePort) {
	for _, pod := range b.pods {
		if !podReady(pod) {
			b.evidence = append(b.evidence, describePodState(pod))
			if ev := lastWarning(snap, pod); ev != "" {
				b.evidence = append(b.evidence, ev)
			}
			if b.leaf == leafHealthy {
				b.leaf = leafNotReady
				b.fix = fmt.Sprintf("read why pod %s/%s is not Ready: kubectl -n %s logs %s; "+
					"fix its arguments or configuration", pod.Namespace, pod.Name,
					pod.Namespace, pod.Name)
			}
			continue
		}
		b.evidence = append(b.evidence, fmt.Sprintf("pod %s/%s: %s, Ready", pod.Namespace,
			pod.Name, pod.Status.Phase))
		if name := port.TargetPort.StrVal; name != "" && !hasContainerPort(pod, name) {
			b.evidence = append(b.evidence, fmt.Sprintf("pod %s/%s has no container port "+
				"named %q (its ports: %s)", pod.Namespace, pod.Name, name, containerPorts(pod)))
			if b.leaf == leafHealthy {
				b.leaf = leafPortName
				b.fix = fmt.Sprintf("name the container port %q, as the Service's targetPort "+
					"expects, or set targetPort to the port's name or number", name)
			}
		}
	}
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// describePodState says why a pod is not Ready: phase, and per container its readiness,
// restarts and waiting reason.
func describePodState(pod *corev1.Pod) string {
	parts := []string{string(pod.Status.Phase), "not Ready"}
	for _, cs := range pod.Status.ContainerStatuses {
		state := fmt.Sprintf("container %s ready=%t restarts=%d", cs.Name, cs.Ready,
			cs.RestartCount)
		if cs.State.Waiting != nil && cs.State.Waiting.Reason != "" {
			state += " " + cs.State.Waiting.Reason
		}
		parts = append(parts, state)
	}
	return fmt.Sprintf("pod %s/%s: %s", pod.Namespace, pod.Name, strings.Join(parts, ", "))
}

// lastWarning quotes the most recent warning event about a backend pod.
func lastWarning(snap *snapshot.Snapshot, pod *corev1.Pod) string {
	var last *corev1.Event
	for i := range snap.Backend.Events {
		ev := &snap.Backend.Events[i]
		if ev.InvolvedObject.Kind != "Pod" || ev.InvolvedObject.Name != pod.Name ||
			ev.Namespace != pod.Namespace {
			continue
		}
		if last == nil || snapshot.EventTime(ev).After(snapshot.EventTime(last)) {
			last = ev
		}
	}
	if last == nil {
		return ""
	}
	return fmt.Sprintf("last warning on pod %s: %s %q (x%d)", pod.Name, last.Reason,
		last.Message, snapshot.EventCount(last))
}

func hasContainerPort(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return true
			}
		}
	}
	return false
}

func containerPorts(pod *corev1.Pod) string {
	var names []string
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			names = append(names, fmt.Sprintf("%s:%d", p.Name, p.ContainerPort))
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// restrictingPolicies lists NetworkPolicies that select a backend pod and restrict its
// ingress.
func restrictingPolicies(snap *snapshot.Snapshot, pods []*corev1.Pod) []string {
	var out []string
	for i := range snap.Backend.Policies {
		np := &snap.Backend.Policies[i]
		if !restrictsIngress(np) {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil {
			continue
		}
		for _, pod := range pods {
			if pod.Namespace == np.Namespace && sel.Matches(labels.Set(pod.Labels)) {
				out = append(out, fmt.Sprintf("NetworkPolicy %s/%s selects pod %s and "+
					"restricts its ingress (%d ingress %s)", np.Namespace, np.Name, pod.Name,
					len(np.Spec.Ingress), plural(len(np.Spec.Ingress), "rule", "rules")))
				break
			}
		}
	}
	return out
}

func restrictsIngress(np *networkingv1.NetworkPolicy) bool {
	if len(np.Spec.PolicyTypes) == 0 {
		return true // Ingress is implied when policyTypes is empty
	}
	for _, t := range np.Spec.PolicyTypes {
		if t == networkingv1.PolicyTypeIngress {
			return true
		}
	}
	return false
}

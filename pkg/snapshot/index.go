package snapshot

import (
	"fmt"
	"sort"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// index makes the lookups the checks need cheap on clusters with thousands of objects.
type index struct {
	podsByLabel  map[string][]*corev1.Pod // "ns\x00key=value"
	podsByNS     map[string][]*corev1.Pod
	podMetrics   map[string]*metricsv1beta1.PodMetrics // "ns/name"
	deployments  map[string]*appsv1.Deployment
	statefulSets map[string]*appsv1.StatefulSet
	replicaSets  map[string]*appsv1.ReplicaSet
	events       map[string][]*corev1.Event // "ns/Kind/name"

	// targets memoizes TargetOf: every check of every HPA asks for its target.
	targetsMu sync.Mutex
	targets   map[TargetKey]*Target
}

// buildIndex fills the lookup maps; Gather calls it, and tests that build a Snapshot by hand
// get it lazily through the accessors.
func (s *Snapshot) buildIndex() {
	ix := &index{
		podsByLabel:  map[string][]*corev1.Pod{},
		podsByNS:     map[string][]*corev1.Pod{},
		podMetrics:   map[string]*metricsv1beta1.PodMetrics{},
		deployments:  map[string]*appsv1.Deployment{},
		statefulSets: map[string]*appsv1.StatefulSet{},
		replicaSets:  map[string]*appsv1.ReplicaSet{},
		events:       map[string][]*corev1.Event{},
		targets:      map[TargetKey]*Target{},
	}
	ix.addPods(s.Pods)
	for i := range s.PodMetrics {
		m := &s.PodMetrics[i]
		ix.podMetrics[m.Namespace+"/"+m.Name] = m
	}
	for i := range s.Deployments {
		ix.deployments[nsName(&s.Deployments[i].ObjectMeta)] = &s.Deployments[i]
	}
	for i := range s.StatefulSets {
		ix.statefulSets[nsName(&s.StatefulSets[i].ObjectMeta)] = &s.StatefulSets[i]
	}
	for i := range s.ReplicaSets {
		ix.replicaSets[nsName(&s.ReplicaSets[i].ObjectMeta)] = &s.ReplicaSets[i]
	}
	ix.addEvents(s.Events)
	s.index = ix
}

func (ix *index) addPods(pods []corev1.Pod) {
	for i := range pods {
		pod := &pods[i]
		ix.podsByNS[pod.Namespace] = append(ix.podsByNS[pod.Namespace], pod)
		for k, v := range pod.Labels {
			key := pod.Namespace + "\x00" + k + "=" + v
			ix.podsByLabel[key] = append(ix.podsByLabel[key], pod)
		}
	}
}

func (ix *index) addEvents(events []corev1.Event) {
	for i := range events {
		ev := &events[i]
		ref := ev.InvolvedObject
		key := ev.Namespace + "/" + ref.Kind + "/" + ref.Name
		ix.events[key] = append(ix.events[key], ev)
	}
	for _, list := range ix.events {
		sort.SliceStable(list, func(a, b int) bool {
			return EventTime(list[a]).Before(EventTime(list[b]))
		})
	}
}

func (s *Snapshot) ix() *index {
	if s.index == nil {
		s.buildIndex()
	}
	return s.index
}

func nsName(m *metav1.ObjectMeta) string { return m.Namespace + "/" + m.Name }

// KeyOf returns the scale target an HPA points at.
func KeyOf(hpa *autoscalingv2.HorizontalPodAutoscaler) TargetKey {
	ref := hpa.Spec.ScaleTargetRef
	return TargetKey{Namespace: hpa.Namespace, APIVersion: ref.APIVersion, Kind: ref.Kind,
		Name: ref.Name}
}

// Target is an HPA's scale target as the controller sees it through the scale subresource.
type Target struct {
	Key TargetKey
	// Found is false when the target does not exist (or could not be read: see Err).
	Found bool
	Err   error
	// SpecReplicas is what the controller takes as the current replica count.
	SpecReplicas   int32
	StatusReplicas int32
	// Selector is the scale subresource's label selector; nil when it is missing or invalid,
	// with SelectorErr saying why.
	Selector    labels.Selector
	SelectorErr error
	// Template is the pod template of built-in kinds, nil for other kinds.
	Template *corev1.PodTemplateSpec
	// Deployment is set when the target is a Deployment.
	Deployment *appsv1.Deployment
}

// TargetOf resolves an HPA's scale target from the snapshot. The result is shared between
// callers: read it, do not change it.
func (s *Snapshot) TargetOf(hpa *autoscalingv2.HorizontalPodAutoscaler) *Target {
	key := KeyOf(hpa)
	ix := s.ix()
	ix.targetsMu.Lock()
	defer ix.targetsMu.Unlock()
	if target, ok := ix.targets[key]; ok {
		return target
	}
	target := s.resolveTarget(key)
	ix.targets[key] = target
	return target
}

func (s *Snapshot) resolveTarget(key TargetKey) *Target {
	target := &Target{Key: key}
	gv, err := schema.ParseGroupVersion(key.APIVersion)
	if err != nil {
		target.Err = fmt.Errorf("invalid scaleTargetRef.apiVersion %q: %w", key.APIVersion, err)
		return target
	}

	switch gv.Group + "/" + key.Kind {
	case "apps/Deployment":
		s.fillDeployment(target)
	case "apps/StatefulSet":
		s.fillStatefulSet(target)
	case "apps/ReplicaSet":
		s.fillReplicaSet(target)
	default:
		s.fillScale(target)
	}
	return target
}

func (s *Snapshot) fillDeployment(t *Target) {
	d := s.ix().deployments[t.Key.Namespace+"/"+t.Key.Name]
	if d == nil {
		s.notRead(t, ResDeployments)
		return
	}
	t.Found, t.Deployment, t.Template = true, d, &d.Spec.Template
	t.SpecReplicas, t.StatusReplicas = replicasOrOne(d.Spec.Replicas), d.Status.Replicas
	t.setSelector(d.Spec.Selector)
}

func (s *Snapshot) fillStatefulSet(t *Target) {
	ss := s.ix().statefulSets[t.Key.Namespace+"/"+t.Key.Name]
	if ss == nil {
		s.notRead(t, ResStatefulSets)
		return
	}
	t.Found, t.Template = true, &ss.Spec.Template
	t.SpecReplicas, t.StatusReplicas = replicasOrOne(ss.Spec.Replicas), ss.Status.Replicas
	t.setSelector(ss.Spec.Selector)
}

func (s *Snapshot) fillReplicaSet(t *Target) {
	rs := s.ix().replicaSets[t.Key.Namespace+"/"+t.Key.Name]
	if rs == nil {
		s.notRead(t, ResReplicaSets)
		return
	}
	t.Found, t.Template = true, &rs.Spec.Template
	t.SpecReplicas, t.StatusReplicas = replicasOrOne(rs.Spec.Replicas), rs.Status.Replicas
	t.setSelector(rs.Spec.Selector)
}

// notRead marks a target missing from the snapshot as unknown, not absent, when the list it
// would be in could not be read.
func (s *Snapshot) notRead(t *Target, resource string) {
	if gap, ok := s.gapIn(resource, t.Key.Namespace); ok {
		t.Err = &GapError{Gap: gap}
	}
}

func (s *Snapshot) fillScale(t *Target) {
	scale, ok := s.Scales[t.Key]
	if !ok || scale.Err != nil {
		if ok {
			t.Err = scale.Err
		}
		return
	}
	t.Found = true
	t.SpecReplicas, t.StatusReplicas = scale.SpecReplicas, scale.StatusReplicas
	if scale.Selector == "" {
		t.SelectorErr = fmt.Errorf("the target's scale subresource has no selector")
		return
	}
	t.Selector, t.SelectorErr = labels.Parse(scale.Selector)
}

func (t *Target) setSelector(sel *metav1.LabelSelector) {
	if sel == nil {
		t.SelectorErr = fmt.Errorf("the target has no selector")
		return
	}
	t.Selector, t.SelectorErr = metav1.LabelSelectorAsSelector(sel)
}

func replicasOrOne(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// PodsMatching returns the pods of namespace ns that the selector matches, as the HPA
// controller collects them: by labels, whoever owns them.
func (s *Snapshot) PodsMatching(ns string, selector labels.Selector) []*corev1.Pod {
	if selector == nil || selector.Empty() {
		return nil
	}
	candidates := s.ix().podsByNS[ns]
	if reqs, ok := selector.Requirements(); ok {
		candidates = s.narrow(ns, reqs, candidates)
	}

	var out []*corev1.Pod
	for _, pod := range candidates {
		if selector.Matches(labels.Set(pod.Labels)) {
			out = append(out, pod)
		}
	}
	return out
}

// narrow uses the first equality requirement to pick candidates from the label index.
func (s *Snapshot) narrow(ns string, reqs labels.Requirements, all []*corev1.Pod) []*corev1.Pod {
	for _, r := range reqs {
		if r.Operator() == "=" || r.Operator() == "==" {
			for value := range r.Values() {
				return s.ix().podsByLabel[ns+"\x00"+r.Key()+"="+value]
			}
		}
	}
	return all
}

// PodsOf returns the pods an HPA's controller counts: those matching its target's selector.
func (s *Snapshot) PodsOf(hpa *autoscalingv2.HorizontalPodAutoscaler) []*corev1.Pod {
	return s.PodsMatching(hpa.Namespace, s.TargetOf(hpa).Selector)
}

// MetricsOf returns the PodMetrics of a pod, or nil when metrics-server has no sample.
func (s *Snapshot) MetricsOf(pod *corev1.Pod) *metricsv1beta1.PodMetrics {
	return s.ix().podMetrics[pod.Namespace+"/"+pod.Name]
}

// EventsFor returns the events about one object, oldest first.
func (s *Snapshot) EventsFor(namespace, kind, name string) []*corev1.Event {
	return s.ix().events[namespace+"/"+kind+"/"+name]
}

// Owner returns the top controller of a pod, following ReplicaSet to Deployment.
func (s *Snapshot) Owner(pod *corev1.Pod) (kind, name string) {
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return "", ""
	}
	if ref.Kind != "ReplicaSet" {
		return ref.Kind, ref.Name
	}
	rs := s.ix().replicaSets[pod.Namespace+"/"+ref.Name]
	if rs == nil {
		return ref.Kind, ref.Name
	}
	if up := metav1.GetControllerOf(rs); up != nil {
		return up.Kind, up.Name
	}
	return ref.Kind, ref.Name
}

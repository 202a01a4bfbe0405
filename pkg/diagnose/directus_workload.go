package diagnose

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// directusImage is the repository of the official Directus image, after any registry host.
const directusImage = "directus/directus"

// workload is a Deployment or StatefulSet that runs Directus, with the HPAs that scale it.
//
// A workload runs Directus when a container of its pod template
//   - uses the image directus/directus from any registry, with any tag or digest, or
//   - is named directus, or
//   - sets DB_CLIENT together with SECRET, KEY or their _FILE forms in its env, the pair of
//     settings only a Directus process reads together.
//
// The first such container is the Directus container. Jobs are not workloads: the bootstrap
// Job runs the same image once and is judged by the bootstrap check.
type workload struct {
	Kind      string
	Meta      *metav1.ObjectMeta
	Template  *corev1.PodTemplateSpec
	Selector  *metav1.LabelSelector
	Container *corev1.Container
	// Replicas is spec.replicas, 1 when unset as the API server defaults it.
	Replicas int32
	// HPAs are the autoscalers whose scaleTargetRef names this workload.
	HPAs []*autoscalingv2.HorizontalPodAutoscaler
	// Deployment is set when Kind is Deployment.
	Deployment *appsv1.Deployment
	// env is the Directus container's environment, resolved by the view.
	env *envView
}

// directusWorkloads returns the Directus workloads of the snapshot in namespace/name order.
// When the snapshot was taken for one HPA, only that HPA's target is kept.
func directusWorkloads(snap *snapshot.Snapshot) []*workload {
	hpas := hpasByTarget(snap.HPAs)
	var out []*workload
	for i := range snap.Deployments {
		d := &snap.Deployments[i]
		w := newWorkload("Deployment", &d.ObjectMeta, &d.Spec.Template, d.Spec.Selector,
			d.Spec.Replicas)
		w.Deployment = d
		out = appendDirectus(out, w, hpas)
	}
	for i := range snap.StatefulSets {
		s := &snap.StatefulSets[i]
		w := newWorkload("StatefulSet", &s.ObjectMeta, &s.Spec.Template, s.Spec.Selector,
			s.Spec.Replicas)
		out = appendDirectus(out, w, hpas)
	}

	if snap.Scope.HPAName != "" {
		out = onlyAutoscaled(out)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].key() < out[b].key() })
	return out
}

func newWorkload(kind string, meta *metav1.ObjectMeta, tmpl *corev1.PodTemplateSpec,
	sel *metav1.LabelSelector, replicas *int32) *workload {
	w := &workload{Kind: kind, Meta: meta, Template: tmpl, Selector: sel, Replicas: 1}
	if replicas != nil {
		w.Replicas = *replicas
	}
	return w
}

func appendDirectus(out []*workload, w *workload, hpas hpaIndex) []*workload {
	w.Container = directusContainerOf(&w.Template.Spec)
	if w.Container == nil {
		return out
	}
	w.HPAs = hpas[w.key()]
	return append(out, w)
}

func onlyAutoscaled(list []*workload) []*workload {
	var kept []*workload
	for _, w := range list {
		if len(w.HPAs) > 0 {
			kept = append(kept, w)
		}
	}
	return kept
}

// hpaIndex maps Kind/namespace/name of a workload to the HPAs that target it.
type hpaIndex map[string][]*autoscalingv2.HorizontalPodAutoscaler

// hpasByTarget indexes HPAs by the kind/namespace/name of the apps workload they target.
func hpasByTarget(list []autoscalingv2.HorizontalPodAutoscaler) hpaIndex {
	out := hpaIndex{}
	for i := range list {
		hpa := &list[i]
		ref := hpa.Spec.ScaleTargetRef
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err != nil || gv.Group != "apps" {
			continue
		}
		key := ref.Kind + "/" + hpa.Namespace + "/" + ref.Name
		out[key] = append(out[key], hpa)
	}
	return out
}

func (w *workload) key() string { return w.Kind + "/" + w.Meta.Namespace + "/" + w.Meta.Name }

func (w *workload) subject() Subject {
	return Subject{Kind: w.Kind, Namespace: w.Meta.Namespace, Name: w.Meta.Name}
}

// minReplicas is the fewest pods the workload runs: the lowest HPA minimum, else spec.replicas.
func (w *workload) minReplicas() int32 {
	if len(w.HPAs) == 0 {
		return w.Replicas
	}
	lowest := hpaMin(w.HPAs[0])
	for _, hpa := range w.HPAs[1:] {
		lowest = min(lowest, hpaMin(hpa))
	}
	return lowest
}

// maxReplicas is the most pods the workload can run: the highest HPA maximum or spec.replicas.
func (w *workload) maxReplicas() int32 {
	highest := w.Replicas
	for _, hpa := range w.HPAs {
		highest = max(highest, hpa.Spec.MaxReplicas)
	}
	return highest
}

// several reports whether the workload runs, or can be scaled to, more than one pod.
func (w *workload) several() bool { return w.maxReplicas() > 1 }

// replicaRange describes how many pods the workload runs and why, e.g.
// "replicas 2-10 (HPA cms)" or "replicas 1 (spec.replicas, no HPA)".
func (w *workload) replicaRange() string {
	if len(w.HPAs) == 0 {
		return fmt.Sprintf("replicas %d (spec.replicas, no HPA)", w.Replicas)
	}
	names := make([]string, len(w.HPAs))
	for i, hpa := range w.HPAs {
		names[i] = hpa.Name
	}
	return fmt.Sprintf("replicas %d-%d (HPA %s)", w.minReplicas(), w.maxReplicas(),
		strings.Join(names, ", "))
}

func hpaMin(hpa *autoscalingv2.HorizontalPodAutoscaler) int32 {
	if hpa.Spec.MinReplicas == nil {
		return 1
	}
	return *hpa.Spec.MinReplicas
}

// directusContainerOf returns the first container of spec that runs Directus, or nil.
func directusContainerOf(spec *corev1.PodSpec) *corev1.Container {
	for i := range spec.Containers {
		if isDirectusContainer(&spec.Containers[i]) {
			return &spec.Containers[i]
		}
	}
	return nil
}

func isDirectusContainer(c *corev1.Container) bool {
	if imageRepository(c.Image) == directusImage || hasRepositorySuffix(c.Image, directusImage) {
		return true
	}
	if c.Name == "directus" {
		return true
	}
	return hasEnvName(c, "DB_CLIENT") &&
		(hasEnvName(c, "SECRET") || hasEnvName(c, "SECRET_FILE") ||
			hasEnvName(c, "KEY") || hasEnvName(c, "KEY_FILE"))
}

func hasRepositorySuffix(image, repo string) bool {
	return strings.HasSuffix(imageRepository(image), "/"+repo)
}

func hasEnvName(c *corev1.Container, name string) bool {
	for _, e := range c.Env {
		if e.Name == name {
			return true
		}
	}
	return false
}

// imageRepository strips the tag and digest from an image reference, and the default
// registry docker.io (with its library/ prefix) so that "directus/directus" compares equal.
func imageRepository(image string) string {
	repo, _, _ := strings.Cut(image, "@")
	if slash := strings.LastIndex(repo, "/"); strings.LastIndex(repo, ":") > slash {
		repo = repo[:strings.LastIndex(repo, ":")]
	}
	repo = strings.TrimPrefix(repo, "docker.io/")
	repo = strings.TrimPrefix(repo, "index.docker.io/")
	return strings.TrimPrefix(repo, "library/")
}

// imageTag returns the tag of an image reference, "" when it has none, and whether the
// reference pins a digest.
func imageTag(image string) (tag string, digest bool) {
	repo, _, digest := strings.Cut(image, "@")
	slash := strings.LastIndex(repo, "/")
	if colon := strings.LastIndex(repo, ":"); colon > slash {
		tag = repo[colon+1:]
	}
	return tag, digest
}

// imageMajor reads the major version from a tag such as 12.2.0, 12 or 11.12.0-dhi.
func imageMajor(image string) (int, bool) {
	tag, _ := imageTag(image)
	tag = strings.TrimPrefix(tag, "v")
	major, _, _ := strings.Cut(tag, ".")
	major, _, _ = strings.Cut(major, "-")
	n := 0
	for _, r := range major {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, major != ""
}

// imageMinor reads the minor version from a tag, 0 when it has none.
func imageMinor(image string) int {
	tag, _ := imageTag(image)
	parts := strings.SplitN(strings.TrimPrefix(tag, "v"), ".", 3)
	if len(parts) < 2 {
		return 0
	}
	n := 0
	for _, r := range parts[1] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

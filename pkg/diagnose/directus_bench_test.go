package diagnose

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// scaledSnapshot copies every namespaced object of the baseline into n namespaces and adds
// filler: per namespace a plain Deployment with its pods, a ConfigMap and Services. Nodes are
// shared; the scope is all namespaces, as with doctor -A.
func scaledSnapshot(b *testing.B, n int) *snapshot.Snapshot {
	base := loadFixture(&testing.T{})
	out := &snapshot.Snapshot{Taken: base.Taken, Scope: snapshot.Scope{AllNamespaces: true},
		Nodes: base.Nodes, ServedGroups: base.ServedGroups}
	for i := range n {
		ns := fmt.Sprintf("shop-%04d", i)
		copyNamespace(out, base, ns)
		addFiller(out, ns)
	}
	b.Logf("snapshot: %d namespaces, %d deployments, %d HPAs, %d pods, %d services, "+
		"%d configmaps", n, len(out.Deployments), len(out.HPAs), len(out.Pods),
		len(out.Services), len(out.ConfigMaps))
	return out
}

func copyNamespace(out, base *snapshot.Snapshot, ns string) {
	for _, o := range base.Deployments {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.Deployments = append(out.Deployments, o)
	}
	for _, o := range base.ReplicaSets {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.ReplicaSets = append(out.ReplicaSets, o)
	}
	for _, o := range base.StatefulSets {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.StatefulSets = append(out.StatefulSets, o)
	}
	for _, o := range base.Pods {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.Pods = append(out.Pods, o)
	}
	for _, o := range base.Services {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.Services = append(out.Services, o)
	}
	for _, o := range base.Endpoints {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.Endpoints = append(out.Endpoints, o)
	}
	for _, o := range base.PDBs {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.PDBs = append(out.PDBs, o)
	}
	for _, o := range base.Jobs {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.Jobs = append(out.Jobs, o)
	}
	for _, o := range base.HPAs {
		o = *o.DeepCopy()
		o.Namespace = ns
		out.HPAs = append(out.HPAs, o)
	}
}

// addFiller adds a workload the Directus checks must pass over: a Deployment of 8 pods, a
// ConfigMap and 8 Services.
func addFiller(out *snapshot.Snapshot, ns string) {
	labels := map[string]string{"app": "web"}
	replicas := int32(8)
	out.Deployments = append(out.Deployments, appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx",
					Image: "nginx:1.27"}}}}}})
	for i := range 8 {
		out.Pods = append(out.Pods, corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("web-%d", i), Namespace: ns, Labels: labels},
			Spec: corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{
				Name: "nginx"}}}})
		out.Services = append(out.Services, corev1.Service{ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("web-%d", i), Namespace: ns}})
	}
	out.ConfigMaps = append(out.ConfigMaps, corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "web-config", Namespace: ns}, Data: map[string]string{"A": "1"}})
}

// BenchmarkDirectusAndPracticeChecks runs the practice and Directus checks over a cluster
// of many Directus installations; the figures are time and allocations per whole run.
func BenchmarkDirectusAndPracticeChecks(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("namespaces=%d", n), func(b *testing.B) {
			snap := scaledSnapshot(b, n)
			reg := NewRegistry(append(practiceChecks(), directusChecks()...)...)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				reg.Run(CheckContext{Now: fixtureNow}, snap)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n),
				"µs/namespace")
		})
	}
}

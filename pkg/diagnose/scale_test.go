package diagnose

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// app returns Deployment, ReplicaSet, pods, pod metrics and HPA of app i, in the shape of
// the baseline.
func app(i, pods int) ([]runtime.Object, []metricsv1beta1.PodMetrics) {
	name := fmt.Sprintf("app-%04d", i)
	d := cmsDeployment()
	d.Name, d.Labels = name, map[string]string{"app": name}
	d.Spec.Selector.MatchLabels = map[string]string{"app": name}
	d.Spec.Template.Labels = map[string]string{"app": name}
	d.Spec.Replicas = ptr(int32(pods))
	rs := cmsReplicaSet(name+"-7d9c5", name)
	hpa := cmsHPA()
	hpa.Name, hpa.Spec.ScaleTargetRef.Name = name, name
	hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas = int32(pods), int32(pods)
	objs := []runtime.Object{d, rs, hpa}
	var metrics []metricsv1beta1.PodMetrics
	for p := range pods {
		pod := cmsPod(fmt.Sprintf("%s-7d9c5-%05d", name, p), "node-a")
		pod.Labels = map[string]string{"app": name}
		pod.OwnerReferences = controllerRef("ReplicaSet", rs.Name)
		objs = append(objs, pod)
		metrics = append(metrics, podUsage(pod.Name, "75m", "282Mi"))
	}
	return objs, metrics
}

// TestGatherCostDoesNotGrowWithHPAs checks the promise of the snapshot: the doctor's reads are
// the same for 1 HPA and for 40.
func TestGatherCostDoesNotGrowWithHPAs(t *testing.T) {
	calls := func(apps int) int {
		w := baseline()
		for i := range apps {
			objs, metrics := app(i, 2)
			w.add(objs...)
			w.podMetrics = append(w.podMetrics, metrics...)
		}
		count := 0
		w.reactors = append(w.reactors, reactor{verb: "*", resource: "*",
			fn: func(k8stesting.Action) (bool, runtime.Object, error) {
				count++
				return false, nil, nil
			}})
		report := DefaultRegistry().Run(CheckContext{Now: fixtureNow}, w.snapshot(t))
		assert.Equal(t, apps+1, report.Summary.HPAs)
		return count
	}

	one, forty := calls(0), calls(40)

	t.Logf("kube API calls: %d with 1 HPA, %d with 41 HPAs", one, forty)
	assert.Equal(t, one, forty)
}

// bigSnapshot is one namespace with n HPAs over n Deployments of podsEach pods, all healthy.
func bigSnapshot(n, podsEach int) *snapshot.Snapshot {
	snap := &snapshot.Snapshot{ServedGroups: map[string]bool{"apps/v1": true,
		"metrics.k8s.io/v1beta1": true}}
	snap.APIServices = append(snap.APIServices, *metricsAPIService())
	for i := range n {
		objs, metrics := app(i, podsEach)
		snap.PodMetrics = append(snap.PodMetrics, metrics...)
		for _, obj := range objs {
			switch o := obj.(type) {
			case *appsv1.Deployment:
				snap.Deployments = append(snap.Deployments, *o)
			case *appsv1.ReplicaSet:
				snap.ReplicaSets = append(snap.ReplicaSets, *o)
			case *corev1.Pod:
				snap.Pods = append(snap.Pods, *o)
			case *autoscalingv2.HorizontalPodAutoscaler:
				snap.HPAs = append(snap.HPAs, *o)
			}
		}
	}
	snap.Nodes = []corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}}}
	return snap
}

// BenchmarkDoctorChecks runs every check over 1,000 HPAs and 10,000 pods in one namespace, the
// worst case for the checks that compare HPAs with each other.
func BenchmarkDoctorChecks(b *testing.B) {
	snap := bigSnapshot(1000, 10)
	registry := DefaultRegistry()
	b.ReportAllocs()
	b.ResetTimer()
	var report *Report
	for b.Loop() {
		report = registry.Run(CheckContext{Now: fixtureNow}, snap)
	}
	b.ReportMetric(float64(len(report.Checked)), "results/op")
	if report.Summary.HPAs != 1000 || report.Summary.Status > Info {
		b.Fatalf("unexpected report: %d HPAs, status %s:%s", report.Summary.HPAs,
			report.Summary.Status, describeFindings(report))
	}
}

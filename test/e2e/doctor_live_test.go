package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// meshInjector is a MutatingAdmissionPolicy that appends a mesh-proxy container without
// resources to every new pod labelled app=cms in one namespace, as a sidecar injector does.
func meshInjector(ns string) string {
	return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: {name: %[1]s-mesh-injector}
spec:
  matchConstraints:
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %[1]s}}
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  matchConditions:
  - name: cms-pods
    expression: "has(object.metadata.labels) && object.metadata.labels.exists(k, k == 'app') && object.metadata.labels['app'] == 'cms'"
  failurePolicy: Fail
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: >
        Object{spec: Object.spec{containers: [Object.spec.containers{name: "mesh-proxy", image: "mesh/proxy:1.0"}]}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: {name: %[1]s-mesh-injector}
spec:
  policyName: %[1]s-mesh-injector
`, ns)
}

// TestDoctorInjectedSidecar (K02): pods get a container the Deployment does not have; the
// controller names it, and so must the doctor, without blaming the template.
func TestDoctorInjectedSidecar(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, meshInjector(ns))
	t.Cleanup(func() {
		_, _, _ = c.Kubectl(t, "delete", "mutatingadmissionpolicybinding,mutatingadmissionpolicy",
			ns+"-mesh-injector", "--ignore-not-found")
	})
	c.Apply(t, ns, cmsManifest(t, cmsRequests, "75m")+"---\n"+
		cmsHPAManifest("cms", productBehavior))
	waitInjected(t, c, ns)
	c.WaitHPA(t, ns, "cms", 3*time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
		cond, ok := hpaCondition(h, autoscalingv2.ScalingActive)
		return ok && strings.Contains(cond.Message, "in container mesh-proxy")
	})

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 2, code)
	f := findingOf(t, report, "HPA-REQ-002")
	assert.True(t, evidenceHas(f, "container mesh-proxy", "no request for cpu, memory", "2/2"),
		f.Evidence)
	assert.True(t, evidenceHas(f, "added at admission"), f.Evidence)
	assert.False(t, evidenceHas(f, "container directus"), f.Evidence)
	assert.ElementsMatch(t, []string{"HPA-REQ-002"}, problems(report))
}

// waitInjected waits until both cms pods carry the injected container, recreating pods made
// before the policy took effect.
func waitInjected(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	c.WaitFor(t, 2*time.Minute, "pods with mesh-proxy", func(ctx context.Context) (bool, error) {
		pods, err := c.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=cms"})
		if err != nil {
			return false, err
		}
		injected := 0
		for _, pod := range pods.Items {
			if len(pod.Spec.Containers) == 2 {
				injected++
				continue
			}
			_ = c.Client().CoreV1().Pods(ns).Delete(ctx, pod.Name, metav1.DeleteOptions{})
		}
		return injected == 2 && len(pods.Items) == 2, nil
	})
	waitReadyPods(t, c, ns, "app=cms", 2)
}

// flappyBehavior lets the HPA drop everything the moment load dips.
const flappyBehavior = `
    scaleUp: {stabilizationWindowSeconds: 0}
    scaleDown:
      stabilizationWindowSeconds: 0
      policies: [{type: Percent, value: 100, periodSeconds: 15}]`

// TestDoctorFlapping (K16): usage alternates between 180% and 10% of the cpu request, so the
// real controller scales up and down again and again; the doctor must call it flapping.
// Memory stays at 20% of its request: at 55% it would hold three replicas on its own
// (ceil(3 x 55/80) = 3) and the HPA would never get back to two. Slow: three or more cycles
// of two to four minutes.
func TestDoctorFlapping(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, cmsManifestUsing(t, cmsRequests, "25m", "100Mi")+"---\n"+
		cmsHPAManifest("cms", flappyBehavior))
	c.WaitHPA(t, ns, "cms", 4*time.Minute,
		conditionIs(autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound"))

	start := time.Now()
	ups, downs := 0, 0
	for cycle := 1; ups < 3 || downs < 3; cycle++ {
		require.LessOrEqual(t, cycle, 6, "the controller did not flap: %d ups, %d downs", ups, downs)
		setAllUsage(t, c, ns, "450m")
		c.WaitHPA(t, ns, "cms", 4*time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
			return h.Status.CurrentReplicas > 2
		})
		setAllUsage(t, c, ns, "25m")
		c.WaitHPA(t, ns, "cms", 4*time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
			return h.Status.CurrentReplicas == 2
		})
		ups, downs = countRescales(t, c, ns)
		t.Logf("cycle %d after %s: %d scale-ups, %d scale-downs", cycle,
			time.Since(start).Round(time.Second), ups, downs)
	}

	report, code := doctorRun(t, c, "-n", ns)

	assert.Equal(t, 0, code)
	f := findingOf(t, report, "HPA-FLP-001")
	assert.Equal(t, diagnose.Warning, f.Severity)
	assert.True(t, evidenceHas(f, fmt.Sprintf("%d scale-ups and %d scale-downs", ups, downs)),
		f.Evidence)
	assert.True(t, evidenceHas(f, "scale-down stabilization window: 0s"), f.Evidence)
	assert.True(t, evidenceHas(f, "Percent 100 per 15s"), f.Evidence)
}

// setAllUsage sets the cpu usage of every cms pod.
func setAllUsage(t *testing.T, c *cluster.Cluster, ns, cpu string) {
	t.Helper()
	pods, err := c.Client().CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app=cms"})
	require.NoError(t, err)
	for _, pod := range pods.Items {
		if pod.DeletionTimestamp == nil {
			c.SetPodUsage(t, ns, pod.Name, cpu, "")
		}
	}
}

// countRescales counts the controller's scale-ups and scale-downs from its events, by the
// reason text, independently of the doctor. The first rescale raises the new Deployment's
// single pod to minReplicas: a scale-up too.
func countRescales(t *testing.T, c *cluster.Cluster, ns string) (ups, downs int) {
	t.Helper()
	events, err := c.Client().CoreV1().Events(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, ev := range events.Items {
		if ev.Reason != "SuccessfulRescale" || ev.InvolvedObject.Name != "cms" {
			continue
		}
		n := int(max(ev.Count, 1))
		if ev.Series != nil && ev.Series.Count > 0 {
			n = int(ev.Series.Count)
		}
		switch {
		case strings.Contains(ev.Message, "below target"),
			strings.Contains(ev.Message, "above Spec.MaxReplicas"):
			downs += n
		case strings.Contains(ev.Message, "above target"),
			strings.Contains(ev.Message, "below Spec.MinReplicas"):
			ups += n
		}
	}
	return ups, downs
}

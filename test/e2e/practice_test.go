package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// directusLike is a Deployment the doctor takes for Directus (container directus, image
// directus/directus) with the given replicas line and cpu request per pod.
func directusLike(name, replicas, cpu string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  %[2]s
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers:
      - name: directus
        image: directus/directus:12.2.0
        command: [node, /directus/cli.js, start]
        resources:
          requests: {cpu: "%[3]s", memory: 1Gi}
`, name, replicas, cpu)
}

func hpaFor(name string, minReplicas, maxReplicas int) string {
	return fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: %[1]s}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %[1]s}
  minReplicas: %[2]d
  maxReplicas: %[3]d
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
`, name, minReplicas, maxReplicas)
}

// doctorReport gathers namespace ns as the doctor does and runs every check.
func doctorReport(t *testing.T, c *cluster.Cluster, ns string) *diagnose.Report {
	t.Helper()
	clients, err := kube.NewClientsForConfig(c.RESTConfig())
	require.NoError(t, err)
	snap, err := snapshot.Gather(t.Context(), clients, snapshot.Scope{Namespace: ns},
		snapshot.PartAll)
	require.NoError(t, err)
	return diagnose.DefaultRegistry().Run(diagnose.CheckContext{Now: time.Now()}, snap)
}

func findingsWithID(report *diagnose.Report, id string) []diagnose.Finding {
	var out []diagnose.Finding
	for _, f := range report.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

// TestCapacityShortfallAgreesWithTheScheduler: pods of 5 CPUs on the two 16-CPU nodes fit
// three to a node. The doctor must say the nodes hold at most 6 of maxReplicas 10 before
// anything scales; the HPA's minimum of 8 then makes the controller ask for 8 pods, and the
// real scheduler must leave the ones beyond the doctor's bound Pending.
func TestCapacityShortfallAgreesWithTheScheduler(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, directusLike("cms", "replicas: 1", "5"))
	c.WaitFor(t, time.Minute, "the first pod scheduled", scheduledPods(c, ns, "cms", 1))

	c.Apply(t, ns, hpaFor("cms", 8, 10))
	report := doctorReport(t, c, ns)

	found := findingsWithID(report, "HPA-CFG-010")
	require.Len(t, found, 1, "findings: %v", report.Findings)
	assert.Equal(t, diagnose.Warning, found[0].Severity)
	assert.Contains(t, found[0].Message, "hold at most")
	bound := placedBound(t, found[0])

	c.WaitFor(t, 2*time.Minute, "8 replicas asked for", deploymentReplicas(c, ns, "cms", 8))
	c.WaitFor(t, time.Minute, "the scheduler to place what fits",
		scheduledPods(c, ns, "cms", bound))
	placed, pending := podPlacement(t, c, ns, "cms")
	assert.LessOrEqual(t, placed, bound, "the scheduler placed more pods than the doctor's bound")
	assert.Equal(t, 8-placed, pending, "pods beyond the bound stay Pending")
	assert.Positive(t, pending)
}

// placedBound reads "2 pods running, room for 4 more" from the finding's evidence.
func placedBound(t *testing.T, f diagnose.Finding) int {
	t.Helper()
	for _, e := range f.Evidence {
		var running, room, maxReplicas int
		if _, err := fmt.Sscanf(e, "%d pods running, room for %d more; maxReplicas %d",
			&running, &room, &maxReplicas); err == nil {
			return running + room
		}
		if _, err := fmt.Sscanf(e, "%d pod running, room for %d more; maxReplicas %d",
			&running, &room, &maxReplicas); err == nil {
			return running + room
		}
	}
	t.Fatalf("no room figures in evidence %q", f.Evidence)
	return 0
}

func deploymentReplicas(c *cluster.Cluster, ns, name string,
	want int32) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		d, err := c.Client().AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && d.Spec.Replicas != nil && *d.Spec.Replicas == want, err
	}
}

func scheduledPods(c *cluster.Cluster, ns, app string,
	want int) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		pods, err := c.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{
			LabelSelector: "app=" + app})
		if err != nil {
			return false, err
		}
		n := 0
		for _, p := range pods.Items {
			if p.Spec.NodeName != "" {
				n++
			}
		}
		return n >= want, nil
	}
}

func podPlacement(t *testing.T, c *cluster.Cluster, ns, app string) (placed, pending int) {
	t.Helper()
	pods, err := c.Client().CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{
		LabelSelector: "app=" + app})
	require.NoError(t, err)
	for _, p := range pods.Items {
		switch {
		case p.Spec.NodeName != "":
			placed++
		case p.Status.Phase == corev1.PodPending:
			pending++
		}
	}
	return placed, pending
}

// TestReplicaOwnershipOnTheRealAPIServer checks the doctor's reading of managedFields on
// objects the real API server and HPA controller wrote. A chart-rendered Deployment without
// replicas, scaled by its HPA, is owned by no applier (no DX11); once the HPA is gone, that
// missing field is the sign the chart meant to autoscale (HPA-CFG-001 error, case K12). A
// Deployment applied client-side with replicas fights its HPA (DX11).
func TestReplicaOwnershipOnTheRealAPIServer(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, helmRendered(directusLike("cms", "", "100m"))+"---\n"+hpaFor("cms", 2, 4))
	c.WaitFor(t, 2*time.Minute, "the HPA to raise cms to 2", deploymentReplicas(c, ns, "cms", 2))

	assert.Empty(t, findingsWithID(doctorReport(t, c, ns), "DX11"))

	err := c.Client().AutoscalingV2().HorizontalPodAutoscalers(ns).Delete(t.Context(), "cms",
		metav1.DeleteOptions{})
	require.NoError(t, err)
	orphan := findingsWithID(doctorReport(t, c, ns), "HPA-CFG-001")
	require.Len(t, orphan, 1)
	assert.Equal(t, diagnose.Error, orphan[0].Severity)
	evidence := strings.Join(orphan[0].Evidence, "\n")
	assert.Contains(t, evidence, "no field manager owns spec.replicas")
	assert.Contains(t, evidence, "Helm release cms")

	applyClientSide(t, c, ns, directusLike("blog", "replicas: 3", "100m"))
	c.Apply(t, ns, hpaFor("blog", 2, 4))
	fights := findingsWithID(doctorReport(t, c, ns), "DX11")
	require.Len(t, fights, 1)
	assert.Equal(t, "blog", fights[0].Subject.Name)
	assert.Contains(t, strings.Join(fights[0].Evidence, "\n"),
		"kubectl.kubernetes.io/last-applied-configuration holds spec.replicas 3")
}

// helmRendered adds the labels and annotations Helm puts on what it installs.
func helmRendered(manifest string) string {
	return strings.Replace(manifest, "metadata: {name: cms}", `metadata:
  name: cms
  labels: {app.kubernetes.io/managed-by: Helm, app.kubernetes.io/instance: cms,
           helm.sh/chart: directus-2.0.2}
  annotations: {meta.helm.sh/release-name: cms}`, 1)
}

// applyClientSide runs a plain `kubectl apply`, which records the manifest in the
// last-applied-configuration annotation.
func applyClientSide(t *testing.T, c *cluster.Cluster, ns, manifest string) {
	t.Helper()
	path := t.TempDir() + "/manifest.yaml"
	require.NoError(t, os.WriteFile(path, []byte(manifest), 0o600))
	_, stderr, err := c.Kubectl(t, "apply", "--namespace", ns, "-f", path)
	require.NoError(t, err, stderr)
	c.WaitFor(t, time.Minute, "the Deployment", func(ctx context.Context) (bool, error) {
		_, err := c.Client().AppsV1().Deployments(ns).Get(ctx, "blog", metav1.GetOptions{})
		return err == nil, nil
	})
}

// TestBaselineOnTheRealAPIServer applies the healthy baseline the Directus fixtures start from
// and lets the real API server default it and the real controllers run it (the bootstrap
// Job, the endpoint slices, the HPA). Defaults the fixtures leave out must not turn into
// findings: the Directus and practice checks find nothing above info. Then Redis goes down
// (case K19, variant C) and DX08 must report it from the slices the endpoint controller
// wrote.
func TestBaselineOnTheRealAPIServer(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, baselineManifest(t, ns))
	c.WaitFor(t, 2*time.Minute, "the baseline running", baselineRunning(c, ns))

	report := doctorReport(t, c, ns)

	var advice int
	for _, f := range mine(report) {
		advice++
		assert.LessOrEqual(t, f.Severity, diagnose.Info, "%s %s on %s/%s: %s %q", f.ID,
			f.Severity, f.Subject.Kind, f.Subject.Name, f.Message, f.Evidence)
	}
	assert.Positive(t, advice, "the baseline gives at least the advice the fixtures expect")

	_, stderr, err := c.Kubectl(t, "scale", "statefulset/kv", "--replicas=0", "-n", ns)
	require.NoError(t, err, stderr)
	c.WaitFor(t, 2*time.Minute, "kv without ready endpoints", readyEndpointsOf(c, ns, "kv", 0))
	down := findingsWithID(doctorReport(t, c, ns), "DX08")
	require.Len(t, down, 1)
	assert.Equal(t, diagnose.Error, down[0].Severity)
	evidence := strings.Join(down[0].Evidence, "\n")
	assert.Contains(t, evidence, "Redis address kv:6379 -> Service "+ns+"/kv")
	assert.Contains(t, evidence, "Service kv selects 0 pods, none Ready")
}

// mine keeps the findings of the Directus and practice checks.
func mine(report *diagnose.Report) []diagnose.Finding {
	var out []diagnose.Finding
	for _, f := range report.Findings {
		if strings.HasPrefix(f.ID, "DX") || strings.HasPrefix(f.ID, "HPA-CFG-") {
			out = append(out, f)
		}
	}
	return out
}

// baselineRunning waits for the Deployment's pods, the bootstrap Job, and a ready endpoint
// for the database and for Redis.
func baselineRunning(c *cluster.Cluster, ns string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		d, err := c.Client().AppsV1().Deployments(ns).Get(ctx, "cms", metav1.GetOptions{})
		if err != nil || d.Status.ReadyReplicas < 2 {
			return false, fmt.Errorf("Deployment cms not ready (%v)", err)
		}
		job, err := c.Client().BatchV1().Jobs(ns).Get(ctx, "cms-bootstrap-5f1e2a",
			metav1.GetOptions{})
		if err != nil || job.Status.Succeeded < 1 {
			return false, fmt.Errorf("bootstrap Job not complete (%v)", err)
		}
		for _, svc := range []string{"pg", "kv"} {
			if ok, err := readyEndpointsOf(c, ns, svc, 1)(ctx); !ok {
				return false, fmt.Errorf("Service %s has no ready endpoint (%v)", svc, err)
			}
		}
		return true, nil
	}
}

// readyEndpointsOf waits until Service svc has exactly want ready addresses, or at least one
// when want is 1.
func readyEndpointsOf(c *cluster.Cluster, ns, svc string,
	want int) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		slices, err := c.Client().DiscoveryV1().EndpointSlices(ns).List(ctx,
			metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + svc})
		if err != nil || len(slices.Items) == 0 {
			return false, err
		}
		ready := 0
		for _, s := range slices.Items {
			for _, ep := range s.Endpoints {
				if ep.Conditions.Ready != nil && *ep.Conditions.Ready {
					ready += len(ep.Addresses)
				}
			}
		}
		if want == 0 {
			return ready == 0, nil
		}
		return ready >= want, nil
	}
}

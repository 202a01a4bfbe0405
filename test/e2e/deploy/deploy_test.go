package deploye2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-directus/kubectl-directus/pkg/deploy"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

const release = "directus"

// TestDeployLifecycle deploys, checks every object and the autoscaler on real metrics,
// deploys again (nothing changes), moves to a new image, deletes keeping the data, deploys
// onto the kept data, and deletes the data.
func TestDeployLifecycle(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	staticVolume(t, c, ns, release)
	kube := c.Client()

	first := directus(t, c, "deploy", "-n", ns, "--wait", "--timeout", "5m")
	require.Equal(t, 0, first.code, first.stderr)
	assert.Equal(t, "10 objects: 10 created, 0 changed, 0 unchanged", summaryLine(first.stdout))
	for _, step := range []string{"[1/6] secret", "[2/6] database and cache",
		"[3/6] database migrations (bootstrap job)", "[4/6] directus", "[5/6] autoscaler",
		"[6/6] rollout and autoscaler status"} {
		assert.Contains(t, first.stderr, step)
	}
	t.Logf("first deploy with --wait took %s", first.took.Round(time.Second))

	checkObjects(t, kube, ns)
	secret := readSecret(t, kube, ns)

	t.Run("autoscaler on real metrics", func(t *testing.T) {
		checkAutoscaler(t, c, ns)
	})
	t.Run("second deploy changes nothing", func(t *testing.T) {
		again := directus(t, c, "deploy", "-n", ns)
		require.Equal(t, 0, again.code, again.stderr)
		assert.Equal(t, "10 objects: 0 created, 0 changed, 10 unchanged",
			summaryLine(again.stdout))
		assertSameSecret(t, secret, readSecret(t, kube, ns))
	})
	t.Run("new image runs its bootstrap job first", func(t *testing.T) {
		checkImageChange(t, c, ns)
	})
	t.Run("delete keeps the claim and the secret", func(t *testing.T) {
		checkDeleteKeepsData(t, c, ns)
		assertSameSecret(t, secret, readSecret(t, kube, ns))
	})
	t.Run("deploy onto kept data reuses it", func(t *testing.T) {
		claim := getClaim(t, kube, ns)
		again := directus(t, c, "deploy", "-n", ns)
		require.Equal(t, 0, again.code, again.stderr)
		assert.Contains(t, again.stdout, "secret/directus-directus")
		assert.Regexp(t, `secret/directus-directus\s+unchanged`, again.stdout)
		assertSameSecret(t, secret, readSecret(t, kube, ns))
		assert.Equal(t, claim.UID, getClaim(t, kube, ns).UID, "the same volume claim")
	})
	t.Run("delete --delete-data removes them", func(t *testing.T) {
		checkDeleteData(t, c, ns)
	})
}

// checkObjects verifies what the first deploy left in the cluster.
func checkObjects(t *testing.T, kube kubernetes.Interface, ns string) {
	ctx := t.Context()
	d, err := kube.AppsV1().Deployments(ns).Get(ctx, "directus-directus", metav1.GetOptions{})
	require.NoError(t, err)
	assert.False(t, ownsField(t, d.ManagedFields, deploy.FieldManager, "f:spec", "f:replicas"),
		"kubectl-directus must never own spec.replicas")
	assert.True(t, ownsField(t, d.ManagedFields, deploy.FieldManager, "f:spec", "f:template"))
	assert.Equal(t, int32(2), *d.Spec.Replicas, "the autoscaler raised the Deployment to min")
	assert.Equal(t, int32(2), d.Status.ReadyReplicas)

	sts, err := kube.AppsV1().StatefulSets(ns).Get(ctx, "directus-postgres", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(1), sts.Status.ReadyReplicas)
	assert.Equal(t, corev1.ClaimBound, getClaim(t, kube, ns).Status.Phase)

	valkey, err := kube.AppsV1().Deployments(ns).Get(ctx, "directus-valkey", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(1), valkey.Status.ReadyReplicas)

	job := bootstrapJob(t, kube, ns, deploy.DefaultImage)
	assert.True(t, jobComplete(job), "the bootstrap job completed")

	for _, name := range []string{"directus-directus", "directus-postgres", "directus-valkey"} {
		_, err := kube.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		assert.NoError(t, err, "service %s", name)
	}
	pdb, err := kube.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "directus-directus",
		metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "1", pdb.Spec.MaxUnavailable.String())

	hpa, err := kube.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, "directus-directus",
		metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(2), *hpa.Spec.MinReplicas)
	assert.Equal(t, int32(10), hpa.Spec.MaxReplicas)
	assert.Equal(t, int32(300), *hpa.Spec.Behavior.ScaleUp.StabilizationWindowSeconds)
	assert.Equal(t, int32(600), *hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds)
}

// checkAutoscaler sets the Directus pods' usage and waits until the real HPA controller
// computes from it: 350m of a 500m request is 70 %, 512Mi of 1Gi is 50 %.
func checkAutoscaler(t *testing.T, c *cluster.Cluster, ns string) {
	pods, err := c.Client().CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{
		LabelSelector: "app.kubernetes.io/instance=directus,app.kubernetes.io/component=api"})
	require.NoError(t, err)
	require.Len(t, pods.Items, 2)
	for _, pod := range pods.Items {
		c.SetPodUsage(t, ns, pod.Name, "350m", "512Mi")
	}

	start := time.Now()
	hpa := c.WaitHPA(t, ns, "directus-directus", 4*time.Minute,
		func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
			return condition(h, autoscalingv2.ScalingActive) == corev1.ConditionTrue &&
				utilization(h, corev1.ResourceCPU) == 70 &&
				utilization(h, corev1.ResourceMemory) == 50
		})
	t.Logf("HPA computed from the set usage after %s: %s", time.Since(start).Round(time.Second),
		cluster.DescribeHPA(hpa))
	assert.Equal(t, int32(2), hpa.Status.DesiredReplicas, "70 %% is the target: no scaling")
}

func condition(h *autoscalingv2.HorizontalPodAutoscaler,
	kind autoscalingv2.HorizontalPodAutoscalerConditionType) corev1.ConditionStatus {
	for _, c := range h.Status.Conditions {
		if c.Type == kind {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}

func utilization(h *autoscalingv2.HorizontalPodAutoscaler, name corev1.ResourceName) int32 {
	for _, m := range h.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Name == name &&
			m.Resource.Current.AverageUtilization != nil {
			return *m.Resource.Current.AverageUtilization
		}
	}
	return -1
}

// checkImageChange deploys a new image: its bootstrap Job must complete before the
// Deployment changes.
func checkImageChange(t *testing.T, c *cluster.Cluster, ns string) {
	const image = "directus/directus:12.2.1"
	r := directus(t, c, "deploy", "-n", ns, "--image", image)
	require.Equal(t, 0, r.code, r.stderr)

	jobDone := strings.Index(r.stderr, "done: job.batch/")
	deploymentChanged := strings.Index(r.stderr, "deployment.apps/directus-directus changed")
	require.Positive(t, jobDone, r.stderr)
	assert.Less(t, jobDone, deploymentChanged, "the Job completes before the Deployment rolls")
	assert.Equal(t, "10 objects: 1 created, 1 changed, 8 unchanged", summaryLine(r.stdout))

	job := bootstrapJob(t, c.Client(), ns, image)
	assert.True(t, jobComplete(job))
	d, err := c.Client().AppsV1().Deployments(ns).Get(t.Context(), "directus-directus",
		metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, image, d.Spec.Template.Spec.Containers[0].Image)
}

func checkDeleteKeepsData(t *testing.T, c *cluster.Cluster, ns string) {
	r := directus(t, c, "delete", "-n", ns, "--wait", "--timeout", "3m")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "deployment.apps/directus-directus deleted")
	assert.Contains(t, r.stdout, "horizontalpodautoscaler.autoscaling/directus-directus deleted")
	assert.Contains(t, r.stdout, "statefulset.apps/directus-postgres deleted")
	assert.Equal(t, 2, strings.Count(r.stdout, "job.batch/"), "both bootstrap jobs")
	assert.NotContains(t, r.stdout, "secret/")
	assert.NotContains(t, r.stdout, "persistentvolumeclaim/")
	assert.Contains(t, r.stderr, "kept persistentvolumeclaim/"+claimName(release)+
		", secret/directus-directus")

	kube := c.Client()
	getClaim(t, kube, ns)
	_, err := kube.AppsV1().Deployments(ns).Get(t.Context(), "directus-directus",
		metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "deployment gone: %v", err)
	jobs, err := kube.BatchV1().Jobs(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, jobs.Items)
}

func checkDeleteData(t *testing.T, c *cluster.Cluster, ns string) {
	r := directus(t, c, "delete", "-n", ns, "--delete-data", "--wait", "--timeout", "3m")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "persistentvolumeclaim/"+claimName(release)+" deleted")
	assert.Contains(t, r.stdout, "secret/directus-directus deleted")
	assert.NotContains(t, r.stderr, "kept")

	kube := c.Client()
	_, err := kube.CoreV1().Secrets(ns).Get(t.Context(), "directus-directus", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "secret gone: %v", err)
	_, err = kube.CoreV1().PersistentVolumeClaims(ns).Get(t.Context(), claimName(release),
		metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "claim gone: %v", err)

	gone := directus(t, c, "delete", "-n", ns)
	assert.Equal(t, 1, gone.code)
	assert.Contains(t, gone.stderr, `error: no release "directus" in namespace "`+ns+`"`)
}

func readSecret(t *testing.T, kube kubernetes.Interface, ns string) *corev1.Secret {
	t.Helper()
	s, err := kube.CoreV1().Secrets(ns).Get(t.Context(), "directus-directus", metav1.GetOptions{})
	require.NoError(t, err)
	require.Len(t, s.Data, 4)
	return s
}

func assertSameSecret(t *testing.T, want, got *corev1.Secret) {
	t.Helper()
	assert.Equal(t, want.Data, got.Data, "the Secret's values must be byte-identical")
	assert.Equal(t, want.ResourceVersion, got.ResourceVersion, "the Secret was not written")
}

func getClaim(t *testing.T, kube kubernetes.Interface, ns string) *corev1.PersistentVolumeClaim {
	t.Helper()
	claim, err := kube.CoreV1().PersistentVolumeClaims(ns).Get(t.Context(), claimName(release),
		metav1.GetOptions{})
	require.NoError(t, err)
	return claim
}

func bootstrapJob(t *testing.T, kube kubernetes.Interface, ns, image string) *batchv1.Job {
	t.Helper()
	name := deploy.NamesFor(release, image).Bootstrap
	job, err := kube.BatchV1().Jobs(ns).Get(t.Context(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return job
}

func jobComplete(job *batchv1.Job) bool {
	for _, c := range job.Status.Conditions {
		if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// waitDeploymentReady waits for a Deployment to have all its replicas ready.
func waitDeploymentReady(t *testing.T, c *cluster.Cluster, ns, name string) {
	c.WaitFor(t, 2*time.Minute, fmt.Sprintf("deployment %s/%s ready", ns, name),
		func(ctx context.Context) (bool, error) {
			d, err := c.Client().AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			return d.Spec.Replicas != nil && d.Status.ReadyReplicas == *d.Spec.Replicas, nil
		})
}

package deploy

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

var (
	secretsGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	deployGVR  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	jobsGVR    = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
)

func newApplier(f *fakeCluster, progress *bytes.Buffer) *Applier {
	return &Applier{Clients: f.clients(), Release: "directus", Namespace: "cms",
		Progress: progress, PollInterval: time.Millisecond, Server: "https://127.0.0.1:6443"}
}

func applyRelease(t *testing.T, f *fakeCluster, opts Options, fill byte) (*Summary, string, error) {
	t.Helper()
	objs, err := Render(opts, fixedSecret(t, fill))
	require.NoError(t, err)
	var progress bytes.Buffer
	summary, err := newApplier(f, &progress).Apply(context.Background(), objs)
	return summary, progress.String(), err
}

func actions(s *Summary) map[string]Action {
	out := map[string]Action{}
	for _, r := range s.Results {
		out[r.Ref.String()] = r.Action
	}
	return out
}

func TestApplyFirstDeployCreatesEverythingInOrder(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	summary, progress, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.NoError(t, err)

	job := "jobs.batch/" + NamesFor("directus", DefaultImage).Bootstrap
	assert.Equal(t, []string{
		"create secrets/directus-directus",
		"patch services/directus-postgres",
		"patch statefulsets.apps/directus-postgres",
		"patch services/directus-valkey",
		"patch deployments.apps/directus-valkey",
		"patch " + job,
		"patch deployments.apps/directus-directus",
		"patch services/directus-directus",
		"patch poddisruptionbudgets.policy/directus-directus",
		"patch horizontalpodautoscalers.autoscaling/directus-directus",
	}, f.Writes())
	assert.Equal(t, 10, summary.Count(Created))

	stored := f.get(t, deployGVR, "cms", "directus-directus")
	_, hasReplicas, _ := unstructured.NestedFieldNoCopy(stored.Object, "spec", "replicas")
	assert.False(t, hasReplicas, "the applied Deployment must leave replicas to the autoscaler")

	for _, want := range []string{"[1/5] secret", "[2/5] database and cache",
		"waiting for statefulset.apps/directus-postgres to be ready",
		"done: job.batch/" + strings.TrimPrefix(job, "jobs.batch/") + " to complete",
		"[5/5] autoscaler",
		"warning: apiservice v1beta1.metrics.k8s.io is not registered"} {
		assert.Contains(t, progress, want)
	}
}

func TestApplyAgainChangesNothingAndKeepsTheSecret(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.NoError(t, err)
	firstSecret := f.get(t, secretsGVR, "cms", "directus-directus")
	writes := len(f.Writes())

	// The second run renders other random values: they must not reach the cluster.
	summary, _, err := applyRelease(t, f, DefaultOptions("cms"), 2)
	require.NoError(t, err)

	assert.Equal(t, 10, summary.Count(Unchanged), "%v", actions(summary))
	again := f.get(t, secretsGVR, "cms", "directus-directus")
	assert.Equal(t, firstSecret.Object["data"], again.Object["data"])
	assert.Equal(t, firstSecret.GetResourceVersion(), again.GetResourceVersion())

	later := f.Writes()[writes:]
	for _, w := range later {
		assert.NotContains(t, w, "secrets", "the Secret is never written again")
		assert.NotContains(t, w, "jobs.batch", "a completed bootstrap Job is not re-applied")
	}

	d := f.get(t, deployGVR, "cms", "directus-directus")
	hash, _, _ := unstructured.NestedString(d.Object, "spec", "template", "metadata",
		"annotations", SecretHashAnnotation)
	assert.Equal(t, fixedSecret(t, 1).Hash(), hash, "pods carry the hash of the stored values")
}

func TestApplyNewImageRunsItsJobBeforeTheDeployment(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.NoError(t, err)
	writes := len(f.Writes())

	opts := DefaultOptions("cms")
	opts.Image = "directus/directus:12.2.1"
	summary, progress, err := applyRelease(t, f, opts, 1)
	require.NoError(t, err)

	newJob := "jobs.batch/" + NamesFor("directus", opts.Image).Bootstrap
	later := f.Writes()[writes:]
	assert.Contains(t, later, "patch "+newJob)
	assert.Less(t, indexOf(later, "patch "+newJob),
		indexOf(later, "patch deployments.apps/directus-directus"))
	assert.Less(t, strings.Index(progress, "done: job.batch/"),
		strings.Index(progress, "deployment.apps/directus-directus changed"))
	got := actions(summary)
	assert.Equal(t, Created, got["job.batch/"+NamesFor("directus", opts.Image).Bootstrap])
	assert.Equal(t, Changed, got["deployment.apps/directus-directus"])
	assert.Equal(t, Unchanged, got["statefulset.apps/directus-postgres"])
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func TestApplyRefusesObjectsOwnedBySomeoneElse(t *testing.T) {
	foreign := &unstructured.Unstructured{}
	foreign.SetAPIVersion("apps/v1")
	foreign.SetKind("Deployment")
	foreign.SetNamespace("cms")
	foreign.SetName("directus-directus")
	foreign.SetLabels(map[string]string{LabelManagedBy: "Helm"})
	f := newFakeCluster(t, []string{"cms"}, foreign)

	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `deployment.apps/directus-directus in namespace "cms" `+
		"already exists and is not managed by kubectl-directus (managed by Helm): delete it, "+
		"or deploy under another NAME")
	assert.Empty(t, f.Writes(), "nothing may be written")
}

func TestApplyReportsMissingPermissionsBeforeWriting(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	f.denied["create deployments.apps"] = true
	f.denied["patch deployments.apps"] = true

	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing permissions (RBAC): cannot create, patch "+
		`deployments.apps in namespace "cms"; nothing was applied`)
	assert.Contains(t, err.Error(), "kubectl auth can-i create deployments.apps -n cms")
	assert.Empty(t, f.Writes())
}

func TestApplyExplainsAForbiddenWrite(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	f.forbidden["patch horizontalpodautoscalers.autoscaling"] = true

	summary, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "step 5/5 (autoscaler): not allowed to apply "+
		`horizontalpodautoscaler.autoscaling/directus-directus in namespace "cms"`)
	assert.Contains(t, err.Error(), "kubectl auth can-i patch "+
		"horizontalpodautoscalers.autoscaling -n cms")
	assert.Equal(t, 9, summary.Count(Created), "what came before stays applied")
}

func TestApplyUnknownNamespace(t *testing.T) {
	f := newFakeCluster(t, nil)
	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	assert.Equal(t, `namespace "cms" not found: create it (kubectl create namespace cms) `+
		"or choose another with -n", err.Error())
	assert.Empty(t, f.Writes())
}

func TestApplyUnreachableServer(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:1/api/v1/namespaces/cms",
		Err: syscall.ECONNREFUSED}
	f.kube.PrependReactor("get", "namespaces",
		func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, refused })

	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot reach the Kubernetes API server "+
		"https://127.0.0.1:6443")
	assert.Contains(t, err.Error(), "check --kubeconfig and --context")
}

func TestApplyStopsAtAFailedBootstrapJob(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	f.jobCondition = "Failed"

	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	job := NamesFor("directus", DefaultImage).Bootstrap
	assert.Contains(t, err.Error(), "step 3/5 (database migrations (bootstrap job)): job.batch/"+
		job+` in namespace "cms" failed (BackoffLimitExceeded`)
	assert.Contains(t, err.Error(), "kubectl logs -n cms job/"+job)
	assert.NotContains(t, f.Writes(), "patch deployments.apps/directus-directus",
		"the Deployment must not move to an image whose migrations failed")

	// Running deploy again while the failed Job exists stops before touching it.
	writes := len(f.Writes())
	_, _, err = applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "delete the job (kubectl delete job -n cms "+job+")")
	for _, w := range f.Writes()[writes:] {
		assert.NotContains(t, w, "jobs.batch")
	}
}

func TestApplyInterruptedOrTimedOutSaysWhereAndHowToFinish(t *testing.T) {
	for name, cancelWith := range map[string]func() (context.Context, context.CancelFunc){
		"interrupted": func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		},
		"timed out": func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeCluster(t, []string{"cms"})
			f.jobCondition = "" // the Job never finishes
			objs, err := Render(DefaultOptions("cms"), fixedSecret(t, 1))
			require.NoError(t, err)

			ctx, cancel := cancelWith()
			defer cancel()
			var progress bytes.Buffer
			summary, err := newApplier(f, &progress).Apply(ctx, objs)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), name+" "), err.Error())
			assert.Contains(t, err.Error(), "at step 3/5 (database migrations (bootstrap job)): "+
				"waiting for job.batch/")
			assert.Contains(t, err.Error(), "(last seen: 1 active, 0 failed)")
			assert.Contains(t, err.Error(), "run the same deploy again to finish")
			assert.Equal(t, 6, summary.Count(Created))
		})
	}
}

func TestApplyServerDryRunWritesNothing(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	objs, err := Render(DefaultOptions("cms"), fixedSecret(t, 1))
	require.NoError(t, err)
	applier := newApplier(f, &bytes.Buffer{})
	applier.ServerDryRun = true

	summary, err := applier.Apply(context.Background(), objs)
	require.NoError(t, err)
	assert.Equal(t, 10, summary.Count(Created))
	assert.True(t, summary.DryRun)
	assert.Nil(t, f.get(t, secretsGVR, "cms", "directus-directus"))
	assert.Nil(t, f.get(t, deployGVR, "cms", "directus-directus"))
	assert.Len(t, summary.Objects(), 10)
}

func TestApplyWaitVerifiesRolloutAndAutoscaler(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	objs, err := Render(DefaultOptions("cms"), fixedSecret(t, 1))
	require.NoError(t, err)
	var progress bytes.Buffer
	applier := newApplier(f, &progress)
	applier.Wait = true

	_, err = applier.Apply(context.Background(), objs)
	require.NoError(t, err)
	assert.Contains(t, progress.String(), "[6/6] rollout and autoscaler status")
	assert.Contains(t, progress.String(),
		"done: horizontalpodautoscaler.autoscaling/directus-directus to be active")

	f2 := newFakeCluster(t, []string{"cms"})
	f2.hpaActive = false
	applier = newApplier(f2, &bytes.Buffer{})
	applier.Wait = true
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = applier.Apply(ctx, objs)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timed out (raise --timeout if the cluster is slow) at "+
		"step 6/6")
	assert.Contains(t, err.Error(), "(last seen: FailedGetResourceMetric: unable to get metrics)")
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
}

func TestApplyLeavesAForeignMetricsServerAlone(t *testing.T) {
	apiService := &unstructured.Unstructured{}
	apiService.SetAPIVersion("apiregistration.k8s.io/v1")
	apiService.SetKind("APIService")
	apiService.SetName("v1beta1.metrics.k8s.io")
	apiService.Object["status"] = map[string]any{"conditions": []any{
		map[string]any{"type": "Available", "status": "True"}}}
	f := newFakeCluster(t, []string{"cms"}, apiService)

	opts := DefaultOptions("cms")
	opts.WithMetricsServer = true
	summary, progress, err := applyRelease(t, f, opts, 1)
	require.NoError(t, err)

	assert.Equal(t, 9, summary.Count(Skipped))
	assert.Contains(t, progress, "metrics.k8s.io is already served by apiservice "+
		"v1beta1.metrics.k8s.io (managed by an unknown manager): leaving it as is")
	assert.NotContains(t, progress, "warning:")
	for _, w := range f.Writes() {
		assert.NotContains(t, w, "metrics-server")
	}
}

func TestApplyInstallsMetricsServerFirst(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	opts := DefaultOptions("cms")
	opts.WithMetricsServer = true
	summary, progress, err := applyRelease(t, f, opts, 1)
	require.NoError(t, err)

	assert.Equal(t, 19, summary.Count(Created))
	assert.Equal(t, "patch serviceaccounts/metrics-server", f.Writes()[0])
	assert.Contains(t, f.Writes(), "patch apiservices.apiregistration.k8s.io/v1beta1.metrics.k8s.io")
	assert.Contains(t, progress, "[1/6] metrics-server")
}

func TestApplyWarnsWhenTheCustomMetricIsNotServed(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	opts := DefaultOptions("cms")
	opts.CustomMetric = true
	_, progress, err := applyRelease(t, f, opts, 1)
	require.NoError(t, err)
	assert.Contains(t, progress, "warning: apiservice v1beta1.custom.metrics.k8s.io is not "+
		"registered: the autoscaler will get no Pods metric directus_active_connections")
}

func TestSummaryPrint(t *testing.T) {
	s := &Summary{Results: []Result{
		{Ref: ObjectRef{GVR: secretsGVR, Kind: "Secret", Name: "directus-directus"}, Action: Unchanged},
		{Ref: ObjectRef{GVR: deployGVR, Kind: "Deployment", Name: "directus-directus"}, Action: Changed},
		{Ref: ObjectRef{GVR: jobsGVR, Kind: "Job", Name: "directus-directus-bootstrap-1"},
			Action: Created},
	}}
	var out bytes.Buffer
	require.NoError(t, s.Print(&out))
	assert.Equal(t, ""+
		"secret/directus-directus                  unchanged\n"+
		"deployment.apps/directus-directus         changed\n"+
		"job.batch/directus-directus-bootstrap-1   created\n"+
		"3 objects: 1 created, 1 changed, 1 unchanged\n", out.String())
}

func TestSecretStoredByOthersIsRefused(t *testing.T) {
	secret := &unstructured.Unstructured{}
	secret.SetAPIVersion("v1")
	secret.SetKind("Secret")
	secret.SetNamespace("cms")
	secret.SetName("directus-directus")
	f := newFakeCluster(t, []string{"cms"}, secret)

	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `secret/directus-directus in namespace "cms" already exists `+
		"and is not managed by kubectl-directus")
	_, err = f.dyn.Resource(secretsGVR).Namespace("cms").Get(context.Background(),
		"directus-directus", metav1.GetOptions{})
	require.NoError(t, err)
}

// TestApplyWaitNamesTheUnboundDatabaseClaim: on a cluster that provisions no volume for the
// claim's class, the wait that runs out says which claim is Pending and what to do.
func TestApplyWaitNamesTheUnboundDatabaseClaim(t *testing.T) {
	f := newFakeCluster(t, []string{"cms"})
	f.databaseWaiting = true
	claim := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "PersistentVolumeClaim",
		"metadata": map[string]any{"name": "data-directus-postgres-0", "namespace": "cms"},
		"status":   map[string]any{"phase": "Pending"},
	}}
	require.NoError(t, f.dyn.Tracker().Create(claimsGVR, claim, "cms"))
	objs, err := Render(DefaultOptions("cms"), fixedSecret(t, 1))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = newApplier(f, &bytes.Buffer{}).Apply(ctx, objs)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "(last seen: 0/1 ready; claim data-directus-postgres-0 "+
		"Pending: no volume of the default class binds it (kubectl describe pvc -n cms "+
		"data-directus-postgres-0; pass --storage-class with a class that provisions volumes))")
}

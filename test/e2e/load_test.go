package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-directus/kubectl-directus/pkg/load"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// The load tests run against a stand-in for a Directus release named "directus": the
// Deployment, Service and HPA carry the product's names. Its HPA has short windows (30 s
// each way, 2 pods per 15 s) so that rescales come within a couple of minutes. Pods
// request 100m CPU and 256Mi memory and use 30m and 100Mi until a test raises them.
//
// Under kwok the generator's pod runs no process: the Job is created, its pod is simulated
// and completes at once, and no request reaches anything. The load the HPA sees is the
// pod usage the test sets by hand, the simulation's stand-in for real traffic.
const loadRelease = `apiVersion: apps/v1
kind: Deployment
metadata: {name: directus-directus}
spec:
  replicas: 2
  selector: {matchLabels: {app: directus}}
  template:
    metadata:
      labels: {app: directus}
      annotations:
        kwok.x-k8s.io/usage-cpu: 30m
        kwok.x-k8s.io/usage-memory: 100Mi
    spec:
      containers:
      - name: directus
        image: registry.invalid/directus:1
        resources:
          requests: {cpu: 100m, memory: 256Mi}
---
apiVersion: v1
kind: Service
metadata: {name: directus-directus}
spec:
  selector: {app: directus}
  ports: [{name: http, port: 80, targetPort: 8055}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: directus-directus}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: directus-directus}
  minReplicas: 2
  maxReplicas: 6
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Resource
    resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 30
      policies: [{type: Pods, value: 2, periodSeconds: 15}]
    scaleDown:
      stabilizationWindowSeconds: 30
      policies: [{type: Pods, value: 2, periodSeconds: 15}]
`

// loadRun is the plugin running "load" in the background.
type loadRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan error
}

// startLoad starts the plugin binary with args against the cluster.
func startLoad(t *testing.T, c *cluster.Cluster, args ...string) *loadRun {
	t.Helper()
	run := &loadRun{done: make(chan error, 1)}
	run.cmd = exec.CommandContext(t.Context(), cluster.Plugin(t), append([]string{"load"},
		args...)...)
	run.cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
	run.cmd.Stdout, run.cmd.Stderr = &run.stdout, &run.stderr
	require.NoError(t, run.cmd.Start())
	go func() { run.done <- run.cmd.Wait() }()
	return run
}

// wait returns the run's exit error, failing the test if it takes longer than timeout.
func (r *loadRun) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-r.done:
		t.Logf("load stderr:\n%s", r.stderr.String())
		return err
	case <-time.After(timeout):
		_ = r.cmd.Process.Kill()
		t.Fatalf("load did not end within %s; stderr:\n%s", timeout, r.stderr.String())
		return nil
	}
}

func setUpRelease(t *testing.T, c *cluster.Cluster) string {
	t.Helper()
	ns := c.Namespace(t)
	c.Apply(t, ns, loadRelease)
	waitReadyPods(t, c, ns, "app=directus", 2)
	return ns
}

// waitLoadJob waits for the run's Job to exist and returns it.
func waitLoadJob(t *testing.T, c *cluster.Cluster, ns string) *batchv1.Job {
	t.Helper()
	var job *batchv1.Job
	c.WaitFor(t, time.Minute, "the load Job", func(ctx context.Context) (bool, error) {
		jobs, err := c.Client().BatchV1().Jobs(ns).List(ctx,
			metav1.ListOptions{LabelSelector: load.LeftoverSelector()})
		if err != nil || len(jobs.Items) == 0 {
			return false, err
		}
		job = &jobs.Items[0]
		return true, nil
	})
	return job
}

// assertNoLoadObjects checks that no Job or pod of any run is left in ns.
func assertNoLoadObjects(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	opts := metav1.ListOptions{LabelSelector: load.LeftoverSelector()}
	jobs, err := c.Client().BatchV1().Jobs(ns).List(t.Context(), opts)
	require.NoError(t, err)
	assert.Empty(t, jobs.Items, "load Jobs left")
	pods, err := c.Client().CoreV1().Pods(ns).List(t.Context(), opts)
	require.NoError(t, err)
	assert.Empty(t, pods.Items, "load pods left")
}

// TestLoadJobPerTool runs each tool for a short while and checks the Job's command line,
// its labels and its deletion at the end.
func TestLoadJobPerTool(t *testing.T) {
	c := cluster.Shared(t)
	ns := setUpRelease(t, c)
	url := "http://directus-directus." + ns + ".svc/server/ping"
	cases := []struct {
		args              []string
		command, wantArgs []string
		image             string
	}{
		{args: []string{"--tool", "wget", "-c", "4", "-d", "15s"}, image: "busybox:1.37",
			command: []string{"sh", "-c"}},
		{args: []string{"--tool", "ab", "-c", "5", "-d", "15s"}, image: "httpd:2.4-alpine",
			command:  []string{"ab"},
			wantArgs: []string{"-r", "-c", "5", "-t", "15", "-n", "1000000", url}},
		{args: []string{"--tool", "hey", "-c", "5", "--requests", "500", "--image",
			"registry.example/hey:1"}, image: "registry.example/hey:1",
			wantArgs: []string{"-c", "5", "-n", "500", url}},
	}
	for _, tc := range cases {
		t.Run(tc.args[1], func(t *testing.T) {
			run := startLoad(t, c, append(tc.args, "-n", ns, "--interval", "2s")...)
			job := waitLoadJob(t, c, ns)

			assert.Equal(t, "kubectl-directus", job.Labels[load.LabelManagedBy])
			assert.NotEmpty(t, job.Labels[load.LabelRun])
			container := job.Spec.Template.Spec.Containers[0]
			assert.Equal(t, tc.image, container.Image)
			if tc.command != nil {
				require.GreaterOrEqual(t, len(container.Command), len(tc.command))
				assert.Equal(t, tc.command, container.Command[:len(tc.command)])
			} else {
				assert.Empty(t, container.Command, "hey runs as the image's entrypoint")
			}
			if tc.wantArgs != nil {
				assert.Equal(t, tc.wantArgs, container.Args)
			}
			assert.Equal(t, url, container.Env[0].Value)

			require.NoError(t, run.wait(t, 2*time.Minute))
			assert.Contains(t, run.stdout.String(), "Load run "+job.Labels[load.LabelRun])
			assert.Contains(t, run.stderr.String(), "deleted 1 Job(s)")
			assertNoLoadObjects(t, c, ns)
		})
	}
}

// TestLoadInterruptCleansUp sends SIGINT while the load runs: the Job and its pods are
// deleted, the partial report is printed and the exit status is 1.
func TestLoadInterruptCleansUp(t *testing.T) {
	c := cluster.Shared(t)
	ns := setUpRelease(t, c)

	run := startLoad(t, c, "-n", ns, "-d", "10m", "-c", "3", "--interval", "2s")
	waitLoadJob(t, c, ns)
	time.Sleep(3 * time.Second) // let a sample or two be taken
	require.NoError(t, run.cmd.Process.Signal(syscall.SIGINT))

	err := run.wait(t, time.Minute)
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "exit error, got %v", err)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, run.stderr.String(), "error: interrupted after")
	assert.Contains(t, run.stdout.String(), "Load run ", "the partial report is printed")
	assertNoLoadObjects(t, c, ns)
}

// TestLoadCleanupFlag leaves a Job as an interrupted run would and removes it with
// --cleanup.
func TestLoadCleanupFlag(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	cfg := load.JobConfig{RunID: "feedbeef", Namespace: ns, Prefix: "directus",
		Tool: load.ToolWget, URL: "http://directus-directus." + ns + ".svc/", Concurrency: 1,
		Duration: time.Hour}
	job, err := load.BuildJob(cfg)
	require.NoError(t, err)
	_, err = c.Client().BatchV1().Jobs(ns).Create(t.Context(), job, metav1.CreateOptions{})
	require.NoError(t, err)

	stdout, stderr, err := c.Directus(t, "load", "--cleanup", "-n", ns)
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "job "+ns+"/directus-load-feedbeef deleted")
	assertNoLoadObjects(t, c, ns)
}

// usageKeeper holds the CPU usage of every Directus pod at a level, new pods included,
// until stopped: the simulation's stand-in for load that follows the traffic.
type usageKeeper struct {
	cpu  atomic.Value // string
	stop chan struct{}
	done chan struct{}
}

func keepUsage(t *testing.T, c *cluster.Cluster, ns, cpu string) *usageKeeper {
	k := &usageKeeper{stop: make(chan struct{}), done: make(chan struct{})}
	k.cpu.Store(cpu)
	go func() {
		defer close(k.done)
		ticker := time.NewTicker(2 * time.Second)
		defer ticker.Stop()
		for {
			k.apply(t, c, ns)
			select {
			case <-k.stop:
				return
			case <-ticker.C:
			}
		}
	}()
	t.Cleanup(k.close)
	return k
}

func (k *usageKeeper) apply(t *testing.T, c *cluster.Cluster, ns string) {
	pods, err := c.Client().CoreV1().Pods(ns).List(context.Background(),
		metav1.ListOptions{LabelSelector: "app=directus"})
	if err != nil {
		return
	}
	want := k.cpu.Load().(string)
	patch := `{"metadata":{"annotations":{"` + cluster.UsageCPUAnnotation + `":"` + want + `"}}}`
	for _, pod := range pods.Items {
		if pod.Annotations[cluster.UsageCPUAnnotation] == want || pod.DeletionTimestamp != nil {
			continue
		}
		_, err := c.Client().CoreV1().Pods(ns).Patch(context.Background(), pod.Name,
			types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		if err != nil {
			t.Logf("setting usage of pod %s: %v", pod.Name, err) // the next tick retries
		}
	}
}

func (k *usageKeeper) close() {
	select {
	case <-k.stop:
	default:
		close(k.stop)
	}
	<-k.done
}

// TestLoadReportsRealRescales raises the pods' CPU usage from 30 % to 200 % of their
// request once the load starts and drops it back to 30 % when the load stops, then checks
// that the live view and the report show the rescales the real controller made, at the
// times of its events, and that the report's arithmetic agrees with the controller: the
// first scale-up and the scale-down come inside the windows the HPA's behavior allows.
func TestLoadReportsRealRescales(t *testing.T) {
	c := cluster.Shared(t)
	ns := setUpRelease(t, c)
	c.WaitHPA(t, ns, "directus-directus", 3*time.Minute, hpaHasCPU)

	run := startLoad(t, c, "-n", ns, "-d", "150s", "-c", "2", "--interval", "2s",
		"--observe-scale-down", "--scale-down-timeout", "5m", "-o", "json")
	waitLoadJob(t, c, ns)
	keeper := keepUsage(t, c, ns, "200m")
	waitLoadJobGone(t, c, ns, 4*time.Minute)
	keeper.cpu.Store("30m")

	require.NoError(t, run.wait(t, 7*time.Minute))
	keeper.close()
	var rep load.Report
	require.NoError(t, json.Unmarshal(run.stdout.Bytes(), &rep), run.stdout.String())

	checkRescalesMatchEvents(t, c, ns, &rep)
	checkLiveView(t, run.stderr.String(), &rep)
	checkVerdicts(t, &rep)
}

// hpaHasCPU waits for the controller's first cpu value, so the run starts from a known
// utilization.
func hpaHasCPU(h *autoscalingv2.HorizontalPodAutoscaler) bool {
	for _, m := range h.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Current.AverageUtilization != nil {
			return true
		}
	}
	return false
}

func waitLoadJobGone(t *testing.T, c *cluster.Cluster, ns string, timeout time.Duration) {
	t.Helper()
	c.WaitFor(t, timeout, "the load Job to be deleted", func(ctx context.Context) (bool, error) {
		jobs, err := c.Client().BatchV1().Jobs(ns).List(ctx,
			metav1.ListOptions{LabelSelector: load.LeftoverSelector()})
		return err == nil && len(jobs.Items) == 0, err
	})
}

// checkRescalesMatchEvents compares the report's rescales with the controller's
// SuccessfulRescale events, read independently: same sizes, same times to the second.
func checkRescalesMatchEvents(t *testing.T, c *cluster.Cluster, ns string, rep *load.Report) {
	t.Helper()
	events, err := c.Client().CoreV1().Events(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	var want []string
	for _, ev := range events.Items {
		if ev.Reason == "SuccessfulRescale" && ev.InvolvedObject.Name == "directus-directus" {
			want = append(want, ev.LastTimestamp.UTC().Format(time.TimeOnly)+" "+
				strings.SplitN(ev.Message, ";", 2)[0])
		}
	}
	var got []string
	for _, r := range rep.Rescales {
		got = append(got, r.At.UTC().Truncate(time.Second).Format(time.TimeOnly)+
			" New size: "+strconv.Itoa(int(r.To)))
	}
	t.Logf("controller events: %v", want)
	assert.ElementsMatch(t, want, got)
	require.NotEmpty(t, got, "the controller rescaled during the run")
}

func checkLiveView(t *testing.T, stderr string, rep *load.Report) {
	t.Helper()
	for _, r := range rep.Rescales {
		verb := "scaled down"
		if r.Up() {
			verb = "scaled up"
		}
		line := verb + " " + strconv.Itoa(int(r.From)) + " -> " + strconv.Itoa(int(r.To))
		assert.Contains(t, stderr, line)
	}
	assert.Regexp(t, `cpu (19\d|20\d)%/70%`, stderr, "the live view shows the raised usage")
	assert.Contains(t, stderr, "memory 39%/80%")
}

func checkVerdicts(t *testing.T, rep *load.Report) {
	t.Helper()
	require.NotNil(t, rep.Analysis)
	require.NotNil(t, rep.Crossing, "the threshold was crossed")
	assert.Equal(t, "cpu", rep.Crossing.Metric)
	require.NotNil(t, rep.ScaleUp)
	t.Logf("first scale-up %d -> %d, %.0fs after the crossing, expected %s: %s",
		rep.ScaleUp.Rescale.From, rep.ScaleUp.Rescale.To, rep.ScaleUp.Delay,
		rep.ScaleUp.Expected, rep.ScaleUp.Verdict)
	assert.Equal(t, load.VerdictOnTime, rep.ScaleUp.Verdict, rep.ScaleUp.Why)
	assert.Equal(t, int32(2), rep.ScaleUp.Rescale.From)
	assert.Equal(t, int32(4), rep.ScaleUp.Rescale.To, "2 pods per 15 s")

	assert.Equal(t, int32(6), rep.Peak.Replicas)
	assert.True(t, rep.Peak.LimitedByMax, "200 %% on 6 pods wants 18")

	d := rep.ScaleDown
	require.NotNil(t, d)
	require.NotNil(t, d.FirstDown)
	t.Logf("first scale-down %.0fs after calm, expected %s: %s; back at min %.0fs after "+
		"the load, expected %v: %s", d.FirstDown.Delay, d.FirstDown.Expected,
		d.FirstDown.Verdict, d.SecondsAfterLoad, d.Expected, d.Verdict)
	assert.Equal(t, load.VerdictOnTime, d.FirstDown.Verdict, d.FirstDown.Why)
	require.NotNil(t, d.ReturnedAt)
	assert.Equal(t, load.VerdictOnTime, d.Verdict)
}

package load

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// fakeSource records calls; it finishes (or fails) after finishAfter when set.
type fakeSource struct {
	mu          sync.Mutex
	started     time.Time
	finishAfter time.Duration
	fail        bool
	stops       int
	stopCtxErr  error
}

func (s *fakeSource) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = time.Now()
	return nil
}

func (s *fakeSource) State(context.Context) (SourceState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finishAfter > 0 && time.Since(s.started) >= s.finishAfter {
		return SourceState{Finished: true, Failed: s.fail, Message: "source ended"}, nil
	}
	return SourceState{Message: "running"}, nil
}

func (s *fakeSource) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stops++
	s.stopCtxErr = ctx.Err()
	return nil
}

// recorder is a Watcher that keeps what it was told.
type recorder struct {
	mu       sync.Mutex
	notices  []string
	samples  int
	rescales []Rescale
}

func (r *recorder) Notice(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, fmt.Sprintf(format, args...))
}

func (r *recorder) Sample(Sample, HPASpec, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples++
}

func (r *recorder) Rescale(rs Rescale) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rescales = append(r.rescales, rs)
}

func newTestRunner(src Source, duration time.Duration) (*Runner, *recorder) {
	client := fake.NewClientset(testHPAObject(30))
	rec := &recorder{}
	return &Runner{Source: src, Observer: NewObserver(client, testNS, testHPA, time.Now()),
		Report: &Report{RunID: "r1"}, Duration: duration, Interval: 10 * time.Millisecond,
		Watch: rec}, rec
}

func TestRunnerEndsAfterDuration(t *testing.T) {
	src := &fakeSource{}
	r, rec := newTestRunner(src, 100*time.Millisecond)

	rep, err := r.Run(t.Context())

	require.NoError(t, err)
	assert.Equal(t, 1, src.stops)
	loadTime := rep.LoadEnd.Sub(rep.LoadStart)
	assert.GreaterOrEqual(t, loadTime, 100*time.Millisecond)
	assert.Less(t, loadTime, 600*time.Millisecond, "scheduling on a busy machine may add some")
	assert.Greater(t, len(rep.Series), 3, "a baseline and samples every 10 ms")
	assert.Equal(t, len(rep.Series), rec.samples)
	require.NotNil(t, rep.HPA)
	assert.Equal(t, int32(10), rep.HPA.MaxReplicas)
	assert.False(t, rep.Interrupted)
}

func TestRunnerStopsOnInterrupt(t *testing.T) {
	src := &fakeSource{}
	r, _ := newTestRunner(src, time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 80*time.Millisecond)
	defer cancel()

	rep, err := r.Run(ctx)

	require.ErrorIs(t, err, ErrInterrupted)
	require.NotNil(t, rep, "an interrupted run still reports what it saw")
	assert.True(t, rep.Interrupted)
	assert.Equal(t, 1, src.stops)
	assert.NoError(t, src.stopCtxErr, "cleanup runs on a fresh context")
}

func TestRunnerGeneratorFailureEndsLoad(t *testing.T) {
	src := &fakeSource{finishAfter: 30 * time.Millisecond, fail: true}
	r, _ := newTestRunner(src, time.Hour)

	rep, err := r.Run(t.Context())

	require.NoError(t, err)
	assert.Less(t, rep.LoadEnd.Sub(rep.LoadStart), time.Second)
	assert.Contains(t, rep.Notes, "source ended")
}

func TestRunnerEarlyFinishKeepsWatching(t *testing.T) {
	src := &fakeSource{finishAfter: 20 * time.Millisecond}
	r, rec := newTestRunner(src, 400*time.Millisecond)

	rep, err := r.Run(t.Context())

	require.NoError(t, err)
	assert.GreaterOrEqual(t, rep.LoadEnd.Sub(rep.LoadStart), 400*time.Millisecond)
	require.Len(t, rep.Notes, 1, "noted once")
	assert.Contains(t, rep.Notes[0], "before the 400ms duration ended")
	assert.Contains(t, rec.notices, rep.Notes[0])
}

func TestRunnerRequestModeEndsWithSource(t *testing.T) {
	src := &fakeSource{finishAfter: 30 * time.Millisecond}
	r, _ := newTestRunner(src, 0)

	rep, err := r.Run(t.Context())

	require.NoError(t, err)
	assert.Equal(t, "source ended", rep.Generator)
}

func TestRunnerMissingHPA(t *testing.T) {
	src := &fakeSource{}
	r := &Runner{Source: src, Observer: NewObserver(fake.NewClientset(), testNS, "x", time.Now()),
		Report: &Report{}, Duration: time.Second, Watch: &recorder{}}
	_, err := r.Run(t.Context())
	assert.ErrorContains(t, err, "reading HorizontalPodAutoscaler web/x")
	assert.Zero(t, src.stops, "nothing was started")
}

func TestRunnerScaleDownStopsAtMin(t *testing.T) {
	src := &fakeSource{}
	r, _ := newTestRunner(src, 30*time.Millisecond)
	r.ObserveScaleDown = true

	rep, err := r.Run(t.Context())

	require.NoError(t, err)
	assert.True(t, rep.WatchedScaleDown)
	require.NotNil(t, rep.ScaleDown, "the fake HPA sits at min 2, so the watch ends at once")
	assert.Less(t, rep.End.Sub(rep.LoadEnd), time.Second)
}

// TestJobSourceLifecycle runs the Job source against the fake clientset: the Job is
// created with the run's labels, a pod of the run counts as started once it leaves
// Pending, and Stop deletes both.
func TestJobSourceLifecycle(t *testing.T) {
	cfg := jobConfig(ToolHey)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: cfg.JobName() + "-x",
		Namespace: cfg.Namespace, Labels: RunLabels(cfg.RunID)},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	client := fake.NewClientset(pod)
	src := &JobSource{Client: client, Config: cfg, StartTimeout: 5 * time.Second}

	require.NoError(t, src.Start(t.Context()))
	job, err := client.BatchV1().Jobs(cfg.Namespace).Get(t.Context(), cfg.JobName(),
		metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, cfg.RunID, job.Labels[LabelRun])

	state, err := src.State(t.Context())
	require.NoError(t, err)
	assert.False(t, state.Finished)

	job.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailed,
		Status: corev1.ConditionTrue, Reason: "DeadlineExceeded"}}
	_, err = client.BatchV1().Jobs(cfg.Namespace).UpdateStatus(t.Context(), job,
		metav1.UpdateOptions{})
	require.NoError(t, err)
	state, err = src.State(t.Context())
	require.NoError(t, err)
	assert.True(t, state.Failed)
	assert.Contains(t, state.Message, "DeadlineExceeded")

	require.NoError(t, src.Stop(t.Context()))
	assert.Equal(t, []string{"web/directus-load-0a1b2c3d"}, src.Removed.Jobs)
	assert.Equal(t, []string{"web/directus-load-0a1b2c3d-x"}, src.Removed.Pods)
	require.NoError(t, src.Stop(t.Context()), "stopping twice is harmless")
}

func TestJobSourceStartTimeoutSaysWhy(t *testing.T) {
	cfg := jobConfig(ToolAB)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: cfg.Namespace,
		Labels: RunLabels(cfg.RunID)},
		Status: corev1.PodStatus{Phase: corev1.PodPending,
			ContainerStatuses: []corev1.ContainerStatus{{
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
					Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}}}}}
	src := &JobSource{Client: fake.NewClientset(pod), Config: cfg,
		StartTimeout: 1500 * time.Millisecond}

	err := src.Start(t.Context())
	assert.ErrorContains(t, err,
		"did not start within 1.5s (ImagePullBackOff Back-off pulling image)")
	assert.ErrorContains(t, err, "--image")
}

func TestDeleteLeftoversKeepsOtherObjects(t *testing.T) {
	mine := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "a-load-1", Namespace: "x",
		Labels: RunLabels("1")}}
	other := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "directus-bootstrap",
		Namespace: "x", Labels: map[string]string{LabelManagedBy: ManagedBy}}}
	client := fake.NewClientset(mine, other)

	removed, err := DeleteLeftovers(t.Context(), client, "")
	require.NoError(t, err)

	assert.Equal(t, []string{"x/a-load-1"}, removed.Jobs)
	_, err = client.BatchV1().Jobs("x").Get(t.Context(), "directus-bootstrap", metav1.GetOptions{})
	assert.NoError(t, err, "a Job of the deploy verb is not a leftover")
}

func TestClockOffset(t *testing.T) {
	local := time.Date(2026, 1, 1, 0, 0, 10, 300e6, time.UTC)
	assert.Zero(t, clockOffset(local.Truncate(time.Second), local, local),
		"rounding of server times is not an offset")
	assert.Equal(t, 30*time.Second, clockOffset(local.Add(30*time.Second).Truncate(time.Second),
		local, local))
	assert.Equal(t, -5*time.Second, clockOffset(local.Add(-5*time.Second).Truncate(time.Second),
		local, local))
}

func TestRunnerTimeoutStopsRequestRun(t *testing.T) {
	src := &fakeSource{}
	r, _ := newTestRunner(src, 0)
	r.Timeout = 60 * time.Millisecond

	rep, err := r.Run(t.Context())

	require.NoError(t, err)
	assert.Equal(t, 1, src.stops, "the generator is stopped and cleaned up on timeout")
	assert.Contains(t, rep.Notes, "the load was stopped by the 60ms timeout")
	assert.Less(t, rep.LoadEnd.Sub(rep.LoadStart), time.Second)
}

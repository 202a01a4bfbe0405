package load

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// Source is a load generator the Runner starts, polls and stops.
type Source interface {
	// Start begins the load and returns once it is running.
	Start(ctx context.Context) error
	// State reports whether the generator has ended on its own, and how.
	State(ctx context.Context) (SourceState, error)
	// Stop ends the load and removes whatever Start created. It must be safe to call after
	// a failed Start and more than once.
	Stop(ctx context.Context) error
}

// SourceState is what a generator is doing.
type SourceState struct {
	Finished bool
	Failed   bool
	// Message says how it ended, or what it has done so far.
	Message string
}

// DefaultStartTimeout bounds the wait for the generator's pod to start (image pull
// included).
const DefaultStartTimeout = 5 * time.Minute

// minClockOffset is the smallest difference between the cluster's clock and ours that is
// corrected for; below it the estimate is mostly the one-second rounding of server times.
const minClockOffset = 2 * time.Second

// JobSource runs the generator as a Job in the cluster.
type JobSource struct {
	Client       kubernetes.Interface
	Config       JobConfig
	StartTimeout time.Duration

	// ClockOffset is the cluster's clock minus ours, estimated from the Job's creation
	// time; zero when below minClockOffset.
	ClockOffset time.Duration
	// Removed lists what Stop deleted.
	Removed Removed
}

// Start creates the Job and waits until its pod runs (or has already finished).
func (s *JobSource) Start(ctx context.Context) error {
	job, err := BuildJob(s.Config)
	if err != nil {
		return err
	}

	before := time.Now()
	created, err := s.Client.BatchV1().Jobs(job.Namespace).Create(ctx, job, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating load Job %s/%s: %w", job.Namespace, job.Name, err)
	}
	s.ClockOffset = clockOffset(created.CreationTimestamp.Time, before, time.Now())
	klog.V(2).Infof("created Job %s/%s, cluster clock offset %s", job.Namespace, job.Name,
		s.ClockOffset)
	return s.waitStarted(ctx)
}

// clockOffset compares a server time (whole seconds) with the middle of the local call.
func clockOffset(server, before, after time.Time) time.Duration {
	local := before.Add(after.Sub(before) / 2)
	offset := server.Add(500 * time.Millisecond).Sub(local)
	if absDuration(offset) < minClockOffset {
		return 0
	}
	return offset.Round(time.Second)
}

func (s *JobSource) waitStarted(ctx context.Context) error {
	timeout := s.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	var last string
	err := wait.PollUntilContextTimeout(ctx, time.Second, timeout, true,
		func(ctx context.Context) (bool, error) {
			started, why, err := s.podStarted(ctx)
			last = why
			return started, err
		})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("the load pod of Job %s/%s did not start within %s (%s): check "+
			"the image with --image and the pod's events", s.Config.Namespace,
			s.Config.JobName(), timeout, last)
	}
	return err
}

// podStarted reports whether the run's pod has left Pending, and otherwise why it waits.
func (s *JobSource) podStarted(ctx context.Context) (bool, string, error) {
	pods, err := s.Client.CoreV1().Pods(s.Config.Namespace).List(ctx,
		metav1.ListOptions{LabelSelector: runSelector(s.Config.RunID)})
	if err != nil {
		return false, "", fmt.Errorf("listing the load pod: %w", err)
	}
	if len(pods.Items) == 0 {
		return false, "no pod yet", nil
	}
	pod := &pods.Items[0]
	if pod.Status.Phase != corev1.PodPending {
		return true, "", nil
	}
	return false, waitingReason(pod), nil
}

func waitingReason(pod *corev1.Pod) string {
	for _, c := range pod.Status.ContainerStatuses {
		if w := c.State.Waiting; w != nil && w.Reason != "" {
			return strings.TrimSpace(w.Reason + " " + w.Message)
		}
	}
	for _, c := range pod.Status.Conditions {
		if c.Status == corev1.ConditionFalse && c.Reason != "" {
			return c.Reason + ": " + c.Message
		}
	}
	return "pod " + pod.Name + " is Pending"
}

// State reads the Job's conditions.
func (s *JobSource) State(ctx context.Context) (SourceState, error) {
	job, err := s.Client.BatchV1().Jobs(s.Config.Namespace).Get(ctx, s.Config.JobName(),
		metav1.GetOptions{})
	if err != nil {
		return SourceState{}, fmt.Errorf("reading load Job %s/%s: %w", s.Config.Namespace,
			s.Config.JobName(), err)
	}
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return SourceState{Finished: true, Message: "the generator Job completed"}, nil
		case batchv1.JobFailed:
			return SourceState{Finished: true, Failed: true,
				Message: "the generator Job failed: " + c.Reason + " " + c.Message}, nil
		}
	}
	return SourceState{}, nil
}

// Stop deletes the Job and its pods.
func (s *JobSource) Stop(ctx context.Context) error {
	removed, err := DeleteRun(ctx, s.Client, s.Config.Namespace, s.Config.RunID)
	s.Removed.Jobs = append(s.Removed.Jobs, removed.Jobs...)
	s.Removed.Pods = append(s.Removed.Pods, removed.Pods...)
	return err
}

// LocalSource runs the in-process generator.
type LocalSource struct {
	Generator *Generator

	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}
	result *LocalResult
}

// Start launches the generator's workers.
func (s *LocalSource) Start(ctx context.Context) error {
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		s.result = s.Generator.Run(ctx)
	}()
	return nil
}

// State reports the generator's progress, and whether it has ended.
func (s *LocalSource) State(context.Context) (SourceState, error) {
	p := s.Generator.Progress()
	msg := fmt.Sprintf("%d requests, %d errors", p.Requests, p.Errors)
	if p.Elapsed > 0 {
		msg += fmt.Sprintf(", %.0f/s", float64(p.Requests)/p.Elapsed.Seconds())
	}
	select {
	case <-s.done:
		return SourceState{Finished: true, Message: msg}, nil
	default:
		return SourceState{Message: msg}, nil
	}
}

// Stop ends the generator and waits for its workers.
func (s *LocalSource) Stop(context.Context) error {
	s.once.Do(func() {
		if s.cancel != nil {
			s.cancel()
			<-s.done
		}
	})
	return nil
}

// Done is closed when the generator has ended on its own.
func (s *LocalSource) Done() <-chan struct{} { return s.done }

// Result is what the generator measured; nil before Stop.
func (s *LocalSource) Result() *LocalResult { return s.result }

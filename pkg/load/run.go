package load

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/klog/v2"
)

// DefaultInterval is how often the observer samples the HPA.
const DefaultInterval = 5 * time.Second

// DefaultScaleDownTimeout bounds the watch after the load with --observe-scale-down: the
// product's 600 s window plus eight 120 s steps is 26 minutes, and a few syncs more.
const DefaultScaleDownTimeout = 30 * time.Minute

// ErrInterrupted is returned, with the partial report, when the run's context is cancelled.
var ErrInterrupted = errors.New("interrupted")

// Watcher is told what happens during a run: the live view.
type Watcher interface {
	Notice(format string, args ...any)
	Sample(s Sample, spec HPASpec, generator string)
	Rescale(r Rescale)
}

// Runner drives one load run: it starts the source, samples the HPA while the load lasts,
// stops the source (also when interrupted), keeps sampling for the scale-down if asked, and
// builds the report.
type Runner struct {
	Source Source
	// Observer watches the HPA; nil runs the load without watching one.
	Observer *Observer
	// Report is filled in: the caller sets the description of the run.
	Report *Report
	// Duration ends the load phase after this long; zero waits for the source to finish,
	// bounded by Timeout.
	Duration time.Duration
	Timeout  time.Duration
	Interval time.Duration
	// ObserveScaleDown keeps sampling after the load until replicas are back at
	// minReplicas, bounded by ScaleDownTimeout.
	ObserveScaleDown bool
	ScaleDownTimeout time.Duration
	Watch            Watcher
}

// Run executes the run and returns its report. On cancellation the report covers what was
// seen and the error is ErrInterrupted; the source is stopped in every case.
func (r *Runner) Run(ctx context.Context) (*Report, error) {
	r.defaults()
	rep := r.Report
	rep.Start = time.Now()
	if err := r.baseline(ctx); err != nil {
		return nil, err
	}

	if err := r.Source.Start(ctx); err != nil {
		stopErr := r.stop(ctx)
		if ctx.Err() != nil {
			err = fmt.Errorf("%w while starting the generator", ErrInterrupted)
		}
		return nil, errors.Join(err, stopErr)
	}
	rep.LoadStart = time.Now()
	if js, ok := r.Source.(*JobSource); ok && r.Observer != nil {
		r.Observer.SetClockOffset(js.ClockOffset)
		rep.ClockOffsetSeconds = js.ClockOffset.Seconds()
	}

	loadErr := r.loadPhase(ctx)
	stopErr := r.stop(ctx)
	rep.LoadEnd = time.Now()
	r.Watch.Notice("load stopped after %s", rep.LoadEnd.Sub(rep.LoadStart).Round(time.Second))

	if loadErr == nil && stopErr == nil && r.ObserveScaleDown && r.Observer != nil {
		rep.WatchedScaleDown = true
		loadErr = r.scaleDownPhase(ctx)
	}
	r.finish()
	return rep, r.outcome(ctx, loadErr, stopErr)
}

func (r *Runner) defaults() {
	if r.Interval <= 0 {
		r.Interval = DefaultInterval
	}
	if r.ScaleDownTimeout <= 0 {
		r.ScaleDownTimeout = DefaultScaleDownTimeout
	}
	r.Report.IntervalSeconds = r.Interval.Seconds()
	r.Report.SyncPeriodSeconds = DefaultSyncPeriod.Seconds()
}

// baseline takes the first sample before any load, which also proves the HPA is readable.
func (r *Runner) baseline(ctx context.Context) error {
	if r.Observer == nil {
		return nil
	}
	s, _, err := r.Observer.Sample(ctx)
	if err != nil {
		return err
	}
	spec := r.Observer.Spec()
	r.Report.HPA = &spec
	r.Watch.Sample(s, spec, "")
	return nil
}

// loadPhase samples until the load ends: the duration passed, the source finished (or
// failed), the timeout passed or the context was cancelled.
func (r *Runner) loadPhase(ctx context.Context) error {
	deadline, timeout := after(r.Duration), after(r.Timeout)
	ticker := time.NewTicker(r.Interval)
	defer ticker.Stop()
	var ended <-chan struct{}
	if d, ok := r.Source.(interface{ Done() <-chan struct{} }); ok {
		ended = d.Done()
	}

	warnedEarly := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return nil
		case <-timeout:
			r.note(fmt.Sprintf("the load was stopped by the %s timeout", r.Timeout))
			return nil
		case <-ticker.C:
		case <-ended:
			ended = nil // checked below like a tick; a closed channel must not spin
		}
		if r.tick(ctx, &warnedEarly) {
			return nil
		}
	}
}

// after is time.After for a positive d, and a channel that never fires otherwise.
func after(d time.Duration) <-chan time.Time {
	if d <= 0 {
		return nil
	}
	return time.After(d)
}

// tick takes a sample with the generator's state and reports whether the load has ended.
func (r *Runner) tick(ctx context.Context, warnedEarly *bool) bool {
	state, err := r.Source.State(ctx)
	if err != nil {
		klog.V(2).Infof("reading the generator's state: %v", err)
	}
	r.sample(ctx, state.Message)
	return r.sourceEnded(state, warnedEarly)
}

// endSlack is how much before the duration's end a generator may finish and still count
// as having run the whole duration (its own clock started a moment before ours).
const endSlack = 100 * time.Millisecond

// sourceEnded decides whether the generator's own end ends the load phase: a failure
// does, and so does the end of a run bounded by a request count. With a duration the
// phase lasts the duration; a generator that finished well before it is noted once: under a
// simulated cluster the generator's pod completes at once while usage is set by hand.
func (r *Runner) sourceEnded(state SourceState, warnedEarly *bool) bool {
	switch {
	case !state.Finished:
		return false
	case state.Failed:
		r.note(state.Message)
		return true
	case r.Duration == 0:
		r.Report.Generator = state.Message
		return true
	}

	r.Report.Generator = state.Message
	elapsed := time.Since(r.Report.LoadStart)
	if !*warnedEarly && elapsed < r.Duration-endSlack {
		*warnedEarly = true
		r.note(fmt.Sprintf("%s %s after the start, before the %s duration ended; the "+
			"watch goes on", state.Message, elapsed.Round(time.Second), r.Duration))
	}
	return false
}

// scaleDownPhase samples until replicas are back at minReplicas.
func (r *Runner) scaleDownPhase(ctx context.Context) error {
	spec := r.Observer.Spec()
	r.Watch.Notice("watching the scale-down to %d replicas (up to %s)", spec.MinReplicas,
		r.ScaleDownTimeout)
	timeout := after(r.ScaleDownTimeout)
	ticker := time.NewTicker(r.Interval)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			r.note(fmt.Sprintf("replicas were not back at %d within %s", spec.MinReplicas,
				r.ScaleDownTimeout))
			return nil
		case <-ticker.C:
		}
		s, ok := r.sample(ctx, "")
		if ok && s.CurrentReplicas <= spec.MinReplicas && s.DesiredReplicas <= spec.MinReplicas {
			return nil
		}
	}
}

// sample takes one sample and shows it with any new rescales; a failed read is shown and
// skipped.
func (r *Runner) sample(ctx context.Context, generator string) (Sample, bool) {
	if r.Observer == nil {
		r.Watch.Sample(Sample{At: time.Now(), Seconds: time.Since(r.Report.Start).Seconds(),
			ReadyPods: -1}, HPASpec{}, generator)
		return Sample{}, false
	}
	s, rescales, err := r.Observer.Sample(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.Watch.Notice("sample skipped: %v", err)
		}
		return Sample{}, false
	}
	for _, rs := range rescales {
		r.Watch.Rescale(rs) // each happened before the sample that revealed it
	}
	r.Watch.Sample(s, r.Observer.Spec(), generator)
	return s, true
}

// stop stops the source on a fresh, short context, so that an interrupted run still cleans
// up.
func (r *Runner) stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
	defer cancel()

	err := r.Source.Stop(ctx)
	switch src := r.Source.(type) {
	case *JobSource:
		r.Report.Cleanup = &src.Removed
		r.Watch.Notice("deleted %d Job(s) and %d pod(s)", len(src.Removed.Jobs),
			len(src.Removed.Pods))
	case *LocalSource:
		r.Report.Local = src.Result()
	}
	if err != nil {
		return fmt.Errorf("cleaning up the load generator: %w", err)
	}
	return nil
}

func (r *Runner) note(msg string) {
	r.Report.Notes = append(r.Report.Notes, msg)
	r.Watch.Notice("%s", msg)
}

// finish copies the series into the report and applies the arithmetic.
func (r *Runner) finish() {
	rep := r.Report
	rep.End = time.Now()
	if r.Observer != nil {
		rep.Series, rep.Rescales = r.Observer.Series(), r.Observer.Rescales()
		spec := r.Observer.Spec()
		rep.HPA = &spec
	}
	if rep.Rescales == nil {
		rep.Rescales = []Rescale{}
	}
	if rep.Series == nil {
		rep.Series = []Sample{}
	}
	if rep.HPA != nil {
		a := Analyze(rep.Timeline())
		rep.Analysis = &a
	}
}

func (r *Runner) outcome(ctx context.Context, loadErr, stopErr error) error {
	if ctx.Err() != nil {
		r.Report.Interrupted = true
		return errors.Join(fmt.Errorf("%w after %s", ErrInterrupted,
			time.Since(r.Report.Start).Round(time.Second)), stopErr)
	}
	return errors.Join(loadErr, stopErr)
}

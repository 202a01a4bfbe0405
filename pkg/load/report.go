package load

import "time"

// Report is the outcome of one load run: what ran, what the HPA did, and the judgement.
// -o json and -o yaml print it whole, time series included.
type Report struct {
	RunID     string `json:"runID"`
	Namespace string `json:"namespace,omitempty"`
	// Mode is "cluster" for the in-cluster Job, "local" for the in-process generator.
	Mode        string  `json:"mode"`
	Tool        string  `json:"tool,omitempty"`
	Image       string  `json:"image,omitempty"`
	Job         string  `json:"job,omitempty"`
	URL         string  `json:"url"`
	Concurrency int     `json:"concurrency"`
	Duration    float64 `json:"durationSeconds,omitempty"`
	Requests    int64   `json:"requests,omitempty"`

	Start     time.Time `json:"start"`
	LoadStart time.Time `json:"loadStart"`
	LoadEnd   time.Time `json:"loadEnd"`
	End       time.Time `json:"end"`
	// Generator says how the generator ended; Local holds the in-process measurements.
	Generator string       `json:"generator,omitempty"`
	Local     *LocalResult `json:"local,omitempty"`
	// Cleanup lists what was deleted at the end.
	Cleanup *Removed `json:"cleanup,omitempty"`

	// HPA is nil when no HPA was watched.
	HPA               *HPASpec `json:"hpa,omitempty"`
	IntervalSeconds   float64  `json:"sampleIntervalSeconds"`
	SyncPeriodSeconds float64  `json:"assumedSyncPeriodSeconds"`
	// ClockOffsetSeconds is the cluster's clock minus ours, corrected for in every time.
	ClockOffsetSeconds float64 `json:"clockOffsetSeconds,omitempty"`
	WatchedScaleDown   bool    `json:"watchedScaleDown"`
	// Analysis is the judgement; nil when no HPA was watched.
	*Analysis
	Rescales []Rescale `json:"rescales"`
	Series   []Sample  `json:"series"`

	// Interrupted is set when the run was cancelled before its end.
	Interrupted bool     `json:"interrupted,omitempty"`
	Notes       []string `json:"notes,omitempty"`
}

// Timeline returns the report's inputs to the arithmetic.
func (r *Report) Timeline() Timeline {
	tl := Timeline{LoadStart: r.LoadStart, LoadEnd: r.LoadEnd, Series: r.Series,
		Rescales: r.Rescales, Interval: fromSeconds(r.IntervalSeconds),
		SyncPeriod: fromSeconds(r.SyncPeriodSeconds), WatchedScaleDown: r.WatchedScaleDown}
	if r.HPA != nil {
		tl.Spec = *r.HPA
	}
	return tl
}

func fromSeconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

package metrics

import (
	"fmt"
	"time"
)

// Default values of the kube-controller-manager flags that shape the HPA's arithmetic.
const (
	DefaultSyncPeriod              = 15 * time.Second
	DefaultTolerance               = 0.1
	DefaultDownscaleStabilization  = 5 * time.Minute
	DefaultCPUInitializationPeriod = 5 * time.Minute
	DefaultInitialReadinessDelay   = 30 * time.Second
	DefaultEventTTL                = time.Hour
)

// Knob names a controller-wide setting that the API does not expose.
type Knob string

// The knobs, named after the flag that sets them.
const (
	KnobSyncPeriod              Knob = "--horizontal-pod-autoscaler-sync-period"
	KnobTolerance               Knob = "--horizontal-pod-autoscaler-tolerance"
	KnobDownscaleStabilization  Knob = "--horizontal-pod-autoscaler-downscale-stabilization"
	KnobCPUInitializationPeriod Knob = "--horizontal-pod-autoscaler-cpu-initialization-period"
	KnobInitialReadinessDelay   Knob = "--horizontal-pod-autoscaler-initial-readiness-delay"
	KnobEventTTL                Knob = "--event-ttl"
)

// Settings holds the controller-wide knobs. A zero field means "not known": the controller's
// default is used and the decision records that it assumed it. The controller itself also
// replaces a zero tolerance with the default, so zero cannot be asked for.
type Settings struct {
	SyncPeriod              time.Duration
	Tolerance               float64
	DownscaleStabilization  time.Duration
	CPUInitializationPeriod time.Duration
	InitialReadinessDelay   time.Duration
	// EventTTL is kube-apiserver's --event-ttl: how long rescale events stay readable.
	EventTTL time.Duration
	// PodLevelResourcesOff turns off the PodLevelResources feature gate (on by default in
	// 1.37), so pod-level requests are ignored as older controllers do.
	PodLevelResourcesOff bool
}

// Assumption records a knob whose default value was used because the real one is unknown.
type Assumption struct {
	Knob  Knob   `json:"knob"`
	Value string `json:"value"`
}

// String reads as "tolerance 0.1 (assuming default --horizontal-pod-autoscaler-tolerance)".
func (a Assumption) String() string {
	return fmt.Sprintf("%s (assuming default %s)", a.Value, a.Knob)
}

// resolved is Settings with every default filled in and a record of which were assumed.
type resolved struct {
	Settings
	defaulted map[Knob]bool
}

func (s Settings) resolve() resolved {
	r := resolved{Settings: s, defaulted: map[Knob]bool{}}
	fill := func(knob Knob, isZero bool, apply func()) {
		if isZero {
			apply()
			r.defaulted[knob] = true
		}
	}
	fill(KnobSyncPeriod, s.SyncPeriod <= 0, func() { r.SyncPeriod = DefaultSyncPeriod })
	fill(KnobTolerance, s.Tolerance <= 0, func() { r.Tolerance = DefaultTolerance })
	fill(KnobDownscaleStabilization, s.DownscaleStabilization <= 0,
		func() { r.DownscaleStabilization = DefaultDownscaleStabilization })
	fill(KnobCPUInitializationPeriod, s.CPUInitializationPeriod <= 0,
		func() { r.CPUInitializationPeriod = DefaultCPUInitializationPeriod })
	fill(KnobInitialReadinessDelay, s.InitialReadinessDelay <= 0,
		func() { r.InitialReadinessDelay = DefaultInitialReadinessDelay })
	fill(KnobEventTTL, s.EventTTL <= 0, func() { r.EventTTL = DefaultEventTTL })
	return r
}

// assumption returns the Assumption for knob when its default was used.
func (r resolved) assumption(knob Knob) (Assumption, bool) {
	if !r.defaulted[knob] {
		return Assumption{}, false
	}
	var value string
	switch knob {
	case KnobSyncPeriod:
		value = "sync period " + r.SyncPeriod.String()
	case KnobTolerance:
		value = fmt.Sprintf("tolerance %g", r.Tolerance)
	case KnobDownscaleStabilization:
		value = "downscale stabilization " + r.DownscaleStabilization.String()
	case KnobCPUInitializationPeriod:
		value = "cpu initialization period " + r.CPUInitializationPeriod.String()
	case KnobInitialReadinessDelay:
		value = "initial readiness delay " + r.InitialReadinessDelay.String()
	case KnobEventTTL:
		value = "event ttl " + r.EventTTL.String()
	}
	return Assumption{Knob: knob, Value: value}, true
}

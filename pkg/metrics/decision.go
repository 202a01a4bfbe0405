package metrics

import (
	"fmt"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// Scale is the part of the target's /scale subresource the controller reads.
type Scale struct {
	SpecReplicas   int32  `json:"specReplicas"`
	StatusReplicas int32  `json:"statusReplicas"`
	Selector       string `json:"selector"`
}

// Peer is another HPA of the namespace with the selector of its target's scale. Pods selected
// by two HPAs make the controller refuse to scale either.
type Peer struct {
	Name     string
	Selector string
}

// Input is everything one sync of the controller reads for one HPA.
type Input struct {
	HPA   *autoscalingv2.HorizontalPodAutoscaler
	Scale Scale
	// ScaleErr is set when the target's scale cannot be read (missing target, unknown kind);
	// the controller stops there.
	ScaleErr error
	// Pods are the pods of the HPA's namespace; Decide keeps those the scale selects.
	Pods     []*corev1.Pod
	Source   Source
	History  History
	Peers    []Peer
	Settings Settings
	// Now is the time of the sync being predicted.
	Now time.Time
	// WhatIf describes hypothetical changes made to this input (see WhatIf.Apply).
	WhatIf []string
}

// Stage says how far the sync got.
type Stage string

// The stages, in order.
const (
	StageScale      Stage = "Scale"
	StagePreCheck   Stage = "PreCheck"
	StageSelector   Stage = "Selector"
	StageMetrics    Stage = "Metrics"
	StageNormalized Stage = "Normalized"
)

// Condition is an HPA status condition the controller would write.
type Condition struct {
	Type    autoscalingv2.HorizontalPodAutoscalerConditionType `json:"type"`
	Status  corev1.ConditionStatus                             `json:"status"`
	Reason  string                                             `json:"reason"`
	Message string                                             `json:"message"`
}

// Step is one link of the chain from the current count to the desired one.
type Step struct {
	Name   string `json:"name"`
	From   int32  `json:"from"`
	To     int32  `json:"to"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail"`
}

// Decision is the controller's sync reproduced, with every step it took.
type Decision struct {
	HPA  string    `json:"hpa"`
	Time time.Time `json:"time"`
	// WhatIf lists the hypothetical changes the decision was computed with.
	WhatIf         []string `json:"whatIf,omitempty"`
	Current        int32    `json:"current"`
	StatusReplicas int32    `json:"statusReplicas"`
	Min            int32    `json:"min"`
	Max            int32    `json:"max"`
	Stage          Stage    `json:"stage"`
	// PreCheck is the reason when the replica count alone decided (outside min/max, zero).
	PreCheck      string         `json:"preCheck,omitempty"`
	SelectorError string         `json:"selectorError,omitempty"`
	Metrics       []MetricResult `json:"metrics,omitempty"`
	Combination   *Combination   `json:"combination,omitempty"`
	Normalization *Normalization `json:"normalization,omitempty"`
	Steps         []Step         `json:"steps"`
	// Desired is the replica count after this sync; Rescale says whether the scale changes.
	Desired int32 `json:"desired"`
	Rescale bool  `json:"rescale"`
	// StatusDesiredKept is set when the controller leaves status.desiredReplicas as it was
	// (a failed metric computation writes only current replicas and metrics).
	StatusDesiredKept bool   `json:"statusDesiredKept,omitempty"`
	RescaleReason     string `json:"rescaleReason,omitempty"`
	// Conditions are the ones this sync writes; the others keep their previous value.
	Conditions    []Condition  `json:"conditions"`
	Events        []Event      `json:"events,omitempty"`
	NextScaleUp   *NextScale   `json:"nextScaleUp,omitempty"`
	NextScaleDown *NextScale   `json:"nextScaleDown,omitempty"`
	Assumptions   []Assumption `json:"assumptions,omitempty"`
	History       History      `json:"history"`
	// Uncertain lists why the prediction may differ from what the controller does.
	Uncertain []string `json:"uncertain,omitempty"`
}

// Event is an event this sync would emit.
type Event struct {
	Type    string `json:"type"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func (d *Decision) setCondition(t autoscalingv2.HorizontalPodAutoscalerConditionType,
	status corev1.ConditionStatus, reason, message string) {
	for i := range d.Conditions {
		if d.Conditions[i].Type == t {
			d.Conditions[i] = Condition{Type: t, Status: status, Reason: reason, Message: message}
			return
		}
	}
	d.Conditions = append(d.Conditions,
		Condition{Type: t, Status: status, Reason: reason, Message: message})
}

func (d *Decision) event(eventType, reason, message string) {
	d.Events = append(d.Events, Event{Type: eventType, Reason: reason, Message: message})
}

func (d *Decision) step(name string, from, to int32, reason, detail string, args ...any) {
	d.Steps = append(d.Steps, Step{Name: name, From: from, To: to, Reason: reason,
		Detail: fmt.Sprintf(detail, args...)})
}

func (d *Decision) assume(knobs resolved, knob Knob) {
	a, ok := knobs.assumption(knob)
	if !ok {
		return
	}
	for _, seen := range d.Assumptions {
		if seen.Knob == knob {
			return
		}
	}
	d.Assumptions = append(d.Assumptions, a)
}

package view

import (
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// Word is the one-word health of an HPA, derived from its conditions by type, status and
// reason (never from message text, which changes between releases).
type Word string

// The health words, from worst to best. HealthHelp documents how each is derived.
const (
	NoTarget       Word = "NO-TARGET"
	ScaleFailed    Word = "SCALE-FAILED"
	NoMetrics      Word = "NO-METRICS"
	NotScaling     Word = "NOT-SCALING"
	PartialMetrics Word = "PARTIAL-METRICS"
	AtMax          Word = "AT-MAX"
	Limited        Word = "LIMITED"
	Stabilizing    Word = "STABILIZING"
	Pending        Word = "PENDING"
	OK             Word = "OK"
)

// HealthHelp explains each health word, for the status command's help.
const HealthHelp = `Health, from the HPA's conditions (type=status reason); first match wins:
  NO-TARGET        AbleToScale=False FailedGetScale: the target or its /scale cannot be read
  SCALE-FAILED     AbleToScale=False FailedUpdateScale: writing the new replica count failed
  NO-METRICS       ScalingActive=False FailedGet*Metric or InvalidMetricSourceType: no metric
                   could be computed, so the HPA does not scale at all
  NOT-SCALING      ScalingActive=False for any other reason (ScalingDisabled: target at 0
                   replicas; InvalidSelector; AmbiguousSelector: pods claimed by two HPAs)
  PARTIAL-METRICS  ScalingActive=True but a metric has no current value: the HPA may scale
                   up on the others, never down
  AT-MAX           ScalingLimited=True TooManyReplicas: it wants more than maxReplicas
  LIMITED          ScalingLimited=True ScaleUpLimit or ScaleDownLimit: held back by a rate
                   limit (behavior policies, or the default cap of max(2 x current, 4))
  STABILIZING      AbleToScale=True ScaleDownStabilized or ScaleUpStabilized: a recent higher
                   (or lower) recommendation holds the replica count
  PENDING          no conditions yet: the controller has not processed the HPA
  OK               none of the above (TooFewReplicas, sitting at minReplicas, is normal)`

// Health is an HPA's health word with the condition that decided it.
type Health struct {
	Word Word `json:"word"`
	// Condition reads "Type=Status", empty for OK without conditions and for PENDING and
	// PARTIAL-METRICS.
	Condition string `json:"condition,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message,omitempty"`
}

// HealthOf derives the health of an HPA from its conditions and current metrics.
func HealthOf(hpa *autoscalingv2.HorizontalPodAutoscaler) Health {
	conds := hpa.Status.Conditions
	if len(conds) == 0 {
		return Health{Word: Pending}
	}
	if h, ok := blocking(conds); ok {
		return h
	}
	if missing := unknownMetrics(hpa); missing != "" {
		return Health{Word: PartialMetrics, Message: "no current value for " + missing}
	}
	if h, ok := held(conds); ok {
		return h
	}

	h := Health{Word: OK}
	if c := find(conds, autoscalingv2.ScalingActive); c != nil {
		h = fromCondition(OK, c)
	}
	return h
}

// blocking finds the conditions under which the HPA cannot scale at all.
func blocking(conds []autoscalingv2.HorizontalPodAutoscalerCondition) (Health, bool) {
	if c := find(conds, autoscalingv2.AbleToScale); c != nil && c.Status == corev1.ConditionFalse {
		switch c.Reason {
		case "FailedGetScale":
			return fromCondition(NoTarget, c), true
		case "FailedUpdateScale":
			return fromCondition(ScaleFailed, c), true
		}
		return fromCondition(NotScaling, c), true
	}

	c := find(conds, autoscalingv2.ScalingActive)
	if c == nil || c.Status != corev1.ConditionFalse {
		return Health{}, false
	}
	if isMetricFailure(c.Reason) {
		return fromCondition(NoMetrics, c), true
	}
	return fromCondition(NotScaling, c), true
}

func isMetricFailure(reason string) bool {
	return reason == "InvalidMetricSourceType" ||
		(strings.HasPrefix(reason, "FailedGet") && strings.HasSuffix(reason, "Metric"))
}

// held finds the conditions under which the HPA works but something keeps the replica
// count from following the metrics.
func held(conds []autoscalingv2.HorizontalPodAutoscalerCondition) (Health, bool) {
	c := find(conds, autoscalingv2.ScalingLimited)
	if c != nil && c.Status == corev1.ConditionTrue {
		switch c.Reason {
		case "TooManyReplicas":
			return fromCondition(AtMax, c), true
		case "ScaleUpLimit", "ScaleDownLimit":
			return fromCondition(Limited, c), true
		}
	}

	c = find(conds, autoscalingv2.AbleToScale)
	if c != nil && (c.Reason == "ScaleDownStabilized" || c.Reason == "ScaleUpStabilized") {
		return fromCondition(Stabilizing, c), true
	}
	return Health{}, false
}

func fromCondition(word Word, c *autoscalingv2.HorizontalPodAutoscalerCondition) Health {
	return Health{Word: word, Condition: string(c.Type) + "=" + string(c.Status),
		Reason: c.Reason, Message: c.Message}
}

type condition = autoscalingv2.HorizontalPodAutoscalerCondition

func find(conds []condition, t autoscalingv2.HorizontalPodAutoscalerConditionType) *condition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// unknownMetrics names, comma-separated, the metrics of the spec that have no current value
// in the status.
func unknownMetrics(hpa *autoscalingv2.HorizontalPodAutoscaler) string {
	var names []string
	for _, m := range MetricsOf(hpa) {
		if m.Current == "" {
			names = append(names, m.Name)
		}
	}
	return strings.Join(names, ", ")
}

package diagnose

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const idFlapping = "HPA-FLP-001"

// Flapping is at least this many scale-ups and as many scale-downs within the window.
const (
	flapWindow  = time.Hour
	flapMinimum = 3
	// defaultDownWindow is the controller's --horizontal-pod-autoscaler-downscale-stabilization,
	// assumed when behavior leaves the scale-down window unset.
	defaultDownWindow = 300
)

var rescaleMessage = regexp.MustCompile(`^New size: (\d+); reason: (.*)$`)

func flappingCheck() Check {
	return Check{ID: idFlapping, Area: AreaFlapping,
		Title:       "the replica count does not keep changing direction",
		Needs:       []string{snapshot.ResEvents},
		ExplainedBy: []string{idSharedPods},
		RunHPA:      checkFlapping}
}

// rescales counts the controller's SuccessfulRescale events in the window, each event as often
// as it happened: the recorder merges identical messages into one event with a count.
type rescales struct {
	ups, downs       int32
	minSize, maxSize int
	oldest, newest   time.Time
}

func checkFlapping(cc CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	r := countRescales(cc.Now, snap, hpa)
	if r.ups < flapMinimum || r.downs < flapMinimum {
		return nil
	}
	changes := 2*min(r.ups, r.downs) - 1
	evidence := []string{
		fmt.Sprintf("in the last %s: %d scale-ups and %d scale-downs, about %d direction "+
			"changes (events older than about an hour are no longer stored)",
			age(flapWindow), r.ups, r.downs, changes),
		fmt.Sprintf("sizes seen: %d-%d", r.minSize, r.maxSize),
	}
	evidence = append(evidence, behaviorEvidence(hpa)...)
	evidence = append(evidence, "targets: "+describeMetrics(metricsOf(hpa)))
	return []Finding{{ID: idFlapping, Severity: Warning, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("replicas flap: %d scale-ups and %d scale-downs in the last %s",
			r.ups, r.downs, age(flapWindow)),
		Evidence: evidence,
		Remediation: "restore damping on the way down: behavior.scaleDown." +
			"stabilizationWindowSeconds: 300 (or more) and a gentle policy such as " +
			"{type: Pods, value: 1, periodSeconds: 60}; for a bursty signal add a short " +
			"scale-up window (30-60s); if the target sits at normal utilization, move the " +
			"target or the requests, or widen the HPA's tolerance where supported",
	}}
}

func countRescales(now time.Time, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) rescales {
	var r rescales
	for _, ev := range snap.EventsFor(hpa.Namespace, KindHPA, hpa.Name) {
		if ev.Reason != "SuccessfulRescale" || now.Sub(snapshot.EventTime(ev)) > flapWindow {
			continue
		}
		size, up, ok := parseRescale(ev.Message)
		if !ok {
			continue
		}
		if up {
			r.ups += snapshot.EventCount(ev)
		} else {
			r.downs += snapshot.EventCount(ev)
		}
		if r.minSize == 0 || size < r.minSize {
			r.minSize = size
		}
		r.maxSize = max(r.maxSize, size)
	}
	return r
}

// parseRescale reads the new size and the direction from a SuccessfulRescale message: the
// reason says "above target" (or below minReplicas) for up, "below target" (or above
// maxReplicas) for down.
func parseRescale(message string) (size int, up, ok bool) {
	m := rescaleMessage.FindStringSubmatch(strings.TrimSpace(message))
	if m == nil {
		return 0, false, false
	}
	size, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, false, false
	}
	reason := m[2]
	switch {
	case strings.Contains(reason, "below target"),
		strings.Contains(reason, "above Spec.MaxReplicas"):
		return size, false, true
	case strings.Contains(reason, "above target"),
		strings.Contains(reason, "below Spec.MinReplicas"):
		return size, true, true
	}
	return 0, false, false
}

// behaviorEvidence shows the settings that allow flapping: windows and policies.
func behaviorEvidence(hpa *autoscalingv2.HorizontalPodAutoscaler) []string {
	var up, down *autoscalingv2.HPAScalingRules
	if b := hpa.Spec.Behavior; b != nil {
		up, down = b.ScaleUp, b.ScaleDown
	}
	downWindow := fmt.Sprintf("scale-down stabilization window: unset, so the controller "+
		"default %ds applies (assuming the default flag)", defaultDownWindow)
	if down != nil && down.StabilizationWindowSeconds != nil {
		downWindow = fmt.Sprintf("scale-down stabilization window: %ds (default %ds)",
			*down.StabilizationWindowSeconds, defaultDownWindow)
	}
	upWindow := "scale-up stabilization window: 0s (default)"
	if up != nil && up.StabilizationWindowSeconds != nil {
		upWindow = fmt.Sprintf("scale-up stabilization window: %ds", *up.StabilizationWindowSeconds)
	}
	downPolicies := "scale-down policies: " + describePolicies(down, "Percent 100 per 15s")
	return []string{downWindow, downPolicies,
		upWindow}
}

func describePolicies(rules *autoscalingv2.HPAScalingRules, defaults string) string {
	if rules == nil || len(rules.Policies) == 0 {
		return defaults + " (default)"
	}
	parts := make([]string, 0, len(rules.Policies))
	for _, p := range rules.Policies {
		parts = append(parts, fmt.Sprintf("%s %d per %ds", p.Type, p.Value, p.PeriodSeconds))
	}
	out := strings.Join(parts, ", ")
	if rules.SelectPolicy != nil {
		out += ", selectPolicy " + string(*rules.SelectPolicy)
	}
	return out
}

package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// shutdownPracticeCheck (HPA-CFG-008): on every scale-down a pod is removed; a preStop pause
// lets the endpoint removal reach the proxies first, and the grace period must outlast it.
// The Directus container is judged by DX16, which also knows Directus' shutdown timeout.
func shutdownPracticeCheck() Check {
	return practiceCheck("HPA-CFG-008", "pods shut down gracefully on scale-down",
		[]string{snapshot.ResHPAs, snapshot.ResDeployments, snapshot.ResStatefulSets}, true,
		judgeShutdownPractice)
}

func judgeShutdownPractice(_ *snapshot.Snapshot, _ *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding {
	spec := &target.Template.Spec
	grace := gracePeriod(spec)
	var out []Finding
	for i := range spec.Containers {
		c := &spec.Containers[i]
		if isDirectusPodContainer(spec, c) || len(c.Ports) == 0 {
			continue
		}
		pause, ok := preStopPause(c)
		switch {
		case !ok:
			out = append(out, Finding{Severity: Info, Subject: targetSubject(target),
				Message: fmt.Sprintf("container %s has no preStop pause: on scale-down it may "+
					"stop before the proxies stop sending it requests", c.Name),
				Evidence: []string{"container " + c.Name + ": no lifecycle.preStop"},
				Remediation: "add lifecycle.preStop.sleep.seconds: 10 (or exec sleep 10 " +
					"before 1.30)"})
		case pause >= grace:
			out = append(out, Finding{Severity: Warning, Subject: targetSubject(target),
				Message: fmt.Sprintf("container %s's preStop pause uses the whole grace period: "+
					"it is killed without a chance to finish its requests", c.Name),
				Evidence: []string{fmt.Sprintf("container %s: preStop pause %d s, "+
					"terminationGracePeriodSeconds %d", c.Name, pause, grace)},
				Remediation: "set terminationGracePeriodSeconds to the pause plus the app's " +
					"drain time plus a margin"})
		}
	}
	return out
}

// gracePeriod is terminationGracePeriodSeconds, 30 when unset as the API server defaults it.
func gracePeriod(spec *corev1.PodSpec) int64 {
	if spec.TerminationGracePeriodSeconds == nil {
		return 30
	}
	return *spec.TerminationGracePeriodSeconds
}

// preStopPause reads the seconds a preStop hook pauses: the native sleep action, or an exec
// of sleep N (directly or through a shell). ok is false without a preStop hook; a hook that
// does something else counts as a pause of 0.
func preStopPause(c *corev1.Container) (seconds int64, ok bool) {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0, false
	}
	h := c.Lifecycle.PreStop
	if h.Sleep != nil {
		return h.Sleep.Seconds, true
	}
	if h.Exec == nil {
		return 0, true
	}
	fields := strings.Fields(strings.Join(h.Exec.Command, " "))
	for i, f := range fields {
		if (f == "sleep" || strings.HasSuffix(f, "/sleep")) && i+1 < len(fields) {
			n, err := strconv.ParseInt(strings.Trim(fields[i+1], "\"';&"), 10, 64)
			if err == nil {
				return n, true
			}
		}
	}
	return 0, true
}

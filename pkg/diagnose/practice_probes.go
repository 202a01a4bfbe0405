package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// probesPracticeCheck (HPA-CFG-007): readiness and liveness probes on the regular containers
// of an HPA's pods. The Directus container is judged by DX15, which also knows its endpoints.
func probesPracticeCheck() Check {
	return practiceCheck("HPA-CFG-007", "containers have readiness and liveness probes",
		[]string{snapshot.ResHPAs, snapshot.ResDeployments, snapshot.ResStatefulSets}, true,
		judgeProbesPractice)
}

func judgeProbesPractice(_ *snapshot.Snapshot, _ *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding {
	spec := &target.Template.Spec
	var out []Finding
	for i := range spec.Containers {
		c := &spec.Containers[i]
		if isDirectusPodContainer(spec, c) {
			continue
		}
		if c.ReadinessProbe == nil {
			out = append(out, Finding{Severity: Warning, Subject: targetSubject(target),
				Message: fmt.Sprintf("container %s has no readiness probe: new pods get "+
					"traffic, and count for the HPA, before they can serve", c.Name),
				Evidence: []string{"container " + c.Name + ": readinessProbe missing"},
				Remediation: "add a readinessProbe on an endpoint that answers once the app " +
					"can serve"})
		}
		if c.LivenessProbe == nil {
			out = append(out, Finding{Severity: Info, Subject: targetSubject(target),
				Message: fmt.Sprintf("container %s has no liveness probe: a wedged process "+
					"stays in service until someone restarts it", c.Name),
				Evidence: []string{"container " + c.Name + ": livenessProbe missing"},
				Remediation: "add a livenessProbe on a cheap endpoint that does not check " +
					"dependencies"})
		}
	}
	return out
}

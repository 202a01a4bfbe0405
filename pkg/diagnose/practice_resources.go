package diagnose

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// resourcesCheck (HPA-CFG-006): requests set for cpu and memory on every container, and
// limits that let utilization reach the scale-up threshold. A request missing for a resource
// an Utilization metric uses is the requests checks' finding, not repeated here.
func resourcesCheck() Check {
	return practiceCheck("HPA-CFG-006", "requests are set and limits let the HPA react",
		[]string{snapshot.ResHPAs, snapshot.ResDeployments, snapshot.ResStatefulSets}, true,
		judgeResources)
}

func judgeResources(_ *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding {
	spec := &target.Template.Spec
	metrics := utilizationTargets(hpa)
	var out []Finding
	for _, c := range summedContainers(spec) {
		out = append(out, missingRequests(target, c, metrics)...)
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if pct, ok := metrics[name]; ok {
			out = append(out, limitCap(hpa, target, name, pct)...)
		}
	}
	return out
}

// missingRequests reports a container without a cpu or memory request that no Utilization
// metric divides by: the scheduler then places the pod as if it needed none.
func missingRequests(target *snapshot.Target, c *corev1.Container,
	metrics map[corev1.ResourceName]int32) []Finding {
	var missing []string
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, used := metrics[name]; used {
			continue
		}
		if _, ok := c.Resources.Requests[name]; !ok {
			missing = append(missing, string(name))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []Finding{{Severity: Warning, Subject: targetSubject(target),
		Message: fmt.Sprintf("container %s has no %s request: the scheduler places its pods as "+
			"if they needed none, and they are the first evicted under pressure", c.Name,
			joinAnd(missing)),
		Evidence: []string{fmt.Sprintf("container %s: requests %s", c.Name,
			describeResources(c.Resources.Requests))},
		Remediation: "set resources.requests for cpu and memory on every container, near " +
			"what it uses at normal load"}}
}

// limitCap reports limits so low that average utilization cannot reach the scale-up
// threshold: CPU is throttled at the limit, memory is OOM-killed there.
func limitCap(hpa *autoscalingv2.HorizontalPodAutoscaler, target *snapshot.Target,
	name corev1.ResourceName, pct int32) []Finding {
	spec := &target.Template.Spec
	requests, okReq := podTotal(spec, name, false)
	limits, okLim := podTotal(spec, name, true)
	if !okReq || !okLim || requests.IsZero() {
		return nil
	}
	capPct := float64(limits.MilliValue()) * 100 / float64(requests.MilliValue())
	tol, assumed := upTolerance(hpa)
	threshold := float64(pct) * (1 + tol)
	if capPct >= threshold {
		return nil
	}

	what := "throttled"
	if name == corev1.ResourceMemory {
		what = "OOM-killed"
	}
	return []Finding{{Severity: Error, Subject: targetSubject(target),
		Message: fmt.Sprintf("the %s limits stop utilization at %.0f%% of the requests, below "+
			"the HPA's scale-up threshold of %.0f%%: pods are %s before the HPA adds any",
			name, capPct, threshold, what),
		Evidence: []string{fmt.Sprintf("pod %s requests %s, limits %s", name, requests.String(),
			limits.String()), fmt.Sprintf("HPA %s: %s target %d%%, %s", hpa.Name, name, pct,
			describeTolerance(tol, assumed))},
		Remediation: fmt.Sprintf("raise the %s limits above the requests x %.2f, or remove "+
			"the CPU limit; or lower the target", name, threshold/100)}}
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, s := range items[1 : len(items)-1] {
		out += ", " + s
	}
	return out + " and " + items[len(items)-1]
}

// describeResources renders a resource list as "cpu 250m, memory 512Mi", or "none".
func describeResources(list corev1.ResourceList) string {
	if len(list) == 0 {
		return "none"
	}
	var parts []string
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := list[name]; ok {
			parts = append(parts, string(name)+" "+q.String())
		}
	}
	return strings.Join(parts, ", ")
}

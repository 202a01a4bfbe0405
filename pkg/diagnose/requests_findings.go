package diagnose

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const eachRequest = "each utilization metric needs its own request: a cpu request does not " +
	"make the memory target work"

func templateFinding(hpa *autoscalingv2.HorizontalPodAutoscaler, target *snapshot.Target,
	gaps requestGaps, needs []need) Finding {
	key := target.Key
	var evidence []string
	for _, name := range sortedKeys(gaps.template) {
		line := fmt.Sprintf("%s %s/%s pod template, container %s: no request for %s", key.Kind,
			key.Namespace, key.Name, name, resourceNames(gaps.template[name]))
		if pods := gaps.own[name]; len(pods) > 0 {
			line += fmt.Sprintf("; same on %d/%d targeted pods (%s)", len(pods), gaps.counted,
				podNames(pods))
		}
		evidence = append(evidence, line)
	}
	res := allResources(gaps.template)
	evidence = append(evidence, dependingMetrics(needs, res))
	evidence = append(evidence, conditionQuote(hpa)...)
	return Finding{ID: idRequestsTemplate, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("utilization cannot be computed: the pod template of %s %s has "+
			"no %s request in %s", key.Kind, key.Name, resourceNames(res),
			containerList(gaps.template)),
		Evidence: evidence,
		Remediation: fmt.Sprintf("add resources.requests for %s to %s in the pod template, "+
			"sized from observed usage (Directus: at least 250m cpu and 512Mi memory, then "+
			"adjust); with the Directus Helm chart: --set resources.requests.cpu=250m --set "+
			"resources.requests.memory=512Mi; %s", resourceNames(res),
			containerList(gaps.template), eachRequest),
	}
}

func injectedFinding(hpa *autoscalingv2.HorizontalPodAutoscaler, target *snapshot.Target,
	gaps requestGaps, needs []need) Finding {
	key := target.Key
	var evidence []string
	for _, name := range sortedKeys(gaps.injected) {
		pods := gaps.injected[name]
		evidence = append(evidence, fmt.Sprintf("container %s: no request for %s on %d/%d "+
			"targeted pods (%s)", name, resourceNames(gaps.missing[name]), len(pods),
			gaps.counted, podNames(pods)))
		evidence = append(evidence, fmt.Sprintf("container %s is not in the pod template of "+
			"%s %s: it was added at admission (a mutating webhook or policy)", name, key.Kind,
			key.Name))
	}
	if target.Template != nil && len(target.Template.Annotations) > 0 {
		evidence = append(evidence, "pod template annotations: "+
			describeLabels(target.Template.Annotations))
	}
	res := missingOf(gaps, gaps.injected)
	evidence = append(evidence, dependingMetrics(needs, res))
	evidence = append(evidence, conditionQuote(hpa)...)
	return Finding{ID: idRequestsInjected, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("utilization cannot be computed: injected %s %s in the running "+
			"pods of %s %s %s no %s request", plural(len(gaps.injected), "container",
			"containers"), containerList(gaps.injected), key.Kind, key.Name,
			plural(len(gaps.injected), "has", "have"), resourceNames(res)),
		Evidence: evidence,
		Remediation: "give the injected container requests through the injector's own " +
			"settings (mesh-wide proxy defaults or per-workload annotations, e.g. Linkerd " +
			"config.linkerd.io/proxy-cpu-request, Istio sidecar.istio.io/proxyCPU and " +
			"sidecar.istio.io/proxyMemory), or switch the HPA metrics to type " +
			"ContainerResource with container: directus so only the application container counts",
	}
}

func staleFinding(hpa *autoscalingv2.HorizontalPodAutoscaler, target *snapshot.Target,
	gaps requestGaps, needs []need) Finding {
	key := target.Key
	var evidence []string
	for _, name := range sortedKeys(gaps.stale) {
		pods := gaps.stale[name]
		evidence = append(evidence, fmt.Sprintf("container %s: no request for %s on %d/%d "+
			"targeted pods (%s), though the pod template sets it", name,
			resourceNames(gaps.missing[name]), len(pods), gaps.counted, podNames(pods)))
	}
	res := missingOf(gaps, gaps.stale)
	evidence = append(evidence, dependingMetrics(needs, res))
	return Finding{ID: idRequestsStale, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("utilization cannot be computed: pods of %s %s from an older "+
			"template, or changed at admission, lack the %s request", key.Kind, key.Name,
			resourceNames(res)),
		Evidence: evidence,
		Remediation: fmt.Sprintf("finish or restart the rollout (`kubectl -n %s rollout "+
			"restart %s/%s`) so that every pod carries the template's requests; if a policy "+
			"strips them, fix that policy", key.Namespace, lowerKind(key.Kind), key.Name),
	}
}

func foreignFinding(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target, gaps requestGaps, needs []need) Finding {
	key := target.Key
	evidence := []string{"selector: " + target.Selector.String()}
	var res [][]corev1.ResourceName
	for i, pod := range gaps.foreign {
		if i == maxPodsShown {
			evidence = append(evidence, fmt.Sprintf("and %d more pods", len(gaps.foreign)-i))
			break
		}
		missing := lacking(&pod.Spec, needs)
		res = append(res, allResources(missing))
		evidence = append(evidence, fmt.Sprintf("pod %s (owned by %s, not %s %s): %s",
			pod.Name, ownerOf(snap, pod), key.Kind, key.Name, describeLacking(missing)))
	}
	merged := mergeResources(res)
	evidence = append(evidence, dependingMetrics(needs, merged))
	evidence = append(evidence, conditionQuote(hpa)...)
	return Finding{ID: idRequestsForeign, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("utilization cannot be computed: the selector %s also matches "+
			"%d %s of other workloads without a %s request", target.Selector, len(gaps.foreign),
			plural(len(gaps.foreign), "pod", "pods"), resourceNames(merged)),
		Evidence: evidence,
		Remediation: fmt.Sprintf("give %s %s a selector only its own pods carry (e.g. add "+
			"app.kubernetes.io/name: directus; a selector cannot change in place, so delete "+
			"the workload with --cascade=orphan and apply it again), or relabel the other "+
			"workloads so they stop matching; Job templates must not copy the app's selector "+
			"labels", key.Kind, key.Name),
	}
}

// containerList names the containers of a map, sorted.
func containerList[V any](byContainer map[string]V) string {
	return strings.Join(sortedKeys(byContainer), ", ")
}

// missingOf merges the resources missing in the containers of one group.
func missingOf(gaps requestGaps, group podsLacking) []corev1.ResourceName {
	var res [][]corev1.ResourceName
	for name := range group {
		res = append(res, gaps.missing[name])
	}
	return mergeResources(res)
}

func mergeResources(lists [][]corev1.ResourceName) []corev1.ResourceName {
	var out []corev1.ResourceName
	for _, l := range lists {
		for _, r := range l {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// describeLacking renders "container redis: no request for cpu, memory" for each container.
func describeLacking(byContainer map[string][]corev1.ResourceName) string {
	parts := make([]string, 0, len(byContainer))
	for _, name := range sortedKeys(byContainer) {
		parts = append(parts, fmt.Sprintf("container %s: no request for %s", name,
			resourceNames(byContainer[name])))
	}
	return strings.Join(parts, "; ")
}

// describeLabels renders a label or annotation map as k=v pairs, sorted.
func describeLabels(m map[string]string) string {
	pairs := make([]string, 0, len(m))
	for k, v := range m {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ", ")
}

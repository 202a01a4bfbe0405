package diagnose

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// IDs of the custom and external metrics API checks. A fault's code is added to the group's
// base: HPA-MET-012 is the custom metrics API with no ready backend.
const (
	idCustomAPI   = "HPA-MET-011"
	idExternalAPI = "HPA-MET-021"
	idUnusedAPIs  = "HPA-MET-010"
	customBase    = 10
	externalBase  = 20
)

// aggregatedAPI is a metrics group other than metrics.k8s.io and the metric types it serves.
type aggregatedAPI struct {
	group string
	base  int
	types []autoscalingv2.MetricSourceType
}

var (
	customAPI = aggregatedAPI{group: groupCustom, base: customBase,
		types: []autoscalingv2.MetricSourceType{autoscalingv2.PodsMetricSourceType,
			autoscalingv2.ObjectMetricSourceType}}
	externalAPI = aggregatedAPI{group: groupExternal, base: externalBase,
		types: []autoscalingv2.MetricSourceType{autoscalingv2.ExternalMetricSourceType}}
)

func customAPICheck() Check {
	return Check{ID: idCustomAPI, Area: AreaPipeline,
		Title:  "custom metrics API serves the HPA's Pods and Object metrics",
		Needs:  []string{snapshot.ResAPIServices},
		RunHPA: aggregatedAPIRunner(customAPI)}
}

func externalAPICheck() Check {
	return Check{ID: idExternalAPI, Area: AreaPipeline,
		Title:  "external metrics API serves the HPA's External metrics",
		Needs:  []string{snapshot.ResAPIServices},
		RunHPA: aggregatedAPIRunner(externalAPI)}
}

func aggregatedAPIRunner(api aggregatedAPI) func(CheckContext, *snapshot.Snapshot,
	*autoscalingv2.HorizontalPodAutoscaler) []Finding {
	return func(_ CheckContext, snap *snapshot.Snapshot,
		hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
		return checkAggregatedAPI(snap, hpa, api)
	}
}

// checkAggregatedAPI reports, on the HPA, that metrics it depends on come from an API that
// cannot serve them, and what that does to its scaling.
func checkAggregatedAPI(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	api aggregatedAPI) []Finding {
	metrics := metricsOfType(hpa, api.types...)
	if len(metrics) == 0 {
		return nil
	}
	state := apiStateOf(snap, api.group)
	fault, broken := diagnoseAPI(snap, state)
	if !broken {
		return nil
	}

	evidence := []string{"metrics: " + describeMetrics(metrics)}
	evidence = append(evidence, fault.evidence...)
	evidence = append(evidence, partialConsequence(hpa, len(metrics))...)
	return []Finding{{
		ID:       fmt.Sprintf("HPA-MET-%03d", api.base+fault.code),
		Severity: Error,
		Subject:  hpaSubject(hpa),
		Message: fmt.Sprintf("%s comes from %s, and %s", metricNames(metrics), api.group,
			fault.what),
		Evidence: evidence,
		Remediation: fault.fix + "; if the metric is not needed now, remove it from the HPA " +
			"so that scale-down works again",
	}}
}

// partialConsequence says what the controller does when only some metrics fail: it scales up
// on the rest but never down.
func partialConsequence(hpa *autoscalingv2.HorizontalPodAutoscaler, failing int) []string {
	if len(metricsOf(hpa)) <= failing {
		return []string{"no other metric: the HPA cannot compute any replica count"}
	}
	return []string{fmt.Sprintf("the other metrics still work, so the HPA can add pods but "+
		"will not remove any while this metric fails: at %d replicas, minReplicas %d, "+
		"current %s", hpa.Status.CurrentReplicas, minReplicas(hpa), describeCurrent(hpa))}
}

func metricNames(metrics []autoscalingv2.MetricSpec) string {
	names := make([]string, 0, len(metrics))
	for _, m := range metrics {
		switch {
		case m.Pods != nil:
			names = append(names, "metric "+m.Pods.Metric.Name)
		case m.Object != nil:
			names = append(names, "metric "+m.Object.Metric.Name)
		case m.External != nil:
			names = append(names, "metric "+m.External.Metric.Name)
		}
	}
	return strings.Join(names, ", ")
}

func unusedAPIsCheck() Check {
	return Check{ID: idUnusedAPIs, Area: AreaPipeline,
		Title: "custom and external metrics APIs nobody in scope uses are healthy",
		Needs: []string{snapshot.ResAPIServices},
		Run:   checkUnusedAPIs}
}

// checkUnusedAPIs notes, as information only, a broken custom or external metrics API that no
// HPA in scope depends on.
func checkUnusedAPIs(_ CheckContext, snap *snapshot.Snapshot) []Finding {
	var out []Finding
	for _, api := range []aggregatedAPI{customAPI, externalAPI} {
		state := apiStateOf(snap, api.group)
		if !state.registered() {
			continue
		}
		if _, keys := hpasUsing(snap, api.types...); len(keys) > 0 {
			continue
		}
		fault, broken := diagnoseAPI(snap, state)
		if !broken {
			continue
		}
		out = append(out, Finding{ID: fmt.Sprintf("HPA-MET-%03d", api.base),
			Severity:    Info,
			Subject:     state.subject(),
			Message:     fault.what + "; no HPA in scope uses " + api.group,
			Evidence:    fault.evidence,
			Remediation: fault.fix + ", or remove the APIService if nothing needs it"})
	}
	return out
}

package diagnose

import (
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// IDs of the resource metrics pipeline checks.
const (
	idResourceAPI = "HPA-MET-001"
	// idResourceProvider: metrics.k8s.io works but is served by another adapter while
	// metrics-server sits idle.
	idResourceProvider = "HPA-MET-006"
)

func resourceAPICheck() Check {
	return Check{ID: idResourceAPI, Area: AreaPipeline,
		Title: "resource metrics API (metrics.k8s.io) is registered and available",
		Needs: []string{snapshot.ResAPIServices},
		Run:   checkResourceAPI}
}

// checkResourceAPI reports once, cluster-wide, why metrics.k8s.io cannot serve, naming every
// HPA in scope whose cpu or memory metrics it breaks.
func checkResourceAPI(_ CheckContext, snap *snapshot.Snapshot) []Finding {
	state := apiStateOf(snap, groupResource)
	users, keys := hpasUsing(snap, resourceMetricTypes...)
	fault, broken := diagnoseAPI(snap, state)
	if !broken {
		return servedByOther(snap, state)
	}

	severity := Error
	impact := fmt.Sprintf("no HPA can read cpu or memory (%d in scope %s them)", len(keys),
		plural(len(keys), "uses", "use"))
	if len(keys) == 0 {
		severity, impact = Warning, "no HPA in scope uses it, but kubectl top and new HPAs do"
	}
	return []Finding{{
		ID:          fmt.Sprintf("HPA-MET-%03d", fault.code),
		Severity:    severity,
		Subject:     state.subject(),
		Message:     fault.what + "; " + impact,
		Evidence:    append(fault.evidence, users...),
		Remediation: fault.fix,
		HPAs:        keys,
	}}
}

// servedByOther warns when metrics.k8s.io is served by something other than a metrics-server
// Deployment that is installed too: the next install or removal of either one can switch or
// delete the API.
func servedByOther(snap *snapshot.Snapshot, state apiState) []Finding {
	ref := state.api.Spec.Service
	if ref == nil {
		return nil
	}
	svc := backingService(snap, ref.Namespace, ref.Name)
	var idle []string
	for _, d := range snap.MetricsServers {
		serving := svc != nil && d.Namespace == svc.Namespace && len(svc.Spec.Selector) > 0 &&
			labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels))
		if !serving {
			idle = append(idle, fmt.Sprintf("Deployment %s/%s (%d/%d ready) is installed but "+
				"does not serve the API", d.Namespace, d.Name, d.Status.ReadyReplicas,
				d.Status.Replicas))
		}
	}
	if len(idle) == 0 {
		return nil
	}

	evidence := append([]string{fmt.Sprintf("APIService %s -> Service %s/%s", state.name(),
		ref.Namespace, ref.Name)}, idle...)
	evidence = append(evidence, missingResources(snap)...)
	return []Finding{{
		ID:       idResourceProvider,
		Severity: Warning,
		Subject:  state.subject(),
		Message: fmt.Sprintf("metrics.k8s.io is served by %s/%s while another provider is "+
			"installed: installing, upgrading or removing either can switch or delete the API",
			ref.Namespace, ref.Name),
		Evidence: evidence,
		Remediation: "keep one provider: either uninstall metrics-server and make sure the " +
			"adapter's resource rules give cpu and memory for every container, or remove the " +
			"adapter's claim on v1beta1.metrics.k8s.io and re-apply metrics-server's APIService; " +
			"uninstalling either stack may delete the shared APIService",
	}}
}

// missingResources names, per HPA, the resources its metrics use that the provider's
// PodMetrics of the targeted pods lack.
func missingResources(snap *snapshot.Snapshot) []string {
	var out []string
	for i := range snap.HPAs {
		hpa := &snap.HPAs[i]
		for _, m := range metricsOfType(hpa, resourceMetricTypes...) {
			name := metricResource(m)
			lacking := 0
			pods := snap.PodsOf(hpa)
			for _, pod := range pods {
				if pm := snap.MetricsOf(pod); pm != nil && !hasUsage(pm.Containers, name) {
					lacking++
				}
			}
			if lacking > 0 {
				out = append(out, fmt.Sprintf("the provider's PodMetrics lack %s for %d/%d pods "+
					"of HPA %s: its %s metric cannot work", name, lacking, len(pods),
					hpaKey(hpa), name))
			}
		}
	}
	sort.Strings(out)
	return out
}

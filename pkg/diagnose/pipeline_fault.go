package diagnose

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Fault codes of an aggregated metrics API; a group's finding IDs end in them (HPA-MET-001 is
// the resource metrics API not registered, HPA-MET-011 the custom metrics API, …).
const (
	faultNotRegistered  = 1
	faultNoBackend      = 2
	faultDiscovery      = 3
	faultServiceMissing = 4
	faultUnavailable    = 5
)

// apiFault is why an aggregated metrics API cannot serve, with the evidence chain and the fix.
type apiFault struct {
	code     int
	what     string
	evidence []string
	fix      string
}

// diagnoseAPI explains why the API of state is not usable; ok is false when it is available.
func diagnoseAPI(snap *snapshot.Snapshot, state apiState) (apiFault, bool) {
	if !state.registered() {
		return notRegisteredFault(snap, state), true
	}
	if state.available() {
		return failingAnswer(snap, state)
	}

	chain := traceBackend(snap, state.api)
	switch {
	case state.reason == reasonServiceNotFound || chain.leaf == leafServiceMissing:
		return serviceMissingFault(snap, state, chain), true
	case state.reason == reasonDiscovery && chain.leaf == leafHealthy:
		return discoveryFault(snap, state, chain), true
	case chain.leaf != leafHealthy && chain.leaf != leafLocal:
		return apiFault{code: faultNoBackend,
			what: fmt.Sprintf("APIService %s is registered but its backend is not ready (%s)",
				state.name(), reasonOr(state)),
			evidence: append([]string{state.conditionEvidence()}, chain.evidence...),
			fix:      chain.fix}, true
	}
	return apiFault{code: faultUnavailable,
		what:     fmt.Sprintf("APIService %s is not available (%s)", state.name(), reasonOr(state)),
		evidence: append([]string{state.conditionEvidence()}, chain.evidence...),
		fix: fmt.Sprintf("read the condition with `kubectl get apiservice %s -o yaml` and "+
			"the provider's logs", state.name())}, true
}

// failingAnswer explains a resource metrics API that is marked Available but failed the pod
// metrics list just now: a provider too slow to answer in time, or one that went away since
// the aggregator last checked it. The controller's reads fail the same way.
func failingAnswer(snap *snapshot.Snapshot, state apiState) (apiFault, bool) {
	err := snap.MetricsError
	if state.group != groupResource || err == nil || apierrors.IsForbidden(err) {
		return apiFault{}, false
	}
	return apiFault{code: faultUnavailable,
		what: fmt.Sprintf("APIService %s is marked available but its backend failed to "+
			"answer the pod metrics list", state.name()),
		evidence: []string{state.conditionEvidence(),
			"list " + snapshot.ResPodMetrics + ": " + err.Error()},
		fix: "check the metrics provider's pods, logs and resources (a provider starved of " +
			"CPU answers too slowly); `kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods` " +
			"should answer within a second"}, true
}

func reasonOr(state apiState) string {
	if state.reason == "" {
		return "no Available condition yet"
	}
	return state.reason
}

func notRegisteredFault(snap *snapshot.Snapshot, state apiState) apiFault {
	evidence := []string{state.conditionEvidence()}
	if state.served {
		evidence = append(evidence, "discovery still lists "+state.group)
	} else {
		evidence = append(evidence, "discovery: group "+state.group+" not served")
	}
	fix := fmt.Sprintf("install an adapter that serves %s, then check "+
		"`kubectl get apiservice %s`", state.group, state.name())
	if state.group == groupResource {
		evidence = append(evidence, metricsServerSearch(snap))
		fix = "install a resource metrics provider: metrics-server from its release manifest " +
			"or Helm chart (on a managed cluster, enable the provider's metrics add-on; on " +
			"minikube `minikube addons enable metrics-server`); then `kubectl get apiservice " +
			"v1beta1.metrics.k8s.io` should say True and `kubectl top pod` should answer"
	}
	return apiFault{code: faultNotRegistered,
		what: fmt.Sprintf("the %s API is not registered (no APIService %s)", state.group,
			state.name()),
		evidence: evidence, fix: fix}
}

// metricsServerSearch says whether a metrics-server Deployment exists anywhere.
func metricsServerSearch(snap *snapshot.Snapshot) string {
	if snap.MetricsServersErr != nil {
		return "could not look for a metrics-server Deployment: " + snap.MetricsServersErr.Error()
	}
	if len(snap.MetricsServers) == 0 {
		return "metrics-server: no Deployment named metrics-server in any namespace"
	}
	d := snap.MetricsServers[0]
	return fmt.Sprintf("Deployment %s/%s exists (%d/%d ready) but no APIService points at it",
		d.Namespace, d.Name, d.Status.ReadyReplicas, d.Status.Replicas)
}

func serviceMissingFault(snap *snapshot.Snapshot, state apiState, chain backend) apiFault {
	ref := state.api.Spec.Service
	evidence := append([]string{state.conditionEvidence()}, chain.evidence...)
	fix := chain.fix
	if state.group == groupResource {
		for _, d := range snap.MetricsServers {
			evidence = append(evidence, fmt.Sprintf("Deployment %s/%s (%d/%d ready) could serve "+
				"instead", d.Namespace, d.Name, d.Status.ReadyReplicas, d.Status.Replicas))
			fix = fmt.Sprintf("point APIService %s back at %s/%s: re-apply the metrics-server "+
				"manifest (or `helm upgrade` its release), then check `kubectl get apiservice %s`",
				state.name(), d.Namespace, d.Name, state.name())
		}
	}
	return apiFault{code: faultServiceMissing,
		what: fmt.Sprintf("APIService %s points at Service %s/%s, which does not exist",
			state.name(), ref.Namespace, ref.Name),
		evidence: evidence, fix: fix}
}

func discoveryFault(snap *snapshot.Snapshot, state apiState, chain backend) apiFault {
	evidence := append([]string{state.conditionEvidence()}, chain.evidence...)
	if len(chain.pods) > 0 {
		evidence = append(evidence, "the backend pods are Ready, which does not settle it: "+
			"kube-apiserver must also reach them and be accepted")
	}

	var what, fix string
	switch classifyDiscovery(state.message) {
	case classNetwork:
		what = fmt.Sprintf("kube-apiserver cannot reach the backend of APIService %s "+
			"(FailedDiscoveryCheck, network path)", state.name())
		evidence = append(evidence, restrictingPolicies(snap, chain.pods)...)
		fix = "make the backend answer on its serving port and allow ingress to it from the " +
			"control plane (NetworkPolicy, firewall or CNI); where the control plane cannot " +
			"reach pod IPs, run the provider with hostNetwork: true or enable " +
			"--enable-aggregator-routing on kube-apiserver"
	case classAuth:
		what = fmt.Sprintf("the backend of APIService %s refuses kube-apiserver's credentials "+
			"(FailedDiscoveryCheck)", state.name())
		fix = "check kube-apiserver's --requestheader-client-ca-file and " +
			"--requestheader-allowed-names, that ConfigMap kube-system/extension-apiserver-" +
			"authentication exists, and that the provider is bound to Role " +
			"extension-apiserver-authentication-reader"
	default:
		what = fmt.Sprintf("kube-apiserver's discovery check of APIService %s fails "+
			"(FailedDiscoveryCheck)", state.name())
		fix = "read the full message above and the provider's logs; test the path with " +
			"`kubectl get --raw /apis/" + state.group + "`"
	}
	return apiFault{code: faultDiscovery, what: what, evidence: evidence, fix: fix}
}

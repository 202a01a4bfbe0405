package diagnose

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Aggregated metrics groups and the metric types each one serves.
const (
	groupResource = "metrics.k8s.io"
	groupCustom   = "custom.metrics.k8s.io"
	groupExternal = "external.metrics.k8s.io"
)

// APIService availability reasons as kube-aggregator writes them.
const (
	reasonPassed          = "Passed"
	reasonLocal           = "Local"
	reasonServiceNotFound = "ServiceNotFound"
	reasonDiscovery       = "FailedDiscoveryCheck"
)

// apiState is what the doctor concludes about one aggregated metrics group.
type apiState struct {
	group string
	// api is the APIService of the group, nil when none is registered.
	api     *apiregv1.APIService
	served  bool
	reason  string
	message string
}

func (a apiState) name() string {
	if a.api != nil {
		return a.api.Name
	}
	if a.group == groupResource {
		return "v1beta1." + groupResource
	}
	return "v1beta1." + a.group
}

func (a apiState) registered() bool { return a.api != nil }

func (a apiState) available() bool {
	return a.api != nil && (a.reason == reasonPassed || a.reason == reasonLocal ||
		a.reason == "" && apiAvailable(a.api))
}

func (a apiState) subject() Subject { return Subject{Kind: "APIService", Name: a.name()} }

// conditionEvidence quotes the Available condition of the APIService.
func (a apiState) conditionEvidence() string {
	if a.api == nil {
		return fmt.Sprintf("APIService %s: not registered", a.name())
	}
	cond, ok := availableCondition(a.api)
	if !ok {
		return fmt.Sprintf("APIService %s: no Available condition yet", a.name())
	}
	out := fmt.Sprintf("APIService %s: Available=%s %s", a.name(), cond.Status, cond.Reason)
	if cond.Message != "" {
		out += ": " + cond.Message
	}
	return out
}

// apiStateOf judges the APIService of group. With several versions registered, an unavailable
// one is reported, since the controller may pick it.
func apiStateOf(snap *snapshot.Snapshot, group string) apiState {
	state := apiState{group: group}
	for i := range snap.APIServices {
		api := &snap.APIServices[i]
		if api.Spec.Group != group {
			continue
		}
		if state.api == nil || !apiAvailable(api) {
			state.api = api
		}
	}
	for gv := range snap.ServedGroups {
		if strings.HasPrefix(gv, group+"/") {
			state.served = true
		}
	}
	if state.api != nil {
		if cond, ok := availableCondition(state.api); ok {
			state.reason, state.message = cond.Reason, cond.Message
		}
	}
	return state
}

func availableCondition(api *apiregv1.APIService) (apiregv1.APIServiceCondition, bool) {
	for _, c := range api.Status.Conditions {
		if c.Type == apiregv1.Available {
			return c, true
		}
	}
	return apiregv1.APIServiceCondition{}, false
}

func apiAvailable(api *apiregv1.APIService) bool {
	cond, ok := availableCondition(api)
	return ok && cond.Status == apiregv1.ConditionTrue
}

// hpasUsing lists the HPAs of the snapshot with metrics of the given types, and those
// metrics, as evidence lines and keys.
func hpasUsing(snap *snapshot.Snapshot,
	types ...autoscalingv2.MetricSourceType) (evidence, keys []string) {
	for i := range snap.HPAs {
		hpa := &snap.HPAs[i]
		metrics := metricsOfType(hpa, types...)
		if len(metrics) == 0 {
			continue
		}
		keys = append(keys, hpaKey(hpa))
		evidence = append(evidence, fmt.Sprintf("HPA %s uses %s", hpaKey(hpa),
			describeMetrics(metrics)))
	}
	sort.Strings(evidence)
	sort.Strings(keys)
	return evidence, keys
}

// discoveryClass sorts a FailedDiscoveryCheck message by its tail.
type discoveryClass int

const (
	classUnknown discoveryClass = iota
	classNetwork
	classAuth
)

var (
	authTail    = regexp.MustCompile(`(?i)\b(401|403|forbidden|unauthorized)\b`)
	networkTail = regexp.MustCompile(`(?i)no route to host|timeout|timed out|deadline exceeded|` +
		`connection refused|connection reset|i/o timeout|network is unreachable`)
)

func classifyDiscovery(message string) discoveryClass {
	switch {
	case authTail.MatchString(message):
		return classAuth
	case networkTail.MatchString(message):
		return classNetwork
	}
	return classUnknown
}

package diagnose

import (
	"fmt"
	"slices"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// IDs of the check that the adapter serves each Pods metric for the HPA's pods.
const (
	idMetricNotOffered = "HPA-MET-031"
	idMetricNoValues   = "HPA-MET-032"
)

// maxOfferedShown bounds the offered metric names quoted as evidence.
const maxOfferedShown = 8

func customServedCheck() Check {
	return Check{ID: idMetricNotOffered, Area: AreaPipeline,
		Title:       "the custom metrics adapter serves each Pods metric for the HPA's pods",
		Needs:       []string{snapshot.ResAPIServices},
		ExplainedBy: []string{idCustomAPI},
		RunHPA:      checkCustomServed}
}

// checkCustomServed asks what the controller asks for each Pods metric: the namespace and the
// target's selector. Object and External metrics are not queried yet: Object needs one GET per
// described object and External one per metric selector, which the snapshot does not make;
// adding those queries to snapshot.customMetrics (bounded like the Pods ones) would close it.
func checkCustomServed(_ CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	var out []Finding
	for _, m := range metricsOfType(hpa, autoscalingv2.PodsMetricSourceType) {
		if f, ok := judgeServed(snap, hpa, m.Pods.Metric.Name); ok {
			out = append(out, f)
		}
	}
	return out
}

func judgeServed(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	metric string) (Finding, bool) {
	custom := snap.Custom
	q, ok := snap.QueryFor(hpa, metric)
	if !ok {
		return Finding{}, false // no selector: the target checks report it
	}
	if custom.DiscoveryErr != nil {
		return Finding{ID: idMetricNotOffered, Severity: Warning, Subject: hpaSubject(hpa),
			Message:  fmt.Sprintf("could not read which metrics %s offers", custom.GroupVersion),
			Evidence: []string{custom.DiscoveryErr.Error()}}, true
	}

	answer, asked := custom.Answers[q]
	offered := slices.Contains(custom.Offered, "pods/"+metric)
	switch {
	case !offered || (asked && apierrors.IsNotFound(answer.Err)):
		return notOffered(hpa, q, custom, answer.Err), true
	case asked && (answer.Err != nil || answer.Items == 0):
		return noValues(hpa, q, answer), true
	}
	return Finding{}, false
}

func notOffered(hpa *autoscalingv2.HorizontalPodAutoscaler, q snapshot.CustomQuery,
	custom snapshot.CustomMetrics, err error) Finding {
	evidence := []string{fmt.Sprintf("%s does not list pods/%s", custom.GroupVersion, q.Metric)}
	if err != nil {
		evidence = append(evidence, "query answer: "+err.Error())
	}
	pods := offeredForPods(custom.Offered)
	if near := closeMatches(q.Metric, pods); len(near) > 0 {
		evidence = append(evidence, "close matches: "+strings.Join(near, ", "))
	}
	evidence = append(evidence, "offered pod metrics: "+shortList(pods, maxOfferedShown))
	return Finding{ID: idMetricNotOffered, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("the custom metrics adapter does not offer metric %s for pods",
			q.Metric),
		Evidence: evidence,
		Remediation: "correct the metric name in the HPA, or change the adapter rule so that " +
			"it publishes the series under this name (prometheus-adapter: the rule's name.as)"}
}

func noValues(hpa *autoscalingv2.HorizontalPodAutoscaler, q snapshot.CustomQuery,
	answer snapshot.CustomAnswer) Finding {
	result := fmt.Sprintf("0 items for pods in namespace %s matching %s", q.Namespace, q.Selector)
	if answer.Err != nil {
		result = fmt.Sprintf("error for pods in namespace %s matching %s: %v", q.Namespace,
			q.Selector, answer.Err)
	}
	return Finding{ID: idMetricNoValues, Severity: Error, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("metric %s is offered, but the adapter returns no values for "+
			"the HPA's pods", q.Metric),
		Evidence: []string{"pods/" + q.Metric + " is offered", "query answer: " + result},
		Remediation: fmt.Sprintf("check the adapter rule's resource mapping (which series "+
			"labels mean namespace and pod) and that the series carries namespace=%q and "+
			"the pod names; try `kubectl get --raw \"/apis/custom.metrics.k8s.io/v1beta1/"+
			"namespaces/%s/pods/*/%s?labelSelector=%s\"`", q.Namespace, q.Namespace, q.Metric,
			q.Selector)}
}

func offeredForPods(offered []string) []string {
	var out []string
	for _, name := range offered {
		if metric, ok := strings.CutPrefix(name, "pods/"); ok {
			out = append(out, metric)
		}
	}
	return out
}

// closeMatches returns offered names that share a prefix of at least half the wanted name,
// or contain it, or are contained in it.
func closeMatches(want string, offered []string) []string {
	var out []string
	for _, name := range offered {
		if strings.Contains(want, name) || strings.Contains(name, want) ||
			commonPrefix(want, name) >= len(want)/2 {
			out = append(out, name)
		}
	}
	return out
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func shortList(items []string, limit int) string {
	if len(items) == 0 {
		return "none"
	}
	if len(items) <= limit {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:limit], ", "), len(items)-limit)
}

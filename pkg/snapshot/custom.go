package snapshot

import (
	"context"
	"fmt"
	"sort"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// CustomGroup is the API group Pods and Object metrics are read from.
const CustomGroup = "custom.metrics.k8s.io"

// maxCustomQueries bounds the value queries of one Gather. Each distinct (namespace, metric,
// selector) of a Pods metric costs one call, as it does for the controller; past the bound the
// rest are recorded as not read.
const maxCustomQueries = 50

// CustomQuery is one request the HPA controller makes for a Pods metric.
type CustomQuery struct {
	Namespace string
	Metric    string
	Selector  string
}

// CustomAnswer is what custom.metrics.k8s.io returned for a CustomQuery: how many values, or
// the error.
type CustomAnswer struct {
	Items int
	Err   error
}

// CustomMetrics is what custom.metrics.k8s.io offers and answers.
type CustomMetrics struct {
	// GroupVersion is the version discovery was read from, e.g. custom.metrics.k8s.io/v1beta2.
	GroupVersion string
	// Offered lists the resource/metric names the adapter serves, e.g. "pods/http_requests".
	Offered []string
	// DiscoveryErr says why Offered could not be read.
	DiscoveryErr error
	// Answers holds the value queries for the Pods metrics of the HPAs in scope.
	Answers map[CustomQuery]CustomAnswer
}

// QueryFor returns the request the controller makes for a Pods metric of an HPA.
func (s *Snapshot) QueryFor(hpa *autoscalingv2.HorizontalPodAutoscaler,
	metric string) (CustomQuery, bool) {
	target := s.TargetOf(hpa)
	if target.Selector == nil {
		return CustomQuery{}, false
	}
	return CustomQuery{Namespace: hpa.Namespace, Metric: metric,
		Selector: target.Selector.String()}, true
}

// customMetrics reads the adapter's offer and, for each distinct Pods metric query of the HPAs
// in scope, the values, only when some HPA uses a Pods metric.
func (g *gatherer) customMetrics(ctx context.Context) {
	queries := g.customQueries()
	if len(queries) == 0 {
		return
	}
	custom := &g.snap.Custom
	custom.GroupVersion = g.preferredCustomVersion()
	custom.Offered, custom.DiscoveryErr = g.offeredCustomMetrics(ctx, custom.GroupVersion)
	if custom.DiscoveryErr != nil {
		g.record("get", "discovery /apis/"+custom.GroupVersion, "", custom.DiscoveryErr)
		return
	}

	custom.Answers = map[CustomQuery]CustomAnswer{}
	for i, q := range queries {
		if i == maxCustomQueries {
			g.record("get", ResCustomMetrics, "", fmt.Errorf("%d more Pods metric queries "+
				"skipped (bound %d per run)", len(queries)-i, maxCustomQueries))
			break
		}
		custom.Answers[q] = g.queryCustom(q)
	}
}

// customQueries returns the distinct Pods metric queries of the HPAs in scope, in order.
func (g *gatherer) customQueries() []CustomQuery {
	seen := map[CustomQuery]bool{}
	var out []CustomQuery
	for i := range g.snap.HPAs {
		hpa := &g.snap.HPAs[i]
		for _, m := range hpa.Spec.Metrics {
			if m.Type != autoscalingv2.PodsMetricSourceType || m.Pods == nil {
				continue
			}
			q, ok := g.snap.QueryFor(hpa, m.Pods.Metric.Name)
			if ok && !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	return out
}

func (g *gatherer) preferredCustomVersion() string {
	for _, v := range []string{"v1beta2", "v1beta1"} {
		if g.snap.ServedGroups[CustomGroup+"/"+v] {
			return CustomGroup + "/" + v
		}
	}
	return CustomGroup + "/v1beta1"
}

func (g *gatherer) offeredCustomMetrics(ctx context.Context, gv string) ([]string, error) {
	disco := discovery.ToDiscoveryInterfaceWithContext(g.clients.Discovery)
	list, err := disco.ServerResourcesForGroupVersionWithContext(ctx, gv)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(list.APIResources))
	for _, r := range list.APIResources {
		names = append(names, r.Name)
	}
	sort.Strings(names)
	return names, nil
}

func (g *gatherer) queryCustom(q CustomQuery) CustomAnswer {
	if g.clients.CustomMetrics == nil {
		return CustomAnswer{Err: fmt.Errorf("no custom metrics client")}
	}
	selector, err := labels.Parse(q.Selector)
	if err != nil {
		return CustomAnswer{Err: err}
	}
	pods := schema.GroupKind{Kind: "Pod"}
	list, err := g.clients.CustomMetrics.NamespacedMetrics(q.Namespace).
		GetForObjects(pods, selector, q.Metric, labels.Everything())
	if err != nil {
		return CustomAnswer{Err: err}
	}
	return CustomAnswer{Items: len(list.Items)}
}

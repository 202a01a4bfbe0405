// Package snapshot gathers, in a fixed number of list calls, everything the read-only verbs
// judge an HorizontalPodAutoscaler by, and indexes it for the checks, the calculator and the
// printers. Nothing outside Gather talks to the API server.
package snapshot

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// Scope says which HPAs a verb looks at.
type Scope struct {
	// Namespace is the namespace to read; ignored when AllNamespaces is set.
	Namespace string
	// AllNamespaces reads every namespace with cluster-wide list calls.
	AllNamespaces bool
	// HPAName, when set, keeps only the HPA of that name (the namespace is still read whole,
	// so the cost does not depend on it).
	HPAName string
}

// Snapshot is what the API server returned at one moment. Lists that could not be read are
// recorded in Gaps and left empty, so that checks can say "could not check" instead of
// failing.
type Snapshot struct {
	Taken time.Time
	Scope Scope

	HPAs         []autoscalingv2.HorizontalPodAutoscaler
	Deployments  []appsv1.Deployment
	ReplicaSets  []appsv1.ReplicaSet
	StatefulSets []appsv1.StatefulSet
	Jobs         []batchv1.Job
	Pods         []corev1.Pod
	Services     []corev1.Service
	Endpoints    []discoveryv1.EndpointSlice
	PDBs         []policyv1.PodDisruptionBudget
	ConfigMaps   []corev1.ConfigMap
	Events       []corev1.Event
	Nodes        []corev1.Node

	// PodMetrics and NodeMetrics come from metrics.k8s.io; MetricsError says why they are
	// empty when the API could not be read.
	PodMetrics   []metricsv1beta1.PodMetrics
	NodeMetrics  []metricsv1beta1.NodeMetrics
	MetricsError error

	// APIServices are the aggregated APIs the HPA depends on (metrics, custom metrics,
	// external metrics), with the Services and EndpointSlices behind them.
	APIServices      []apiregistrationv1.APIService
	BackingServices  []corev1.Service
	BackingEndpoints []discoveryv1.EndpointSlice
	// Backend is what runs behind those Services.
	Backend Backend
	// MetricsServers are the Deployments named metrics-server in any namespace;
	// MetricsServersErr says why the list failed, if it did.
	MetricsServers    []appsv1.Deployment
	MetricsServersErr error
	// ServedGroups lists the API group versions discovery reported, e.g. "metrics.k8s.io/v1beta1".
	ServedGroups map[string]bool

	// Custom is what custom.metrics.k8s.io offers, read only when an HPA uses a Pods metric.
	Custom CustomMetrics

	// Scales holds the scale subresource of targets that are not Deployments, StatefulSets or
	// ReplicaSets, keyed by TargetKey.
	Scales map[TargetKey]Scale

	// Gaps lists every read that failed, with the permission or error behind it.
	Gaps []Gap

	index *index
}

// Scale is the part of a scale subresource the HPA controller reads.
type Scale struct {
	SpecReplicas   int32
	StatusReplicas int32
	Selector       string
	Err            error
}

// TargetKey names a scale target in a namespace.
type TargetKey struct {
	Namespace  string
	APIVersion string
	Kind       string
	Name       string
}

// Gap records a read that failed: which verb on which resource, where, and why.
type Gap struct {
	Verb      string
	Resource  string
	Namespace string
	Forbidden bool
	Err       error
}

// String describes the gap as a user reads it, naming the permission when one is missing.
func (g Gap) String() string {
	where := "cluster-wide"
	if g.Namespace != "" {
		where = "in namespace " + g.Namespace
	}
	if g.Forbidden {
		return "missing permission: " + g.Verb + " " + g.Resource + " " + where
	}
	return "could not " + g.Verb + " " + g.Resource + " " + where + ": " + g.Err.Error()
}

// GapError is the error of a lookup that failed because its list could not be read: it
// says which, and unwraps to the list's error (IsForbidden holds for a missing permission).
type GapError struct{ Gap Gap }

// Error describes the gap, naming the permission when one is missing.
func (e *GapError) Error() string { return e.Gap.String() }

// Unwrap returns the list's error.
func (e *GapError) Unwrap() error { return e.Gap.Err }

// gapIn returns the gap about resource in namespace ns or cluster-wide, if any.
func (s *Snapshot) gapIn(resource, ns string) (Gap, bool) {
	for _, g := range s.Gaps {
		if g.Resource == resource && (g.Namespace == "" || g.Namespace == ns) {
			return g, true
		}
	}
	return Gap{}, false
}

// GapFor returns the first gap about resource, if any, so a check can report why it could
// not run.
func (s *Snapshot) GapFor(resource string) (Gap, bool) {
	for _, g := range s.Gaps {
		if g.Resource == resource {
			return g, true
		}
	}
	return Gap{}, false
}

// Require returns a *GapError for the first of resources that could not be read, so a verb
// that cannot work without them stops with the reason instead of reporting an empty cluster.
func (s *Snapshot) Require(resources ...string) error {
	for _, resource := range resources {
		if gap, ok := s.GapFor(resource); ok {
			return &GapError{Gap: gap}
		}
	}
	return nil
}

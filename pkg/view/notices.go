package view

import (
	"fmt"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/duration"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// MetricsAPIService is the APIService that serves pod and node metrics.
const MetricsAPIService = "v1beta1.metrics.k8s.io"

// FirstSampleGrace is how long after a pod starts metrics-server may take to report it: two
// scrapes at its default 60 s resolution. A pod younger than this without metrics is new, not
// broken.
const FirstSampleGrace = 2 * time.Minute

// podMetricsResource is the resource name of pod metrics in a Gap.
const podMetricsResource = "pods.metrics.k8s.io"

// MetricsNotices says why the metrics API could not be read, from the APIService's status
// when it was gathered, else from the error, followed by every other read that failed.
func MetricsNotices(snap *snapshot.Snapshot) []string {
	var out []string
	if snap.MetricsError != nil {
		out = append(out, "metrics are unavailable, usage shows as <unknown>: "+
			metricsProblem(snap))
	}
	return append(out, GapNotices(snap, podMetricsResource)...)
}

// GapNotices describes every read of the snapshot that failed, except those about the
// resources named in skip.
func GapNotices(snap *snapshot.Snapshot, skip ...string) []string {
	var out []string
	for _, gap := range snap.Gaps {
		if !contains(skip, gap.Resource) {
			out = append(out, gap.String())
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

// metricsProblem names the cause of a failed metrics read and what to do about it.
func metricsProblem(snap *snapshot.Snapshot) string {
	err := snap.MetricsError
	if apierrors.IsForbidden(err) {
		return "missing permission to list " + podMetricsResource + " (ask for get/list on " +
			"pods and nodes in the metrics.k8s.io API group)"
	}
	if snap.ServedGroups != nil {
		api := findAPIService(snap.APIServices, MetricsAPIService)
		if api == nil {
			return notInstalled
		}
		if cond := availableCondition(api); cond == nil ||
			cond.Status != apiregistrationv1.ConditionTrue {
			return unavailable(api, cond)
		}
	}

	switch {
	case apierrors.IsNotFound(err):
		return notInstalled
	case apierrors.IsServiceUnavailable(err):
		return "APIService " + MetricsAPIService + " does not answer (" + err.Error() +
			"); check the metrics-server pods"
	}
	return err.Error()
}

const notInstalled = "the metrics API is not installed (no APIService " + MetricsAPIService +
	"); install metrics-server"

func unavailable(api *apiregistrationv1.APIService,
	cond *apiregistrationv1.APIServiceCondition) string {
	why := "it has no Available condition yet"
	if cond != nil {
		why = fmt.Sprintf("Available=%s %s: %s", cond.Status, cond.Reason, cond.Message)
	}
	backend := "its backend"
	if svc := api.Spec.Service; svc != nil {
		backend = "Service " + svc.Namespace + "/" + svc.Name + " and its pods"
	}
	return fmt.Sprintf("APIService %s is not available (%s); check %s", api.Name, why, backend)
}

func findAPIService(list []apiregistrationv1.APIService, name string) *apiregistrationv1.APIService {
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

func availableCondition(api *apiregistrationv1.APIService) *apiregistrationv1.APIServiceCondition {
	for i := range api.Status.Conditions {
		if api.Status.Conditions[i].Type == apiregistrationv1.Available {
			return &api.Status.Conditions[i]
		}
	}
	return nil
}

// podNotices explains, pod by pod, why a pod of the HPA has no metrics while others do.
func podNotices(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	pods []*corev1.Pod) []string {
	if snap.MetricsError != nil {
		return nil
	}
	var out []string
	for _, pod := range pods {
		if snap.MetricsOf(pod) != nil || pod.DeletionTimestamp != nil ||
			pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded {
			continue
		}
		out = append(out, fmt.Sprintf("pod %s/%s (HPA %s) has no metrics: %s", pod.Namespace,
			pod.Name, hpa.Name, noSampleCause(pod, snap.Taken)))
	}
	return out
}

func noSampleCause(pod *corev1.Pod, now time.Time) string {
	if pod.Status.Phase == corev1.PodPending || pod.Status.StartTime == nil {
		return "it is Pending; metrics start once it runs"
	}
	age := now.Sub(pod.Status.StartTime.Time)
	if age < FirstSampleGrace {
		return fmt.Sprintf("it started %s ago, too recently for metrics-server's first "+
			"sample (allow %s)", duration.HumanDuration(age),
			duration.HumanDuration(FirstSampleGrace))
	}
	return fmt.Sprintf("it started %s ago, so metrics-server fails to scrape it; check "+
		"metrics-server's logs for its node %q", duration.HumanDuration(age), pod.Spec.NodeName)
}

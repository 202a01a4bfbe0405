package deploy

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/klog/v2"
)

// Names of the aggregated APIs the autoscaler reads.
const (
	metricsAPIService       = "v1beta1.metrics.k8s.io"
	customMetricsAPIService = "v1beta1.custom.metrics.k8s.io"
)

// runBootstrap runs the image's bootstrap Job once: a Job that already completed is left
// alone, a failed one stops the deploy, otherwise it is applied and waited for, so that
// the Deployment only moves to an image whose migrations ran.
func (a *Applier) runBootstrap(ctx context.Context, obj *unstructured.Unstructured, ref ObjectRef,
	state *applyState, summary *Summary) error {
	if current := state.existing[ref]; current != nil {
		job := &batchv1.Job{}
		err := runtime.DefaultUnstructuredConverter.FromUnstructured(current.Object, job)
		if err != nil {
			return fmt.Errorf("reading %s: %w", ref, err)
		}
		switch status, detail := jobState(job); status {
		case "complete":
			a.record(summary, Result{Ref: ref, Action: Unchanged, Object: current})
			fmt.Fprintf(a.Progress, "      migrations already ran for this image\n")
			return nil
		case "failed":
			return jobFailed(ref, detail)
		}
	}

	if err := a.applyOne(ctx, obj, ref, state, summary); err != nil {
		return err
	}
	if a.ServerDryRun {
		return nil
	}
	return a.waitFor(ctx, ref.String()+" to complete", a.jobComplete(ref))
}

// applyMetricsServer applies metrics-server unless another installation already serves the
// metrics API, and with Wait waits for the API to be available.
func (a *Applier) applyMetricsServer(ctx context.Context, s step, state *applyState,
	summary *Summary) error {
	if state.foreignMetrics != "" {
		fmt.Fprintf(a.Progress, "      metrics.k8s.io is already served by %s: leaving it as is\n",
			state.foreignMetrics)
		for _, ref := range s.refs {
			a.record(summary, Result{Ref: ref, Action: Skipped})
		}
		return nil
	}

	if err := a.applyAll(ctx, s, state, summary); err != nil {
		return err
	}
	if !a.Wait || a.ServerDryRun {
		return nil
	}
	return a.waitFor(ctx, "apiservice "+metricsAPIService+" to be available",
		func(ctx context.Context) (bool, string, error) {
			available, detail, err := a.apiServiceStatus(ctx, metricsAPIService)
			return available, detail, err
		})
}

// warnAboutMetrics warns, before anything is applied, when the autoscaler will miss a
// metric source: the resource metrics API, and the custom metrics API for a Pods metric.
func (a *Applier) warnAboutMetrics(ctx context.Context, refs []ObjectRef,
	objs []*unstructured.Unstructured, state *applyState) {
	installing := state.foreignMetrics == "" && hasKind(refs, "APIService")
	if !installing {
		a.warnAPIService(ctx, metricsAPIService, "cpu and memory metrics",
			"run deploy with --with-metrics-server, or install metrics-server")
	}
	if hasPodsMetric(objs) {
		a.warnAPIService(ctx, customMetricsAPIService, "Pods metric directus_active_connections",
			"install a custom metrics adapter that serves it (e.g. prometheus-adapter), or "+
				"deploy without --custom-metric; until then the autoscaler never scales down")
	}
}

func (a *Applier) warnAPIService(ctx context.Context, name, what, fix string) {
	available, detail, err := a.apiServiceStatus(ctx, name)
	if err != nil {
		klog.V(2).Infof("cannot check apiservice %s: %v", name, err)
		return
	}
	if !available {
		fmt.Fprintf(a.Progress, "warning: apiservice %s %s: the autoscaler will get no %s; %s\n",
			name, detail, what, fix)
	}
}

// apiServiceStatus reads an APIService's Available condition; a missing APIService is
// unavailable with the detail "is not registered".
func (a *Applier) apiServiceStatus(ctx context.Context, name string) (bool, string, error) {
	gvr := registrationGVR()
	obj, err := a.Clients.Dynamic.Resource(gvr).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, "is not registered", nil
	}
	if err != nil {
		return false, "", err
	}

	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, raw := range conditions {
		c, _ := raw.(map[string]any)
		if c["type"] != "Available" {
			continue
		}
		if c["status"] == "True" {
			return true, "is available", nil
		}
		return false, fmt.Sprintf("is not available (%v: %v)", c["reason"], c["message"]), nil
	}
	return false, "has no Available condition yet", nil
}

func registrationGVR() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1",
		Resource: "apiservices"}
}

func hasKind(refs []ObjectRef, kind string) bool {
	for _, ref := range refs {
		if ref.Kind == kind {
			return true
		}
	}
	return false
}

// hasPodsMetric reports an autoscaler among objs with a metric of type Pods.
func hasPodsMetric(objs []*unstructured.Unstructured) bool {
	for _, obj := range objs {
		if obj.GetKind() != "HorizontalPodAutoscaler" {
			continue
		}
		metrics, _, _ := unstructured.NestedSlice(obj.Object, "spec", "metrics")
		for _, raw := range metrics {
			if m, _ := raw.(map[string]any); m["type"] == "Pods" {
				return true
			}
		}
	}
	return false
}

// sameContent compares two versions of an object without the fields the server maintains.
func sameContent(a, b *unstructured.Unstructured) bool {
	return equality.Semantic.DeepEqual(contentOf(a), contentOf(b))
}

func contentOf(obj *unstructured.Unstructured) map[string]any {
	c := obj.DeepCopy()
	for _, field := range []string{"managedFields", "resourceVersion", "generation",
		"creationTimestamp", "uid"} {
		unstructured.RemoveNestedField(c.Object, "metadata", field)
	}
	unstructured.RemoveNestedField(c.Object, "status")
	return c.Object
}

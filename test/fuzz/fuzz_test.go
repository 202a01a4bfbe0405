// Package fuzz feeds API objects decoded from arbitrary JSON to the engines of every
// read-only verb (the doctor's checks, the top, status and events views, the replica
// calculator) and to their printers: whatever the API server could hand over, nothing may
// panic. `make fuzz` runs it with the other fuzz targets; the seed corpus is in testdata.
package fuzz

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/pkg/printers"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

// objects is the JSON document a fuzz input decodes to: the lists Gather would have read.
type objects struct {
	HPAs        []autoscalingv2.HorizontalPodAutoscaler `json:"hpas"`
	Deployments []appsv1.Deployment                     `json:"deployments"`
	ReplicaSets []appsv1.ReplicaSet                     `json:"replicaSets"`
	Pods        []corev1.Pod                            `json:"pods"`
	PodMetrics  []metricsv1beta1.PodMetrics             `json:"podMetrics"`
	Events      []corev1.Event                          `json:"events"`
}

// fuzzNow is the snapshot's clock; the seeds date their objects around it.
var fuzzNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// snapshotOf decodes data into a namespace snapshot, or reports that it is not a document.
func snapshotOf(data []byte) (*snapshot.Snapshot, bool) {
	var o objects
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, false
	}
	return &snapshot.Snapshot{
		Taken: fuzzNow, Scope: snapshot.Scope{Namespace: "shop"},
		HPAs: o.HPAs, Deployments: o.Deployments, ReplicaSets: o.ReplicaSets, Pods: o.Pods,
		PodMetrics: o.PodMetrics, Events: o.Events,
	}, true
}

func FuzzReadOnlyEngines(f *testing.F) {
	for _, seed := range seeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, ok := snapshotOf(data)
		if !ok {
			return
		}
		doctor(t, snap)
		views(t, snap)
		explain(t, snap)
	})
}

// doctor runs every check and prints the report in every format.
func doctor(t *testing.T, snap *snapshot.Snapshot) {
	report := diagnose.DefaultRegistry().Run(diagnose.CheckContext{Now: fuzzNow}, snap)
	for _, format := range printers.DoctorFormats {
		err := printers.PrintDoctor(io.Discard, report, printers.DoctorOptions{Format: format})
		if err != nil {
			t.Fatalf("printing the doctor's report as %s: %v", format, err)
		}
	}
	if report.Summary.HPAs != len(snap.HPAs) {
		t.Fatalf("the report judged %d HPAs of %d", report.Summary.HPAs, len(snap.HPAs))
	}
}

// views builds top, status and events and renders each as a table.
func views(t *testing.T, snap *snapshot.Snapshot) {
	top := view.Top(snap, view.SortByCPU)
	for _, containers := range []bool{false, true} {
		doc := printers.TopDocument(top, printers.TopOptions{Containers: containers})
		if err := printers.Render(io.Discard, doc, printers.RenderOptions{}); err != nil {
			t.Fatalf("rendering top: %v", err)
		}
	}
	status := printers.StatusDocument(view.Status(snap), fuzzNow)
	if err := printers.Render(io.Discard, status, printers.RenderOptions{}); err != nil {
		t.Fatalf("rendering status: %v", err)
	}
	events := printers.EventsDocument(view.Events(snap), fuzzNow)
	if err := printers.Render(io.Discard, events, printers.RenderOptions{}); err != nil {
		t.Fatalf("rendering events: %v", err)
	}
}

// explain reproduces the controller's decision for every HPA and prints it.
func explain(t *testing.T, snap *snapshot.Snapshot) {
	for i := range snap.HPAs {
		hpa := &snap.HPAs[i]
		d := metrics.Decide(metrics.InputFromSnapshot(snap, hpa, metrics.Settings{}))
		if d.Desired < 0 {
			t.Fatalf("HPA %s: desired %d", hpa.Name, d.Desired)
		}
		for _, out := range printers.ExplainOutputs() {
			_ = printers.ExplainPrinter{Output: out}.Print(io.Discard, &d)
		}
	}
}

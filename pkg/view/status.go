// Package view turns a snapshot into the reports of the read-only verbs top, status and
// events: plain data, computed the way the HPA controller computes it, ready for the
// printers. Nothing here talks to the API server.
package view

import (
	"sort"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// StatusReport is one entry per HPA, as `status` prints it.
type StatusReport struct {
	HPAs []HPAStatus `json:"hpas"`
	// AllNamespaces is set when the report spans namespaces, so printers show them.
	AllNamespaces bool `json:"-"`
}

// HPAStatus is an HPA's spec and status in one line, with its health.
type HPAStatus struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Reference is the scale target as "Kind/name".
	Reference       string     `json:"reference"`
	Metrics         []Metric   `json:"metrics"`
	MinReplicas     *int32     `json:"minReplicas,omitempty"`
	MaxReplicas     int32      `json:"maxReplicas"`
	CurrentReplicas int32      `json:"currentReplicas"`
	DesiredReplicas int32      `json:"desiredReplicas"`
	Health          Health     `json:"health"`
	LastScaleTime   *time.Time `json:"lastScaleTime,omitempty"`
	Created         time.Time  `json:"created"`
}

// Status builds the status report of every HPA in the snapshot, sorted by namespace and name.
func Status(snap *snapshot.Snapshot) *StatusReport {
	report := &StatusReport{HPAs: []HPAStatus{}, AllNamespaces: snap.Scope.AllNamespaces}
	for _, hpa := range sortedHPAs(snap) {
		report.HPAs = append(report.HPAs, statusOf(hpa))
	}
	return report
}

func statusOf(hpa *autoscalingv2.HorizontalPodAutoscaler) HPAStatus {
	s := HPAStatus{
		Namespace:       hpa.Namespace,
		Name:            hpa.Name,
		Reference:       Reference(hpa),
		Metrics:         MetricsOf(hpa),
		MinReplicas:     hpa.Spec.MinReplicas,
		MaxReplicas:     hpa.Spec.MaxReplicas,
		CurrentReplicas: hpa.Status.CurrentReplicas,
		DesiredReplicas: hpa.Status.DesiredReplicas,
		Health:          HealthOf(hpa),
		Created:         hpa.CreationTimestamp.Time,
	}
	if t := hpa.Status.LastScaleTime; t != nil {
		last := t.Time
		s.LastScaleTime = &last
	}
	return s
}

// Reference names an HPA's scale target as "Kind/name".
func Reference(hpa *autoscalingv2.HorizontalPodAutoscaler) string {
	return hpa.Spec.ScaleTargetRef.Kind + "/" + hpa.Spec.ScaleTargetRef.Name
}

// sortedHPAs returns pointers to the snapshot's HPAs ordered by namespace, then name.
func sortedHPAs(snap *snapshot.Snapshot) []*autoscalingv2.HorizontalPodAutoscaler {
	out := make([]*autoscalingv2.HorizontalPodAutoscaler, len(snap.HPAs))
	for i := range snap.HPAs {
		out[i] = &snap.HPAs[i]
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Namespace != out[b].Namespace {
			return out[a].Namespace < out[b].Namespace
		}
		return out[a].Name < out[b].Name
	})
	return out
}

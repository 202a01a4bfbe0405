package view

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
)

// notGathered explains metrics top does not read.
const notGathered = "not read by top, which reads the resource metrics API only"

// TopMetric is one metric of an HPA: the figure the controller computes from the pods now,
// next to the one the HPA's status holds from its last sync.
type TopMetric struct {
	// Name is "cpu", "memory of container app", "pods metric x", ...
	Name string `json:"name"`
	// Target is as kubectl prints it: "70%" or a quantity.
	Target string `json:"target"`
	// Computed is the controller's figure over the counted pods now ("115%", "181m"); empty
	// when it cannot be computed.
	Computed string `json:"computed,omitempty"`
	// Utilization is the truncated percentage of request, for utilization targets.
	Utilization *int32 `json:"utilization,omitempty"`
	// Status is the current value in the HPA's status; empty when it holds none.
	Status  string `json:"status,omitempty"`
	Counted int    `json:"counted"`
	Unready int    `json:"unready"`
	Missing int    `json:"missing"`
	Ignored int    `json:"ignored"`
	// Proposal is the replica count this metric asks for now, before stabilization and
	// limits.
	Proposal *int32 `json:"proposal,omitempty"`
	// Error is why the metric cannot be computed, in the controller's words.
	Error string `json:"error,omitempty"`
}

// metricRows pairs each metric of the spec with its result (nil results: not computed).
func metricRows(hpa *autoscalingv2.HorizontalPodAutoscaler,
	results []metrics.MetricResult) []TopMetric {
	specs := MetricsOf(hpa)
	if len(specs) == 0 && len(results) > 0 {
		// the API server fills in cpu at 80 %; only hand-made objects lack it
		specs = []Metric{{Kind: string(autoscalingv2.ResourceMetricSourceType), Name: "cpu",
			Target: "80%", Utilization: true}}
	}

	rows := make([]TopMetric, 0, len(specs))
	for i, spec := range specs {
		row := TopMetric{Name: spec.Name, Target: spec.Target, Status: spec.Current}
		if spec.Container != "" {
			row.Name = fmt.Sprintf("%s of container %s", spec.Name, spec.Container)
		}
		if i < len(results) {
			fillResult(&row, spec, &results[i])
		}
		rows = append(rows, row)
	}
	return rows
}

// fillResult copies the controller's figures for one metric into its row.
func fillResult(row *TopMetric, spec Metric, r *metrics.MetricResult) {
	row.Name = r.Name
	if c := r.Pods; c != nil {
		g := c.Grouping
		row.Counted, row.Unready, row.Missing, row.Ignored = g.Counted, g.Unready, g.Missing,
			g.Ignored
	}
	switch {
	case r.NotObserved:
		row.Error = notGathered
		return
	case !r.Valid:
		row.Error = r.Error
		return
	}

	proposal := r.Proposal
	row.Proposal = &proposal
	switch {
	case r.Pods != nil && spec.Utilization:
		utilization := r.Pods.Utilization
		row.Utilization = &utilization
		row.Computed = fmt.Sprintf("%d%%", utilization)
	case r.Pods != nil:
		row.Computed = milliQuantity(r.Pods.Average)
	case r.Value != nil:
		row.Computed = milliQuantity(r.Value.Status)
	}
}

// milliQuantity prints milli-units the way the controller writes averageValue.
func milliQuantity(milli int64) string {
	return resource.NewMilliQuantity(milli, resource.DecimalSI).String()
}

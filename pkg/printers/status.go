package printers

import (
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

// StatusDocument lays out the status report as one table, a line per HPA. now dates the ages.
func StatusDocument(report *view.StatusReport, now time.Time) *Document {
	table := &Table{Headers: []string{"NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS",
		"REPLICAS", "DESIRED", "HEALTH", "REASON", "LAST SCALE", "AGE"}}
	table.Volatile = make([]bool, len(table.Headers))
	table.Volatile[9], table.Volatile[10] = true, true

	for i := range report.HPAs {
		hpa := &report.HPAs[i]
		table.Rows = append(table.Rows, Row{Key: hpa.Namespace + "/" + hpa.Name,
			Cells: statusCells(hpa, now)})
	}
	if report.AllNamespaces {
		withNamespaces(table, func(i int) string { return report.HPAs[i].Namespace })
	}
	return &Document{Blocks: []Block{{ID: "status", Table: table}}}
}

func statusCells(hpa *view.HPAStatus, now time.Time) []string {
	minPods := "<unset>"
	if hpa.MinReplicas != nil {
		minPods = strconv.Itoa(int(*hpa.MinReplicas))
	}
	reason := hpa.Health.Reason
	if reason == "" {
		reason = None
	}
	lastScale := None
	if hpa.LastScaleTime != nil {
		lastScale = Age(*hpa.LastScaleTime, now)
	}
	return []string{hpa.Name, hpa.Reference, Targets(hpa.Metrics), minPods,
		strconv.Itoa(int(hpa.MaxReplicas)), strconv.Itoa(int(hpa.CurrentReplicas)),
		strconv.Itoa(int(hpa.DesiredReplicas)), string(hpa.Health.Word), reason, lastScale,
		Age(hpa.Created, now)}
}

// Targets joins an HPA's metrics as kubectl's TARGETS column does, without kubectl's cut
// after two metrics.
func Targets(metrics []view.Metric) string {
	if len(metrics) == 0 {
		return None
	}
	parts := make([]string, len(metrics))
	for i, m := range metrics {
		parts[i] = m.Text()
	}
	return strings.Join(parts, ", ")
}

// Age prints how long ago t was, as kubectl does ("45s", "3m20s", "5h"); Unknown for a zero
// time.
func Age(t, now time.Time) string {
	if t.IsZero() {
		return Unknown
	}
	return duration.HumanDuration(now.Sub(t))
}

// withNamespaces adds a NAMESPACE column in front; namespace gives the value of row i.
func withNamespaces(table *Table, namespace func(i int) string) {
	table.Headers = append([]string{"NAMESPACE"}, table.Headers...)
	if table.Volatile != nil {
		table.Volatile = append([]bool{false}, table.Volatile...)
	}
	for i := range table.Rows {
		table.Rows[i].Cells = append([]string{namespace(i)}, table.Rows[i].Cells...)
	}
}

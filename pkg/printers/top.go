package printers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

// notComputed is the treatment cell of a pod the controller sorted for no metric.
const notComputed = "not computed"

// TopOptions shapes the top document.
type TopOptions struct {
	// Containers prints a row per container instead of per pod.
	Containers bool
}

// TopDocument lays out the top report: a table of pods, a table of metrics, then a line for
// each metric the controller cannot compute.
func TopDocument(report *view.TopReport, opts TopOptions) *Document {
	doc := &Document{Blocks: []Block{
		{ID: "pods", Table: podTable(report, opts)},
		{ID: "metrics", Table: metricTable(report)},
	}}
	var problems []string
	for i := range report.HPAs {
		problems = append(problems, problemLines(&report.HPAs[i])...)
	}
	if len(problems) > 0 {
		doc.Blocks = append(doc.Blocks, Block{ID: "problems", Text: strings.Join(problems, "\n")})
	}
	return doc
}

func podTable(report *view.TopReport, opts TopOptions) *Table {
	headers := []string{"HPA", "POD", "PHASE", "READY", "CPU", "CPU REQ", "CPU%", "MEMORY",
		"MEM REQ", "MEM%", "TREATED AS"}
	if opts.Containers {
		headers = append(headers[:2:2], append([]string{"CONTAINER"}, headers[2:]...)...)
	}
	table := &Table{Headers: headers}
	var namespaces []string
	for i := range report.HPAs {
		hpa := &report.HPAs[i]
		for j := range hpa.Pods {
			rows := podRows(hpa, &hpa.Pods[j], opts.Containers)
			table.Rows = append(table.Rows, rows...)
			for range rows {
				namespaces = append(namespaces, hpa.Namespace)
			}
		}
	}
	if report.AllNamespaces {
		withNamespaces(table, func(i int) string { return namespaces[i] })
	}
	return table
}

// podRows is one row for the pod, or one per container.
func podRows(hpa *view.TopHPA, pod *view.TopPod, containers bool) []Row {
	key := hpa.Namespace + "/" + hpa.Name + "/" + pod.Name
	treated := TreatedAs(pod.Treatments)
	ready := pod.Ready
	if ready == "" {
		ready = None
	}
	if !containers || len(pod.Containers) == 0 {
		cells := []string{hpa.Name, pod.Name}
		if containers {
			cells = append(cells, Unknown)
		}
		cells = append(cells, pod.Phase, ready)
		cells = append(cells, usageCells(pod.CPU, pod.Memory)...)
		return []Row{{Key: key, Cells: append(cells, treated)}}
	}

	rows := make([]Row, 0, len(pod.Containers))
	for _, c := range pod.Containers {
		cells := []string{hpa.Name, pod.Name, c.Name, pod.Phase, ready}
		cells = append(cells, usageCells(c.CPU, c.Memory)...)
		rows = append(rows, Row{Key: key + "/" + c.Name, Cells: append(cells, treated)})
	}
	return rows
}

func usageCells(cpu, memory view.Usage) []string {
	return []string{
		value(cpu.Used, Unknown, CPU), value(cpu.Request, None, CPU), percent(cpu.Percent),
		value(memory.Used, Unknown, Memory), value(memory.Request, None, Memory),
		percent(memory.Percent),
	}
}

// CPU prints millicores as kubectl top does: "181m".
func CPU(milli int64) string { return strconv.FormatInt(milli, 10) + "m" }

// Memory prints bytes as kubectl top does, in whole mebibytes: "120Mi".
func Memory(bytes int64) string { return strconv.FormatInt(bytes/(1024*1024), 10) + "Mi" }

func value(v *int64, missing string, format func(int64) string) string {
	if v == nil {
		return missing
	}
	return format(*v)
}

func percent(p *int64) string {
	if p == nil {
		return Unknown
	}
	return strconv.FormatInt(*p, 10) + "%"
}

// TreatedAs sums up how the controller treats a pod: one word when every metric treats it
// alike ("counted", "unready (Pending)"), else one entry per metric.
func TreatedAs(treatments []view.Treatment) string {
	if len(treatments) == 0 {
		return notComputed
	}
	first := treatmentWord(treatments[0])
	same := true
	for _, t := range treatments[1:] {
		same = same && treatmentWord(t) == first
	}
	if same {
		return first
	}

	parts := make([]string, len(treatments))
	for i, t := range treatments {
		parts[i] = t.Metric + ": " + treatmentWord(t)
	}
	return strings.Join(parts, "; ")
}

func treatmentWord(t view.Treatment) string {
	if t.Treatment == "counted" {
		return t.Treatment
	}
	return t.Treatment + " (" + t.Reason + ")"
}

func metricTable(report *view.TopReport) *Table {
	table := &Table{Headers: []string{"HPA", "METRIC", "NOW", "HPA STATUS", "TARGET",
		"COUNTED", "UNREADY", "MISSING", "IGNORED", "PROPOSES", "CURRENT", "DESIRED"}}
	var namespaces []string
	for i := range report.HPAs {
		hpa := &report.HPAs[i]
		for _, m := range hpa.Metrics {
			table.Rows = append(table.Rows, Row{
				Key:   hpa.Namespace + "/" + hpa.Name + "/" + m.Name,
				Cells: metricCells(hpa, &m),
			})
			namespaces = append(namespaces, hpa.Namespace)
		}
	}
	if report.AllNamespaces {
		withNamespaces(table, func(i int) string { return namespaces[i] })
	}
	return table
}

func metricCells(hpa *view.TopHPA, m *view.TopMetric) []string {
	orUnknown := func(s string) string {
		if s == "" {
			return Unknown
		}
		return s
	}
	proposal := Unknown
	if m.Proposal != nil {
		proposal = strconv.Itoa(int(*m.Proposal))
	}
	return []string{hpa.Name, m.Name, orUnknown(m.Computed), orUnknown(m.Status), m.Target,
		strconv.Itoa(m.Counted), strconv.Itoa(m.Unready), strconv.Itoa(m.Missing),
		strconv.Itoa(m.Ignored), proposal, strconv.Itoa(int(hpa.CurrentReplicas)),
		strconv.Itoa(int(hpa.DesiredReplicas))}
}

// problemLines says, for one HPA, why the controller computes nothing or which metric fails.
func problemLines(hpa *view.TopHPA) []string {
	name := hpa.Namespace + "/" + hpa.Name
	if hpa.NotComputed != "" {
		return []string{fmt.Sprintf("HPA %s: %s", name, hpa.NotComputed)}
	}
	var lines []string
	for _, m := range hpa.Metrics {
		if m.Error != "" {
			lines = append(lines, fmt.Sprintf("HPA %s, %s: %s", name, m.Name, m.Error))
		}
	}
	return lines
}

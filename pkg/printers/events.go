package printers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

// ChartWidth is the number of time columns of the replica chart.
const ChartWidth = 60

// chartRows is the most rows the replica chart uses.
const chartRows = 10

// EventsDocument lays out the events report: one table of events, one of rescales, then a
// replica chart per HPA that rescaled.
func EventsDocument(report *view.EventsReport, now time.Time) *Document {
	doc := &Document{}
	doc.Blocks = append(doc.Blocks, Block{ID: "events", Table: EventTable(report, now)})
	doc.Blocks = append(doc.Blocks, Block{ID: "timeline", Table: timelineTable(report, now)})
	var notes []string
	for _, hpa := range report.HPAs {
		for _, note := range hpa.TimelineNotes {
			notes = append(notes, fmt.Sprintf("HPA %s/%s: %s", hpa.Namespace, hpa.Name, note))
		}
	}
	if len(notes) > 0 {
		doc.Blocks = append(doc.Blocks,
			Block{ID: "timeline-notes", Text: strings.Join(notes, "\n")})
	}
	for i := range report.HPAs {
		hpa := &report.HPAs[i]
		doc.Blocks = append(doc.Blocks, Block{ID: "chart/" + hpa.Namespace + "/" + hpa.Name,
			Text: ReplicaChart(hpa, now)})
	}
	return doc
}

// eventHeaders are the columns of the event table, without NAMESPACE.
var eventHeaders = []string{"HPA", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}

// EventTable lists the events of every HPA of the report, oldest first within each HPA.
func EventTable(report *view.EventsReport, now time.Time) *Table {
	table := &Table{Headers: append([]string(nil), eventHeaders...),
		Volatile: []bool{false, true}}
	var namespaces []string
	for i := range report.HPAs {
		hpa := &report.HPAs[i]
		for j := range hpa.Events {
			ev := &hpa.Events[j]
			table.Rows = append(table.Rows, Row{Key: hpa.Namespace + "/" + hpa.Name + "/" +
				ev.UID, Cells: EventCells(hpa.Name, ev, now)})
			namespaces = append(namespaces, hpa.Namespace)
		}
	}
	if report.AllNamespaces {
		withNamespaces(table, func(i int) string { return namespaces[i] })
	}
	return table
}

// EventCells are the cells of one event row, without NAMESPACE.
func EventCells(hpa string, ev *view.Event, now time.Time) []string {
	seen := Age(ev.LastSeen, now)
	if ev.Count > 1 {
		seen = fmt.Sprintf("%s (x%d over %s)", seen, ev.Count, Age(ev.FirstSeen, now))
	}
	message := strings.Join(strings.Fields(ev.Message), " ")
	return []string{hpa, seen, ev.Type, ev.Reason, ev.Object, message}
}

func timelineTable(report *view.EventsReport, now time.Time) *Table {
	table := &Table{Headers: []string{"HPA", "AGE", "FROM", "TO", "REASON"},
		Volatile: []bool{false, true}}
	var namespaces []string
	for i := range report.HPAs {
		hpa := &report.HPAs[i]
		for j, step := range hpa.Timeline {
			key := fmt.Sprintf("%s/%s/%d/%d", hpa.Namespace, hpa.Name, step.Time.Unix(), j)
			table.Rows = append(table.Rows, Row{Key: key, Cells: rescaleCells(hpa.Name, step, now)})
			namespaces = append(namespaces, hpa.Namespace)
		}
	}
	if report.AllNamespaces {
		withNamespaces(table, func(i int) string { return namespaces[i] })
	}
	return table
}

func rescaleCells(hpa string, step view.Rescale, now time.Time) []string {
	from := Unknown
	if step.From != nil {
		from = strconv.Itoa(int(*step.From))
	}
	return []string{hpa, Age(step.Time, now), from, strconv.Itoa(int(step.To)), step.Reason}
}

// ReplicaChart draws the replica count of one HPA's target over the window its events cover.
func ReplicaChart(hpa *view.HPAEvents, now time.Time) string {
	title := fmt.Sprintf("Replicas of %s/%s (%s, min %d, max %d)", hpa.Namespace, hpa.Name,
		hpa.Reference, hpa.MinReplicas, hpa.MaxReplicas)
	if len(hpa.Timeline) == 0 {
		return title + ": no rescale in the events"
	}

	chart := StepChart{Start: windowStart(hpa), End: now, Width: ChartWidth, MaxRows: chartRows,
		Initial: hpa.Timeline[0].From}
	for _, step := range hpa.Timeline {
		chart.Steps = append(chart.Steps, Step{At: step.Time, Value: step.To})
	}
	return title + "\n" + strings.Join(chart.Lines(), "\n")
}

// windowStart is the time of the oldest event, so the chart covers what the events cover.
func windowStart(hpa *view.HPAEvents) time.Time {
	start := hpa.Timeline[0].Time
	for _, ev := range hpa.Events {
		if ev.FirstSeen.Before(start) {
			start = ev.FirstSeen
		}
	}
	return start
}

package printers

import (
	"strconv"

	"github.com/kubectl-directus/kubectl-directus/pkg/view"
)

// NodesDocument lays out `top nodes`: a table of nodes, then whether each HPA's maxReplicas
// fits on them.
func NodesDocument(report *view.NodesReport, allNamespaces bool) *Document {
	nodes := &Table{Headers: []string{"NAME", "READY", "CPU ALLOC", "CPU REQ", "CPU REQ%",
		"CPU USED", "CPU USED%", "MEM ALLOC", "MEM REQ", "MEM REQ%", "MEM USED", "MEM USED%",
		"PODS"}}
	for i := range report.Nodes {
		n := &report.Nodes[i]
		nodes.Rows = append(nodes.Rows, Row{Key: n.Name, Cells: nodeCells(n)})
	}

	fits := &Table{Headers: []string{"HPA", "POD CPU REQ", "POD MEM REQ", "SCHEDULED", "MAX",
		"NEEDED", "ROOM", "FITS", "LIMITED BY"}}
	for i := range report.Fits {
		f := &report.Fits[i]
		fits.Rows = append(fits.Rows, Row{Key: f.Namespace + "/" + f.HPA, Cells: fitCells(f)})
	}
	if allNamespaces {
		withNamespaces(fits, func(i int) string { return report.Fits[i].Namespace })
	}
	return &Document{Blocks: []Block{{ID: "nodes", Table: nodes}, {ID: "fits", Table: fits}}}
}

func nodeCells(n *view.TopNode) []string {
	ready := n.Ready
	switch {
	case ready == "":
		ready = Unknown
	case n.Unschedulable:
		ready += ",SchedulingDisabled"
	}
	requested := func(p int64) string { return strconv.FormatInt(p, 10) + "%" }
	return []string{n.Name, ready,
		CPU(n.CPU.Allocatable), CPU(n.CPU.Requests), requested(n.CPU.RequestPercent),
		value(n.CPU.Used, Unknown, CPU), percent(n.CPU.UsedPercent),
		Memory(n.Memory.Allocatable), Memory(n.Memory.Requests),
		requested(n.Memory.RequestPercent),
		value(n.Memory.Used, Unknown, Memory), percent(n.Memory.UsedPercent),
		strconv.Itoa(n.Pods) + "/" + strconv.FormatInt(n.PodCapacity, 10)}
}

func fitCells(f *view.Fit) []string {
	if f.Unknown != "" {
		return []string{f.HPA, Unknown, Unknown, strconv.Itoa(f.Scheduled),
			strconv.Itoa(int(f.MaxReplicas)), Unknown, Unknown, Unknown, f.Unknown}
	}
	fits := "no"
	if f.Fits {
		fits = "yes"
	}
	bound := f.Bound
	if bound == "" {
		bound = "no node accepts the pods"
	}
	return []string{f.HPA, CPU(f.PodCPU), Memory(f.PodMemory), strconv.Itoa(f.Scheduled),
		strconv.Itoa(int(f.MaxReplicas)), strconv.Itoa(f.Needed), strconv.Itoa(f.Room), fits,
		bound}
}

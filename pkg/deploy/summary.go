package deploy

import (
	"fmt"
	"io"
	"text/tabwriter"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Action is what applying did to one object.
type Action string

// Actions of a Result.
const (
	Created   Action = "created"
	Changed   Action = "changed"
	Unchanged Action = "unchanged"
	// Skipped objects were left alone, e.g. metrics-server when another one serves the API.
	Skipped Action = "skipped"
)

// Result is the outcome of applying one object.
type Result struct {
	Ref    ObjectRef
	Action Action
	// Object is the object as the API server returned it (after a server dry run, as it
	// would be); nil for skipped objects.
	Object *unstructured.Unstructured
}

// Summary lists what Apply did, in apply order.
type Summary struct {
	// DryRun is set when nothing was written (server-side dry run).
	DryRun  bool
	Results []Result
}

// Count returns how many objects had action.
func (s *Summary) Count(action Action) int {
	n := 0
	for _, r := range s.Results {
		if r.Action == action {
			n++
		}
	}
	return n
}

// Objects returns the objects the API server returned, in apply order.
func (s *Summary) Objects() []*unstructured.Unstructured {
	var objs []*unstructured.Unstructured
	for _, r := range s.Results {
		if r.Object != nil {
			objs = append(objs, r.Object)
		}
	}
	return objs
}

// Print writes one line per object and a total line, e.g.
//
//	deployment.apps/directus-directus   unchanged
//	12 objects: 0 created, 0 changed, 12 unchanged
func (s *Summary) Print(w io.Writer) error {
	suffix := ""
	if s.DryRun {
		suffix = " (server dry run)"
	}

	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	for _, r := range s.Results {
		fmt.Fprintf(tw, "%s\t%s%s\n", r.Ref, r.Action, suffix)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	_, err := fmt.Fprintf(w, "%d objects: %d created, %d changed, %d unchanged", len(s.Results),
		s.Count(Created), s.Count(Changed), s.Count(Unchanged))
	if err == nil && s.Count(Skipped) > 0 {
		_, err = fmt.Fprintf(w, ", %d skipped", s.Count(Skipped))
	}
	if err == nil {
		_, err = fmt.Fprintf(w, "%s\n", suffix)
	}
	return err
}

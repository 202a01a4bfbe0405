package diagnose

import (
	"fmt"
	"strings"
)

// Areas group the checks in listings, in the order a user should read them: a broken metrics
// pipeline explains everything after it.
const (
	AreaPipeline = "metrics pipeline"
	AreaTarget   = "scale target"
	AreaRequests = "requests"
	AreaStatus   = "hpa status"
	AreaFlapping = "flapping"
	AreaPractice = "configuration practice"
	AreaDirectus = "directus"
)

// Registry is the ordered list of checks the doctor runs. Order matters only for root causes:
// a check named in another's ExplainedBy must come first.
//
// To add a check:
//
//  1. Write it in its own file under pkg/diagnose, as an unexported function returning a
//     Check: a stable ID, its Area, a Title, the snapshot resources it Needs, and either Run
//     (once per snapshot) or RunHPA (once per HPA). The function reads only the snapshot and
//     the CheckContext: no API calls, no clock other than cc.Now.
//  2. Append the function's result to the list of its area: pipelineChecks, targetChecks,
//     requestChecks, statusChecks or flappingChecks (files checks_*.go), practiceChecks
//     (practice_checks.go) or directusChecks (directus_checks.go).
//  3. Test it from a fixture; TestDefaultRegistryIsValid keeps IDs unique and fields set.
//
// A check returns findings only for problems; the runner records the checks that found
// nothing as passed, and the checks whose inputs could not be read as "could not check".
type Registry struct {
	checks []Check
}

// NewRegistry returns a registry holding checks, in order.
func NewRegistry(checks ...Check) *Registry {
	return &Registry{checks: checks}
}

// DefaultRegistry returns every check of the doctor, root causes first.
func DefaultRegistry() *Registry {
	r := NewRegistry()
	r.Add(pipelineChecks()...)
	r.Add(targetChecks()...)
	r.Add(requestChecks()...)
	r.Add(statusChecks()...)
	r.Add(flappingChecks()...)
	r.Add(practiceChecks()...)
	r.Add(directusChecks()...)
	return r
}

// Add appends checks after those already registered.
func (r *Registry) Add(checks ...Check) {
	r.checks = append(r.checks, checks...)
}

// Checks returns the registered checks in run order.
func (r *Registry) Checks() []Check {
	return append([]Check(nil), r.checks...)
}

// Lookup returns the check with the given ID.
func (r *Registry) Lookup(id string) (Check, bool) {
	for _, c := range r.checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Validate reports checks with a duplicate or empty ID, no title or area, not exactly one of
// Run and RunHPA, or a root cause registered after the check it explains.
func (r *Registry) Validate() error {
	var problems []string
	seen := map[string]bool{}
	for _, c := range r.checks {
		problems = append(problems, c.problems(seen)...)
		seen[c.ID] = true
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid check registry: %s", strings.Join(problems, "; "))
	}
	return nil
}

func (c Check) problems(before map[string]bool) []string {
	var out []string
	if c.ID == "" || before[c.ID] {
		out = append(out, fmt.Sprintf("check %q: empty or duplicate ID", c.ID))
	}
	if c.Title == "" || c.Area == "" {
		out = append(out, fmt.Sprintf("check %q: missing title or area", c.ID))
	}
	if (c.Run == nil) == (c.RunHPA == nil) {
		out = append(out, fmt.Sprintf("check %q: set exactly one of Run and RunHPA", c.ID))
	}
	for _, cause := range c.ExplainedBy {
		if !before[cause] {
			out = append(out, fmt.Sprintf("check %q: cause %q is not registered before it",
				c.ID, cause))
		}
	}
	return out
}

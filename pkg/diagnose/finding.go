// Package diagnose judges HorizontalPodAutoscalers from a snapshot. Every check is a pure
// function of the snapshot and returns findings; the registry runs them all and collects one
// report.
package diagnose

import (
	"fmt"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Severity ranks a finding. The zero value is OK: a check that passed.
type Severity int

const (
	// OK means the check ran and found nothing wrong.
	OK Severity = iota
	// Info is advice: nothing is broken.
	Info
	// Warning is a risk: it will break under some conditions, or works badly.
	Warning
	// Error is broken now, or will break as soon as the HPA scales.
	Error
)

// String returns the lowercase name used in output and in --severity.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	default:
		return "ok"
	}
}

// MarshalText writes the severity as its lowercase name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity written by MarshalText.
func (s *Severity) UnmarshalText(text []byte) error {
	parsed, ok := ParseSeverity(string(text))
	if !ok {
		return fmt.Errorf("unknown severity %q: use ok, info, warning or error", text)
	}
	*s = parsed
	return nil
}

// ParseSeverity reads a severity name as given to --severity.
func ParseSeverity(name string) (Severity, bool) {
	for _, s := range []Severity{OK, Info, Warning, Error} {
		if s.String() == name {
			return s, true
		}
	}
	return OK, false
}

// Subject names the object a finding is about.
type Subject struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// Finding is one conclusion of one check.
type Finding struct {
	// ID is stable across releases (for example HPA-REQ-001 or DX06) so that CI can key on it.
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Subject  Subject  `json:"subject"`
	// Message is one line saying what is wrong.
	Message string `json:"message"`
	// Evidence lists what was seen: pods, containers, conditions, events, values.
	Evidence []string `json:"evidence,omitempty"`
	// Remediation says what to do: a command or a manifest change.
	Remediation string `json:"remediation,omitempty"`
	// HPAs lists the autoscalers ("namespace/name") the finding concerns. The runner sets it
	// for per-HPA checks; cluster-level checks set it when they know whom a fault affects.
	HPAs []string `json:"hpas,omitempty"`
}

// CheckContext is what every check receives besides the snapshot.
type CheckContext struct {
	// Now is the clock the checks judge ages by; tests fix it.
	Now time.Time
}

// Check is a pure function of a snapshot. Set exactly one of Run and RunHPA.
type Check struct {
	// ID names the check; it is also the ID of its findings unless a finding sets its own
	// (one check may tell several problems apart, such as an APIService that is missing from
	// one that is unavailable).
	ID string
	// Area groups checks in listings: see the Area constants.
	Area string
	// Title says what the check looks at, e.g. "metrics APIService is available".
	Title string
	// Needs lists the snapshot resources the check reads (the snapshot.Res* names); when one
	// could not be read, the check reports "could not check" with the gap instead of running.
	Needs []string
	// ExplainedBy lists the IDs of checks that find root causes. When one of them reported an
	// error cluster-wide, or any finding on the same HPA (a per-HPA check's finding, or a
	// cluster-level finding naming the HPA in HPAs), this check does not run for that HPA:
	// its findings would only repeat the symptoms of that cause. Causes must be registered
	// before the checks they explain.
	ExplainedBy []string
	// Run judges the whole snapshot once; for cluster-level checks such as the metrics
	// pipeline.
	Run func(cc CheckContext, snap *snapshot.Snapshot) []Finding
	// RunHPA judges one HPA; the runner calls it for every HPA of the snapshot.
	RunHPA func(cc CheckContext, snap *snapshot.Snapshot,
		hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding
}

// Package diagnose judges HorizontalPodAutoscalers from a snapshot. Every check is a pure
// function of the snapshot and returns findings; the registry runs them all and collects one
// report.
package diagnose

import (
	"time"

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
}

// CheckContext is what every check receives besides the snapshot.
type CheckContext struct {
	// Now is the clock the checks judge ages by; tests fix it.
	Now time.Time
}

// Check is a pure function of a snapshot.
type Check struct {
	// ID prefix and area, for grouping and for listing what was checked.
	ID   string
	Area string
	// Title says what the check looks at, e.g. "metrics APIService is available".
	Title string
	// Needs lists the snapshot resources the check reads; when one could not be read, the
	// check reports "could not check" with the gap instead of running.
	Needs []string
	Run   func(cc CheckContext, snap *snapshot.Snapshot) []Finding
}

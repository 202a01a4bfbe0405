package diagnose

// Report is everything one doctor run concluded. Its JSON and YAML form is a stable schema
// for CI: add fields, never rename or remove them.
type Report struct {
	Summary Summary `json:"summary"`
	// Findings are the problems found, cluster-level first, then per HPA in name order.
	Findings []Finding `json:"findings"`
	// Checked lists every check that ran (or was explained by a root cause), per HPA.
	Checked []CheckResult `json:"checked"`
	// CouldNotCheck lists the checks that did not run because their inputs could not be read.
	CouldNotCheck []NotChecked `json:"couldNotCheck"`
}

// Summary is the verdict in a few fields.
type Summary struct {
	// Status is the worst severity found: ok, info, warning or error.
	Status Severity `json:"status"`
	// Counts counts findings by severity, and the checks that passed.
	Counts Counts `json:"counts"`
	// HPAs is how many HorizontalPodAutoscalers were judged.
	HPAs int `json:"hpas"`
}

// Counts counts findings per severity; Passed counts check results with no finding.
type Counts struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Info    int `json:"info"`
	Passed  int `json:"passed"`
}

// Result values of a CheckResult.
const (
	ResultPassed    = "passed"
	ResultFound     = "found"
	ResultExplained = "explained"
)

// CheckResult says how one check ended for one HPA (or for the cluster, when Subject is nil).
type CheckResult struct {
	ID      string   `json:"id"`
	Area    string   `json:"area"`
	Title   string   `json:"title"`
	Subject *Subject `json:"subject,omitempty"`
	// Result is passed, found (at least one finding) or explained (a root cause reported
	// elsewhere makes the check moot; ExplainedBy names that check).
	Result      string   `json:"result"`
	Severity    Severity `json:"severity"`
	ExplainedBy string   `json:"explainedBy,omitempty"`
}

// NotChecked is a check that could not run, and why: the verb and resource that failed.
type NotChecked struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Subject *Subject `json:"subject,omitempty"`
	Reason  string   `json:"reason"`
}

// HasErrors reports whether any finding is at error level; the doctor then exits 2.
func (r *Report) HasErrors() bool {
	return r.Summary.Status == Error
}

// AtLeast returns a copy of the report whose findings are limited to severity min and above.
// The summary still counts every finding, so the status does not depend on the filter.
func (r *Report) AtLeast(min Severity) *Report {
	out := *r
	out.Findings = []Finding{}
	for _, f := range r.Findings {
		if f.Severity >= min {
			out.Findings = append(out.Findings, f)
		}
	}
	return &out
}

func (r *Report) summarize() {
	r.Summary.Counts = Counts{}
	r.Summary.Status = OK
	for _, f := range r.Findings {
		r.Summary.Status = max(r.Summary.Status, f.Severity)
		switch f.Severity {
		case Error:
			r.Summary.Counts.Error++
		case Warning:
			r.Summary.Counts.Warning++
		case Info:
			r.Summary.Counts.Info++
		}
	}
	for _, c := range r.Checked {
		if c.Result == ResultPassed {
			r.Summary.Counts.Passed++
		}
	}
}

package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one command's measured runs, summarized.
type row struct {
	Label  string
	Runs   int
	Wall   time.Duration // median
	MinMax [2]time.Duration
	MaxRSS int64 // the highest peak over the runs
	Audit  int   // median
	Own    int   // median; -1 when the command cannot count its own
}

// summarize reduces runs to a row.
func summarize(label string, runs []run) row {
	walls := make([]time.Duration, len(runs))
	audits := make([]int, len(runs))
	owns := make([]int, len(runs))
	r := row{Label: label, Runs: len(runs)}
	for i, x := range runs {
		walls[i], audits[i], owns[i] = x.Wall, x.Audit, x.Own
		r.MaxRSS = max(r.MaxRSS, x.MaxRSS)
	}
	slices.Sort(walls)
	r.Wall, r.MinMax = median(walls), [2]time.Duration{walls[0], walls[len(walls)-1]}
	r.Audit, r.Own = median(audits), median(owns)
	return r
}

// median of a non-empty slice; the lower middle value for an even length.
func median[T int | time.Duration](values []T) T {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return sorted[(len(sorted)-1)/2]
}

// writeTable prints the rows as an aligned text table.
func writeTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMAND\tRUNS\tWALL (MEDIAN)\tMIN..MAX\tPEAK RSS\tREQUESTS (AUDIT)\tREQUESTS (OWN)")
	for _, r := range rows {
		own := "-"
		if r.Own >= 0 {
			own = fmt.Sprint(r.Own)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s..%s\t%s\t%d\t%s\n", r.Label, r.Runs, seconds(r.Wall),
			seconds(r.MinMax[0]), seconds(r.MinMax[1]), megabytes(r.MaxRSS), r.Audit, own)
	}
	_ = tw.Flush()
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func megabytes(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) }

// verdict is one target and whether it was met.
type verdict struct {
	Target string
	Seen   string
	Met    bool
}

// writeVerdicts prints one line per target.
func writeVerdicts(w io.Writer, verdicts []verdict) {
	for _, v := range verdicts {
		mark := "met   "
		if !v.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "%s  %s: %s\n", mark, v.Target, v.Seen)
	}
}

// markdownTable renders the rows as the Markdown table the README shows.
func markdownTable(rows []row) string {
	var b strings.Builder
	b.WriteString("| command | wall (median) | min..max | peak RSS | API requests (audit) |\n")
	b.WriteString("|---|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `%s` | %s | %s..%s | %s | %d |\n", r.Label, seconds(r.Wall),
			seconds(r.MinMax[0]), seconds(r.MinMax[1]), megabytes(r.MaxRSS), r.Audit)
	}
	return b.String()
}

package printers

import (
	"fmt"
	"strings"
	"time"
)

// Step is a change of a count at a moment.
type Step struct {
	At    time.Time
	Value int32
}

// StepChart draws a count that changes in steps, such as a replica count, as filled columns:
// time runs left to right over Width columns, and each column shows the highest count it
// covers. The chart is at most MaxRows rows high; larger counts are scaled down.
type StepChart struct {
	Steps []Step
	// Initial is the count before the first step; nil when unknown, which leaves the columns
	// before the first step empty.
	Initial    *int32
	Start, End time.Time
	Width      int
	MaxRows    int
}

const (
	chartFilled = "█"
	chartEmpty  = " "
)

// Lines renders the chart: the rows from the top, then the time axis.
func (c StepChart) Lines() []string {
	columns := c.columns()
	top := int32(0)
	for _, v := range columns {
		top = max(top, v)
	}
	levels := chartLevels(top, c.MaxRows)
	labelWidth := len(fmt.Sprint(top))

	lines := make([]string, 0, len(levels)+2)
	for i := len(levels) - 1; i >= 0; i-- {
		var b strings.Builder
		fmt.Fprintf(&b, "%*d ┤", labelWidth, levels[i])
		for _, v := range columns {
			if v >= levels[i] {
				b.WriteString(chartFilled)
			} else {
				b.WriteString(chartEmpty)
			}
		}
		lines = append(lines, strings.TrimRight(b.String(), " "))
	}
	return append(lines, c.axis(labelWidth)...)
}

// axis is the baseline and the labels of both ends of the time range.
func (c StepChart) axis(labelWidth int) []string {
	indent := strings.Repeat(" ", labelWidth+1)
	base := indent + "└" + strings.Repeat("─", c.Width)

	left := Age(c.Start, c.End) + " ago"
	right := "now"
	gap := max(1, c.Width+1-len(left)-len(right))
	return []string{base, indent + left + strings.Repeat(" ", gap) + right}
}

// columns gives each column the highest count in force during its slice of time [from, to)
// (the last slice includes its end), or -1 where the count is unknown.
func (c StepChart) columns() []int32 {
	span := c.End.Sub(c.Start)
	out := make([]int32, c.Width)
	for col := range out {
		from := c.Start.Add(span * time.Duration(col) / time.Duration(c.Width))
		to := c.Start.Add(span * time.Duration(col+1) / time.Duration(c.Width))
		last := col == c.Width-1
		v := c.valueAt(from)
		for _, s := range c.Steps {
			if s.At.After(from) && (s.At.Before(to) || last && s.At.Equal(to)) {
				v = max(v, s.Value)
			}
		}
		out[col] = v
	}
	return out
}

// valueAt is the count in force at t: the last step at or before t, else Initial.
func (c StepChart) valueAt(t time.Time) int32 {
	v := int32(-1)
	if c.Initial != nil {
		v = *c.Initial
	}
	for _, s := range c.Steps {
		if s.At.After(t) {
			break
		}
		v = s.Value
	}
	return v
}

// chartLevels returns the count each row stands for, bottom first: one row per count up to
// maxRows, evenly spread above that.
func chartLevels(top int32, maxRows int) []int32 {
	if top < 1 {
		top = 1
	}
	rows := min(int(top), max(maxRows, 1))
	levels := make([]int32, rows)
	for r := 1; r <= rows; r++ {
		levels[r-1] = int32((int(top)*r + rows - 1) / rows)
	}
	return levels
}

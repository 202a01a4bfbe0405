package printers

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// LinePoint is one value at a time, in seconds from the chart's start.
type LinePoint struct {
	X float64
	Y float64
}

// LineSeries is a named series drawn with one mark. Between points its value holds until
// the next point, as a sampled gauge does.
type LineSeries struct {
	Name   string
	Mark   byte
	Points []LinePoint
}

// RefLine is a horizontal line, such as a target, drawn under the series.
type RefLine struct {
	Name string
	Y    float64
	Mark byte
}

// LineChart draws series over a shared time axis in plain ASCII: Height rows, Width
// columns, a value axis on the left starting at zero, and a legend below.
type LineChart struct {
	Title  string
	Unit   string
	Height int
	Width  int
	// XMax is the end of the time axis in seconds; zero uses the last point.
	XMax   float64
	Series []LineSeries
	Lines  []RefLine
}

// Render writes the chart. A chart with no points writes nothing.
func (c LineChart) Render(w io.Writer) error {
	xMax, yMax, ok := c.bounds()
	if !ok {
		return nil
	}
	grid := c.grid(xMax, yMax)

	var b strings.Builder
	b.WriteString(c.Title + "\n")
	labels, width := c.valueLabels(yMax)
	for row := range grid {
		fmt.Fprintf(&b, "%*s |%s\n", width, labels[row], strings.TrimRight(string(grid[row]), " "))
	}
	b.WriteString(strings.Repeat(" ", width+1) + "+" + strings.Repeat("-", c.Width) + "\n")
	b.WriteString(strings.Repeat(" ", width+2) + timeAxis(xMax, c.Width) + "\n")
	b.WriteString(strings.Repeat(" ", width+2) + c.legend() + "\n")

	_, err := io.WriteString(w, b.String())
	return err
}

// bounds returns the time span and the top of the value axis: the highest value or line,
// rounded up to a number that divides well into rows.
func (c LineChart) bounds() (xMax, yMax float64, ok bool) {
	for _, s := range c.Series {
		for _, p := range s.Points {
			xMax, yMax, ok = max(xMax, p.X), max(yMax, p.Y), true
		}
	}
	for _, l := range c.Lines {
		yMax = max(yMax, l.Y)
	}
	if c.XMax > 0 {
		xMax = c.XMax
	}
	return max(xMax, 1), niceCeil(yMax, c.Height-1), ok
}

// niceCeil rounds v up so that rows-1 steps of it are round numbers (1, 2, 5 × 10^n).
func niceCeil(v float64, steps int) float64 {
	if v <= 0 || steps < 1 {
		return 1
	}
	raw := v / float64(steps)
	exp := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*exp >= raw {
			return m * exp * float64(steps)
		}
	}
	return v
}

// grid places the reference lines, then each series over them, later series on top.
func (c LineChart) grid(xMax, yMax float64) [][]byte {
	grid := make([][]byte, c.Height)
	for row := range grid {
		grid[row] = []byte(strings.Repeat(" ", c.Width))
	}
	for _, l := range c.Lines {
		row := c.rowOf(l.Y, yMax)
		for col := range c.Width {
			grid[row][col] = l.Mark
		}
	}
	for _, s := range c.Series {
		for col := range c.Width {
			x := (float64(col) + 0.5) * xMax / float64(c.Width)
			if y, ok := valueAt(s.Points, x); ok {
				grid[c.rowOf(y, yMax)][col] = s.Mark
			}
		}
	}
	return grid
}

// valueAt is the value of the last point at or before x; none before the first point.
func valueAt(points []LinePoint, x float64) (float64, bool) {
	y, ok := 0.0, false
	for _, p := range points {
		if p.X > x {
			break
		}
		y, ok = p.Y, true
	}
	return y, ok
}

func (c LineChart) rowOf(y, yMax float64) int {
	row := int(math.Round((1 - y/yMax) * float64(c.Height-1)))
	return min(max(row, 0), c.Height-1)
}

// valueLabels labels every row with its value.
func (c LineChart) valueLabels(yMax float64) ([]string, int) {
	labels := make([]string, c.Height)
	width := 0
	for row := range labels {
		v := yMax * float64(c.Height-1-row) / float64(c.Height-1)
		labels[row] = trimFloat(v) + c.Unit
		width = max(width, len(labels[row]))
	}
	return labels, width
}

func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", v), "0"), ".")
}

// timeAxis labels the start, middle and end of the time axis.
func timeAxis(xMax float64, width int) string {
	left, mid, right := "0s", minSec(xMax/2), minSec(xMax)
	axis := []byte(strings.Repeat(" ", width+len(right)))
	copy(axis, left)
	if m := width/2 - len(mid)/2; m > len(left) && m+len(mid) < width-len(right) {
		copy(axis[m:], mid)
	}
	copy(axis[width-len(right):], right)
	return strings.TrimRight(string(axis), " ")
}

// minSec shows seconds as "4m05s", or "45s" under a minute.
func minSec(s float64) string {
	total := int(math.Round(s))
	if total < 60 {
		return fmt.Sprintf("%ds", total)
	}
	return fmt.Sprintf("%dm%02ds", total/60, total%60)
}

func (c LineChart) legend() string {
	var parts []string
	for _, s := range c.Series {
		parts = append(parts, string(s.Mark)+" "+s.Name)
	}
	for _, l := range c.Lines {
		parts = append(parts, string(l.Mark)+" "+l.Name)
	}
	return strings.Join(parts, "   ")
}

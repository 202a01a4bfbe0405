package printers

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func podsDoc(rows ...Row) *Document {
	return &Document{Blocks: []Block{
		{ID: "title", Text: "HPA web"},
		{ID: "pods", Table: &Table{Headers: []string{"NAME", "CPU", "AGE"}, Rows: rows,
			Volatile: []bool{false, false, true}}},
	}}
}

func TestRenderPlain(t *testing.T) {
	doc := podsDoc(Row{Key: "a", Cells: []string{"web-a", "181m", "5m"}},
		Row{Key: "b", Cells: []string{"web-bb", "9m", "6m"}})
	var out bytes.Buffer
	require.NoError(t, Render(&out, doc, RenderOptions{}))
	assert.Equal(t, "HPA web\n\nNAME     CPU    AGE\nweb-a    181m   5m\nweb-bb   9m     6m\n",
		out.String())

	out.Reset()
	require.NoError(t, Render(&out, doc, RenderOptions{NoHeaders: true}))
	assert.Equal(t, "HPA web\n\nweb-a    181m   5m\nweb-bb   9m     6m\n", out.String())
}

// TestRenderMarks: a changed cell marks its row, an age alone does not, a new row is +, a
// row that is gone comes last with -, and a changed text block is marked too.
func TestRenderMarks(t *testing.T) {
	previous := podsDoc(Row{Key: "a", Cells: []string{"web-a", "181m", "5m"}},
		Row{Key: "b", Cells: []string{"web-b", "9m", "6m"}},
		Row{Key: "c", Cells: []string{"web-c", "20m", "7m"}})
	current := podsDoc(Row{Key: "a", Cells: []string{"web-a", "181m", "6m"}},
		Row{Key: "b", Cells: []string{"web-b", "90m", "7m"}},
		Row{Key: "d", Cells: []string{"web-d", "1m", "0s"}})
	current.Blocks[0].Text = "HPA web (scaled)"

	var out bytes.Buffer
	require.NoError(t, Render(&out, current, RenderOptions{Previous: previous}))
	assert.Equal(t, `* HPA web (scaled)

  NAME    CPU    AGE
  web-a   181m   6m
* web-b   90m    7m
+ web-d   1m     0s
- web-c   20m    7m
`, out.String())
}

func TestColumnsFollowTable(t *testing.T) {
	table := &Table{Headers: []string{"NAME", "MESSAGE"},
		Rows: []Row{{Cells: []string{"web-a", "hello"}}}}
	cols := NewColumns(table, false)
	assert.Equal(t, "web-b   later\n", cols.Line([]string{"web-b", "later"}))
	assert.Equal(t, "web-long-name   x\n", cols.Line([]string{"web-long-name", "x"}))
	assert.Equal(t, "web-c           y\n", cols.Line([]string{"web-c", "y"}),
		"a widened column stays wide")
}

func TestStepChartUnknownStart(t *testing.T) {
	start := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	chart := StepChart{
		Steps: []Step{{At: start.Add(4 * time.Minute), Value: 3},
			{At: start.Add(8 * time.Minute), Value: 1}},
		Start: start, End: start.Add(10 * time.Minute), Width: 10, MaxRows: 10,
	}
	assert.Equal(t, []string{
		"3 ┤    ████",
		"2 ┤    ████",
		"1 ┤    ██████",
		"  └──────────",
		"  10m ago now",
	}, chart.Lines(), "nothing is drawn before the first step when the start is unknown")
}

func TestStepChartScalesTallCounts(t *testing.T) {
	start := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	initial := int32(40)
	chart := StepChart{Initial: &initial, Steps: []Step{{At: start.Add(time.Minute), Value: 100}},
		Start: start, End: start.Add(2 * time.Minute), Width: 4, MaxRows: 4}
	assert.Equal(t, []string{
		"100 ┤  ██",
		" 75 ┤  ██",
		" 50 ┤  ██",
		" 25 ┤████",
		"    └────",
		"    2m ago now",
	}, chart.Lines())
}

package printers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLineChartSteps(t *testing.T) {
	c := LineChart{Title: "replicas", Height: 5, Width: 20, XMax: 200,
		Series: []LineSeries{{Name: "current", Mark: '#', Points: []LinePoint{
			{X: 0, Y: 2}, {X: 100, Y: 4}, {X: 150, Y: 8}}}},
		Lines: []RefLine{{Name: "max 8", Y: 8, Mark: '-'}}}
	var b strings.Builder
	require.NoError(t, c.Render(&b))

	want := `replicas
8 |---------------#####
6 |
4 |          #####
2 |##########
0 |
  +--------------------
   0s      1m40s  3m20s
   # current   - max 8
`
	assert.Equal(t, want, b.String())
}

func TestLineChartPercentTargets(t *testing.T) {
	c := LineChart{Title: "utilization", Unit: "%", Height: 11, Width: 10,
		Series: []LineSeries{{Name: "cpu", Mark: '*', Points: []LinePoint{
			{X: 0, Y: 30}, {X: 50, Y: 95}, {X: 100, Y: 95}}}},
		Lines: []RefLine{{Name: "cpu target", Y: 70, Mark: '.'}}}
	var b strings.Builder
	require.NoError(t, c.Render(&b))

	want := `utilization
100% |
 90% |     *****
 80% |
 70% |..........
 60% |
 50% |
 40% |
 30% |*****
 20% |
 10% |
  0% |
     +----------
      0s   1m40s
      * cpu   . cpu target
`
	assert.Equal(t, want, b.String(), "95 rounds to the 90 row, 30 to the 30 row; the target sits at 70")
}

func TestLineChartEmpty(t *testing.T) {
	var b strings.Builder
	require.NoError(t, LineChart{Title: "x", Height: 4, Width: 10}.Render(&b))
	assert.Empty(t, b.String())
}

func TestNiceCeil(t *testing.T) {
	assert.Equal(t, 10.0, niceCeil(10, 5))
	assert.Equal(t, 100.0, niceCeil(95, 5))
	assert.Equal(t, 12.5, niceCeil(11, 5))
	assert.Equal(t, 1.0, niceCeil(0, 5))
}

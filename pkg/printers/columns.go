package printers

import (
	"strings"
	"unicode/utf8"
)

// columnPadding is the space between columns, as in kubectl.
const columnPadding = 3

// Columns aligns rows printed one at a time, after a table, to the table's column widths,
// widening a column when a later cell is longer.
type Columns struct {
	widths []int
}

// NewColumns takes the widths of table's cells, and of its headers unless noHeaders.
func NewColumns(table *Table, noHeaders bool) *Columns {
	c := &Columns{}
	if !noHeaders {
		c.fit(table.Headers)
	}
	for _, row := range table.Rows {
		c.fit(row.Cells)
	}
	return c
}

func (c *Columns) fit(cells []string) {
	for i, cell := range cells {
		if i >= len(c.widths) {
			c.widths = append(c.widths, 0)
		}
		c.widths[i] = max(c.widths[i], utf8.RuneCountInString(cell))
	}
}

// Line pads cells to the column widths and ends the line.
func (c *Columns) Line(cells []string) string {
	c.fit(cells)
	var b strings.Builder
	for i, cell := range cells {
		b.WriteString(cell)
		if i < len(cells)-1 {
			pad := c.widths[i] - utf8.RuneCountInString(cell) + columnPadding
			b.WriteString(strings.Repeat(" ", pad))
		}
	}
	b.WriteByte('\n')
	return b.String()
}

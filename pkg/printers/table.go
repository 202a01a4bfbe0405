// Package printers renders the reports of the read-only verbs as borderless tables like
// kubectl's, as JSON or YAML, and as small terminal charts. Every printer writes to the
// io.Writer it is given.
package printers

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Unknown is printed for a value the cluster did not provide.
const Unknown = "<unknown>"

// None is printed for a value that is absent by design (a time that has not happened yet).
const None = "<none>"

// Table is a list of rows under column headers.
type Table struct {
	Headers []string
	Rows    []Row
	// Volatile marks columns whose value changes on its own (ages); they are left out when
	// two refreshes are compared.
	Volatile []bool
}

// Row is one line of a table. Key names what the row is about, so that two refreshes of the
// same view can tell a changed row from a new one.
type Row struct {
	Key   string
	Cells []string
}

// Block is one part of a document: a table, or a line of text when Table is nil. ID names
// the block across refreshes.
type Block struct {
	ID    string
	Text  string
	Table *Table
}

// Document is a view as printed: blocks separated by a blank line.
type Document struct {
	Blocks []Block
}

// Mark says how a row differs from the previous refresh.
type Mark byte

// The marks printed at the start of a line in watch mode.
const (
	Same    Mark = ' '
	Changed Mark = '*'
	Added   Mark = '+'
	Removed Mark = '-'
)

// RenderOptions controls how a Document is written.
type RenderOptions struct {
	// NoHeaders leaves out table headers.
	NoHeaders bool
	// Previous, when set, is the document of the last refresh: every line is prefixed with
	// its Mark, and rows that disappeared are printed with Removed.
	Previous *Document
}

// Render writes doc to w as aligned columns, blocks separated by a blank line.
func Render(w io.Writer, doc *Document, opts RenderOptions) error {
	var buf bytes.Buffer
	for i := range doc.Blocks {
		if i > 0 {
			buf.WriteByte('\n')
		}
		block := &doc.Blocks[i]
		if block.Table == nil {
			writeText(&buf, block, opts.Previous)
			continue
		}
		if err := writeTable(&buf, block, opts); err != nil {
			return err
		}
	}
	_, err := terminalSafe(w).Write(buf.Bytes())
	return err
}

// writeText writes a text block; in watch mode its first line carries the mark and the
// others are indented to match.
func writeText(buf *bytes.Buffer, block *Block, previous *Document) {
	text := block.Text + "\n"
	if previous == nil {
		buf.WriteString(text)
		return
	}

	mark := Changed
	if old, ok := previous.block(block.ID); ok {
		mark = markText(old, block)
	}
	marks := []Mark{mark}
	for range strings.Count(block.Text, "\n") {
		marks = append(marks, Same)
	}
	prefixLines(buf, text, marks)
}

func markText(old, cur *Block) Mark {
	if old.Text == cur.Text {
		return Same
	}
	return Changed
}

// writeTable aligns the table with a tabwriter, then prefixes the marks line by line so
// they never shift the columns.
func writeTable(buf *bytes.Buffer, block *Block, opts RenderOptions) error {
	rows, marks := rowsToPrint(block, opts.Previous)

	var aligned bytes.Buffer
	tw := tabwriter.NewWriter(&aligned, 0, 8, 3, ' ', 0)
	if !opts.NoHeaders {
		fmt.Fprintln(tw, strings.Join(block.Table.Headers, "\t"))
	}
	for _, row := range rows {
		cells := make([]string, len(row.Cells))
		for i, cell := range row.Cells {
			cells[i] = safeCell(cell)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("aligning table: %w", err)
	}

	if opts.Previous == nil {
		buf.Write(aligned.Bytes())
		return nil
	}
	if !opts.NoHeaders {
		marks = append([]Mark{Same}, marks...)
	}
	prefixLines(buf, aligned.String(), marks)
	return nil
}

func prefixLines(buf *bytes.Buffer, text string, marks []Mark) {
	lines := strings.SplitAfter(text, "\n")
	for i, line := range lines {
		if line == "" {
			continue
		}
		buf.WriteByte(byte(marks[i]))
		buf.WriteByte(' ')
		buf.WriteString(line)
	}
}

// rowsToPrint returns the rows of block, followed by the rows the previous refresh had and
// this one lacks, with the mark of each.
func rowsToPrint(block *Block, previous *Document) ([]Row, []Mark) {
	rows := block.Table.Rows
	if previous == nil {
		return rows, nil
	}
	old, found := previous.block(block.ID)
	if !found || old.Table == nil {
		old = &Block{Table: &Table{}}
	}

	oldRows := make(map[string]Row, len(old.Table.Rows))
	for _, row := range old.Table.Rows {
		oldRows[row.Key] = row
	}
	marks := make([]Mark, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for _, row := range rows {
		seen[row.Key] = true
		marks = append(marks, markRow(oldRows, row, block.Table.Volatile))
	}

	out := append([]Row(nil), rows...)
	for _, row := range old.Table.Rows {
		if !seen[row.Key] {
			out = append(out, row)
			marks = append(marks, Removed)
		}
	}
	return out, marks
}

func markRow(oldRows map[string]Row, row Row, volatile []bool) Mark {
	old, found := oldRows[row.Key]
	if !found {
		return Added
	}
	if len(old.Cells) != len(row.Cells) {
		return Changed
	}
	for i := range row.Cells {
		if i < len(volatile) && volatile[i] {
			continue
		}
		if old.Cells[i] != row.Cells[i] {
			return Changed
		}
	}
	return Same
}

func (d *Document) block(id string) (*Block, bool) {
	for i := range d.Blocks {
		if d.Blocks[i].ID == id {
			return &d.Blocks[i], true
		}
	}
	return nil, false
}

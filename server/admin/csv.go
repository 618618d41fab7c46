package admin

import (
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strings"
)

// csvWriter writes rows whose every cell passed through CSVCell.
type csvWriter struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

func (c *csvWriter) row(cells ...string) error {
	for i, s := range cells {
		cells[i] = CSVCell(s)
	}
	return c.w.Write(cells)
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// CSVCell makes s safe to open in a spreadsheet: a cell starting with
// =, +, -, @, a tab or a carriage return would run as a formula
// (OWASP "CSV injection"), so it gets a leading single quote.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// detailText is an event's detail as "key=value" pairs in key order.
func detailText(d map[string]string) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(d)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + d[k])
	}
	return b.String()
}

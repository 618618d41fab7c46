package admin

import "testing"

func TestCSVCellQuotesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1":              "'=1+1",
		"+SUM(A1)":          "'+SUM(A1)",
		"-2":                "'-2",
		"@cmd":              "'@cmd",
		"\t=x":              "'\t=x",
		"\r=x":              "'\r=x",
		"":                  "",
		"login":             "login",
		"a=b":               "a=b",
		"192.0.2.1":         "192.0.2.1",
		"'already quoted":   "'already quoted",
		"2026-12-02T10:00Z": "2026-12-02T10:00Z",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

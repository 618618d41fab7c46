package messages

import (
	"strings"
	"testing"
)

func TestFill(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text  string
		pairs []string
		want  string
	}{
		{"Hello {name}.", []string{"{name}", "Ada"}, "Hello Ada."},
		{"{a}{b}{a}", []string{"{a}", "1", "{b}", "2"}, "121"},
		{"no placeholder", []string{"{a}", "1"}, "no placeholder"},
		{"odd {a}", []string{"{a}", "1", "{b}"}, "odd 1"},
		{"empty {a}", []string{"", "x", "{a}", ""}, "empty "},
		// A value is inserted as is, never searched again.
		{"Sent to {email}, code {code}", []string{"{email}", "x{code}@example.com", "{code}", "123456"}, "Sent to x{code}@example.com, code 123456"},
		{"é {n} ü", []string{"{n}", "ñ"}, "é ñ ü"},
		{"{", []string{"{a}", "1"}, "{"},
	} {
		if got := fill(tc.text, tc.pairs); got != tc.want {
			t.Errorf("fill(%q, %q) = %q, want %q", tc.text, tc.pairs, got, tc.want)
		}
		// The same as strings.Replacer, which Fill once used.
		if len(tc.pairs)%2 == 0 && !strings.Contains(strings.Join(tc.pairs, ""), "\x00") && tc.pairs[0] != "" {
			if want := strings.NewReplacer(tc.pairs...).Replace(tc.text); want != tc.want {
				t.Errorf("strings.Replacer gives %q for %q", want, tc.text)
			}
		}
	}
}

func BenchmarkFill(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = fill("The 6 digits from the email we sent to {email}.", []string{"{email}", "ada@example.com"})
	}
}

package phone

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/messages"
)

func numbers(t testing.TB) *Numbers {
	t.Helper()
	n, err := New("US", []string{"US", "CA", "GB", "IE", "FR", "DE", "NL", "BE", "ES", "IT", "AU", "NZ"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNormalize(t *testing.T) {
	n := numbers(t)
	cases := []struct {
		name, in, want string
		problem        messages.Key
	}{
		{"US national", "(201) 555-0123", "+12015550123", ""},
		{"US with dots", "201.555.0123", "+12015550123", ""},
		{"US E.164", "+1 201 555 0123", "+12015550123", ""},
		{"surrounding spaces", "  +12015550123 ", "+12015550123", ""},
		{"UK mobile", "+44 7400 123456", "+447400123456", ""},
		{"UK mobile with trunk zero", "+44 (0)7400 123456", "+447400123456", ""},
		{"French mobile", "+33 6 12 34 56 78", "+33612345678", ""},
		{"Dutch mobile", "+31 6 12345678", "+31612345678", ""},
		{"empty", "", "", messages.PhoneRequired},
		{"spaces", "   ", "", messages.PhoneRequired},
		{"plus alone", "+", "", messages.PhoneInvalid},
		{"separators alone", "()-.", "", messages.PhoneInvalid},
		{"letters", "call me maybe", "", messages.PhoneInvalid},
		{"vanity letters", "1-800-FLOWERS", "", messages.PhoneInvalid},
		{"hex-like", "0x2015550123", "", messages.PhoneInvalid},
		{"two pluses", "++12015550123", "", messages.PhoneInvalid},
		{"plus inside", "1+2015550123", "", messages.PhoneInvalid},
		{"Arabic-Indic digits", "+٤٤٧٧٠٠٩٠٠١٢٣", "", messages.PhoneInvalid},
		{"fullwidth digits", "+４４７７００９００１２３", "", messages.PhoneInvalid},
		{"NUL", "+4474001\x0023456", "", messages.PhoneInvalid},
		{"newline", "+447400123456\nBcc: x", "", messages.PhoneInvalid},
		{"tab inside", "+44\t7400123456", "", messages.PhoneInvalid},
		{"zero-width space", "+44\u200b7400123456", "", messages.PhoneInvalid},
		{"right-to-left override", "\u202e+447400123456", "", messages.PhoneInvalid},
		{"extension", "+12015550123 ext 4", "", messages.PhoneInvalid},
		{"hash extension", "+12015550123#4", "", messages.PhoneInvalid},
		{"invalid UTF-8", "+44\xff7400123456", "", messages.PhoneInvalid},
		{"too short", "+44 12", "", messages.PhoneInvalid},
		{"too many digits", "+4474001234564567890", "", messages.PhoneInvalid},
		{"unassigned country code", "+999 123 456 789", "", messages.PhoneInvalid},
		{"US 555 fiction range is not valid", "+1 201 555 9999 9", "", messages.PhoneInvalid},
		{"64 bytes of spaces and a number", strings.Repeat(" ", 51) + "+447400123456", "+447400123456", ""},
		{"65 bytes", strings.Repeat(" ", 52) + "+447400123456", "", messages.PhoneTooLong},
		{"10 KB", strings.Repeat("1", 10<<10), "", messages.PhoneTooLong},
		{"Japan not allowed", "+81 90-1234-5678", "", messages.PhoneCountryNotAllowed},
		{"India not allowed", "+91 98765 43210", "", messages.PhoneCountryNotAllowed},
		{"UK landline", "+44 20 7946 0018", "", messages.PhoneNotMobile},
		{"US toll free", "+1 800 555 0199", "", messages.PhoneNotMobile},
		{"UK premium rate", "+44 909 879 0000", "", messages.PhoneNotMobile},
		{"French landline", "+33 1 23 45 67 89", "", messages.PhoneNotMobile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, problem := n.Normalize(c.in)
			if got != c.want || problem != c.problem {
				t.Fatalf("Normalize(%q) = %q, %q; want %q, %q", c.in, got, problem, c.want, c.problem)
			}
		})
	}
}

func TestDefaultRegionReadsNationalNumbers(t *testing.T) {
	gb, err := New("gb", []string{"gb", "us"})
	if err != nil {
		t.Fatal(err)
	}
	if got, problem := gb.Normalize("07400 123456"); got != "+447400123456" || problem != "" {
		t.Fatalf("national UK number with GB default: %q %q", got, problem)
	}
	if got, problem := gb.Normalize("(201) 555-0123"); problem == "" {
		t.Fatalf("a US national number read in GB: %q", got)
	}
}

func TestNew(t *testing.T) {
	for _, c := range []struct {
		name    string
		def     string
		allowed []string
		ok      bool
	}{
		{"defaults", "US", []string{"US", "GB"}, true},
		{"lower case and spaces", " us ", []string{" us", "gb "}, true},
		{"duplicates collapse", "US", []string{"US", "US"}, true},
		{"empty list", "US", nil, false},
		{"unknown code", "US", []string{"US", "XX"}, false},
		{"alpha-3", "US", []string{"USA"}, false},
		{"empty code", "US", []string{"US", ""}, false},
		{"001 is not a region", "US", []string{"US", "001"}, false},
		{"default not allowed", "FR", []string{"US"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := New(c.def, c.allowed)
			if (err == nil) != c.ok {
				t.Fatalf("New(%q, %q): err %v, want ok=%v", c.def, c.allowed, err, c.ok)
			}
			if c.name == "duplicates collapse" && len(n.Regions()) != 1 {
				t.Fatalf("regions %q", n.Regions())
			}
		})
	}
}

func TestLooks(t *testing.T) {
	for in, want := range map[string]bool{
		"+447400123456":     true,
		" 07400 123456":     true,
		"(201) 555-0123":    true,
		"+":                 true,
		"a@example.com":     false,
		"1234@example.com":  false,
		"+1@example.com":    false,
		"":                  false,
		"   ":               false,
		"not-an-email":      false,
		"ada":               false,
		"٤٤٧٧٠٠":            false,
		"\u200b+4477009001": false,
	} {
		if got := Looks(in); got != want {
			t.Errorf("Looks(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+447400123456", "(201) 555-0123", "+", "", "+٤٤", "1-800-FLOWERS", "+44 (0)7400 123456", "\x00", strings.Repeat("9", 70)} {
		f.Add(s)
	}
	n := numbers(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, problem := n.Normalize(s)
		if (got == "") == (problem == "") {
			t.Fatalf("Normalize(%q) = %q, %q: want exactly one of a number and a problem", s, got, problem)
		}
		if problem != "" {
			if messages.Text(problem) == messages.Text(messages.InternalError) {
				t.Fatalf("problem %q has no text", problem)
			}
			return
		}
		if len(s) > MaxInputBytes || !utf8.ValidString(got) || got[0] != '+' || len(got) > 16 {
			t.Fatalf("Normalize(%q) = %q: not E.164", s, got)
		}
		for _, c := range got[1:] {
			if c < '0' || c > '9' {
				t.Fatalf("Normalize(%q) = %q: not E.164", s, got)
			}
		}
		// Normalising a normalised number is the identity.
		if again, p := n.Normalize(got); again != got || p != "" {
			t.Fatalf("Normalize(%q) = %q, %q: not stable", got, again, p)
		}
	})
}

func TestDisplay(t *testing.T) {
	for _, tc := range []struct{ e164, home, want string }{
		{"+447400770376", "US", "+44 7400 770376"},
		{"+447400770376", "GB", "07400 770376"},
		{"+12015550123", "US", "(201) 555-0123"},
		{"+33612345678", "US", "+33 6 12 34 56 78"},
		{"not a number", "US", "not a number"},
	} {
		if got := Display(tc.e164, tc.home); got != tc.want {
			t.Errorf("Display(%q, %q) = %q, want %q", tc.e164, tc.home, got, tc.want)
		}
	}
}

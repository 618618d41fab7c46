package validate_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
)

func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"a@b.co", "a.b+tag@sub.example.co.uk", "名前@例え.jp", " A@B.CO ", "JOSÉ@BÜCHER.DE",
		"\u212Aate@example.com", "ȺȺ@ȺȺ.co", "a@@b", "", " ", "a\x00@b.c", "a@b..c",
		"<a@b.c>", "a\xff@b.co", "a\u200b@c.de", "a@例え。jp", strings.Repeat("a", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		norm, problem := validate.Email(in)
		switch problem {
		case "":
		case messages.EmailRequired:
			if strings.TrimSpace(in) != "" {
				t.Fatalf("Email(%q) says required", in)
			}
			return
		case messages.EmailTooLong, messages.EmailInvalid:
			if strings.TrimSpace(in) == "" {
				t.Fatalf("Email(%q) = %q for blank input", in, problem)
			}
			return
		default:
			t.Fatalf("Email(%q) returned unknown key %q", in, problem)
		}
		if !utf8.ValidString(norm) || len(norm) > validate.EmailMaxBytes || norm == "" {
			t.Fatalf("Email(%q) accepted %q", in, norm)
		}
		if strings.Count(norm, "@") != 1 || strings.ToLower(norm) != norm || strings.TrimSpace(norm) != norm {
			t.Fatalf("Email(%q) accepted %q", in, norm)
		}
		local, domain, _ := strings.Cut(norm, "@")
		if local == "" || len(local) > 64 || !strings.Contains(domain, ".") {
			t.Fatalf("Email(%q) accepted %q", in, norm)
		}
		for _, r := range norm {
			if strings.ContainsRune("\"(),:;<>[\\] ", r) || unicode.IsSpace(r) || unicode.IsControl(r) ||
				unicode.In(r, unicode.Cf, unicode.Co, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) {
				t.Fatalf("Email(%q) accepted %q, which holds %U", in, norm, r)
			}
		}
		if again, p := validate.Email(norm); p != "" || again != norm {
			t.Fatalf("normalized %q does not re-validate to itself: %q %q", norm, again, p)
		}
	})
}

func FuzzPassword(f *testing.F) {
	for _, s := range []string{
		"abcdefgh", "", "       ", "🔒🔒🔒🔒🔒🔒🔒🔒", "a\x00b", "abcdefgh\xff", "e\u0301e\u0301e\u0301e\u0301",
		"xxmargueritexx", "ANNA+news-password", strings.Repeat("x", 129), strings.Repeat("é", 300),
	} {
		f.Add(s, "marguerite@example.com")
		f.Add(s, "")
	}
	f.Add("tinybob1", "bob+tag@example.com")
	f.Fuzz(func(t *testing.T, pw, email string) {
		got := validate.Password(pw, email)
		n := utf8.RuneCountInString(pw)
		switch got {
		case "":
			if n < validate.PasswordMinRunes || n > validate.PasswordMaxRunes || len(pw) > validate.PasswordMaxBytes || !utf8.ValidString(pw) {
				t.Fatalf("accepted %q", pw)
			}
			for _, r := range pw {
				if unicode.IsControl(r) {
					t.Fatalf("accepted %q, which holds control %U", pw, r)
				}
			}
			if e := strings.ToLower(strings.TrimSpace(email)); e != "" && strings.Contains(strings.ToLower(pw), e) {
				t.Fatalf("accepted %q, which contains the email %q", pw, email)
			}
		case messages.PasswordRequired:
			if pw != "" {
				t.Fatalf("Password(%q) says required", pw)
			}
		case messages.PasswordTooShort:
			if n >= validate.PasswordMinRunes {
				t.Fatalf("Password(%q) says too short at %d runes", pw, n)
			}
		case messages.PasswordTooLong:
			if n <= validate.PasswordMaxRunes && len(pw) <= validate.PasswordMaxBytes {
				t.Fatalf("Password(%q) says too long at %d runes, %d bytes", pw, n, len(pw))
			}
		case messages.PasswordInvalid, messages.PasswordHasEmail:
		default:
			t.Fatalf("Password(%q) returned unknown key %q", pw, got)
		}
		if got == messages.PasswordHasEmail && strings.TrimSpace(email) == "" {
			t.Fatalf("Password(%q) blames an empty email", pw)
		}
		if runes, target := validate.PasswordStrength(pw); runes != n || target != validate.PasswordTargetRunes {
			t.Fatalf("PasswordStrength(%q) = %d, %d", pw, runes, target)
		}
	})
}

// TestEmailNormalizedIsStable tries every code point in the local part and
// in a domain label, where fuzzing rarely reaches: whatever is accepted
// must re-validate to itself.
func TestEmailNormalizedIsStable(t *testing.T) {
	if testing.Short() {
		t.Skip("tries every code point")
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		for _, in := range []string{"a" + string(r) + "@example.com", "a@x" + string(r) + "y.com"} {
			norm, problem := validate.Email(in)
			if problem != "" {
				continue
			}
			if again, p := validate.Email(norm); p != "" || again != norm {
				t.Errorf("%U: %q normalized to %q, which re-validates to %q %q", r, in, norm, again, p)
			}
		}
	}
}

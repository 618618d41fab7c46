package validate_test

import (
	"go/build"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
)

func TestEmail(t *testing.T) {
	cases := []struct {
		in, norm string
		want     messages.Key
	}{
		{"a.b+tag@sub.example.co.uk", "a.b+tag@sub.example.co.uk", ""},
		{"  Ada@Example.COM ", "ada@example.com", ""},
		{"名前@例え.jp", "名前@例え.jp", ""},
		{"o'brien@example.ie", "o'brien@example.ie", ""},
		{"x@a-b.example", "x@a-b.example", ""},
		{"", "", messages.EmailRequired},
		{"   ", "", messages.EmailRequired},
		{"a@b", "", messages.EmailInvalid},
		{"a@@b.c", "", messages.EmailInvalid},
		{"a@b@c.d", "", messages.EmailInvalid},
		{"a b@c.d", "", messages.EmailInvalid},
		{"<a@b.c>", "", messages.EmailInvalid},
		{`"a"@b.c`, "", messages.EmailInvalid},
		{"a,b@c.d", "", messages.EmailInvalid},
		{"a@-b.c", "", messages.EmailInvalid},
		{"a@b-.c", "", messages.EmailInvalid},
		{"a@b..c", "", messages.EmailInvalid},
		{"a@.b.c", "", messages.EmailInvalid},
		{"a@b.c.", "", messages.EmailInvalid},
		{".a@b.c", "", messages.EmailInvalid},
		{"a.@b.c", "", messages.EmailInvalid},
		{"a..b@c.d", "", messages.EmailInvalid},
		{"@b.c", "", messages.EmailInvalid},
		{"a@", "", messages.EmailInvalid},
		{"no-at-sign", "", messages.EmailInvalid},
		{"a@[127.0.0.1]", "", messages.EmailInvalid},
		{"a@b_c.d", "", messages.EmailInvalid},
		{"a\x00b@c.d", "", messages.EmailInvalid},
		{"a\nb@c.d", "", messages.EmailInvalid},
		{"a@c.d\r\nBcc: x@y.z", "", messages.EmailInvalid},
		{"a\u200b@c.d", "", messages.EmailInvalid},
		{"a@c\u3000d.e", "", messages.EmailInvalid},
		{"a\xff@b.c", "", messages.EmailInvalid},
		{"<script>@x.y", "", messages.EmailInvalid},
		{strings.Repeat("a", 65) + "@b.co", "", messages.EmailInvalid},
		{strings.Repeat("a", 64) + "@b.co", strings.Repeat("a", 64) + "@b.co", ""},
		{"a@" + strings.Repeat("b", 64) + ".co", "", messages.EmailInvalid},
		{"a@" + strings.Repeat("b.", 126) + "co", "", messages.EmailTooLong},
		{strings.Repeat("a", 10<<10), "", messages.EmailTooLong},
	}
	for _, tc := range cases {
		norm, got := validate.Email(tc.in)
		if got != tc.want {
			t.Errorf("Email(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.want == "" && norm != tc.norm {
			t.Errorf("Email(%q) normalized to %q, want %q", tc.in, norm, tc.norm)
		}
	}
}

func TestPassword(t *testing.T) {
	cases := []struct {
		name, pw, email string
		want            messages.Key
	}{
		{"empty", "", "", messages.PasswordRequired},
		{"7 runes", "abcdefg", "", messages.PasswordTooShort},
		{"8 runes", "abcdefgh", "", ""},
		{"8 multi-byte runes", "éééééééé", "", ""},
		{"7 multi-byte runes", "ééééééé", "", messages.PasswordTooShort},
		{"emoji count once", "🔒🔒🔒🔒🔒🔒🔒🔒", "", ""},
		{"spaces welcome", "a b c d e f", "", ""},
		{"only spaces", "        ", "", ""},
		{"no composition rules", "alllowercaseletters", "", ""},
		{"128 runes", strings.Repeat("é", 128), "", ""},
		{"129 runes", strings.Repeat("x", 129), "", messages.PasswordTooLong},
		{"512 bytes is not enough alone", strings.Repeat("€", 128), "", ""},
		{"513 bytes", strings.Repeat("a", 513), "", messages.PasswordTooLong},
		{"10 KB", strings.Repeat("a", 10<<10), "", messages.PasswordTooLong},
		{"NUL", "abcdefgh\x00", "", messages.PasswordInvalid},
		{"newline", "abcd\nefgh", "", messages.PasswordInvalid},
		{"DEL", "abcdefgh\x7f", "", messages.PasswordInvalid},
		{"C1 control", "abcdefgh\u0085", "", messages.PasswordInvalid},
		{"invalid UTF-8", "abcdefgh\xff", "", messages.PasswordInvalid},
		{"contains local part", "xxmargueritexx", "marguerite@example.com", messages.PasswordHasEmail},
		{"contains local part, other case", "MARGUERITE-2024", "marguerite@example.com", messages.PasswordHasEmail},
		{"local part without tag", "my-anna-password", "anna+news@example.com", messages.PasswordHasEmail},
		{"4-rune local part applies", "xxannaxxxx", "anna@example.com", messages.PasswordHasEmail},
		{"3-rune local part ignored", "xxbobxxxxx", "bob@example.com", ""},
		{"equal to the email", "al@example.com", "al@example.com", messages.PasswordHasEmail},
		{"unrelated", "correct horse battery", "marguerite@example.com", ""},
		{"no email given", "marguerite1", "", ""},
	}
	for _, tc := range cases {
		if got := validate.Password(tc.pw, tc.email); got != tc.want {
			t.Errorf("%s: Password(%q) = %q, want %q", tc.name, tc.pw, got, tc.want)
		}
	}
}

func TestPasswordStrength(t *testing.T) {
	n, target := validate.PasswordStrength("héllo wörld")
	if n != 11 || target != 15 {
		t.Fatalf("PasswordStrength = %d, %d", n, target)
	}
}

func TestEveryKeyHasText(t *testing.T) {
	for _, k := range messages.Keys() {
		if text := messages.Text(k); text == "" || text == string(k) {
			t.Errorf("key %s has no text", k)
		}
	}
	if messages.Text("no.such.key") != messages.Text(messages.InternalError) {
		t.Error("an unknown key does not fall back to the generic message")
	}
}

// TestImportsOnlyStandardLibrary keeps the package fit for the WebAssembly
// client: nothing outside the standard library but the message catalog.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	for _, dir := range []string{".", "../messages"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if imp == "github.com/latch-dev/latch/client/messages" {
				continue
			}
			if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				t.Errorf("%s imports %s, which is not standard library", pkg.ImportPath, imp)
			}
			for _, heavy := range []string{"fmt", "regexp", "encoding/json", "net/mail"} {
				if imp == heavy {
					t.Errorf("%s imports %s, which bloats the WebAssembly build", pkg.ImportPath, imp)
				}
			}
		}
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"a@b.co", "名前@例え.jp", "a@@b", "", "a\x00@b.c", " A@B.CO "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		norm, problem := validate.Email(in)
		if problem != "" {
			return
		}
		if !utf8.ValidString(norm) || len(norm) > validate.EmailMaxBytes {
			t.Fatalf("accepted %q as %q", in, norm)
		}
		if again, p := validate.Email(norm); p != "" || again != norm {
			t.Fatalf("normalized %q does not re-validate to itself: %q %q", norm, again, p)
		}
	})
}

func FuzzPassword(f *testing.F) {
	for _, s := range []string{"abcdefgh", "", "🔒🔒🔒🔒", "a\x00b"} {
		f.Add(s, "someone@example.com")
	}
	f.Fuzz(func(t *testing.T, pw, email string) {
		if validate.Password(pw, email) == "" {
			n := utf8.RuneCountInString(pw)
			if n < validate.PasswordMinRunes || n > validate.PasswordMaxRunes || len(pw) > validate.PasswordMaxBytes || !utf8.ValidString(pw) {
				t.Fatalf("accepted %q", pw)
			}
		}
	})
}

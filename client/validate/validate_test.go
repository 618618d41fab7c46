package validate_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
)

// domainOf returns a valid domain of exactly n bytes (n >= 4): labels of
// 'b' of at most 62 bytes, ending in ".co".
func domainOf(n int) string {
	body := n - len(".co")
	var sb strings.Builder
	for body > 63 {
		sb.WriteString(strings.Repeat("b", 62) + ".")
		body -= 63
	}
	sb.WriteString(strings.Repeat("b", body))
	sb.WriteString(".co")
	return sb.String()
}

func TestDomainOf(t *testing.T) {
	for n := 4; n <= 260; n++ {
		d := domainOf(n)
		if len(d) != n {
			t.Fatalf("domainOf(%d) has %d bytes", n, len(d))
		}
		if _, problem := validate.Email("a@" + d); n <= validate.EmailMaxBytes-2 && problem != "" {
			t.Fatalf("domainOf(%d) = %q is not valid: %s", n, d, problem)
		}
	}
}

func TestEmail(t *testing.T) {
	local64 := strings.Repeat("a", 64)
	cases := []struct {
		name, in, norm string
		want           messages.Key
	}{
		// Accepted, and how they are normalized.
		{"dots, tag, subdomains", "a.b+tag@sub.example.co.uk", "a.b+tag@sub.example.co.uk", ""},
		{"trimmed and lowercased", "  Ada@Example.COM ", "ada@example.com", ""},
		{"surrounding tab and newline trimmed", "\tada@example.com\r\n", "ada@example.com", ""},
		{"surrounding Unicode spaces trimmed", "\u3000ada@example.com\u00a0", "ada@example.com", ""},
		{"Japanese", "名前@例え.jp", "名前@例え.jp", ""},
		{"Unicode lowercased", "JOSÉ@BÜCHER.DE", "josé@bücher.de", ""},
		{"Kelvin sign lowercases to k", "\u212Aate@example.com", "kate@example.com", ""},
		{"Cyrillic", "Пример@Пример.РФ", "пример@пример.рф", ""},
		{"Greek", "θέμα@παράδειγμα.ελ", "θέμα@παράδειγμα.ελ", ""},
		{"Devanagari with combining vowel signs", "उदाहरण@उदाहरण.भारत", "उदाहरण@उदाहरण.भारत", ""},
		{"Hangul", "사용자@예시.한국", "사용자@예시.한국", ""},
		{"punycode domain", "user@xn--bcher-kva.example", "user@xn--bcher-kva.example", ""},
		{"apostrophe", "o'brien@example.ie", "o'brien@example.ie", ""},
		{"every atext symbol", "!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com", ""},
		{"inner hyphens and digits", "x@a-b.example", "x@a-b.example", ""},
		{"digits everywhere but the top level", "0-1@123.4b.co", "0-1@123.4b.co", ""},
		{"two-letter top level", "a@b.co", "a@b.co", ""},
		{"local part of 64 bytes", local64 + "@b.co", local64 + "@b.co", ""},
		{"local part of 64 bytes in 32 runes", strings.Repeat("é", 32) + "@b.co", strings.Repeat("é", 32) + "@b.co", ""},
		{"label of 63 bytes", "a@" + strings.Repeat("b", 63) + ".co", "a@" + strings.Repeat("b", 63) + ".co", ""},
		{"254 bytes", local64 + "@" + domainOf(189), local64 + "@" + domainOf(189), ""},

		// Empty.
		{"empty", "", "", messages.EmailRequired},
		{"spaces", "   ", "", messages.EmailRequired},
		{"whitespace of every kind", "\t\r\n\v\f \u0085\u00a0\u2028\u3000", "", messages.EmailRequired},
		{"10 KB of spaces", strings.Repeat(" ", 10<<10), "", messages.EmailRequired},

		// Too long.
		{"255 bytes", local64 + "@" + domainOf(190), "", messages.EmailTooLong},
		{"10 KB", strings.Repeat("a", 10<<10), "", messages.EmailTooLong},
		{"10 KB with an at sign", strings.Repeat("a", 5<<10) + "@" + strings.Repeat("b", 5<<10) + ".co", "", messages.EmailTooLong},
		{"10 KB of NUL bytes", strings.Repeat("\x00", 10<<10), "", messages.EmailTooLong},
		{"10 KB of invalid UTF-8", strings.Repeat("\xff", 10<<10), "", messages.EmailTooLong},
		{"254 bytes that grow past the limit when lowercased", "ȺȺ" + strings.Repeat("a", 58) + "@" + domainOf(191), "", messages.EmailTooLong},

		// Not local@domain.
		{"no at sign", "no-at-sign", "", messages.EmailInvalid},
		{"fullwidth at sign only", "a＠b.co", "", messages.EmailInvalid},
		{"at sign alone", "@", "", messages.EmailInvalid},
		{"no local part", "@b.co", "", messages.EmailInvalid},
		{"no domain", "a@", "", messages.EmailInvalid},
		{"domain without a dot", "a@b", "", messages.EmailInvalid},
		{"localhost", "root@localhost", "", messages.EmailInvalid},
		{"doubled at sign", "a@@b.co", "", messages.EmailInvalid},
		{"two at signs", "a@b@c.co", "", messages.EmailInvalid},

		// Local part.
		{"space", "a b@c.de", "", messages.EmailInvalid},
		{"angle brackets", "<a@b.co>", "", messages.EmailInvalid},
		{"display name", "Ada <ada@example.com>", "", messages.EmailInvalid},
		{"quoted local part", `"a"@b.co`, "", messages.EmailInvalid},
		{"quoted local part with at sign", `"a@b"@c.co`, "", messages.EmailInvalid},
		{"comma", "a,b@c.de", "", messages.EmailInvalid},
		{"two addresses", "a@b.co,c@d.co", "", messages.EmailInvalid},
		{"semicolon", "a;b@c.de", "", messages.EmailInvalid},
		{"colon", "a:b@c.de", "", messages.EmailInvalid},
		{"parentheses (comments)", "a(b)@c.de", "", messages.EmailInvalid},
		{"square brackets", "a[b]@c.de", "", messages.EmailInvalid},
		{"backslash", `a\b@c.de`, "", messages.EmailInvalid},
		{"leading dot", ".a@b.co", "", messages.EmailInvalid},
		{"trailing dot", "a.@b.co", "", messages.EmailInvalid},
		{"double dot", "a..b@c.de", "", messages.EmailInvalid},
		{"only a dot", ".@b.co", "", messages.EmailInvalid},
		{"local part of 65 bytes", strings.Repeat("a", 65) + "@b.co", "", messages.EmailInvalid},
		{"local part of 65 bytes in 33 runes", strings.Repeat("é", 32) + "a@b.co", "", messages.EmailInvalid},
		{"script tag", "<script>@x.yz", "", messages.EmailInvalid},

		// Domain.
		{"leading hyphen", "a@-b.co", "", messages.EmailInvalid},
		{"trailing hyphen", "a@b-.co", "", messages.EmailInvalid},
		{"top level hyphen", "a@b.co-", "", messages.EmailInvalid},
		{"double dot", "a@b..co", "", messages.EmailInvalid},
		{"leading dot", "a@.b.co", "", messages.EmailInvalid},
		{"trailing dot", "a@b.co.", "", messages.EmailInvalid},
		{"underscore", "a@b_c.co", "", messages.EmailInvalid},
		{"space", "a@b c.co", "", messages.EmailInvalid},
		{"label of 64 bytes", "a@" + strings.Repeat("b", 64) + ".co", "", messages.EmailInvalid},
		{"IP literal", "a@[127.0.0.1]", "", messages.EmailInvalid},
		{"bare IP address", "a@127.0.0.1", "", messages.EmailInvalid},
		{"numeric top level", "a@b.123", "", messages.EmailInvalid},
		{"one-letter top level", "a@b.c", "", messages.EmailInvalid},
		{"port", "a@b.co:25", "", messages.EmailInvalid},
		{"path", "a@b.co/x", "", messages.EmailInvalid},
		{"ideographic full stop", "a@例え。jp", "", messages.EmailInvalid},
		{"fullwidth letters", "a@ｅxample.com", "", messages.EmailInvalid},
		{"mathematical letters", "a@𝐞xample.com", "", messages.EmailInvalid},
		{"circled letters", "a@ⓔxample.com", "", messages.EmailInvalid},
		{"emoji domain", "a@🙂.ws", "", messages.EmailInvalid},

		// Hostile bytes and invisible characters, anywhere.
		{"NUL in local part", "a\x00b@c.de", "", messages.EmailInvalid},
		{"NUL in domain", "a@c\x00.de", "", messages.EmailInvalid},
		{"trailing NUL", "a@b.co\x00", "", messages.EmailInvalid},
		{"newline inside", "a\nb@c.de", "", messages.EmailInvalid},
		{"header injection", "a@c.de\r\nBcc: x@y.zz", "", messages.EmailInvalid},
		{"carriage return inside", "a@c.de\rx", "", messages.EmailInvalid},
		{"tab inside", "a\tb@c.de", "", messages.EmailInvalid},
		{"DEL", "a\x7f@b.co", "", messages.EmailInvalid},
		{"C1 control", "a\u0085b@c.de", "", messages.EmailInvalid},
		{"no-break space", "a\u00a0b@c.de", "", messages.EmailInvalid},
		{"soft hyphen", "a\u00adb@c.de", "", messages.EmailInvalid},
		{"zero-width space", "a\u200b@c.de", "", messages.EmailInvalid},
		{"zero-width joiner in domain", "a@c\u200dd.de", "", messages.EmailInvalid},
		{"right-to-left override", "a\u202emoc.elpmaxe@b.co", "", messages.EmailInvalid},
		{"byte order mark", "\ufeffa@b.co", "", messages.EmailInvalid},
		{"ideographic space inside", "a@c\u3000d.de", "", messages.EmailInvalid},
		{"Hangul filler", "a\u3164@c.de", "", messages.EmailInvalid},
		{"variation selector", "a\ufe0f@c.de", "", messages.EmailInvalid},
		{"tag character", "a\U000e0041@c.de", "", messages.EmailInvalid},
		{"private use", "a\ue000@c.de", "", messages.EmailInvalid},
		{"noncharacter", "a\ufdd0@c.de", "", messages.EmailInvalid},
		{"emoji", "🙂@c.de", "", messages.EmailInvalid},
		{"guillemets", "«a»@c.de", "", messages.EmailInvalid},
		{"fullwidth quote", "a＂@c.de", "", messages.EmailInvalid},
		{"fullwidth comma", "a，b@c.de", "", messages.EmailInvalid},
		{"Arabic comma", "a،b@c.de", "", messages.EmailInvalid},
		{"invalid UTF-8 in local part", "a\xff@b.co", "", messages.EmailInvalid},
		{"invalid UTF-8 in domain", "a@b\xc3.co", "", messages.EmailInvalid},
		{"truncated sequence", "a\xe2\x82@b.co", "", messages.EmailInvalid},
		{"overlong encoding of '/'", "a\xc0\xaf@b.co", "", messages.EmailInvalid},
		{"encoded surrogate", "a\xed\xa0\x80@b.co", "", messages.EmailInvalid},
		{"replacement character", "a\ufffd@b.co", "", messages.EmailInvalid},
	}
	for _, tc := range cases {
		norm, got := validate.Email(tc.in)
		if got != tc.want {
			t.Errorf("%s: Email(%.80q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		if tc.want == "" && norm != tc.norm {
			t.Errorf("%s: Email(%.80q) normalized to %q, want %q", tc.name, tc.in, norm, tc.norm)
		}
	}
}

// TestEmailNormalizedOnProblem pins what comes back with a problem: the
// trimmed input, for showing back in the form.
func TestEmailNormalizedOnProblem(t *testing.T) {
	cases := []struct{ in, norm string }{
		{"  ", ""},
		{" Ada B@Example.COM ", "ada b@example.com"},
		{" a\xff@b.co ", "a\xff@b.co"}, // not lowercased: that would hide the bad byte
		{" " + strings.Repeat("A", 300) + " ", strings.Repeat("A", 300)},
	}
	for _, tc := range cases {
		if norm, problem := validate.Email(tc.in); problem == "" || norm != tc.norm {
			t.Errorf("Email(%.40q) = %.40q, %q; want %.40q and a problem", tc.in, norm, problem, tc.norm)
		}
	}
}

func TestPassword(t *testing.T) {
	cases := []struct {
		name, pw, email string
		want            messages.Key
	}{
		{"empty", "", "", messages.PasswordRequired},
		{"empty, with an email", "", "ada@example.com", messages.PasswordRequired},

		// Length in runes, not bytes.
		{"7 runes", "abcdefg", "", messages.PasswordTooShort},
		{"8 runes", "abcdefgh", "", ""},
		{"7 two-byte runes (14 bytes)", "ééééééé", "", messages.PasswordTooShort},
		{"8 two-byte runes", "éééééééé", "", ""},
		{"7 three-byte runes (21 bytes)", "パスワードです", "", messages.PasswordTooShort},
		{"8 three-byte runes", "長いパスワードだ", "", ""},
		{"7 emoji (28 bytes)", strings.Repeat("🔒", 7), "", messages.PasswordTooShort},
		{"8 emoji", strings.Repeat("🔒", 8), "", ""},
		{"family emoji: 2 glyphs, 10 runes", "👩\u200d👩\u200d👧👩\u200d👩\u200d👧", "", ""},
		{"4 precomposed accents", "éééé", "", messages.PasswordTooShort},
		{"4 accents left decomposed count twice", strings.Repeat("e\u0301", 4), "", ""},
		{"128 runes", strings.Repeat("x", 128), "", ""},
		{"129 runes", strings.Repeat("x", 129), "", messages.PasswordTooLong},
		{"128 two-byte runes", strings.Repeat("é", 128), "", ""},
		{"129 two-byte runes (258 bytes)", strings.Repeat("é", 129), "", messages.PasswordTooLong},
		{"128 emoji are 512 bytes", strings.Repeat("🔒", 128), "", ""},
		{"129 emoji are 516 bytes", strings.Repeat("🔒", 129), "", messages.PasswordTooLong},
		{"513 bytes", strings.Repeat("a", 513), "", messages.PasswordTooLong},
		{"513 bytes of invalid UTF-8", strings.Repeat("\xff", 513), "", messages.PasswordTooLong},
		{"10 KB", strings.Repeat("a", 10<<10), "", messages.PasswordTooLong},
		{"too long wins over a control character", "\x00" + strings.Repeat("a", 200), "", messages.PasswordTooLong},

		// No composition rules; spaces and every script welcome.
		{"lowercase only", "alllowercaseletters", "", ""},
		{"digits only", "1234567890", "", ""},
		{"spaces inside", "a b c d e f", "", ""},
		{"only spaces", "        ", "", ""},
		{"leading and trailing spaces kept", "  abcdef  ", "", ""},
		{"no-break space", "abcd\u00a0efgh", "", ""},
		{"Unicode letters", "пароль-секрет", "", ""},
		{"replacement character itself", "abcdefg\ufffd", "", ""},

		// Control characters and broken encodings.
		{"NUL", "abcdefgh\x00", "", messages.PasswordInvalid},
		{"tab", "abcd\tefgh", "", messages.PasswordInvalid},
		{"newline", "abcd\nefgh", "", messages.PasswordInvalid},
		{"carriage return", "abcdefgh\r", "", messages.PasswordInvalid},
		{"escape", "\x1b[31mabcdefgh", "", messages.PasswordInvalid},
		{"DEL", "abcdefgh\x7f", "", messages.PasswordInvalid},
		{"C1 first", "abcdefgh\u0080", "", messages.PasswordInvalid},
		{"C1 next line", "abcdefgh\u0085", "", messages.PasswordInvalid},
		{"C1 last", "abcdefgh\u009f", "", messages.PasswordInvalid},
		{"invalid UTF-8", "abcdefgh\xff", "", messages.PasswordInvalid},
		{"truncated sequence", "abcdefgh\xe2\x82", "", messages.PasswordInvalid},
		{"overlong NUL", "abcdefgh\xc0\x80", "", messages.PasswordInvalid},
		{"encoded surrogate", "abcdefgh\xed\xa0\x80", "", messages.PasswordInvalid},
		{"invalid before too short", "\x00", "", messages.PasswordInvalid},

		// The account's email.
		{"contains local part", "xxmargueritexx", "marguerite@example.com", messages.PasswordHasEmail},
		{"starts with local part", "marguerite2024", "marguerite@example.com", messages.PasswordHasEmail},
		{"equals local part", "marguerite", "marguerite@example.com", messages.PasswordHasEmail},
		{"local part in capitals", "MARGUERITE-2024", "marguerite@example.com", messages.PasswordHasEmail},
		{"email in capitals", "marguerite-2024", " Marguerite@Example.COM ", messages.PasswordHasEmail},
		{"local part without tag", "my-anna-password", "anna+news@example.com", messages.PasswordHasEmail},
		{"tag alone is not the local part", "good news everyone", "anna+news@example.com", ""},
		{"4-rune local part applies", "xxannaxxxx", "anna@example.com", messages.PasswordHasEmail},
		{"3-rune local part ignored", "xxbobxxxxx", "bob@example.com", ""},
		{"3-rune local part once its tag is removed", "xxbobxxxxx", "bob+shopping@example.com", ""},
		{"4 runes counted, not bytes: applies", "私の名前太郎です", "名前太郎@例え.jp", messages.PasswordHasEmail},
		{"3 runes of 9 bytes: ignored", "私の名前太です!", "名前太@例え.jp", ""},
		{"Unicode case folded", "ÅSAÅSA-lösenord", "åsaåsa@example.se", messages.PasswordHasEmail},
		{"equal to the email", "al@example.com", "al@example.com", messages.PasswordHasEmail},
		{"contains the email, short local part", "xbob@example.comx", "bob@example.com", messages.PasswordHasEmail},
		{"email in other case", "BOB@EXAMPLE.COM", "bob@example.com", messages.PasswordHasEmail},
		{"unrelated", "correct horse battery", "marguerite@example.com", ""},
		{"domain alone is fine", "example.com-2024", "marguerite@example.com", ""},
		{"no email given", "marguerite1", "", ""},
		{"blank email", "marguerite1", "   ", ""},
		{"too short wins over the email", "anna", "anna@example.com", messages.PasswordTooShort},
	}
	for _, tc := range cases {
		if got := validate.Password(tc.pw, tc.email); got != tc.want {
			t.Errorf("%s: Password(%.60q, %q) = %q, want %q", tc.name, tc.pw, tc.email, got, tc.want)
		}
	}
}

func TestPasswordStrength(t *testing.T) {
	cases := []struct {
		pw    string
		runes int
	}{
		{"", 0},
		{"abcdefgh", 8},
		{"héllo wörld", 11},
		{strings.Repeat("🔒", 15), 15},
		{strings.Repeat("x", 200), 200},
	}
	for _, tc := range cases {
		runes, target := validate.PasswordStrength(tc.pw)
		if runes != tc.runes || target != validate.PasswordTargetRunes {
			t.Errorf("PasswordStrength(%.20q) = %d, %d; want %d, %d", tc.pw, runes, target, tc.runes, validate.PasswordTargetRunes)
		}
	}
}

// TestLimits pins the limits the rest of Latch and the pages rely on.
func TestLimits(t *testing.T) {
	if validate.PasswordMinRunes != 8 || validate.PasswordTargetRunes != 15 || validate.PasswordMaxRunes != 128 ||
		validate.PasswordMaxBytes != 512 || validate.EmailMaxBytes != 254 {
		t.Error("a limit changed; update the message catalog and this test together")
	}
	// The byte cap must never refuse a password of allowed length: a rune
	// is at most utf8.UTFMax bytes.
	if validate.PasswordMaxBytes < validate.PasswordMaxRunes*utf8.UTFMax {
		t.Errorf("PasswordMaxBytes %d refuses some passwords of %d runes", validate.PasswordMaxBytes, validate.PasswordMaxRunes)
	}
}

// TestProblemsHaveText checks that every key the rules return has text in
// the catalog, so a rule can never show the generic error.
func TestProblemsHaveText(t *testing.T) {
	keys := []messages.Key{
		messages.EmailRequired, messages.EmailTooLong, messages.EmailInvalid,
		messages.PasswordRequired, messages.PasswordTooShort, messages.PasswordTooLong,
		messages.PasswordInvalid, messages.PasswordHasEmail,
	}
	for _, k := range keys {
		if messages.Text(k) == messages.Text(messages.InternalError) {
			t.Errorf("key %s has no text of its own", k)
		}
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

// Package validate holds the field rules Latch checks in the browser (from
// the WebAssembly client) and again on the server, so the two never
// disagree. Each rule returns a messages.Key: "" when the value is fine.
//
// It imports only the standard library and client/messages, and avoids fmt,
// regexp and the unicode category tables, to keep the WebAssembly build
// small: the checks are written by hand over bytes and runes.
package validate

import (
	"strings"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/messages"
)

// Limits of the rules.
const (
	PasswordMinRunes    = 8   // NIST SP 800-63B minimum for a password set by the user
	PasswordTargetRunes = 15  // the length the strength meter aims for (NIST's minimum for a single factor)
	PasswordMaxRunes    = 128 // longest accepted (NIST asks for at least 64)
	PasswordMaxBytes    = 512 // inputs larger than this are refused before any work
	EmailMaxBytes       = 254 // RFC 5321 path limit minus the angle brackets
	emailLocalMaxBytes  = 64  // RFC 5321 local part limit
	emailLabelMaxBytes  = 63  // RFC 1035 label limit
	localPartMinRunes   = 4   // shorter local parts are too common to forbid inside passwords
)

// Email checks an email address a person typed and returns it normalized:
// surrounding whitespace trimmed and lowercased (ASCII and Unicode), which
// is how Latch stores and compares addresses. When problem is not empty,
// normalized is only the trimmed input (lowercased if it got that far), fit
// for showing back in the form and nothing else.
//
// It returns:
//   - messages.EmailRequired when nothing but whitespace was given;
//   - messages.EmailTooLong when the trimmed address is over EmailMaxBytes
//     bytes, as typed or once lowercased;
//   - messages.EmailInvalid for anything that is not local@domain, where
//     local is at most 64 bytes of RFC 5322 atext ASCII (letters, digits and
//     !#$%&'*+-/=?^_`{|}~) or international letters, with dots only between
//     characters (no leading, trailing or doubled dot), and domain is two or
//     more dot-separated labels of 1 to 63 bytes each, made of letters
//     (any script), digits and inner hyphens, whose last label has at least
//     two characters and is not all digits.
//
// Spaces, control characters, double quotes, angle brackets, commas, a
// second '@' and invalid UTF-8 are invalid anywhere, and so are their
// Unicode lookalikes, invisible and bidirectional formatting characters,
// symbols, emoji and compatibility forms such as fullwidth letters (the
// list is refusedRanges). Quoted local parts and IP-address domains are
// refused: no mailbox a person types needs them.
// Internationalised domains are kept as typed (lowercased), not converted
// to punycode. The apostrophe is accepted because addresses such as
// o'brien@example.ie are real.
func Email(raw string) (normalized string, problem messages.Key) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", messages.EmailRequired
	}
	if len(s) > EmailMaxBytes {
		return s, messages.EmailTooLong
	}
	if !utf8.ValidString(s) { // checked before ToLower, which would hide it behind U+FFFD
		return s, messages.EmailInvalid
	}
	s = strings.ToLower(s)
	if len(s) > EmailMaxBytes { // a few capitals grow when lowercased
		return s, messages.EmailTooLong
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || !validLocal(local) || !validDomain(domain) {
		return s, messages.EmailInvalid
	}
	return s, ""
}

// validLocal reports whether local is a dot-atom local part: atext and
// accepted international characters, no leading, trailing or doubled dot.
func validLocal(local string) bool {
	if local == "" || len(local) > emailLocalMaxBytes {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		switch {
		case r >= utf8.RuneSelf:
			if refused(r) {
				return false
			}
		case r == '.', isAlnum(byte(r)):
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~", byte(r)) < 0:
			return false
		}
	}
	return true
}

// validDomain reports whether domain is at least two dot-separated labels
// of letters (any script), digits and inner hyphens, with a top-level label
// of at least two characters that is not all digits (so no IP addresses).
// It also refuses a second '@', which is not a label character.
func validDomain(domain string) bool {
	last := strings.LastIndexByte(domain, '.')
	if last < 0 {
		return false
	}
	for rest, more := domain, true; more; {
		var label string
		label, rest, more = strings.Cut(rest, ".")
		if label == "" || len(label) > emailLabelMaxBytes || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			switch {
			case r >= utf8.RuneSelf:
				if refused(r) {
					return false
				}
			case r == '-', isAlnum(byte(r)):
			default:
				return false
			}
		}
	}
	tld := domain[last+1:]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < '0' || tld[i] > '9' {
			return true
		}
	}
	return false // all digits: an IP address or a typo, never a top-level domain
}

// isAlnum reports whether c is an ASCII lowercase letter or digit (the
// address is already lowercased).
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// refusedRanges lists the non-ASCII characters an address may not contain,
// sorted and not overlapping. It is a short hand-written list rather than
// the Unicode tables, which would grow the WebAssembly build; everything
// outside it (and the noncharacters) is taken for a letter, mark or digit,
// and the confirmation email proves the address works. It refuses:
//   - every space, control, invisible or bidirectional formatting character,
//     variation selector and filler (checked against the Unicode tables by
//     TestRefusedCoversInvisibleCharacters);
//   - lookalikes of the characters that delimit addresses: quotes, angle
//     brackets, commas, '@' and the full stops that mail systems read as '.';
//   - whole blocks of punctuation and symbols, emoji and private use;
//   - compatibility forms that mail systems fold into other letters
//     (fullwidth, mathematical, circled, presentation forms, compatibility
//     ideographs and jamo), which would let one mailbox sign up twice.
var refusedRanges = [...]struct{ lo, hi rune }{
	{0x0080, 0x00bf},    // C1 controls, no-break space, soft hyphen, « », Latin-1 punctuation and symbols
	{0x00d7, 0x00d7},    // ×
	{0x00f7, 0x00f7},    // ÷
	{0x02b9, 0x02ba},    // modifier prime and double prime (quote lookalikes)
	{0x02c2, 0x02c5},    // modifier arrowheads (angle bracket lookalikes)
	{0x02d2, 0x02df},    // modifier symbols (˜ ˝ and others)
	{0x02e5, 0x02eb},    // tone letters
	{0x02ed, 0x02ff},    // modifier symbols, including the double apostrophe ˮ
	{0x034f, 0x034f},    // combining grapheme joiner (invisible)
	{0x037e, 0x037e},    // Greek question mark (canonically ';')
	{0x0387, 0x0387},    // Greek ano teleia (canonically '·')
	{0x055a, 0x055f},    // Armenian apostrophe, comma and other punctuation
	{0x0589, 0x058a},    // Armenian full stop and hyphen
	{0x05f3, 0x05f4},    // Hebrew geresh and gershayim (quote lookalikes)
	{0x0600, 0x0605},    // Arabic number signs (format characters)
	{0x060c, 0x060d},    // Arabic comma and date separator
	{0x061b, 0x061f},    // Arabic semicolon, letter mark (bidirectional), end of text mark, triple dot, question mark
	{0x0640, 0x0640},    // Arabic tatweel (a stretching filler)
	{0x066a, 0x066d},    // Arabic percent sign, decimal and thousands separators, star
	{0x06d4, 0x06d4},    // Arabic full stop
	{0x06dd, 0x06dd},    // Arabic end of ayah (format)
	{0x070f, 0x070f},    // Syriac abbreviation mark (format)
	{0x07f8, 0x07f8},    // NKo comma
	{0x0890, 0x0891},    // Arabic pound and piastre marks (format)
	{0x08e2, 0x08e2},    // Arabic disputed end of ayah (format)
	{0x115f, 0x1160},    // Hangul fillers (invisible)
	{0x1362, 0x1363},    // Ethiopic full stop and comma
	{0x1680, 0x1680},    // Ogham space mark
	{0x17b4, 0x17b5},    // Khmer inherent vowels (invisible)
	{0x1802, 0x1803},    // Mongolian comma and full stop
	{0x1808, 0x1808},    // Manchu comma
	{0x180b, 0x180f},    // Mongolian variation selectors and vowel separator
	{0x2000, 0x2bff},    // spaces, zero-width and bidi controls, punctuation, super- and subscripts, letterlike, enclosed, arrows, symbols
	{0x2e00, 0x2fff},    // supplemental punctuation, CJK and Kangxi radicals (ideograph lookalikes)
	{0x3000, 0x3004},    // ideographic space, comma and full stop
	{0x3008, 0x3020},    // CJK brackets and symbols
	{0x3030, 0x3030},    // wavy dash
	{0x303d, 0x303f},    // CJK symbols
	{0x3130, 0x319f},    // Hangul compatibility jamo (with the Hangul filler), kanbun
	{0x31c0, 0x31ef},    // CJK strokes
	{0x3200, 0x33ff},    // enclosed and compatibility CJK
	{0xa4fe, 0xa4ff},    // Lisu comma and full stop
	{0xa60d, 0xa60e},    // Vai comma and full stop
	{0xa6f5, 0xa6f5},    // Bamum comma
	{0xe000, 0xffff},    // private use, compatibility ideographs, presentation forms, variation selectors, fullwidth forms, BOM, specials
	{0x110bd, 0x110bd},  // Kaithi number sign (format)
	{0x110cd, 0x110cd},  // Kaithi number sign above (format)
	{0x13430, 0x1345f},  // Egyptian hieroglyph format controls
	{0x1bca0, 0x1bca3},  // shorthand format controls
	{0x1d000, 0x1d7ff},  // musical symbols (with format controls), mathematical letters and digits
	{0x1f000, 0x1faff},  // emoji, playing cards, enclosed alphanumerics
	{0xe0000, 0x10ffff}, // tags, variation selectors, private use planes
}

// refused reports whether the non-ASCII rune r may not appear in an
// address: it is in refusedRanges or is a noncharacter.
func refused(r rune) bool {
	if r&0xfffe == 0xfffe { // U+xFFFE and U+xFFFF on every plane
		return true
	}
	for _, rg := range refusedRanges {
		if r < rg.lo {
			return false
		}
		if r <= rg.hi {
			return true
		}
	}
	return false
}

// Password checks a password the user is choosing, following NIST SP
// 800-63B and OWASP ASVS 5.0 (6.2): length limits only, no composition
// rules; spaces and every script are welcome. The caller must already have
// Unicode-normalised it (the server with NFKC, the browser with
// String.prototype.normalize("NFKC")), so that a character counts the same
// however it was typed; lengths are counted in runes (code points), so a
// combining mark left uncomposed counts as one more. email is the account's
// email, normalized or not, or "" when there is none.
//
// It returns the first problem of:
//   - messages.PasswordRequired when password is empty;
//   - messages.PasswordTooLong when it is over PasswordMaxBytes bytes
//     (refused before any other work) or over PasswordMaxRunes runes;
//   - messages.PasswordInvalid when it is not valid UTF-8 or contains a
//     control character (C0 including tab and newline, DEL, or C1);
//   - messages.PasswordTooShort when it is under PasswordMinRunes runes;
//   - messages.PasswordHasEmail when, ignoring case, it contains the whole
//     email, or contains the email's local part with any +tag removed when
//     that is at least 4 runes long (shorter local parts, such as "al",
//     would forbid too many passwords).
//
// Whether the password is too common is checked on the server only
// (messages.PasswordCommon), against a list too large for the browser.
func Password(password, email string) messages.Key {
	if password == "" {
		return messages.PasswordRequired
	}
	if len(password) > PasswordMaxBytes {
		return messages.PasswordTooLong
	}
	n := utf8.RuneCountInString(password)
	if n > PasswordMaxRunes {
		return messages.PasswordTooLong
	}
	if !utf8.ValidString(password) {
		return messages.PasswordInvalid
	}
	for _, r := range password {
		if isControl(r) {
			return messages.PasswordInvalid
		}
	}
	if n < PasswordMinRunes {
		return messages.PasswordTooShort
	}
	if containsEmail(password, email) {
		return messages.PasswordHasEmail
	}
	return ""
}

// isControl reports whether r is a C0 control, DEL or a C1 control.
func isControl(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f
}

// containsEmail reports whether password, ignoring case, contains the whole
// email, or its local part without any +tag when that has at least
// localPartMinRunes runes.
func containsEmail(password, email string) bool {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return false
	}
	pw := strings.ToLower(password)
	if strings.Contains(pw, email) {
		return true
	}
	local := email
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		local = email[:at]
	}
	if plus := strings.IndexByte(local, '+'); plus >= 0 {
		local = local[:plus]
	}
	return utf8.RuneCountInString(local) >= localPartMinRunes && strings.Contains(pw, local)
}

// PasswordStrength returns the password's length in runes, counted as
// Password counts them, and PasswordTargetRunes, for a meter that fills as
// runes approaches target and is full from there on. Length is the one
// strength signal Latch's rules use; it says nothing about how guessable the
// password is, which the server's common-password check covers.
func PasswordStrength(password string) (runes, target int) {
	return utf8.RuneCountInString(password), PasswordTargetRunes
}

// Package validate holds the field rules Latch checks in the browser (from
// the WebAssembly client) and again on the server, so the two never
// disagree. Each rule returns a messages.Key: "" when the value is fine.
//
// It imports only the standard library and client/messages, and avoids fmt,
// regexp and unicode tables, to keep the WebAssembly build small.
package validate

import (
	"strings"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/messages"
)

// Limits of the rules.
const (
	PasswordMinRunes    = 8   // NIST SP 800-63B minimum for a password set by the user
	PasswordTargetRunes = 15  // the length the strength meter aims for
	PasswordMaxRunes    = 128 // longest accepted (NIST asks for at least 64)
	PasswordMaxBytes    = 512 // inputs larger than this are refused before any work
	EmailMaxBytes       = 254 // RFC 5321 path limit minus the angle brackets
	emailLocalMaxBytes  = 64
	emailLabelMaxBytes  = 63
	localPartMinRunes   = 4 // shorter local parts are too common to forbid inside passwords
)

// Email checks an email address and returns it normalized: surrounding
// whitespace trimmed and lowercased, which is how Latch stores and compares
// it. It returns messages.EmailRequired when empty, messages.EmailTooLong
// past EmailMaxBytes, and messages.EmailInvalid for anything that is not
// local@domain with a dotted domain of letters, digits and hyphens.
// Quoted local parts and IP-literal domains are refused: no mailbox a
// person types needs them.
func Email(raw string) (string, messages.Key) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", messages.EmailRequired
	}
	if len(s) > EmailMaxBytes {
		return s, messages.EmailTooLong
	}
	if !utf8.ValidString(s) { // checked before ToLower, which would mask it
		return s, messages.EmailInvalid
	}
	s = strings.ToLower(s)
	if len(s) > EmailMaxBytes { // a few capitals grow when lowercased
		return s, messages.EmailTooLong
	}
	at := strings.IndexByte(s, '@')
	if at < 0 || strings.IndexByte(s[at+1:], '@') >= 0 {
		return s, messages.EmailInvalid
	}
	if !validLocal(s[:at]) || !validDomain(s[at+1:]) {
		return s, messages.EmailInvalid
	}
	return s, ""
}

// validLocal accepts a dot-atom local part: printable characters other than
// those with a special meaning in addresses, with no leading, trailing or
// doubled dot.
func validLocal(local string) bool {
	if local == "" || len(local) > emailLocalMaxBytes {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && !isLetterish(r)) || strings.ContainsRune(`"(),:;<>@[\]`, r) {
			return false
		}
	}
	return true
}

// validDomain accepts dot-separated labels of letters (any script), digits
// and inner hyphens, at least two labels.
func validDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > emailLabelMaxBytes || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			case r >= 0x80 && isLetterish(r):
			default:
				return false
			}
		}
	}
	return true
}

// isLetterish accepts non-ASCII characters used in internationalised domain
// names, excluding spaces, controls and punctuation blocks, without pulling
// in the unicode tables.
func isLetterish(r rune) bool {
	switch {
	case r <= 0x9f: // C1 controls
		return false
	case r >= 0x2000 && r <= 0x206f: // general punctuation, invisible spaces
		return false
	case r >= 0x3000 && r <= 0x303f && r != 0x3005: // CJK punctuation and the ideographic space
		return false
	case r == 0xfeff || r == 0xfffd || (r >= 0xfff0 && r <= 0xffff):
		return false
	}
	return r != utf8.RuneError
}

// Password checks a password the user is choosing. It must already be
// Unicode-normalised by the caller (the server uses NFKC once, the browser
// String.prototype.normalize("NFKC")). email, normalised or not, is the
// account's email: a password equal to it or containing its local part is
// refused. There are no composition rules; spaces and every script are
// welcome.
//
// It returns messages.PasswordRequired (empty), messages.PasswordTooLong
// (over PasswordMaxBytes or PasswordMaxRunes), messages.PasswordInvalid
// (invalid UTF-8 or control characters), messages.PasswordTooShort (under
// PasswordMinRunes) or messages.PasswordHasEmail.
func Password(password, email string) messages.Key {
	if password == "" {
		return messages.PasswordRequired
	}
	if len(password) > PasswordMaxBytes {
		return messages.PasswordTooLong
	}
	if !utf8.ValidString(password) {
		return messages.PasswordInvalid
	}
	n := 0
	for _, r := range password {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return messages.PasswordInvalid
		}
		n++
	}
	if n > PasswordMaxRunes {
		return messages.PasswordTooLong
	}
	if n < PasswordMinRunes {
		return messages.PasswordTooShort
	}
	if containsEmail(password, email) {
		return messages.PasswordHasEmail
	}
	return ""
}

// containsEmail reports whether password equals the email or contains its
// local part (without any +tag), compared case-insensitively. Local parts
// shorter than localPartMinRunes are ignored.
func containsEmail(password, email string) bool {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return false
	}
	pw := strings.ToLower(password)
	if pw == email {
		return true
	}
	local := email
	if at := strings.IndexByte(email, '@'); at >= 0 {
		local = email[:at]
	}
	if plus := strings.IndexByte(local, '+'); plus >= 0 {
		local = local[:plus]
	}
	return utf8.RuneCountInString(local) >= localPartMinRunes && strings.Contains(pw, local)
}

// PasswordStrength returns how many characters the password has and the
// target length, for a meter that fills towards PasswordTargetRunes.
func PasswordStrength(password string) (runes, target int) {
	return utf8.RuneCountInString(password), PasswordTargetRunes
}

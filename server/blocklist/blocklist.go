// Package blocklist refuses new passwords that are easy to guess: the
// 100,000 most common passwords of SecLists' "10 million password list"
// (CC BY-SA 3.0, by Daniel Miessler and Jason Haddix), and passwords built
// from words an attacker knows about the account — the product's name and
// the parts of its email address.
//
// The list is not in the repository: go tool -modfile=go.tool.mod task assets (which dev, build
// and test run) fetches it with ./cmd/fetchlist into common.txt, which is
// git-ignored and embedded below; the build fails while it is missing. It
// is one sorted, newline-separated string kept in the binary's read-only
// data and searched by bisecting byte offsets, so loading it costs nothing
// and a lookup allocates nothing.
package blocklist

import (
	"context"
	_ "embed"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/messages"
)

// common holds the list: NFKC-normalised, lowercased, sorted bytewise,
// every password followed by "\n".
//
//go:embed common.txt
var common string

// contextMinLetters is the fewest letters a context word needs: shorter
// ones ("al", "io") would refuse passwords that merely start with them.
const contextMinLetters = 3

// List refuses common passwords and passwords built from context words.
// Build it with New; it is safe for concurrent use.
type List struct {
	blob    string   // the sorted list, shared with the binary
	product []string // the product's name as context words
}

// New returns the list, with product (such as "Latch") as a context word
// of every account.
func New(product string) *List {
	return &List{blob: common, product: words(product)}
}

// Len returns the number of passwords in the list.
func (l *List) Len() int { return strings.Count(l.blob, "\n") }

// Size returns the bytes the list occupies.
func (l *List) Size() int { return len(l.blob) }

// Check returns why password may not be chosen by the account with the
// given email ("" when it has none), or "" when it may:
//
//   - messages.PasswordCommon when the password, ignoring case, is on the
//     list;
//   - messages.PasswordHasContext when its letters alone (lowercased, with
//     digits, spaces and punctuation removed) are a context word, or one
//     repeated: "Latch2024!", "latchlatch", "alice.1990" for
//     alice@example.com, "Example#1" for anyone at example.com.
//
// Context words are the product's name, the email's local part without any
// +tag (its letters, and each run of letters in it: "alice" and "smith" as
// well as "alicesmith" for alice.smith@…), and the labels of its domain
// other than the last (the top-level domain) that are longer than three
// letters: "example" in example.co.uk, "gmail" in gmail.com. Words of fewer
// than three letters are ignored. (A password that contains the whole email,
// or a local part of four or more characters, is refused before this by
// client/validate.Password.)
//
// password must already be NFKC-normalised (password.Normalize), as every
// new password is before it is checked. ctx is unused: the list is in
// memory.
func (l *List) Check(_ context.Context, password, email string) messages.Key {
	if l.Common(password) {
		return messages.PasswordCommon
	}
	core := letters(password)
	if core == "" {
		return ""
	}
	for _, w := range l.product {
		if repeats(core, w) {
			return messages.PasswordHasContext
		}
	}
	for _, w := range emailWords(email) {
		if repeats(core, w) {
			return messages.PasswordHasContext
		}
	}
	return ""
}

// Common reports whether password, ignoring case, is on the list. It
// bisects the blob by byte offset, stepping back to the start of the line
// it lands in, so it needs no index and allocates nothing for an ASCII
// password.
func (l *List) Common(password string) bool {
	p := lowerASCIIOrAll(password)
	if p == "" || strings.IndexByte(p, '\n') >= 0 {
		return false
	}
	lo, hi := 0, len(l.blob) // the answer's line starts in [lo, hi)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := strings.LastIndexByte(l.blob[lo:mid], '\n') + 1 + lo
		end := strings.IndexByte(l.blob[start:], '\n') + start
		switch line := l.blob[start:end]; {
		case line == p:
			return true
		case line < p:
			lo = end + 1
		default:
			hi = start
		}
	}
	return false
}

// lowerASCIIOrAll lowercases s as strings.ToLower does, without
// allocating when s is ASCII and has no uppercase letters.
func lowerASCIIOrAll(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// letters returns the letters of s, lowercased, in order.
func letters(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// words returns the context words of a name: its letters, lowercased, and
// each run of letters in it, those of at least contextMinLetters letters.
func words(s string) []string {
	var out []string
	add := func(w string) {
		if utf8.RuneCountInString(w) >= contextMinLetters && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	add(letters(s))
	for _, run := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		add(letters(run))
	}
	return out
}

// emailWords returns the context words of an email address: those of its
// local part without any +tag, and the letters of each domain label but the
// last that is longer than three characters.
func emailWords(email string) []string {
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil
	}
	local, domain := email[:at], email[at+1:]
	if plus := strings.IndexByte(local, '+'); plus >= 0 {
		local = local[:plus]
	}
	out := words(local)
	labels := strings.Split(domain, ".")
	for _, label := range labels[:len(labels)-1] {
		if w := letters(label); utf8.RuneCountInString(label) > 3 && utf8.RuneCountInString(w) >= contextMinLetters && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// repeats reports whether s is w once or several times over.
func repeats(s, w string) bool {
	return w != "" && len(s)%len(w) == 0 && strings.Repeat(w, len(s)/len(w)) == s
}

//go:build js && wasm

package main

import (
	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
)

// fieldKind says which rules apply to an input.
type fieldKind int

const (
	kindNone        fieldKind = iota // not a field the module checks
	kindEmail                        // an email address: validate.Email
	kindNewPassword                  // a password being chosen: validate.Password, against the form's email
	kindPassword                     // a current password: only that it is there
)

// phase is how far a person has got with a field. Messages follow
// "reward early, punish late": while someone first types into a field, only
// mistakes that more typing cannot fix are shown; once they have edited it
// and left, every rule applies and the message follows each keystroke, so a
// fix is acknowledged at once.
type phase int

const (
	untouched phase = iota // not edited since the page (or the server's patch) rendered it
	typing                 // edited, not yet left
	left                   // edited, then left
)

// check returns the problem with value for a field of kind, as the server
// would report it, or "" when there is none. email is the raw value of the
// form's email field (or ""), which the server normalises before comparing.
// normalize is Unicode NFKC, which the server applies to passwords; like the
// server, check refuses an oversized password before normalising it.
func check(kind fieldKind, value, email string, normalize func(string) string) messages.Key {
	switch kind {
	case kindEmail:
		_, problem := validate.Email(value)
		return problem
	case kindNewPassword:
		if len(value) > validate.PasswordMaxBytes {
			return messages.PasswordTooLong
		}
		normalized, _ := validate.Email(email) // the server compares with the normalised address, valid or not
		return validate.Password(normalize(value), normalized)
	case kindPassword:
		if value == "" {
			return messages.PasswordRequired
		}
	}
	return ""
}

// visible returns the message to show for problem in phase p: nothing for
// an untouched field, only the mistakes more typing cannot fix while
// typing, everything once the field has been left.
func visible(problem messages.Key, p phase) messages.Key {
	switch {
	case p == left:
		return problem
	case p == typing && final(problem):
		return problem
	}
	return ""
}

// final reports whether typing more characters cannot fix problem, so it is
// worth showing before the person leaves the field.
func final(problem messages.Key) bool {
	switch problem {
	case messages.PasswordHasEmail, messages.PasswordTooLong, messages.PasswordInvalid, messages.EmailTooLong:
		return true
	}
	return false
}

// strength returns what the length meter shows for a normalised password:
// its length in runes, the meter's maximum, and the verdict under it ("" for
// an empty password). A target of 0 or less means validate's.
func strength(normalized string, target int) (runes, limit int, verdict messages.Key) {
	runes, limit = validate.PasswordStrength(normalized)
	if target > 0 {
		limit = target
	}
	switch {
	case runes == 0:
		return 0, limit, ""
	case runes < validate.PasswordMinRunes:
		return runes, limit, messages.PasswordStrengthShort
	case runes < limit:
		return runes, limit, messages.PasswordStrengthFair
	}
	return runes, limit, messages.PasswordStrengthGood
}

// atoi parses a small positive decimal number, or returns 0.
func atoi(s string) int {
	if s == "" || len(s) > 4 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

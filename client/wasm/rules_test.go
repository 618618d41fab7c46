//go:build js && wasm

package main

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
)

// These tests run under Node (see module_test.go), in the same js/wasm
// build as the browser module.

func identity(s string) string { return s }

func TestCheck(t *testing.T) {
	// A stand-in for NFKC that folds the fullwidth letters the tests use.
	fold := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'ａ' && r <= 'ｚ' {
				return r - 'ａ' + 'a'
			}
			return r
		}, s)
	}
	tests := []struct {
		name        string
		kind        fieldKind
		value       string
		email       string
		want        messages.Key
		normalizeBy func(string) string
	}{
		{"email empty", kindEmail, "", "", messages.EmailRequired, nil},
		{"email half typed", kindEmail, "marguerite@", "", messages.EmailInvalid, nil},
		{"email good, spaces and capitals", kindEmail, "  Marguerite@Example.com ", "", "", nil},
		{"email too long", kindEmail, strings.Repeat("a", 250) + "@example.com", "", messages.EmailTooLong, nil},
		{"new password empty", kindNewPassword, "", "a@example.com", messages.PasswordRequired, nil},
		{"new password short", kindNewPassword, "short", "a@example.com", messages.PasswordTooShort, nil},
		{"new password good", kindNewPassword, "plum orchard at dusk", "marguerite@example.com", "", nil},
		{"new password holds the local part", kindNewPassword, "xMarguerite1234", "marguerite@example.com", messages.PasswordHasEmail, nil},
		{"email compared as the server normalises it", kindNewPassword, "marguerite1234", "  MARGUERITE@example.com", messages.PasswordHasEmail, nil},
		{"invalid email still compared", kindNewPassword, "marguerite1234", "marguerite@", messages.PasswordHasEmail, nil},
		{"no email yet", kindNewPassword, "marguerite1234", "", "", nil},
		{"normalised before the rules", kindNewPassword, "ｍａｒｇｕｅｒｉｔｅ99", "marguerite@example.com", messages.PasswordHasEmail, fold},
		{"control character", kindNewPassword, "tab\there ok", "", messages.PasswordInvalid, nil},
		{"too many runes", kindNewPassword, strings.Repeat("é", validate.PasswordMaxRunes+1), "", messages.PasswordTooLong, nil},
		{"too many bytes, before normalising", kindNewPassword, strings.Repeat("a", validate.PasswordMaxBytes+1), "", messages.PasswordTooLong,
			func(string) string { return "short" }},
		{"current password empty", kindPassword, "", "", messages.PasswordRequired, nil},
		{"current password short is fine", kindPassword, "abc", "", "", nil},
		{"unknown field", kindNone, "", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			norm := tt.normalizeBy
			if norm == nil {
				norm = identity
			}
			if got := check(tt.kind, tt.value, tt.email, norm); got != tt.want {
				t.Errorf("check(%q, %q) = %q, want %q", tt.value, tt.email, got, tt.want)
			}
		})
	}
}

// TestCheckMatchesServerRules: the module shows exactly what
// client/validate (which the server runs) says, on the same normalised input.
func TestCheckMatchesServerRules(t *testing.T) {
	for _, pw := range []string{"", "a", "seven77", "eight888", "marguerite", "x marguerite x", "plum orchard at dusk", "\x7f-delete-x"} {
		if got, want := check(kindNewPassword, pw, "marguerite@example.com", identity), validate.Password(pw, "marguerite@example.com"); got != want {
			t.Errorf("password %q: module %q, server rules %q", pw, got, want)
		}
	}
}

func TestVisible(t *testing.T) {
	tests := []struct {
		problem messages.Key
		phase   phase
		want    messages.Key
	}{
		// Nothing is said about a field the person has not edited.
		{messages.PasswordHasEmail, untouched, ""},
		{messages.EmailInvalid, untouched, ""},
		// While first typing, only what more typing cannot fix.
		{messages.PasswordRequired, typing, ""},
		{messages.PasswordTooShort, typing, ""},
		{messages.EmailInvalid, typing, ""},
		{messages.EmailRequired, typing, ""},
		{messages.PasswordHasEmail, typing, messages.PasswordHasEmail},
		{messages.PasswordTooLong, typing, messages.PasswordTooLong},
		{messages.PasswordInvalid, typing, messages.PasswordInvalid},
		{messages.EmailTooLong, typing, messages.EmailTooLong},
		// Once left, everything, live.
		{messages.PasswordTooShort, left, messages.PasswordTooShort},
		{messages.EmailInvalid, left, messages.EmailInvalid},
		{messages.PasswordRequired, left, messages.PasswordRequired},
		{"", left, ""},
		{"", typing, ""},
	}
	for _, tt := range tests {
		if got := visible(tt.problem, tt.phase); got != tt.want {
			t.Errorf("visible(%q, %d) = %q, want %q", tt.problem, tt.phase, got, tt.want)
		}
	}
}

func TestStrength(t *testing.T) {
	target := validate.PasswordTargetRunes
	tests := []struct {
		password    string
		target      int
		runes, max  int
		wantVerdict messages.Key
	}{
		{"", 0, 0, target, ""},
		{"abc", 0, 3, target, messages.PasswordStrengthShort},
		{"abcdefg", 0, 7, target, messages.PasswordStrengthShort},
		{"abcdefgh", 0, 8, target, messages.PasswordStrengthFair},
		{strings.Repeat("é", target-1), 0, target - 1, target, messages.PasswordStrengthFair},
		{strings.Repeat("é", target), 0, target, target, messages.PasswordStrengthGood},
		{strings.Repeat("x", 40), 0, 40, target, messages.PasswordStrengthGood},
		{"abcdefghij", 10, 10, 10, messages.PasswordStrengthGood},
	}
	for _, tt := range tests {
		runes, max, verdict := strength(tt.password, tt.target)
		if runes != tt.runes || max != tt.max || verdict != tt.wantVerdict {
			t.Errorf("strength(%q, %d) = %d, %d, %q; want %d, %d, %q", tt.password, tt.target, runes, max, verdict, tt.runes, tt.max, tt.wantVerdict)
		}
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int{"15": 15, "0": 0, "": 0, "-3": 0, "1x": 0, "<null>": 0, "99999": 0, "128": 128} {
		if got := atoi(in); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
}

// Package phone turns a phone number as a person typed it into the E.164
// form Latch stores ("+14155550123"), and refuses numbers an SMS code
// cannot reach: unparseable or invalid ones, numbers of countries the
// operator has not allowed, and numbers that are clearly not mobiles.
//
// Parsing uses github.com/nyaruka/phonenumbers (Google's libphonenumber
// metadata). Input is screened before it is parsed: at most MaxInputBytes,
// and only the characters people use to write a number (ASCII digits,
// spaces, a leading +, and - ( ) . / as separators), so letters (vanity
// numbers), Unicode digits, control and invisible characters never reach
// the parser or the database.
package phone

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/latch-dev/latch/client/messages"
)

// MaxInputBytes bounds what is parsed. The longest E.164 number has 15
// digits; 64 bytes leaves room for spaces and separators.
const MaxInputBytes = 64

// Numbers normalises phone numbers for one deployment: a default region
// for numbers typed without a country code, and the regions allowed. It is
// safe for concurrent use.
type Numbers struct {
	defaultRegion string
	allowed       []string
}

// New returns Numbers for the allowed regions (ISO 3166-1 alpha-2 codes,
// case-insensitive) with def as the region of numbers typed without +.
// It fails when the list is empty, names a region phonenumbers does not
// know, or does not include def.
func New(def string, allowed []string) (*Numbers, error) {
	def = strings.ToUpper(strings.TrimSpace(def))
	if len(allowed) == 0 {
		return nil, errors.New("phone: no allowed regions")
	}
	known := phonenumbers.GetSupportedRegions()
	n := &Numbers{defaultRegion: def}
	for _, r := range allowed {
		r = strings.ToUpper(strings.TrimSpace(r))
		if _, ok := known[r]; !ok || len(r) != 2 {
			return nil, fmt.Errorf("phone: unknown region %q (want an ISO 3166-1 alpha-2 code such as GB)", r)
		}
		if !slices.Contains(n.allowed, r) {
			n.allowed = append(n.allowed, r)
		}
	}
	if !slices.Contains(n.allowed, def) {
		return nil, fmt.Errorf("phone: default region %q is not among the allowed regions", def)
	}
	return n, nil
}

// DefaultRegion is the region of numbers typed without a country code.
func (n *Numbers) DefaultRegion() string { return n.defaultRegion }

// Regions lists the allowed regions, in the order configured.
func (n *Numbers) Regions() []string { return slices.Clone(n.allowed) }

// Normalize returns s as an E.164 number, or "" and the message key of the
// problem:
//   - messages.PhoneRequired: nothing but spaces;
//   - messages.PhoneTooLong: more than MaxInputBytes;
//   - messages.PhoneInvalid: characters that are not part of a number,
//     or a number that does not parse or is not a valid number;
//   - messages.PhoneCountryNotAllowed: a valid number of a region that is
//     not allowed;
//   - messages.PhoneNotMobile: a valid number that cannot be a mobile
//     (fixed line, toll free, premium rate, pager, ...).
func (n *Numbers) Normalize(s string) (string, messages.Key) {
	if len(s) > MaxInputBytes {
		return "", messages.PhoneTooLong
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", messages.PhoneRequired
	}
	if !plausible(s) {
		return "", messages.PhoneInvalid
	}
	num, err := phonenumbers.Parse(s, n.defaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", messages.PhoneInvalid
	}
	region := phonenumbers.GetRegionCodeForNumber(num)
	if !slices.Contains(n.allowed, region) {
		return "", messages.PhoneCountryNotAllowed
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "", messages.PhoneNotMobile
	}
	return phonenumbers.Format(num, phonenumbers.E164), ""
}

// Looks reports whether s looks like an attempt at a phone number rather
// than an email address: no @, and its first character (after spaces) is
// a digit, + or (. It says nothing about validity; Normalize decides.
func Looks(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "@") {
		return false
	}
	c := s[0]
	return c == '+' || c == '(' || (c >= '0' && c <= '9')
}

// plausible reports whether s uses only the characters of a written
// number, with at most one +, only in front, and at least one digit.
func plausible(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '+':
			if i != 0 {
				return false
			}
		case c == ' ', c == '-', c == '(', c == ')', c == '.', c == '/':
		default:
			return false
		}
	}
	return digits > 0
}

// CallingCode returns the country calling code of an E.164 number ("44"
// for "+447700900123"), or "" when it does not parse. The guard budgets
// text messages per calling code, so a run of premium-rate numbers in one
// country stops short of the whole budget.
func CallingCode(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil || n.GetCountryCode() == 0 {
		return ""
	}
	return strconv.Itoa(int(n.GetCountryCode()))
}

// Display returns an E.164 number as people read it: in the national
// format of home (the deployment's default region, "(201) 555-0123") when
// the number is from there, else in the international format with the
// country's own grouping ("+44 7400 770376"). A value that does not parse
// is returned as it is.
func Display(e164, home string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	if home != "" && phonenumbers.GetRegionCodeForNumber(n) == strings.ToUpper(home) {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

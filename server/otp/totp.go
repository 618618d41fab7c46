package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// TOTP parameters (RFC 6238): what every authenticator app accepts when an
// otpauth:// URI names none, so Latch uses exactly these.
const (
	TOTPPeriod      = 30 * time.Second
	TOTPDigits      = 6
	TOTPSecretBytes = 20 // 160 bits, the HMAC-SHA-1 block RFC 4226 recommends
	// TOTPSkew is how many time steps either side of now a code may come
	// from: a phone clock 30 s off still signs in, 60 s off does not.
	TOTPSkew = 1
)

// NewTOTPSecret returns a new random shared secret.
func NewTOTPSecret() []byte {
	b := make([]byte, TOTPSecretBytes)
	if _, err := rand.Read(b); err != nil {
		panic("otp: " + err.Error())
	}
	return b
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// EncodeTOTPSecret is the secret as authenticator apps take it typed in:
// unpadded base32 (RFC 4648), upper case.
func EncodeTOTPSecret(secret []byte) string { return b32.EncodeToString(secret) }

// DecodeTOTPSecret reverses EncodeTOTPSecret, ignoring spaces and case.
func DecodeTOTPSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	return b32.DecodeString(strings.TrimRight(s, "="))
}

// GroupTOTPSecret writes an encoded secret in groups of four, for typing.
func GroupTOTPSecret(encoded string) string {
	var b strings.Builder
	for i := 0; i < len(encoded); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(encoded[i:min(i+4, len(encoded))])
	}
	return b.String()
}

// TOTPURI is the otpauth:// URI (Google Authenticator's key URI format)
// a QR code carries: issuer and account label the entry in the app.
func TOTPURI(issuer, account string, secret []byte) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{"secret": {EncodeTOTPSecret(secret)}, "issuer": {issuer},
		"algorithm": {"SHA1"}, "digits": {fmt.Sprint(TOTPDigits)}, "period": {fmt.Sprint(int(TOTPPeriod / time.Second))}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// TOTPStep is the RFC 6238 time step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// hotp is RFC 4226's HOTP value of counter, in digits decimal digits.
func hotp(secret []byte, counter uint64, digits int) string {
	m := hmac.New(sha1.New, secret)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	m.Write(c[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// TOTPCode is the code of secret for time step step.
func TOTPCode(secret []byte, step int64) string {
	return hotp(secret, uint64(step), TOTPDigits)
}

// MatchTOTP finds the time step, within TOTPSkew of now's and later than
// after, whose code is code (already normalized). Every candidate is
// compared, in constant time, whether or not an earlier one matched. A
// code of a step at or before after (one already used) never matches, so
// a code is good once.
func MatchTOTP(secret []byte, code string, now time.Time, after int64) (int64, bool) {
	cur := TOTPStep(now)
	var found int64
	ok := 0
	for step := cur - TOTPSkew; step <= cur+TOTPSkew; step++ {
		eq := subtle.ConstantTimeCompare([]byte(TOTPCode(secret, step)), []byte(code))
		if eq == 1 && step > after && ok == 0 {
			found, ok = step, 1
		}
	}
	return found, ok == 1
}

// Recovery codes: ten single-use codes of ten characters from an alphabet
// without look-alikes (no 0/O, 1/I/L), shown as "xxxxx-xxxxx": 50 bits
// each, far beyond guessing within the second step's attempt limit.
const (
	RecoveryCodeCount = 10
	recoveryLen       = 10
	recoveryAlphabet  = "abcdefghjkmnpqrstuvwxyz23456789" // 31 symbols
)

// NewRecoveryCodes returns n fresh recovery codes, formatted for reading.
func NewRecoveryCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for j := 0; j < recoveryLen; j++ {
			if j == recoveryLen/2 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[uniform(len(recoveryAlphabet))])
		}
		out[i] = b.String()
	}
	return out
}

// uniform returns a uniformly random int in [0, n), n ≤ 256.
func uniform(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic("otp: " + err.Error())
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// ErrMalformedRecoveryCode is returned by NormalizeRecoveryCode for input
// that cannot be a recovery code.
var ErrMalformedRecoveryCode = errors.New("otp: not a recovery code")

// NormalizeRecoveryCode returns a typed recovery code in lower case
// without spaces or dashes, or ErrMalformedRecoveryCode.
func NormalizeRecoveryCode(s string) (string, error) {
	if len(s) > 64 {
		return "", ErrMalformedRecoveryCode
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
	if len(s) != recoveryLen {
		return "", ErrMalformedRecoveryCode
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(recoveryAlphabet, rune(s[i])) {
			return "", ErrMalformedRecoveryCode
		}
	}
	return s, nil
}

// Recovery returns the keyed hash a recovery code of userID is stored as:
// HMAC-SHA-256 under the Hasher's key, bound to the user, so a database
// copy gives nothing to try and a code of one user is no code of another.
// code must be normalized (NormalizeRecoveryCode).
func (h *Hasher) Recovery(userID uuid.UUID, code string) []byte {
	m := hmac.New(sha256.New, h.key)
	var n [4]byte
	for _, field := range []string{"latch recovery code v1", userID.String(), code} {
		binary.BigEndian.PutUint32(n[:], uint32(len(field)))
		m.Write(n[:])
		m.Write([]byte(field))
	}
	return m.Sum(nil)
}

// Package otp makes the secrets of passwordless flows: six-digit codes sent
// by email or SMS, and magic-link tokens. It is pure (no storage, no I/O
// beyond crypto/rand) so the domain, the stores and tests share one
// definition of what is generated and what is kept.
//
// What is stored, never the secret itself:
//
//   - A code is kept as HMAC-SHA-256, under a server key, of the purpose,
//     the identity and the code (see Hasher). A plain hash of a six-digit
//     code is no protection: a copy of the database gives every code after
//     at most a million hashes. With a key that is not in the database, the
//     copy gives nothing, and the binding means a code issued for one flow
//     or one address never verifies another.
//   - A magic link is a selector, looked up, and a 256-bit verifier of
//     which only the SHA-256 is kept (see NewLink). The verifier has enough
//     entropy that a plain hash is safe.
//
// Stored and presented hashes are compared with Equal, in constant time.
package otp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Purpose names the flow a code or link was issued for. It is part of the
// code hash and of the store's lookup, so a code for one purpose never
// verifies another.
type Purpose string

// The purposes Latch issues codes and links for.
const (
	PurposeLogin         Purpose = "login"
	PurposeVerifyEmail   Purpose = "verify_email"
	PurposeVerifyPhone   Purpose = "verify_phone"
	PurposeResetPassword Purpose = "reset_password"
	PurposeChangeEmail   Purpose = "change_email"
	PurposeChangePhone   Purpose = "change_phone"
	// PurposeReauth is a code a signed-in user without a password proves
	// who they are with again, before a sensitive change.
	PurposeReauth Purpose = "reauth"
	// PurposeSignup is a code that signs up a new phone number, or logs
	// in to the account already holding it.
	PurposeSignup Purpose = "signup"
	// PurposeSignupEmail is a code and link that prove a new address
	// before its account exists (verify-first signup by email).
	PurposeSignupEmail Purpose = "signup_email"
	// PurposeRecover is a code to a verified phone that starts the delayed
	// recovery of an account whose email address was lost.
	PurposeRecover Purpose = "recover"
)

// Purposes lists every known purpose.
func Purposes() []Purpose {
	return []Purpose{PurposeLogin, PurposeVerifyEmail, PurposeVerifyPhone, PurposeResetPassword, PurposeChangeEmail, PurposeChangePhone, PurposeSignup, PurposeSignupEmail, PurposeRecover, PurposeReauth}
}

// Valid reports whether p is one of the known purposes.
func (p Purpose) Valid() bool {
	for _, q := range Purposes() {
		if p == q {
			return true
		}
	}
	return false
}

// Channel is how a code or link reaches its holder.
type Channel string

// The channels codes and links are sent over.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelEmail || c == ChannelSMS }

// CodeDigits is the length of a code.
const CodeDigits = 6

// codeSpace is 10^CodeDigits, the number of distinct codes.
const codeSpace = 1_000_000

// NewCode returns a uniformly random code of CodeDigits decimal digits,
// leading zeros included ("004217").
func NewCode() string {
	c, err := newCode(rand.Reader)
	if err != nil {
		// crypto/rand.Reader does not fail (it crashes the program
		// instead); a failure here is a broken platform.
		panic("otp: " + err.Error())
	}
	return c
}

// newCode draws from r by rejection sampling: a 32-bit value at or above
// the largest multiple of codeSpace is drawn again, so every code is
// exactly equally likely (a plain modulo would favour the low codes).
func newCode(r io.Reader) (string, error) {
	const limit = (1 << 32) - (1<<32)%codeSpace
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); uint64(v) < limit {
			return fmt.Sprintf("%0*d", CodeDigits, v%codeSpace), nil
		}
	}
}

// ErrMalformedCode is returned by NormalizeCode for input that is not a
// code. It is a form error, not a failed attempt.
var ErrMalformedCode = errors.New("otp: not a six-digit code")

// NormalizeCode returns the code a person typed, with the spaces and dashes
// people put in to group digits removed. It returns ErrMalformedCode unless
// what is left is exactly CodeDigits ASCII digits.
func NormalizeCode(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) != CodeDigits {
		return "", ErrMalformedCode
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", ErrMalformedCode
		}
	}
	return s, nil
}

// KeySize is the length in bytes of a code-hashing key.
const KeySize = 32

// Hasher hashes codes under a server key. It is safe for concurrent use.
type Hasher struct{ key []byte }

// NewHasher returns a Hasher keyed by key, which must be KeySize bytes of
// secret randomness kept out of the database.
func NewHasher(key []byte) (*Hasher, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("otp: code key is %d bytes, want %d", len(key), KeySize)
	}
	return &Hasher{key: append([]byte(nil), key...)}, nil
}

// DeriveKey derives the code-hashing key from the key-encryption key
// (LATCH_TOKEN_KEK) with HKDF-SHA-256, so no second secret has to be
// configured. Changing the KEK invalidates codes outstanding at the time,
// which live minutes.
func DeriveKey(kek []byte) ([]byte, error) {
	if len(kek) < KeySize {
		return nil, fmt.Errorf("otp: key-encryption key is %d bytes, want at least %d", len(kek), KeySize)
	}
	return hkdf.Key(sha256.New, kek, nil, "latch otp codes v1", KeySize)
}

// Code returns HMAC-SHA-256(key, purpose | identity | code), 32 bytes. Each
// field is length-prefixed, so no two distinct triples hash the same input.
// The identity must be normalized the way the store looks it up.
func (h *Hasher) Code(p Purpose, identity, code string) []byte {
	m := hmac.New(sha256.New, h.key)
	var n [4]byte
	for _, field := range []string{"latch otp v1", string(p), identity, code} {
		binary.BigEndian.PutUint32(n[:], uint32(len(field)))
		m.Write(n[:])
		m.Write([]byte(field))
	}
	return m.Sum(nil)
}

// Equal reports, in time that depends only on their lengths, whether two
// hashes are the same. Empty hashes are never equal.
func Equal(stored, presented []byte) bool {
	return len(stored) > 0 && subtle.ConstantTimeCompare(stored, presented) == 1
}

// Sizes of a link token's parts, in bytes before encoding.
const (
	SelectorBytes = 16 // 128 bits: only has to be unique
	VerifierBytes = 32 // 256 bits: the secret
)

// Encoded lengths (unpadded base64url) of a link token and its selector.
var (
	SelectorLen = base64.RawURLEncoding.EncodedLen(SelectorBytes) // 22
	TokenLen    = SelectorLen + base64.RawURLEncoding.EncodedLen(VerifierBytes)
)

// Link is a new magic link's secret: Token goes into the URL sent to the
// user; Selector and VerifierHash are what is stored.
type Link struct {
	Token        string // selector and verifier, unpadded base64url, TokenLen characters
	Selector     string
	VerifierHash []byte // SHA-256 of the verifier bytes
}

// NewLink returns a new random link token.
func NewLink() Link {
	var b [SelectorBytes + VerifierBytes]byte
	_, _ = rand.Read(b[:]) // never fails; crashes the program instead
	sel := base64.RawURLEncoding.EncodeToString(b[:SelectorBytes])
	ver := base64.RawURLEncoding.EncodeToString(b[SelectorBytes:])
	sum := sha256.Sum256(b[SelectorBytes:])
	return Link{Token: sel + ver, Selector: sel, VerifierHash: sum[:]}
}

// ErrMalformedLink is returned by ParseLink for a token that is not one
// NewLink could have made.
var ErrMalformedLink = errors.New("otp: malformed link token")

// ParseLink splits a presented token into the selector to look up and the
// SHA-256 of its verifier, to compare with Equal. It returns
// ErrMalformedLink for a token of the wrong length or alphabet, including
// non-canonical base64.
func ParseLink(token string) (selector string, verifierHash []byte, err error) {
	if len(token) != TokenLen {
		return "", nil, ErrMalformedLink
	}
	sel, err := base64.RawURLEncoding.Strict().DecodeString(token[:SelectorLen])
	if err != nil || len(sel) != SelectorBytes {
		return "", nil, ErrMalformedLink
	}
	ver, err := base64.RawURLEncoding.Strict().DecodeString(token[SelectorLen:])
	if err != nil || len(ver) != VerifierBytes {
		return "", nil, ErrMalformedLink
	}
	sum := sha256.Sum256(ver)
	return token[:SelectorLen], sum[:], nil
}

// Errors of verifying a code or consuming a link. A web layer should show
// ErrInvalid, ErrExpired and ErrUsed with one message, so an attacker
// cannot tell which codes exist.
var (
	ErrInvalid   = errors.New("otp: wrong or unknown code")
	ErrExpired   = errors.New("otp: code expired")
	ErrUsed      = errors.New("otp: code already used")
	ErrExhausted = errors.New("otp: too many wrong attempts; the code is void")
)

// ErrSendLimited is matched (errors.Is) by every *SendLimitError.
var ErrSendLimited = errors.New("otp: sending too often")

// SendLimitError is returned when a new code for an identity is refused
// because one was sent too recently or too many were sent in the window.
// Wait is how long until a new one is allowed.
type SendLimitError struct {
	Wait time.Duration
}

func (e *SendLimitError) Error() string {
	return fmt.Sprintf("otp: sending too often; retry in %s", e.Wait.Round(time.Second))
}

// Is makes errors.Is(err, ErrSendLimited) hold.
func (e *SendLimitError) Is(target error) bool { return target == ErrSendLimited }

// Issue is a code or link about to be stored. At least one of CodeHash and
// Selector is set; a row with both (an email holding a code and a link) is
// consumed by whichever is used first.
type Issue struct {
	AppID        uuid.UUID  // the app the identity belongs to
	UserID       *uuid.UUID // nil when no account holds the identity (yet)
	Purpose      Purpose
	Channel      Channel
	Identity     string // normalized email address or E.164 number
	CodeHash     []byte // Hasher.Code, or nil
	Selector     string // Link.Selector, or ""
	VerifierHash []byte // Link.VerifierHash, or nil
	TTL          time.Duration
	// CodeTTL, when not zero, ends the code sooner than TTL: a row holding
	// a code and a link lives as long as the link (TTL), its code only
	// CodeTTL. It must not exceed TTL.
	CodeTTL     time.Duration
	MaxAttempts int // 0 means DefaultMaxAttempts
}

// DefaultMaxAttempts is how many wrong codes void a code. It is a
// backstop only: the guard's budgets (server/guard, policy "code") stop
// guessing long before, and count the owner's known browsers apart from
// strangers, so that strangers' guesses never void the owner's code.
const DefaultMaxAttempts = 20

// Record is a stored code or link, as returned once it has been consumed.
type Record struct {
	ID         uuid.UUID
	AppID      uuid.UUID
	UserID     *uuid.UUID
	Purpose    Purpose
	Channel    Channel
	Identity   string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	ConsumedAt time.Time
}

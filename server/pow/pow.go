// Package pow issues and checks Latch's self-hosted proof of work: a small
// puzzle a browser solves before sending a form that costs the server
// something (a sign-up, a code by email or SMS), so a script that sends
// thousands pays for each in CPU time, with no third-party service.
//
// A challenge is stateless until it is spent: Issue signs a random id, the
// difficulty and an expiry with HMAC-SHA-256 and stores nothing. Spend
// checks the signature, the expiry and the work (client/pow defines the
// puzzle), then records the id in a Store so the same proof is refused
// the second time. Forged, expired and too-easy proofs are refused before
// the store is touched, so they cost a database nothing.
//
// The difficulty is Options.Bits plus a level that can be raised at run
// time with SetLevel: a rate-limit guard raises it while a budget is
// tripped, and lowers it again after.
package pow

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/latch-dev/latch/client/pow"
)

// Defaults and bounds of Options.
const (
	// DefaultBits takes headless Chromium on a 2-core server about 0.4 s
	// on average with client/wasm's solver (2^19 hashes expected; one
	// solve in twenty takes three times the mean); a phone a few times
	// longer.
	DefaultBits = 19
	// MinBits and MaxBits bound Options.Bits.
	MinBits = 1
	MaxBits = 28
	// MaxLevel bounds SetLevel: each extra bit doubles the work, so 8
	// bits is 256 times the base.
	MaxLevel = 8
	// DefaultTTL is how long a challenge can be spent after it is issued.
	DefaultTTL = 5 * time.Minute
	// KeySize is the length of the signing key.
	KeySize = 32
)

// Errors Spend returns for a proof it refuses. Any other error is the
// store's.
var (
	ErrMalformed = errors.New("pow: malformed proof")
	ErrForged    = errors.New("pow: challenge signature does not match")
	ErrExpired   = errors.New("pow: challenge expired")
	ErrTooEasy   = errors.New("pow: not enough work")
	ErrReplayed  = errors.New("pow: challenge already spent")
)

// Store records spent challenges.
type Store interface {
	// Spend records id, keeping it at least until expires, and reports
	// whether it was new: false means the challenge was spent before.
	Spend(ctx context.Context, id []byte, expires time.Time) (fresh bool, err error)
}

// Options configure an Issuer.
type Options struct {
	Bits  int              // zero bits asked for at level 0 (DefaultBits when 0), MinBits..MaxBits
	TTL   time.Duration    // how long a challenge lives (DefaultTTL when 0)
	Clock func() time.Time // time.Now when nil
}

// Challenge is what GET /pow/challenge hands a browser.
type Challenge struct {
	Value   string    // the signed challenge, to be solved and sent back with the counter
	Bits    int       // zero bits asked for
	Expires time.Time // it cannot be spent from then on
	// ExpiresIn is Expires less the issuer's clock at issue.
	ExpiresIn time.Duration
}

// Spent describes a proof Spend accepted.
type Spent struct {
	Bits int // zero bits the challenge asked for
}

// Issuer signs challenges and spends proofs. It is safe for concurrent use.
type Issuer struct {
	key   []byte
	store Store
	bits  int
	ttl   time.Duration
	clock func() time.Time
	level atomic.Int32
}

// The signed challenge: version, bits, expiry (Unix seconds), random id,
// then HMAC-SHA-256 of all that. It is sent base64url without padding.
const (
	version   = 1
	idSize    = 16
	signedLen = 1 + 1 + 8 + idSize
	rawLen    = signedLen + sha256.Size
)

// DeriveKey derives the challenge-signing key from the key-encryption key
// (LATCH_TOKEN_KEK) with HKDF-SHA-256, so no other secret has to be
// configured. Changing the KEK invalidates challenges outstanding at the
// time, which live minutes.
func DeriveKey(kek []byte) ([]byte, error) {
	if len(kek) < KeySize {
		return nil, fmt.Errorf("pow: key-encryption key is %d bytes, want at least %d", len(kek), KeySize)
	}
	return hkdf.Key(sha256.New, kek, nil, "latch proof of work v1", KeySize)
}

// NewIssuer returns an Issuer signing with key (KeySize bytes, see
// DeriveKey) and recording spent challenges in store. It fails on a short
// key or Bits out of range.
func NewIssuer(key []byte, store Store, o Options) (*Issuer, error) {
	if len(key) < KeySize {
		return nil, fmt.Errorf("pow: key is %d bytes, want at least %d", len(key), KeySize)
	}
	if o.Bits == 0 {
		o.Bits = DefaultBits
	}
	if o.Bits < MinBits || o.Bits > MaxBits {
		return nil, fmt.Errorf("pow: %d bits is out of range %d..%d", o.Bits, MinBits, MaxBits)
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &Issuer{key: append([]byte(nil), key...), store: store, bits: o.Bits, ttl: o.TTL, clock: o.Clock}, nil
}

// SetLevel sets how many zero bits challenges issued from now on ask for
// beyond Options.Bits: 0 is the base difficulty, each step doubles the
// work. It is clamped to 0..MaxLevel. Challenges issued before keep the
// difficulty they were signed with until they expire.
func (i *Issuer) SetLevel(n int) {
	i.level.Store(int32(min(max(n, 0), MaxLevel)))
}

// Level is the level SetLevel last set.
func (i *Issuer) Level() int { return int(i.level.Load()) }

// Bits is the difficulty of the challenges issued now.
func (i *Issuer) Bits() int { return min(i.bits+i.Level(), pow.MaxBits) }

// Issue signs a new challenge at the current difficulty. It stores
// nothing.
func (i *Issuer) Issue() Challenge {
	bits := i.Bits()
	now := i.clock()
	expires := now.Add(i.ttl).Truncate(time.Second)
	raw := make([]byte, signedLen, rawLen)
	raw[0], raw[1] = version, byte(bits)
	binary.BigEndian.PutUint64(raw[2:], uint64(expires.Unix()))
	rand.Read(raw[10:signedLen]) // never fails (crypto/rand)
	raw = i.sign(raw)
	return Challenge{Value: base64.RawURLEncoding.EncodeToString(raw), Bits: bits, Expires: expires, ExpiresIn: expires.Sub(now)}
}

func (i *Issuer) sign(signed []byte) []byte {
	m := hmac.New(sha256.New, i.key)
	m.Write(signed)
	return m.Sum(signed)
}

// Spend checks proof (client/pow.Proof of a challenge from Issue and a
// counter) and records its challenge as spent. It returns the challenge's
// difficulty, or one of ErrMalformed, ErrForged, ErrExpired, ErrTooEasy,
// ErrReplayed, or the store's error.
//
// A proof needs at least as many zero bits as its challenge was signed
// with, and never fewer than Options.Bits: raising the level applies to
// challenges issued from then on.
func (i *Issuer) Spend(ctx context.Context, proof string) (Spent, error) {
	challenge, counter, ok := pow.ParseProof(proof)
	if !ok || base64.RawURLEncoding.DecodedLen(len(challenge)) != rawLen {
		return Spent{}, ErrMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(challenge)
	if err != nil || len(raw) != rawLen || raw[0] != version {
		return Spent{}, ErrMalformed
	}
	if !hmac.Equal(i.sign(raw[:signedLen:signedLen])[signedLen:], raw[signedLen:]) {
		return Spent{}, ErrForged
	}
	bits := int(raw[1])
	expires := time.Unix(int64(binary.BigEndian.Uint64(raw[2:])), 0)
	if !i.clock().Before(expires) {
		return Spent{}, ErrExpired
	}
	sum := sha256.Sum256(pow.Message(challenge, counter))
	if bits < i.bits || pow.LeadingZeroBits(sum[:]) < bits {
		return Spent{}, ErrTooEasy
	}
	fresh, err := i.store.Spend(ctx, raw[10:signedLen], expires)
	if err != nil {
		return Spent{}, fmt.Errorf("pow: record spent challenge: %w", err)
	}
	if !fresh {
		return Spent{}, ErrReplayed
	}
	return Spent{Bits: bits}, nil
}

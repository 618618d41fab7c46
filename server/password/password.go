// Package password hashes and verifies passwords with argon2id and stores
// them as PHC strings:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with salt and key in unpadded standard base64, as the reference
// implementation writes them.
//
// Every password goes through [Normalize] exactly once, where it enters the
// server, and the normalised string is what policy checks, [Hasher.Hash] and
// [Hasher.Verify] see. Hash and Verify do not normalise: they hash the bytes
// they are given.
//
// A Hasher bounds how many argon2 computations run at once. Each one holds
// Params.MemoryKiB of memory for its whole duration, so without a bound a
// burst of logins or sign-ups grows memory with the number of requests;
// with it, peak hashing memory stays near concurrency × MemoryKiB (plus
// blocks the garbage collector has not yet reclaimed) and the surplus
// requests wait their turn, or give up when their context ends.
//
// A login flow, for known and unknown accounts alike:
//
//	pw := password.Normalize(form.Password)
//	user, err := users.ByEmail(ctx, form.Email)
//	if errors.Is(err, ErrNotFound) {
//		_, err := hasher.VerifyDummy(ctx, pw) // same cost as a real check
//		return invalidCredentials(err)
//	}
//	ok, rehash, err := hasher.Verify(ctx, pw, user.PasswordHash)
//	if ok && rehash {
//		if newHash, err := hasher.Hash(ctx, pw); err == nil {
//			err = users.SetPasswordHash(ctx, user.ID, newHash)
//		}
//	}
//
// Hash before opening a database transaction, never inside one: a
// computation takes tens of milliseconds and may first wait for a free slot.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/latch-dev/latch/server/guard"
)

// Bounds enforced by [Params.Validate], for new hashes and stored ones alike.
const (
	minSaltLen    = 16
	minKeyLen     = 16
	maxSaltLen    = 1024
	maxKeyLen     = 1024
	maxMemoryKiB  = 4 << 20 // 4 GiB
	maxIterations = 64
)

// ErrInvalidParams is wrapped by the errors of [Params.Validate], and by
// those of [ParsePHC] when a stored hash carries parameters outside the
// accepted bounds.
var ErrInvalidParams = errors.New("password: invalid argon2id parameters")

// Params are the argon2id cost parameters and output sizes.
//
// MemoryKiB is the memory each computation holds, in KiB; Iterations the
// number of passes over it; Parallelism the number of lanes (and goroutines)
// per computation; SaltLen and KeyLen the salt and derived key sizes in bytes.
type Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
	SaltLen     uint32
	KeyLen      uint32
}

// DefaultParams returns the OWASP recommendation for argon2id: 19 MiB of
// memory (19456 KiB), 2 iterations, 1 lane, a 16-byte salt and a 32-byte key.
// One computation takes about 20-40 ms on one core.
func DefaultParams() Params {
	return Params{
		MemoryKiB:   19456,
		Iterations:  2,
		Parallelism: 1,
		SaltLen:     16,
		KeyLen:      32,
	}
}

// Validate reports whether p is safe to hash with. It returns an error
// wrapping [ErrInvalidParams] when memory is below 8 KiB per lane or above
// 4 GiB, iterations are outside 1..64, parallelism is 0, or the salt or key
// is shorter than 16 bytes or longer than 1 KiB.
//
// The upper bounds are there so that a stored hash cannot make a
// verification hold absurd amounts of memory or CPU.
func (p Params) Validate() error {
	switch {
	case p.Parallelism < 1:
		return fmt.Errorf("%w: parallelism must be at least 1", ErrInvalidParams)
	case uint64(p.MemoryKiB) < 8*uint64(p.Parallelism):
		return fmt.Errorf("%w: memory %d KiB is below 8 KiB per lane (%d lanes)", ErrInvalidParams, p.MemoryKiB, p.Parallelism)
	case p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB is above the 4 GiB maximum", ErrInvalidParams, p.MemoryKiB)
	case p.Iterations < 1:
		return fmt.Errorf("%w: iterations must be at least 1", ErrInvalidParams)
	case p.Iterations > maxIterations:
		return fmt.Errorf("%w: %d iterations is above the maximum of %d", ErrInvalidParams, p.Iterations, maxIterations)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d is outside %d..%d bytes", ErrInvalidParams, p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d is outside %d..%d bytes", ErrInvalidParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Normalize returns s in Unicode Normalization Form KC, the normalisation
// NIST SP 800-63B asks verifiers to apply to passwords, so that the same
// password typed on different keyboards or systems ("ﬁ" and "fi", a
// precomposed "é" and "e" plus a combining accent) hashes the same.
//
// Call it once, where the password enters the server, and hand the result
// to policy checks and to the Hasher; the Hasher does not normalise. NFKC is
// idempotent, so normalising again is harmless but wasted work. Normalize
// does not trim spaces or fold case, and passes bytes that are not valid
// UTF-8 through unchanged.
func Normalize(s string) string {
	return norm.NFKC.String(s)
}

// Hasher hashes and verifies passwords with fixed parameters and a bound on
// concurrent computations. It is safe for concurrent use. Build it with
// [NewHasher]; the zero value is not usable.
type Hasher struct {
	params Params
	adm    *admission // when a computation may start (see Track)
	dummy  string     // PHC string with the current params, for VerifyDummy

	// The queue in front of the slots: at most maxWaiting requests wait,
	// each at most maxWait; past either, ErrBusy.
	maxWaiting int64
	maxWait    time.Duration
	waiting    atomic.Int64

	// metrics hears how long each hash waited for a slot; nil: nobody.
	metrics Metrics

	// derive computes the key. Tests replace it to observe computations.
	derive func(password, salt []byte, p Params) []byte
}

// NewHasher returns a Hasher that hashes with p and runs at most concurrency
// argon2 computations at once; concurrency <= 0 means runtime.GOMAXPROCS(0).
// Peak hashing memory is about concurrency × p.MemoryKiB. While requests
// tracked with [Hasher.Track] are being served, hashing keeps to
// [DefaultShare] of the slots' time (see [Hasher.SetShare]), so cheap
// requests keep CPU when logins pile up.
//
// NewHasher panics if p is invalid: check parameters that come from
// configuration with [Params.Validate] first.
func NewHasher(p Params, concurrency int) *Hasher {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	// The dummy key is random bytes rather than an argon2 output: no password
	// can be known to match it, and building it costs no hash computation.
	salt := make([]byte, p.SaltLen)
	key := make([]byte, p.KeyLen)
	rand.Read(salt) // never fails: crypto/rand crashes the program instead
	rand.Read(key)
	return &Hasher{
		params:     p,
		adm:        newAdmission(concurrency, DefaultShare),
		dummy:      encodePHC(p, salt, key),
		derive:     idKey,
		maxWaiting: int64(DefaultQueuePerSlot * concurrency),
		maxWait:    DefaultQueueWait,
	}
}

// The default bound of the queue in front of the hashing slots: this many
// waiting requests per slot, each waiting at most this long. At 25-40 ms a
// hash, a full queue drains in about a second.
const (
	DefaultQueuePerSlot = 32
	DefaultQueueWait    = 2 * time.Second
)

// ErrBusy is returned by Hash and Verify when the queue for a computation
// slot is full or the wait for one passed its deadline: the server should
// answer 503 with Retry-After rather than wait without bound.
var ErrBusy = errors.New("password: hashing is busy")

// SetQueue bounds the queue in front of the computation slots: at most
// waiting requests wait (0: none, every request beyond the slots is
// ErrBusy), each for at most wait. Call it before the Hasher is used.
func (h *Hasher) SetQueue(waiting int, wait time.Duration) {
	h.maxWaiting, h.maxWait = int64(max(waiting, 0)), wait
}

// SetShare sets the share of the slots' time (0 < share <= 1) that
// hashing may use while other requests tracked with [Hasher.Track] are
// being served: with 4 slots and 0.3, about 1.2 cores' worth of hashing, at most
// 2 at once. 1 lets hashing use every slot whatever else is served.
// Call it before the Hasher is used.
func (h *Hasher) SetShare(share float64) {
	h.adm = newAdmission(h.adm.max, share)
}

// Metrics hears of each hash's wait for a computation slot: d is the
// wait (0 when a slot was free), outcome "ok", "busy" (ErrBusy) or
// "canceled" (the request's context ended first).
type Metrics interface {
	HashWaited(d time.Duration, outcome string)
}

// SetMetrics reports each wait to m. Call it before the Hasher is used.
func (h *Hasher) SetMetrics(m Metrics) { h.metrics = m }

// Waiting is how many hashes wait for a computation slot now.
func (h *Hasher) Waiting() int { return int(h.waiting.Load()) }

// Running is how many hash computations run now.
func (h *Hasher) Running() int {
	h.adm.mu.Lock()
	defer h.adm.mu.Unlock()
	return h.adm.running
}

func (h *Hasher) waited(start time.Time, outcome string) {
	if h.metrics != nil {
		var d time.Duration
		if !start.IsZero() {
			d = time.Since(start)
		}
		h.metrics.HashWaited(d, outcome)
	}
}

func idKey(password, salt []byte, p Params) []byte {
	return argon2.IDKey(password, salt, p.Iterations, p.MemoryKiB, p.Parallelism, p.KeyLen)
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params {
	return h.params
}

// Hash returns the PHC string of plain, which should already have been
// through [Normalize], with a fresh random salt, so two hashes of the same
// password differ.
//
// Hash waits for a free computation slot first. If ctx ends while it waits,
// or has already ended, it returns ctx.Err() and computes nothing; once a
// computation has started it runs to completion.
func (h *Hasher) Hash(ctx context.Context, plain string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	rand.Read(salt) // never fails: crypto/rand crashes the program instead
	key, err := h.compute(ctx, []byte(plain), salt, h.params)
	if err != nil {
		return "", err
	}
	return encodePHC(h.params, salt, key), nil
}

// Verify reports whether plain, which should already have been through
// [Normalize], matches the PHC string encoded, comparing keys in constant
// time. The computation uses the parameters stored in encoded, not the
// Hasher's.
//
// needsRehash is true only when ok is true and the stored parameters (or
// salt or key length) differ from [Hasher.Params]: hash plain again and
// store the new hash to move the account to the current parameters.
//
// Verify returns an error, with ok false, when encoded is not an argon2id
// PHC string this package accepts: one wrapping [ErrMalformedHash],
// [ErrUnsupportedAlgorithm] or [ErrIncompatibleVersion] (see [ParsePHC]).
// Such strings are rejected before any computation, so a tampered row
// cannot exhaust memory. Like [Hasher.Hash], Verify returns ctx.Err() if ctx
// ends while it waits for a computation slot.
func (h *Hasher) Verify(ctx context.Context, plain, encoded string) (ok, needsRehash bool, err error) {
	p, salt, want, err := ParsePHC(encoded)
	if err != nil {
		return false, false, err
	}
	got, err := h.compute(ctx, []byte(plain), salt, p)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// VerifyDummy does the work of [Hasher.Verify] against a hash with the
// current parameters that no password matches, and always returns false.
// Call it when the account does not exist, so that the response takes as
// long as for an existing account and does not reveal which accounts exist.
//
// It returns ctx.Err() if ctx ends while it waits for a computation slot,
// as Verify does. Timing matches a real Verify only for stored hashes with
// the current parameters; hashes awaiting a rehash cost what their own
// parameters cost.
func (h *Hasher) VerifyDummy(ctx context.Context, plain string) (bool, error) {
	_, _, err := h.Verify(ctx, plain, h.dummy)
	return false, err
}

// compute runs one argon2id computation once a slot is free.
func (h *Hasher) compute(ctx context.Context, password, salt []byte, p Params) ([]byte, error) {
	if h.adm == nil {
		panic("password: Hasher used without NewHasher")
	}
	// Checked first: a request already cancelled computes nothing.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// A hash is a password checked, a new password set, or an account's
	// password at signup: one of those policies must have allowed it.
	guard.Note(ctx, guard.UseHash, "argon2id", guard.Password, guard.SetPassword, guard.Signup)
	h.hashingStarts(ctx)
	if !h.adm.tryAcquire() {
		// No free slot: join the queue, if it has room, for a while.
		if h.waiting.Add(1) > h.maxWaiting {
			h.waiting.Add(-1)
			h.waited(time.Time{}, "busy")
			return nil, ErrBusy
		}
		start := time.Now()
		err := h.adm.wait(ctx, h.maxWait)
		h.waiting.Add(-1)
		switch {
		case err == nil:
			h.waited(start, "ok")
		case errors.Is(err, ErrBusy):
			h.waited(start, "busy")
			return nil, err
		default:
			h.waited(start, "canceled")
			return nil, err
		}
	} else {
		h.waited(time.Time{}, "ok")
	}
	defer h.adm.release(h.adm.now())
	return h.derive(password, salt, p), nil
}

package token

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// AlgEdDSA is the only JWS algorithm Latch signs and accepts.
const AlgEdDSA = "EdDSA"

// StoredKey is a signing key as the KeyStore keeps it: the private key
// (the Ed25519 seed) sealed under the key-encryption key.
type StoredKey struct {
	ID            string // kid: the key's RFC 7638 thumbprint
	Alg           string
	Public        []byte
	SealedPrivate []byte
	CreatedAt     time.Time
	NotBefore     time.Time  // used for signing from then on
	RetiredAt     *time.Time // a newer key took over signing at this time
	RetireAfter   *time.Time // unpublished and refused after this time
}

// KeyStore keeps signing keys.
type KeyStore interface {
	// SigningKeys returns the keys not yet past their RetireAfter at now.
	SigningKeys(ctx context.Context, now time.Time) ([]StoredKey, error)
	// EnsureSigningKey inserts the key made by newKey unless a key that is
	// not retired exists, and reports whether it inserted one. Concurrent
	// callers (several instances starting at once) insert at most one.
	EnsureSigningKey(ctx context.Context, newKey func() (StoredKey, error)) (bool, error)
	// RotateSigningKey inserts k and, in the same transaction, marks every
	// other key that is not retired as retired at k.NotBefore, to be
	// dropped after retireAfter.
	RotateSigningKey(ctx context.Context, k StoredKey, retireAfter time.Time) error
}

// Options configure a Ring.
type Options struct {
	AccessTTL time.Duration    // lifetime of access tokens (default 5m)
	Issuer    string           // iss claim, checked on verify when set
	Audience  string           // aud claim; when set, Verify refuses a token without it or naming only others
	Leeway    time.Duration    // clock skew allowed on exp and iat (default 5s)
	Clock     func() time.Time // nil means time.Now
	Logger    *slog.Logger     // nil discards
	// RetireMargin is added to AccessTTL when a rotated-out key's public
	// half is kept published: it covers instances that have not reloaded
	// the ring yet and still sign with the old key (default 2m).
	RetireMargin time.Duration
	// MinReloadGap bounds how often a token with an unknown kid may make
	// the ring reload from the store (default 5s).
	MinReloadGap time.Duration
}

// Key is one signing key as the ring holds it.
type Key struct {
	ID          string
	Public      ed25519.PublicKey
	private     ed25519.PrivateKey
	CreatedAt   time.Time
	NotBefore   time.Time
	RetiredAt   *time.Time
	RetireAfter *time.Time
}

// keySet is an immutable snapshot of the ring, swapped atomically so that
// signing and verifying take no lock.
type keySet struct {
	keys []Key // newest NotBefore first
}

// Ring holds Latch's signing keys: it signs access tokens with the active
// key, verifies tokens signed by any published key, and builds the JWKS
// document. Keys live in the KeyStore (private halves sealed), so every
// instance shares them and restarts keep them.
type Ring struct {
	store  KeyStore
	sealer *Sealer
	opt    Options
	set    atomic.Pointer[keySet]

	reloadMu   sync.Mutex
	lastReload time.Time
}

// NewRing loads the keys from store, creating the first one if there is
// none, and returns the ring.
//
// Errors: the store's; ErrWrongKEK when a stored private key was sealed
// under another key-encryption key.
func NewRing(ctx context.Context, store KeyStore, kek []byte, opt Options) (*Ring, error) {
	sealer, err := NewSealer(kek, PurposeSigningKeys)
	if err != nil {
		return nil, err
	}
	if opt.AccessTTL <= 0 {
		opt.AccessTTL = 5 * time.Minute
	}
	if opt.Leeway <= 0 {
		opt.Leeway = 5 * time.Second
	}
	if opt.RetireMargin <= 0 {
		opt.RetireMargin = 2 * time.Minute
	}
	if opt.MinReloadGap <= 0 {
		opt.MinReloadGap = 5 * time.Second
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Ring{store: store, sealer: sealer, opt: opt}
	created, err := store.EnsureSigningKey(ctx, func() (StoredKey, error) {
		return r.newKey(r.opt.Clock().UTC())
	})
	if err != nil {
		return nil, fmt.Errorf("token: ensure a signing key: %w", err)
	}
	if created {
		opt.Logger.InfoContext(ctx, "signing key created")
	}
	if err := r.Reload(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// AccessTTL returns the lifetime of the access tokens the ring issues.
func (r *Ring) AccessTTL() time.Duration { return r.opt.AccessTTL }

// Reload reads the keys from the store again. Instances call it
// periodically (RunReload) and on meeting an unknown kid, so a key rotated
// by one instance is soon used and accepted by all.
func (r *Ring) Reload(ctx context.Context) error {
	now := r.opt.Clock().UTC()
	stored, err := r.store.SigningKeys(ctx, now)
	if err != nil {
		return fmt.Errorf("token: load signing keys: %w", err)
	}
	set := &keySet{keys: make([]Key, 0, len(stored))}
	for _, sk := range stored {
		if sk.Alg != AlgEdDSA || len(sk.Public) != ed25519.PublicKeySize {
			return fmt.Errorf("token: signing key %s: unsupported algorithm or key size", sk.ID)
		}
		seed, err := r.sealer.Open(sk.SealedPrivate, []byte(sk.ID))
		if err != nil {
			return fmt.Errorf("token: open signing key %s: %w", sk.ID, err)
		}
		if len(seed) != ed25519.SeedSize {
			return fmt.Errorf("token: signing key %s: bad seed length", sk.ID)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(sk.Public)) {
			return fmt.Errorf("token: signing key %s: private and public halves differ", sk.ID)
		}
		set.keys = append(set.keys, Key{
			ID: sk.ID, Public: ed25519.PublicKey(sk.Public), private: priv,
			CreatedAt: sk.CreatedAt, NotBefore: sk.NotBefore, RetiredAt: sk.RetiredAt, RetireAfter: sk.RetireAfter,
		})
	}
	slices.SortFunc(set.keys, newestFirst)
	r.set.Store(set)
	r.reloadMu.Lock()
	r.lastReload = time.Now()
	r.reloadMu.Unlock()
	return nil
}

// newestFirst orders keys by NotBefore, newest first; at a tie (a rotation
// within the same instant), the key that has not been retired comes first.
func newestFirst(a, b Key) int {
	if c := b.NotBefore.Compare(a.NotBefore); c != 0 {
		return c
	}
	if (a.RetiredAt == nil) != (b.RetiredAt == nil) {
		if a.RetiredAt == nil {
			return -1
		}
		return 1
	}
	return b.CreatedAt.Compare(a.CreatedAt)
}

// RunReload reloads the ring every interval until ctx ends. Failures are
// logged; the ring keeps the keys it has.
func (r *Ring) RunReload(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Reload(ctx); err != nil && ctx.Err() == nil {
				r.opt.Logger.WarnContext(ctx, "signing key reload failed", "err", err)
			}
		}
	}
}

// reloadForUnknownKID reloads unless the ring was reloaded less than
// MinReloadGap ago, so tokens with made-up kids cannot hammer the store.
func (r *Ring) reloadForUnknownKID(ctx context.Context) bool {
	r.reloadMu.Lock()
	recent := time.Since(r.lastReload) < r.opt.MinReloadGap
	r.reloadMu.Unlock()
	if recent {
		return false
	}
	if err := r.Reload(ctx); err != nil {
		r.opt.Logger.WarnContext(ctx, "signing key reload failed", "err", err)
		return false
	}
	return true
}

// Rotate adds a new signing key that signs from activateIn from now on, and
// retires every older key at that moment. Old public keys stay published
// and accepted until the last token they signed has expired: activation +
// AccessTTL + RetireMargin. Use a positive activateIn (longer than the
// interval at which verifiers refetch the JWKS) to publish the new key
// before anything is signed with it.
//
// Errors: the store's.
func (r *Ring) Rotate(ctx context.Context, activateIn time.Duration) (Key, error) {
	now := r.opt.Clock().UTC()
	if activateIn < 0 {
		activateIn = 0
	}
	sk, err := r.newKey(now.Add(activateIn))
	if err != nil {
		return Key{}, err
	}
	retireAfter := sk.NotBefore.Add(r.opt.AccessTTL + r.opt.RetireMargin)
	if err := r.store.RotateSigningKey(ctx, sk, retireAfter); err != nil {
		return Key{}, fmt.Errorf("token: rotate signing key: %w", err)
	}
	if err := r.Reload(ctx); err != nil {
		return Key{}, err
	}
	r.opt.Logger.InfoContext(ctx, "signing key rotated", "kid", sk.ID, "active_from", sk.NotBefore, "old_keys_published_until", retireAfter)
	k, _ := r.key(sk.ID, now)
	return k, nil
}

// Keys returns the keys the ring holds, newest first, without their
// private halves.
func (r *Ring) Keys() []Key {
	keys := slices.Clone(r.set.Load().keys)
	for i := range keys {
		keys[i].private = nil
	}
	return keys
}

// newKey makes a key that signs from notBefore, its seed sealed.
func (r *Ring) newKey(notBefore time.Time) (StoredKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return StoredKey{}, err
	}
	kid := Thumbprint(pub)
	sealed, err := r.sealer.Seal(priv.Seed(), []byte(kid))
	if err != nil {
		return StoredKey{}, err
	}
	return StoredKey{
		ID: kid, Alg: AlgEdDSA, Public: pub, SealedPrivate: sealed,
		CreatedAt: r.opt.Clock().UTC(), NotBefore: notBefore.UTC(),
	}, nil
}

// active returns the key to sign with at now: the newest whose NotBefore
// has come and that no newer key has taken over from.
func (r *Ring) active(now time.Time) (Key, bool) {
	for _, k := range r.set.Load().keys {
		if !k.NotBefore.After(now) && (k.RetiredAt == nil || now.Before(*k.RetiredAt)) {
			return k, true
		}
	}
	return Key{}, false
}

// key returns the published key with id kid at now.
func (r *Ring) key(kid string, now time.Time) (Key, bool) {
	for _, k := range r.set.Load().keys {
		if k.ID == kid {
			if k.RetireAfter != nil && !now.Before(*k.RetireAfter) {
				return Key{}, false
			}
			return k, true
		}
	}
	return Key{}, false
}

// Thumbprint returns the RFC 7638 JWK thumbprint of an Ed25519 public key
// (SHA-256, base64url): Latch's kid.
func Thumbprint(pub ed25519.PublicKey) string {
	// Members in lexicographic order, no whitespace (RFC 7638 §3, RFC 8037 §2).
	canonical := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ErrNoSigningKey is returned by Issue when no key is active, which only a
// store emptied by hand can cause.
var ErrNoSigningKey = errors.New("token: no active signing key")

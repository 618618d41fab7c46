package token_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/token"
)

func newKEK(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, token.KEKSize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealerBindsPurposeKeyAndRow(t *testing.T) {
	kek := newKEK(t)
	s, err := token.NewSealer(kek, token.PurposeSigningKeys)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal([]byte("seed"), []byte("kid-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("seed")) {
		t.Fatal("plaintext visible in sealed value")
	}
	if got, err := s.Open(sealed, []byte("kid-1")); err != nil || string(got) != "seed" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := s.Open(sealed, []byte("kid-2")); !errors.Is(err, token.ErrSealed) {
		t.Fatalf("other row: %v", err)
	}
	other, _ := token.NewSealer(kek, token.PurposeRefreshReplay)
	if _, err := other.Open(sealed, []byte("kid-1")); !errors.Is(err, token.ErrSealed) {
		t.Fatalf("other purpose: %v", err)
	}
	wrong, _ := token.NewSealer(newKEK(t), token.PurposeSigningKeys)
	if _, err := wrong.Open(sealed, []byte("kid-1")); !errors.Is(err, token.ErrWrongKEK) {
		t.Fatalf("other KEK: %v", err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := s.Open(tampered, []byte("kid-1")); !errors.Is(err, token.ErrSealed) {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := s.Open(sealed[:10], nil); !errors.Is(err, token.ErrSealed) {
		t.Fatalf("truncated: %v", err)
	}
	again, _ := s.Seal([]byte("seed"), []byte("kid-1"))
	if bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
}

func TestParseKEK(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, 32)
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(raw),
		base64.RawStdEncoding.EncodeToString(raw),
		base64.URLEncoding.EncodeToString(raw),
		" " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		if k, err := token.ParseKEK(s); err != nil || !bytes.Equal(k, raw) {
			t.Errorf("ParseKEK(%q) = %v, %v", s, k, err)
		}
	}
	for _, s := range []string{"", "!!!", base64.StdEncoding.EncodeToString(raw[:16]), base64.StdEncoding.EncodeToString(append(raw, 1))} {
		if _, err := token.ParseKEK(s); err == nil {
			t.Errorf("ParseKEK(%q) accepted", s)
		}
	}
}

func TestKEKFileIsMadeOnceAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "kek")
	k1, err := token.LoadOrCreateKEKFile(path)
	if err != nil || len(k1) != 32 {
		t.Fatalf("create: %d bytes, %v", len(k1), err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode().Perm(), err)
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", di.Mode().Perm())
	}
	k2, err := token.LoadOrCreateKEKFile(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("second start got another key")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := token.LoadOrCreateKEKFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: %v", err)
	}
}

func TestThumbprintMatchesRFC8037(t *testing.T) {
	// RFC 8037 Appendix A.3.
	x, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	if got := token.Thumbprint(ed25519.PublicKey(x)); got != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Fatalf("thumbprint %s", got)
	}
}

func TestRefreshTokenFormat(t *testing.T) {
	tok, hash, err := token.NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := token.HashRefreshToken(tok); !ok || !bytes.Equal(got, hash) || len(hash) != 32 {
		t.Fatal("hash of a fresh token does not match")
	}
	tok2, _, _ := token.NewRefreshToken()
	if tok == tok2 {
		t.Fatal("two tokens are equal")
	}
	for _, bad := range []string{"", tok[:len(tok)-1], "x" + tok[1:], tok + "A", strings.Replace(tok, "latch_rt_", "latch_at_", 1), tok[:len(tok)-1] + "="} {
		if _, ok := token.HashRefreshToken(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRingKeepsItsFirstKeyAcrossRestarts(t *testing.T) {
	bdb := dbtest.Open(t)
	ctx := context.Background()
	kek := newKEK(t)
	store := db.NewSigningKeys(bdb)

	// Several instances starting at once make exactly one key.
	rings := make([]*token.Ring, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range rings {
		wg.Go(func() { rings[i], errs[i] = token.NewRing(ctx, store, kek, token.Options{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("ring %d: %v", i, err)
		}
	}
	var n int
	if err := bdb.NewRaw("SELECT count(*) FROM signing_keys").Scan(ctx, &n); err != nil || n != 1 {
		t.Fatalf("%d keys after concurrent starts (%v)", n, err)
	}
	kid := rings[0].Keys()[0].ID
	for _, r := range rings {
		if r.Keys()[0].ID != kid {
			t.Fatal("instances disagree on the key")
		}
	}

	// The stored private key is sealed: neither the seed nor the private
	// key appears in the row.
	var pub, sealed []byte
	if err := bdb.QueryRowContext(ctx, "SELECT public_key, private_key_sealed FROM signing_keys").Scan(&pub, &sealed); err != nil {
		t.Fatal(err)
	}
	if token.Thumbprint(pub) != kid || len(sealed) < 32+16 {
		t.Fatalf("stored key row: kid %s, sealed %d bytes", kid, len(sealed))
	}

	// Tokens made by one instance verify on another.
	access, _, err := rings[1].Issue(token.Claims{UserID: uuid.New(), SessionID: uuid.New(), AppID: uuid.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rings[2].Verify(ctx, access); err != nil {
		t.Fatalf("verify on another instance: %v", err)
	}

	// A restart with another KEK refuses to start rather than making keys.
	if _, err := token.NewRing(ctx, store, newKEK(t), token.Options{}); !errors.Is(err, token.ErrWrongKEK) {
		t.Fatalf("start with another KEK: %v", err)
	}
}

func TestRotationSeenByOtherInstances(t *testing.T) {
	bdb := dbtest.Open(t)
	ctx := context.Background()
	kek := newKEK(t)
	store := db.NewSigningKeys(bdb)
	a, err := token.NewRing(ctx, store, kek, token.Options{MinReloadGap: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	b, err := token.NewRing(ctx, store, kek, token.Options{MinReloadGap: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	k, err := a.Rotate(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	access, c, err := a.Issue(token.Claims{UserID: uuid.New(), SessionID: uuid.New(), AppID: uuid.New()})
	if err != nil || c.KeyID != k.ID {
		t.Fatalf("issue after rotation: kid %s, want %s (%v)", c.KeyID, k.ID, err)
	}
	// b has not reloaded yet: the unknown kid makes it reload once.
	if _, err := b.Verify(ctx, access); err != nil {
		t.Fatalf("other instance: %v", err)
	}
	if got := len(b.JWKS().Keys); got != 2 {
		t.Fatalf("other instance publishes %d keys, want 2", got)
	}

	// A rotation published ahead keeps signing with the current key until
	// the new one's time comes.
	ahead, err := a.Rotate(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, c, _ := a.Issue(token.Claims{UserID: uuid.New(), SessionID: uuid.New(), AppID: uuid.New()}); c.KeyID != k.ID {
		t.Fatalf("signed with %s before the new key's time, want %s", c.KeyID, k.ID)
	}
	found := false
	for _, j := range a.JWKS().Keys {
		found = found || j.KeyID == ahead.ID
	}
	if !found {
		t.Fatal("a key published ahead is missing from the JWKS")
	}
}

func TestVerifyRequiresTheAudience(t *testing.T) {
	ctx := context.Background()
	store := db.NewSigningKeys(dbtest.Open(t))
	kek := newKEK(t)
	const iss, aud = "https://auth.example.com", "https://api.example.com"
	ring := func(audience string) *token.Ring {
		t.Helper()
		r, err := token.NewRing(ctx, store, kek, token.Options{Issuer: iss, Audience: audience})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	latch, other, none := ring(aud), ring("https://other.example.com"), ring("")
	claims := token.Claims{UserID: uuid.New(), SessionID: uuid.New(), AppID: uuid.New()}
	issue := func(r *token.Ring) string {
		t.Helper()
		s, _, err := r.Issue(claims)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// The token carries aud as a JSON array: the ring's audience, then
	// its app's.
	own := issue(latch)
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(own, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), `"aud":["`+aud+`","`+token.AppAudience(claims.AppID)+`"]`) {
		t.Fatalf("payload %s lacks the audience", payload)
	}
	if c, err := latch.Verify(ctx, own); err != nil || c.UserID != claims.UserID {
		t.Fatalf("own token: %+v %v", c, err)
	}
	for name, tok := range map[string]string{
		"another audience": issue(other),
		"no audience":      issue(none),
	} {
		if _, err := latch.Verify(ctx, tok); !errors.Is(err, token.ErrInvalid) {
			t.Errorf("%s: verified (%v)", name, err)
		}
	}
	// A service expecting another audience refuses Latch's tokens too.
	if _, err := other.Verify(ctx, own); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("a token for %s verified for another audience (%v)", aud, err)
	}
}

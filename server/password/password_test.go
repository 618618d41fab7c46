package password

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/crypto/argon2"
)

// testParams keep tests fast: 64 KiB and one pass instead of 19 MiB and two.
var testParams = Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

func mustHash(t *testing.T, h *Hasher, plain string) string {
	t.Helper()
	encoded, err := h.Hash(t.Context(), plain)
	if err != nil {
		t.Fatalf("Hash(%q): %v", plain, err)
	}
	return encoded
}

// ops are the three calls that compute a hash and so wait for a slot.
var ops = []struct {
	name string
	run  func(ctx context.Context, h *Hasher, stored string) error
}{
	{"Hash", func(ctx context.Context, h *Hasher, _ string) error {
		_, err := h.Hash(ctx, "pw")
		return err
	}},
	{"Verify", func(ctx context.Context, h *Hasher, stored string) error {
		ok, _, err := h.Verify(ctx, "pw", stored)
		if err == nil && !ok {
			return errors.New("Verify: correct password rejected")
		}
		return err
	}},
	{"VerifyDummy", func(ctx context.Context, h *Hasher, _ string) error {
		ok, err := h.VerifyDummy(ctx, "pw")
		if ok {
			return errors.New("VerifyDummy returned true")
		}
		return err
	}},
}

func TestDefaultParams(t *testing.T) {
	want := Params{MemoryKiB: 19456, Iterations: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	if got := DefaultParams(); got != want {
		t.Errorf("DefaultParams() = %+v, want %+v", got, want)
	}
	if err := DefaultParams().Validate(); err != nil {
		t.Errorf("DefaultParams().Validate() = %v", err)
	}
}

func TestDefaultParamsHash(t *testing.T) {
	h := NewHasher(DefaultParams(), 1)
	encoded := mustHash(t, h, "correct horse battery staple")
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash = %q, want the OWASP parameters in the prefix", encoded)
	}
	ok, rehash, err := h.Verify(t.Context(), "correct horse battery staple", encoded)
	if !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestParamsValidate(t *testing.T) {
	with := func(edit func(*Params)) Params {
		p := DefaultParams()
		edit(&p)
		return p
	}
	tests := []struct {
		name  string
		p     Params
		valid bool
	}{
		{"default", DefaultParams(), true},
		{"test params", testParams, true},
		{"minimum memory for one lane", with(func(p *Params) { p.MemoryKiB = 8 }), true},
		{"minimum memory for four lanes", with(func(p *Params) { p.MemoryKiB, p.Parallelism = 32, 4 }), true},
		{"maximum memory", with(func(p *Params) { p.MemoryKiB = 4 << 20 }), true},
		{"limits", Params{MemoryKiB: 4 << 20, Iterations: 64, Parallelism: 255, SaltLen: 1024, KeyLen: 1024}, true},
		{"zero value", Params{}, false},
		{"memory below 8 KiB", with(func(p *Params) { p.MemoryKiB = 7 }), false},
		{"memory below 8 KiB per lane", with(func(p *Params) { p.MemoryKiB, p.Parallelism = 31, 4 }), false},
		{"memory above 4 GiB", with(func(p *Params) { p.MemoryKiB = 4<<20 + 1 }), false},
		{"zero iterations", with(func(p *Params) { p.Iterations = 0 }), false},
		{"too many iterations", with(func(p *Params) { p.Iterations = 65 }), false},
		{"zero parallelism", with(func(p *Params) { p.Parallelism = 0 }), false},
		{"salt 15 bytes", with(func(p *Params) { p.SaltLen = 15 }), false},
		{"salt above 1 KiB", with(func(p *Params) { p.SaltLen = 1025 }), false},
		{"key 15 bytes", with(func(p *Params) { p.KeyLen = 15 }), false},
		{"key above 1 KiB", with(func(p *Params) { p.KeyLen = 1025 }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.valid && err != nil {
				t.Errorf("Validate(%+v) = %v, want nil", tt.p, err)
			}
			if !tt.valid && !errors.Is(err, ErrInvalidParams) {
				t.Errorf("Validate(%+v) = %v, want ErrInvalidParams", tt.p, err)
			}
		})
	}
}

func TestNewHasher(t *testing.T) {
	for _, tt := range []struct{ concurrency, slots int }{
		{0, runtime.GOMAXPROCS(0)},
		{-1, runtime.GOMAXPROCS(0)},
		{1, 1},
		{7, 7},
	} {
		h := NewHasher(testParams, tt.concurrency)
		if got := h.adm.max; got != tt.slots {
			t.Errorf("NewHasher(p, %d): %d slots, want %d", tt.concurrency, got, tt.slots)
		}
		if h.Params() != testParams {
			t.Errorf("Params() = %+v, want %+v", h.Params(), testParams)
		}
	}
}

func TestNewHasherPanicsOnInvalidParams(t *testing.T) {
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, ErrInvalidParams) {
			t.Errorf("recovered %v, want an error wrapping ErrInvalidParams", err)
		}
	}()
	NewHasher(Params{}, 1)
}

func TestHashFormat(t *testing.T) {
	h := NewHasher(testParams, 1)
	encoded := mustHash(t, h, "hunter2")
	format := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !format.MatchString(encoded) {
		t.Fatalf("Hash = %q, does not match %s", encoded, format)
	}
	p, salt, key, err := ParsePHC(encoded)
	if err != nil {
		t.Fatalf("ParsePHC(Hash()): %v", err)
	}
	if p != testParams {
		t.Errorf("parsed params %+v, want %+v", p, testParams)
	}
	// The key is plain argon2id of the password, so other implementations
	// can verify it.
	want := argon2.IDKey([]byte("hunter2"), salt, 1, 64, 1, 32)
	if !bytes.Equal(key, want) {
		t.Errorf("stored key is not argon2.IDKey(password, salt, ...)")
	}
}

func TestHashVerify(t *testing.T) {
	long := strings.Repeat("a", 100)
	tests := []struct {
		name, stored, attempt string
		ok                    bool
	}{
		{"round trip", "correct horse battery staple", "correct horse battery staple", true},
		{"wrong password", "correct horse battery staple", "correct horse battery stapler", false},
		{"case differs", "Password1", "password1", false},
		{"trailing space kept", "secret ", "secret", false},
		{"empty", "", "", true},
		{"empty against space", "", " ", false},
		{"non-ASCII", "pässwörd ключ 密码", "pässwörd ключ 密码", true},
		{"NUL byte is not a terminator", "ab\x00cd", "ab", false},
		{"no truncation after 72 bytes", long + "x", long + "y", false},
		{"long", strings.Repeat("long password ", 100), strings.Repeat("long password ", 100), true},
	}
	h := NewHasher(testParams, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded := mustHash(t, h, tt.stored)
			ok, rehash, err := h.Verify(t.Context(), tt.attempt, encoded)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if ok != tt.ok || rehash {
				t.Errorf("Verify(%q) against hash of %q = %v, %v; want %v, false", tt.attempt, tt.stored, ok, rehash, tt.ok)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"password", "password"},
		{"ﬁsh", "fish"},             // ligature
		{"cafe\u0301", "caf\u00e9"}, // decomposed to composed
		{"ｐａｓｓ１", "pass1"},          // full-width
		{"\u212b", "\u00c5"},        // angstrom sign to letter
		{"x²", "x2"},
		{"Pass Word ", "Pass Word "}, // no case folding, no trimming
	}
	for _, tt := range tests {
		got := Normalize(tt.in)
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Normalize(got); again != got {
			t.Errorf("Normalize is not idempotent on %q: %q", got, again)
		}
	}
}

// TestUnicodeVerify shows that passwords typed in different but equivalent
// forms verify after Normalize, and would not without it.
func TestUnicodeVerify(t *testing.T) {
	tests := []struct {
		name     string
		signup   string
		login    string
		sameNFKC bool
	}{
		{"ligature", "ﬁnal ﬂight", "final flight", true},
		{"composed and decomposed é", "caf\u00e9 cr\u00e8me", "cafe\u0301 cre\u0300me", true},
		{"full-width", "ｈｕｎｔｅｒ２", "hunter2", true},
		{"angstrom sign", "\u212bngstr\u00f6m", "\u00c5ngstr\u00f6m", true},
		{"accent is not dropped", "caf\u00e9", "cafe", false},
		{"case is not folded", "Hunter2", "hunter2", false},
	}
	h := NewHasher(testParams, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored := mustHash(t, h, Normalize(tt.signup))
			ok, _, err := h.Verify(t.Context(), Normalize(tt.login), stored)
			if err != nil || ok != tt.sameNFKC {
				t.Errorf("normalised Verify = %v, %v; want %v", ok, err, tt.sameNFKC)
			}
			raw := mustHash(t, h, tt.signup)
			ok, _, err = h.Verify(t.Context(), tt.login, raw)
			if err != nil || ok {
				t.Errorf("Verify without Normalize = %v, %v; want false: the forms differ as bytes", ok, err)
			}
		})
	}
}

func TestHashUnique(t *testing.T) {
	h := NewHasher(testParams, 2)
	hashes := make(map[string]bool)
	salts := make(map[string]bool)
	for range 20 {
		encoded := mustHash(t, h, "same password")
		_, salt, _, err := ParsePHC(encoded)
		if err != nil {
			t.Fatal(err)
		}
		if hashes[encoded] || salts[string(salt)] {
			t.Fatalf("Hash repeated a hash or salt: %q", encoded)
		}
		hashes[encoded], salts[string(salt)] = true, true
		if ok, _, err := h.Verify(t.Context(), "same password", encoded); !ok || err != nil {
			t.Fatalf("Verify = %v, %v", ok, err)
		}
	}
}

func TestVerifyRejectsWithoutComputing(t *testing.T) {
	h := NewHasher(testParams, 1)
	var computed atomic.Int32
	derive := h.derive
	h.derive = func(pw, salt []byte, p Params) []byte {
		computed.Add(1)
		return derive(pw, salt, p)
	}
	tests := []struct {
		encoded string
		want    error
	}{
		{"", ErrMalformedHash},
		{"$argon2id$v=19$m=4194305,t=1,p=1$" + salt16 + "$" + key32, ErrMalformedHash},
		{"$argon2id$v=19$m=64,t=1,p=1$" + salt16 + "$" + strings.Repeat("A", 1368), ErrMalformedHash},
		{"$argon2i$v=19$m=64,t=1,p=1$" + salt16 + "$" + key32, ErrUnsupportedAlgorithm},
		{"$argon2id$v=16$m=64,t=1,p=1$" + salt16 + "$" + key32, ErrIncompatibleVersion},
	}
	for _, tt := range tests {
		ok, rehash, err := h.Verify(t.Context(), "pw", tt.encoded)
		if ok || rehash || !errors.Is(err, tt.want) {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, %v", tt.encoded, ok, rehash, err, tt.want)
		}
	}
	if n := computed.Load(); n != 0 {
		t.Errorf("%d computations for rejected hashes, want 0", n)
	}
}

func TestNeedsRehash(t *testing.T) {
	with := func(edit func(*Params)) Params {
		p := testParams
		edit(&p)
		return p
	}
	stored := mustHash(t, NewHasher(testParams, 1), "pw")
	tests := []struct {
		name   string
		p      Params
		rehash bool
	}{
		{"same params", testParams, false},
		{"more memory", with(func(p *Params) { p.MemoryKiB = 128 }), true},
		{"less memory", with(func(p *Params) { p.MemoryKiB = 32 }), true},
		{"more iterations", with(func(p *Params) { p.Iterations = 2 }), true},
		{"more lanes", with(func(p *Params) { p.Parallelism = 2 }), true},
		{"longer salt", with(func(p *Params) { p.SaltLen = 32 }), true},
		{"longer key", with(func(p *Params) { p.KeyLen = 64 }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHasher(tt.p, 1)
			ok, rehash, err := h.Verify(t.Context(), "pw", stored)
			if !ok || rehash != tt.rehash || err != nil {
				t.Fatalf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, tt.rehash)
			}
			// A wrong password never asks for a rehash.
			ok, rehash, err = h.Verify(t.Context(), "wrong", stored)
			if ok || rehash || err != nil {
				t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
			// After rehashing, the new hash is current.
			ok, rehash, err = h.Verify(t.Context(), "pw", mustHash(t, h, "pw"))
			if !ok || rehash || err != nil {
				t.Errorf("Verify(rehashed) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestVerifyDummy(t *testing.T) {
	h := NewHasher(testParams, 1)
	var seen []Params
	derive := h.derive
	h.derive = func(pw, salt []byte, p Params) []byte {
		seen = append(seen, p)
		return derive(pw, salt, p)
	}
	passwords := []string{"", "pw", "correct horse battery staple", strings.Repeat("x", 200)}
	for _, pw := range passwords {
		ok, err := h.VerifyDummy(t.Context(), pw)
		if ok || err != nil {
			t.Errorf("VerifyDummy(%q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
	// One full computation per call, with the current parameters.
	if len(seen) != len(passwords) {
		t.Fatalf("%d computations for %d calls", len(seen), len(passwords))
	}
	for _, p := range seen {
		if p != testParams {
			t.Errorf("dummy computed with %+v, want %+v", p, testParams)
		}
	}
	p, _, _, err := ParsePHC(h.dummy)
	if err != nil || p != testParams {
		t.Errorf("dummy hash parses to %+v, %v; want the current params", p, err)
	}
	if other := NewHasher(testParams, 1); other.dummy == h.dummy {
		t.Error("two hashers share a dummy hash")
	}
}

// TestConcurrencyBound holds every computation open and checks that no more
// than the bound start; without the semaphore all callers would be inside.
func TestConcurrencyBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, callers = 2, 9
		h := NewHasher(testParams, limit)
		stored := mustHash(t, h, "pw")

		var inFlight, peak, started atomic.Int32
		release := make(chan struct{})
		derive := h.derive
		h.derive = func(pw, salt []byte, p Params) []byte {
			started.Add(1)
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
			}
			<-release
			return derive(pw, salt, p)
		}

		errs := make(chan error, callers)
		for i := range callers {
			op := ops[i%len(ops)]
			go func() { errs <- op.run(t.Context(), h, stored) }()
		}
		synctest.Wait() // every caller is computing or waiting for a slot
		if n := inFlight.Load(); n != limit {
			t.Fatalf("%d computations running with a bound of %d", n, limit)
		}

		close(release)
		for range callers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if n := peak.Load(); n != limit {
			t.Errorf("peak of %d concurrent computations, want %d", n, limit)
		}
		if n := started.Load(); n != callers {
			t.Errorf("%d computations for %d callers", n, callers)
		}
	})
}

func TestContextEndsWhileWaiting(t *testing.T) {
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := NewHasher(testParams, 1)
				stored := mustHash(t, h, "pw")

				var computed atomic.Int32
				release := make(chan struct{})
				derive := h.derive
				h.derive = func(pw, salt []byte, p Params) []byte {
					computed.Add(1)
					<-release
					return derive(pw, salt, p)
				}
				// Take the only slot.
				holder := make(chan error, 1)
				go func() {
					_, err := h.Hash(t.Context(), "occupying")
					holder <- err
				}()
				synctest.Wait()

				// Cancelled while waiting.
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- op.run(ctx, h, stored) }()
				synctest.Wait()
				select {
				case err := <-done:
					t.Fatalf("returned %v while the only slot was taken", err)
				default:
				}
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Errorf("after cancel: %v, want context.Canceled", err)
				}

				// Deadline passes while waiting.
				ctx, cancel = context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				start := time.Now()
				if err := op.run(ctx, h, stored); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("after deadline: %v, want context.DeadlineExceeded", err)
				}
				if waited := time.Since(start); waited != time.Second {
					t.Errorf("returned after %v, want at the 1s deadline", waited)
				}

				if n := computed.Load(); n != 1 {
					t.Errorf("%d computations, want only the slot holder's", n)
				}
				close(release)
				if err := <-holder; err != nil {
					t.Errorf("slot holder: %v", err)
				}
				// Giving up did not leak the slot.
				if err := op.run(t.Context(), h, stored); err != nil {
					t.Errorf("after the slot was freed: %v", err)
				}
			})
		})
	}
}

func TestContextAlreadyDone(t *testing.T) {
	h := NewHasher(testParams, 1)
	stored := mustHash(t, h, "pw")
	var computed atomic.Int32
	derive := h.derive
	h.derive = func(pw, salt []byte, p Params) []byte {
		computed.Add(1)
		return derive(pw, salt, p)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, op := range ops {
		for range 20 { // a free slot must not win against a done context
			if err := op.run(ctx, h, stored); !errors.Is(err, context.Canceled) {
				t.Fatalf("%s with a cancelled context: %v, want context.Canceled", op.name, err)
			}
		}
	}
	if n := computed.Load(); n != 0 {
		t.Errorf("%d computations with a cancelled context, want 0", n)
	}
}

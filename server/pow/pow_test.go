package pow_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	clientpow "github.com/latch-dev/latch/client/pow"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/pow"
)

// world is an issuer over a real spent-proof table, on a clock the test
// moves.
type world struct {
	issuer *pow.Issuer
	store  *db.SpentProofs
	mu     sync.Mutex
	now    time.Time
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// testBits keeps solving cheap; the difficulty logic does not depend on it.
const testBits = 8

func newWorld(t *testing.T, key []byte) *world {
	t.Helper()
	w := &world{now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	w.store = db.NewSpentProofs(dbtest.Open(t), w.clock)
	iss, err := pow.NewIssuer(key, w.store, pow.Options{Bits: testBits, Clock: w.clock})
	if err != nil {
		t.Fatal(err)
	}
	w.issuer = iss
	return w
}

func testKey(b byte) []byte { return []byte(strings.Repeat(string(rune('a'+b)), pow.KeySize)) }

// solve finds the first counter giving at least bits zero bits.
func solve(t *testing.T, challenge string, bits int) uint64 {
	t.Helper()
	c, ok := clientpow.NewSolver(challenge).Search(0, 1<<30, bits)
	if !ok {
		t.Fatalf("no solution for %d bits", bits)
	}
	return c
}

// tooEasy finds a counter whose hash has at least floor but fewer than
// bits zero bits.
func tooEasy(t *testing.T, challenge string, floor, bits int) uint64 {
	t.Helper()
	s := clientpow.NewSolver(challenge)
	for c := uint64(0); c < 1<<24; c++ {
		sum := s.Sum(c)
		if z := clientpow.LeadingZeroBits(sum[:]); z >= floor && z < bits {
			return c
		}
	}
	t.Fatalf("no counter with %d..%d zero bits", floor, bits-1)
	return 0
}

func TestSpend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, testKey(0))

	ch := w.issuer.Issue()
	if ch.Bits != testBits || !ch.Expires.Equal(w.now.Add(pow.DefaultTTL)) {
		t.Fatalf("Issue = %+v, want %d bits expiring %v", ch, testBits, w.now.Add(pow.DefaultTTL))
	}
	proof := clientpow.Proof(ch.Value, solve(t, ch.Value, ch.Bits))

	t.Run("valid once", func(t *testing.T) {
		got, err := w.issuer.Spend(ctx, proof)
		if err != nil || got.Bits != testBits {
			t.Fatalf("first Spend = %+v, %v; want %d bits, nil", got, err, testBits)
		}
		if _, err := w.issuer.Spend(ctx, proof); !errors.Is(err, pow.ErrReplayed) {
			t.Fatalf("second Spend = %v, want ErrReplayed", err)
		}
	})

	t.Run("replay with another counter", func(t *testing.T) {
		// The challenge is spent, not the (challenge, counter) pair.
		c := solve(t, ch.Value, ch.Bits)
		next, ok := clientpow.NewSolver(ch.Value).Search(c+1, 1<<30, ch.Bits)
		if !ok {
			t.Fatal("no second solution")
		}
		if _, err := w.issuer.Spend(ctx, clientpow.Proof(ch.Value, next)); !errors.Is(err, pow.ErrReplayed) {
			t.Fatalf("Spend of a second solution = %v, want ErrReplayed", err)
		}
	})

	t.Run("expired", func(t *testing.T) {
		ch := w.issuer.Issue()
		p := clientpow.Proof(ch.Value, solve(t, ch.Value, ch.Bits))
		w.advance(pow.DefaultTTL)
		if _, err := w.issuer.Spend(ctx, p); !errors.Is(err, pow.ErrExpired) {
			t.Fatalf("Spend at expiry = %v, want ErrExpired", err)
		}
	})

	t.Run("forged", func(t *testing.T) {
		ch := w.issuer.Issue()
		// Another key's challenge, and this one with its difficulty byte
		// (after the version) lowered to 2.
		other := newWorld(t, testKey(1)).issuer.Issue()
		raw, err := base64.RawURLEncoding.DecodeString(ch.Value)
		if err != nil {
			t.Fatal(err)
		}
		raw[1] = 2
		lowered := base64.RawURLEncoding.EncodeToString(raw)
		for name, v := range map[string]string{"other key": other.Value, "bits lowered": lowered} {
			p := clientpow.Proof(v, solve(t, v, testBits))
			if _, err := w.issuer.Spend(ctx, p); !errors.Is(err, pow.ErrForged) {
				t.Errorf("%s: Spend = %v, want ErrForged", name, err)
			}
		}
	})

	t.Run("too easy", func(t *testing.T) {
		ch := w.issuer.Issue()
		p := clientpow.Proof(ch.Value, tooEasy(t, ch.Value, 0, ch.Bits))
		if _, err := w.issuer.Spend(ctx, p); !errors.Is(err, pow.ErrTooEasy) {
			t.Fatalf("Spend = %v, want ErrTooEasy", err)
		}
		// Refused without being recorded: the right answer still works.
		if _, err := w.issuer.Spend(ctx, clientpow.Proof(ch.Value, solve(t, ch.Value, ch.Bits))); err != nil {
			t.Fatalf("Spend of the real solution after a too-easy one = %v", err)
		}
	})

	t.Run("malformed", func(t *testing.T) {
		for _, p := range []string{"", "abc", "abc.1", ch.Value, ch.Value + ".", ch.Value + ".x", "!" + ch.Value[1:] + ".1"} {
			if _, err := w.issuer.Spend(ctx, p); !errors.Is(err, pow.ErrMalformed) {
				t.Errorf("Spend(%q) = %v, want ErrMalformed", p, err)
			}
		}
	})
}

// TestLevelRaisesDifficulty raises the level at run time: new challenges
// ask for more bits, and a proof with only the base bits is refused for
// them; challenges issued before keep their difficulty.
func TestLevelRaisesDifficulty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, testKey(2))
	before := w.issuer.Issue()

	w.issuer.SetLevel(4)
	if got := w.issuer.Bits(); got != testBits+4 {
		t.Fatalf("Bits after SetLevel(4) = %d, want %d", got, testBits+4)
	}
	raised := w.issuer.Issue()
	if raised.Bits != testBits+4 {
		t.Fatalf("challenge after SetLevel(4) asks %d bits, want %d", raised.Bits, testBits+4)
	}
	weak := clientpow.Proof(raised.Value, tooEasy(t, raised.Value, testBits, testBits+4))
	if _, err := w.issuer.Spend(ctx, weak); !errors.Is(err, pow.ErrTooEasy) {
		t.Fatalf("base-difficulty proof of a raised challenge: %v, want ErrTooEasy", err)
	}
	if got, err := w.issuer.Spend(ctx, clientpow.Proof(raised.Value, solve(t, raised.Value, raised.Bits))); err != nil || got.Bits != testBits+4 {
		t.Fatalf("full proof of a raised challenge = %+v, %v", got, err)
	}
	if _, err := w.issuer.Spend(ctx, clientpow.Proof(before.Value, solve(t, before.Value, before.Bits))); err != nil {
		t.Fatalf("challenge issued before the raise: %v", err)
	}

	w.issuer.SetLevel(100)
	if got := w.issuer.Level(); got != pow.MaxLevel {
		t.Errorf("SetLevel(100) gives level %d, want %d", got, pow.MaxLevel)
	}
	w.issuer.SetLevel(-3)
	if got := w.issuer.Issue().Bits; got != testBits {
		t.Errorf("after SetLevel(-3) challenges ask %d bits, want %d", got, testBits)
	}
}

// TestConcurrentSpendsAcceptOne sends one proof many times at once: the
// database lets exactly one through.
func TestConcurrentSpendsAcceptOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, testKey(3))
	ch := w.issuer.Issue()
	p := clientpow.Proof(ch.Value, solve(t, ch.Value, ch.Bits))
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, replayed := 0, 0
	for range 8 {
		wg.Go(func() {
			_, err := w.issuer.Spend(ctx, p)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				accepted++
			case errors.Is(err, pow.ErrReplayed):
				replayed++
			default:
				t.Errorf("Spend: %v", err)
			}
		})
	}
	wg.Wait()
	if accepted != 1 || replayed != 7 {
		t.Fatalf("accepted %d, replayed %d; want 1 and 7", accepted, replayed)
	}
}

// TestPruneDropsExpired: the prune deletes ids whose challenges have
// expired, and only those.
func TestPruneDropsExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, testKey(4))
	old := w.issuer.Issue()
	if _, err := w.issuer.Spend(ctx, clientpow.Proof(old.Value, solve(t, old.Value, old.Bits))); err != nil {
		t.Fatal(err)
	}
	w.advance(pow.DefaultTTL - time.Minute)
	young := w.issuer.Issue()
	if _, err := w.issuer.Spend(ctx, clientpow.Proof(young.Value, solve(t, young.Value, young.Bits))); err != nil {
		t.Fatal(err)
	}
	if n, err := w.store.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("Prune before any expiry = %d, %v; want 0", n, err)
	}
	w.advance(time.Minute + time.Second)
	if n, err := w.store.Prune(ctx); err != nil || n != 1 {
		t.Fatalf("Prune after the first expiry = %d, %v; want 1", n, err)
	}
	// The young one is still recorded: a replay is refused.
	if _, err := w.issuer.Spend(ctx, clientpow.Proof(young.Value, solve(t, young.Value, young.Bits))); !errors.Is(err, pow.ErrReplayed) {
		t.Fatalf("replay after prune = %v, want ErrReplayed", err)
	}
}

func TestNewIssuerRefuses(t *testing.T) {
	t.Parallel()
	if _, err := pow.NewIssuer(make([]byte, 16), nil, pow.Options{}); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	for _, bits := range []int{-1, pow.MaxBits + 1} {
		if _, err := pow.NewIssuer(testKey(0), nil, pow.Options{Bits: bits}); err == nil {
			t.Errorf("%d bits accepted", bits)
		}
	}
	k1, err := pow.DeriveKey(make([]byte, 32))
	if err != nil || len(k1) != pow.KeySize {
		t.Fatalf("DeriveKey = %x, %v", k1, err)
	}
	if _, err := pow.DeriveKey(make([]byte, 8)); err == nil {
		t.Error("DeriveKey accepted an 8-byte KEK")
	}
}

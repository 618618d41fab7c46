package password

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// blockedHasher returns a Hasher with one slot whose computations wait
// for release, and a channel that reports each computation starting.
func blockedHasher(t *testing.T) (*Hasher, chan struct{}, chan struct{}) {
	t.Helper()
	h := NewHasher(Params{MemoryKiB: 8, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 16}, 1)
	started, release := make(chan struct{}, 16), make(chan struct{})
	h.derive = func(password, salt []byte, p Params) []byte {
		started <- struct{}{}
		<-release
		return make([]byte, p.KeyLen)
	}
	return h, started, release
}

func TestHashQueueIsBounded(t *testing.T) {
	h, started, release := blockedHasher(t)
	h.SetQueue(1, time.Minute)
	ctx := context.Background()
	errs := make(chan error, 3)
	go func() { _, err := h.Hash(ctx, "first"); errs <- err }()
	<-started // the only slot is taken
	go func() { _, err := h.Hash(ctx, "second"); errs <- err }()
	for h.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	// The queue (one place) is full: the third is turned away at once.
	if _, err := h.Hash(ctx, "third"); !errors.Is(err, ErrBusy) {
		t.Fatalf("third hash with a full queue: %v, want ErrBusy", err)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("queued hash: %v", err)
		}
	}
}

func TestHashQueueWaitHasADeadline(t *testing.T) {
	h, started, release := blockedHasher(t)
	defer close(release)
	h.SetQueue(10, 30*time.Millisecond)
	go func() { _, _ = h.Hash(context.Background(), "holds the slot") }()
	<-started
	start := time.Now()
	_, _, err := h.Verify(context.Background(), "waits", h.dummy)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("verify past the wait: %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("waited %s for a 30ms deadline", waited)
	}
	if n := h.waiting.Load(); n != 0 {
		t.Fatalf("%d still counted as waiting", n)
	}
}

// twoSlotHasher is blockedHasher with two slots: one per core of a
// two-core server.
func twoSlotHasher(t *testing.T) (*Hasher, chan struct{}, chan struct{}) {
	t.Helper()
	h, started, release := blockedHasher(t)
	h.adm = newAdmission(2, 0.5) // one core's worth of hashing while cheap work flows
	h.SetQueue(16, time.Minute)
	return h, started, release
}

// expectRunning waits until running computations are admitted and
// waiting wait in the queue, and checks that exactly started of them
// began since the last check.
func expectRunning(t *testing.T, h *Hasher, starts chan struct{}, started, running int, waiting int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.adm.mu.Lock()
		r := h.adm.running
		h.adm.mu.Unlock()
		if r == running && h.waiting.Load() == waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d admitted and %d waiting, want %d and %d", r, h.waiting.Load(), running, waiting)
		}
		time.Sleep(time.Millisecond)
	}
	for range started {
		select {
		case <-starts:
		case <-time.After(5 * time.Second):
			t.Fatalf("fewer than %d computations started", started)
		}
	}
	select {
	case <-starts:
		t.Fatalf("more than %d computations started", started)
	default:
	}
}

func TestHashingUsesEveryCoreWhenOnlyLoginsWait(t *testing.T) {
	h, started, release := twoSlotHasher(t)
	errs := make(chan error, 3)
	for range 3 {
		// Each login is a tracked request: hashing, it is not cheap work.
		go func() {
			ctx, done := h.Track(context.Background())
			defer done()
			_, err := h.Hash(ctx, "login")
			errs <- err
		}()
	}
	expectRunning(t, h, started, 2, 2, 1)
	release <- struct{}{} // one finishes: the third takes its slot
	expectRunning(t, h, started, 1, 2, 0)
	close(release)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := h.adm.seen.count(h.adm.now()); n != 0 {
		t.Fatalf("%d logins counted as other work", n)
	}
}

func TestHashingYieldsToCheapRequests(t *testing.T) {
	h, started, release := twoSlotHasher(t)
	var mu sync.Mutex
	clock := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	h.adm.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	errs := make(chan error, 4)
	hash := func() {
		ctx, done := h.Track(context.Background())
		defer done()
		_, err := h.Hash(ctx, "login")
		errs <- err
	}
	for range 2 {
		go hash()
	}
	expectRunning(t, h, started, 2, 2, 0)

	// Page views are served while both cores hash: the running hashes
	// finish, but the next logins wait for the one shared slot.
	servePages(h, h.adm.busy)
	go hash()
	go hash()
	for h.waiting.Load() != 2 {
		time.Sleep(time.Millisecond)
	}
	release <- struct{}{}
	expectRunning(t, h, started, 0, 1, 2) // one still running, two waiting: none admitted
	release <- struct{}{}
	expectRunning(t, h, started, 1, 1, 1) // the core left to hashing
	// No page view for two windows: every core hashes again.
	mu.Lock()
	clock = clock.Add(2 * linger)
	mu.Unlock()
	expectRunning(t, h, started, 1, 2, 0)
	close(release)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestHashingKeepsToItsShare: while other work is being served, hashing
// draws on a budget of hashing time that refills at share × slots per
// second; a hash that would overdraw it waits until it has refilled, a
// hash slowed down by other work is charged no more than a hash takes
// alone, and every slot is free again once the cheap work ends.
func TestHashingKeepsToItsShare(t *testing.T) {
	h, started, release := blockedHasher(t)
	h.adm = newAdmission(2, 0.3) // 0.6 of a core's worth: one hash at a time
	h.SetQueue(16, time.Minute)
	var mu sync.Mutex
	clock := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	h.adm.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	const logins = 5
	errs := make(chan error, logins)
	hash := func() {
		ctx, done := h.Track(context.Background())
		defer done()
		_, err := h.Hash(ctx, "login")
		errs <- err
	}
	page := func() { servePages(h, h.adm.busy) }
	page()
	for range logins {
		go hash()
	}
	// A full budget (100 ms) admits one hash; the second slot stays for
	// the page views.
	expectRunning(t, h, started, 1, 1, logins-1)
	// It ran 100 ms and 60 ms came back meanwhile: 60 ms left.
	advance(100 * time.Millisecond)
	page()
	release <- struct{}{}
	expectRunning(t, h, started, 1, 1, logins-2)
	// This one took 200 ms, waiting for a core behind other work: it is
	// charged 100 ms, what a hash takes alone. 60 - 100 + 120 = 80 left.
	advance(200 * time.Millisecond)
	page()
	release <- struct{}{}
	expectRunning(t, h, started, 1, 1, logins-3)
	// Two more of 100 ms: 80 - 100 + 60 = 40, then 0 left.
	advance(100 * time.Millisecond)
	page()
	release <- struct{}{}
	expectRunning(t, h, started, 1, 1, logins-4)
	advance(100 * time.Millisecond)
	page()
	release <- struct{}{}
	// The budget is spent: the last login waits, however often the queue
	// is looked at, until it has refilled.
	expectRunning(t, h, started, 0, 0, 1)
	time.Sleep(50 * time.Millisecond)
	expectRunning(t, h, started, 0, 0, 1)
	advance(10 * time.Millisecond) // 6 ms back
	page()
	expectRunning(t, h, started, 1, 1, 0)
	release <- struct{}{}
	for range logins {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// Once no page view has been served for two windows, both slots hash
	// at once, whatever is owed.
	advance(2 * linger)
	for range 2 {
		go hash()
	}
	expectRunning(t, h, started, 2, 2, 0)
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// servePages tracks n requests that finish without hashing: page views.
func servePages(h *Hasher, n int) {
	for range n {
		_, done := h.Track(context.Background())
		done()
	}
}

// TestHashingIgnoresATrickle: a few page views and health checks (fewer
// than busy in a window) leave logins every core; as many as busy make
// hashing yield.
func TestHashingIgnoresATrickle(t *testing.T) {
	h, started, release := twoSlotHasher(t)
	clock := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	h.adm.now = func() time.Time { return clock }
	errs := make(chan error, 4)
	hash := func() {
		ctx, done := h.Track(context.Background())
		defer done()
		_, err := h.Hash(ctx, "login")
		errs <- err
	}
	servePages(h, h.adm.busy-1)
	for range 2 {
		go hash()
	}
	expectRunning(t, h, started, 2, 2, 0) // a trickle: both cores hash
	servePages(h, 1)                      // now as many as busy
	go hash()
	go hash()
	for h.waiting.Load() != 2 {
		time.Sleep(time.Millisecond)
	}
	release <- struct{}{}
	expectRunning(t, h, started, 0, 1, 2) // the running one keeps the one shared slot
	close(release)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

type waits struct {
	mu       sync.Mutex
	outcomes []string
}

func (w *waits) HashWaited(d time.Duration, outcome string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.outcomes = append(w.outcomes, outcome)
}

// TestHashMetrics: each hash reports its wait once: ok for a free slot or
// a wait that ended in one, busy for a full queue; Waiting and Running
// show the queue as it is.
func TestHashMetrics(t *testing.T) {
	h, started, release := blockedHasher(t)
	m := &waits{}
	h.SetMetrics(m)
	h.SetQueue(1, time.Minute)
	ctx := context.Background()
	errs := make(chan error, 2)
	go func() { _, err := h.Hash(ctx, "first"); errs <- err }()
	<-started
	go func() { _, err := h.Hash(ctx, "second"); errs <- err }()
	for h.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	if h.Running() != 1 {
		t.Fatalf("running %d, want 1", h.Running())
	}
	if _, err := h.Hash(ctx, "third"); !errors.Is(err, ErrBusy) {
		t.Fatalf("third: %v", err)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	slices.Sort(m.outcomes)
	if !slices.Equal(m.outcomes, []string{"busy", "ok", "ok"}) {
		t.Fatalf("outcomes %v, want busy, ok, ok", m.outcomes)
	}
	if h.Waiting() != 0 || h.Running() != 0 {
		t.Fatalf("after: waiting %d running %d", h.Waiting(), h.Running())
	}
}

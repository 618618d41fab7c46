package password

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// admission decides when a hash may start. Hashing may use every slot
// (max, one per core by default) while only hashing requests are being
// served, or other requests too few to matter. Once other requests are
// (at least busy of them, tracked with [Hasher.Track], finished without
// hashing in the current or the last window of linger), hashing keeps to
// a share of the machine: at most ceil(rate) hashes run, and each draws its
// cost from a budget that refills at rate seconds of hashing per second
// (rate = share × max). A hash already running is never stopped; one that
// would overdraw the budget waits until it has refilled. Those waiting
// start in arrival order. Memory stays bounded by max.
//
// Requests count when they finish, not while in flight, so that a login's
// own work before and after its hash does not count as other work.
type admission struct {
	max  int
	rate float64          // hashing time per second of wall time while other work is served
	now  func() time.Time // tests replace it
	busy int              // requests finished without hashing per window that make other work "served"

	seen seenWindows // requests finished without hashing, per window of linger

	mu       sync.Mutex
	running  int
	waiters  []chan struct{} // closed when admitted
	credit   time.Duration   // hashing time that may still start; below 0: owed
	creditAt time.Time       // when credit was last brought up to date
	typical  time.Duration   // what a hash takes with a core to itself (see learn)
	wake     *time.Timer     // set while waiters wait for credit or for the linger to end
}

// DefaultShare is the share of the hashing slots' time that hashing may
// use while other requests are being served. The rest of the cores serve
// them and the database work of the logins themselves, so page views and
// token checks keep at least half their rate in a login storm.
const DefaultShare = 0.3

// The hashing-time budget holds at most creditCap (a burst of a few
// hashes) and owes at most -creditFloor, so when other work arrives after
// a login storm, hashing pauses for at most -creditFloor ÷ rate before it
// gets its share. Other work counts for linger after a request of it
// finishes.
const (
	creditCap   = 100 * time.Millisecond
	creditFloor = -100 * time.Millisecond
	linger      = 100 * time.Millisecond
)

// busyPerSlot is how many requests finished without hashing, per hashing
// slot, in the current and the last window of linger (100-200 ms), count
// as other work being served: some 25-50 a second per core, a few percent
// of a core at a page view's cost. A trickle of page views and health
// checks below that leaves logins every core.
const busyPerSlot = 5

func newAdmission(slots int, share float64) *admission {
	if share <= 0 || share > 1 {
		share = DefaultShare
	}
	return &admission{max: slots, rate: share * float64(slots), now: time.Now, credit: creditCap,
		busy: busyPerSlot * slots}
}

// seenWindows counts requests that finished without hashing in the
// current window of linger and the one before it.
type seenWindows struct {
	mu         sync.Mutex
	window     int64 // the current window: Unix time ÷ linger
	now, prior int
}

// add counts one request finished at t.
func (w *seenWindows) add(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rollLocked(t)
	w.now++
}

// count is how many finished in the current window and the one before.
func (w *seenWindows) count(t time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rollLocked(t)
	return w.now + w.prior
}

func (w *seenWindows) rollLocked(t time.Time) {
	win := t.UnixNano() / int64(linger)
	switch {
	case win == w.window:
	case win == w.window+1:
		w.window, w.prior, w.now = win, w.now, 0
	default:
		w.window, w.prior, w.now = win, 0, 0
	}
}

// sharedSlots is how many hashes may run at once while other work is
// served.
func (a *admission) sharedSlots() int {
	return max(1, int(math.Ceil(a.rate-1e-9)))
}

// othersServed reports whether other work counts as being served at now.
func (a *admission) othersServed(now time.Time) bool {
	return a.seen.count(now) >= a.busy
}

// refillLocked brings the budget up to date; call with mu held.
func (a *admission) refillLocked(now time.Time) {
	if d := now.Sub(a.creditAt); d > 0 {
		// In floats: a long quiet spell (or the first call) would
		// overflow a Duration sum.
		a.credit = time.Duration(min(float64(creditCap), float64(a.credit)+a.rate*float64(d)))
	}
	a.creditAt = now
}

// free reports whether one more hash may start now; call with mu held.
func (a *admission) free() bool {
	now := a.now()
	a.refillLocked(now)
	if !a.othersServed(now) {
		return a.running < a.max
	}
	return a.running < a.sharedSlots() && a.credit > 0
}

// tryAcquire takes a slot if one is free under the current bound and
// nobody waits ahead.
func (a *admission) tryAcquire() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.waiters) == 0 && a.free() {
		a.running++
		return true
	}
	return false
}

// wait joins the queue and blocks until admitted, the timer fires or ctx
// ends.
func (a *admission) wait(ctx context.Context, limit time.Duration) error {
	ch := make(chan struct{})
	a.mu.Lock()
	if len(a.waiters) == 0 && a.free() {
		a.running++
		a.mu.Unlock()
		return nil
	}
	a.waiters = append(a.waiters, ch)
	a.wakeLocked()
	a.mu.Unlock()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	var err error
	select {
	case <-ch:
		return nil
	case <-timer.C:
		err = ErrBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-ch: // admitted meanwhile: hand the slot on
		a.running--
		a.grantLocked()
		return err
	default:
	}
	for i, w := range a.waiters {
		if w == ch {
			a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
			break
		}
	}
	return err
}

// release gives back the slot of a hash that started at start and charges
// the budget with its cost.
func (a *admission) release(start time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.running--
	now := a.now()
	ran := now.Sub(start)
	a.credit -= a.cost(ran) // before the refill, which accrued while it ran
	a.refillLocked(now)
	a.credit = max(creditFloor, a.credit)
	a.learn(ran)
	a.grantLocked()
}

// cost is what a hash that ran for ran is charged: its time, but no more
// than a hash takes with a core to itself (the low envelope of recent
// hashes). A hash that waited for a core behind page views and database
// work did not use that wait, so hashing keeps its share of the work
// however busy the machine is.
func (a *admission) cost(ran time.Duration) time.Duration {
	if a.typical > 0 {
		return min(ran, a.typical)
	}
	return ran
}

// learn follows the low envelope of hash times: a faster hash lowers it at
// once, slower ones raise it by 1/64 of the difference each, so it keeps
// up with new parameters without following every busy moment.
func (a *admission) learn(ran time.Duration) {
	if a.typical == 0 || ran < a.typical {
		a.typical = ran
		return
	}
	a.typical += (ran - a.typical) / 64
}

// grantLocked admits waiters while the bound allows; call with mu held.
func (a *admission) grantLocked() {
	for len(a.waiters) > 0 && a.free() {
		a.running++
		close(a.waiters[0])
		a.waiters = a.waiters[1:]
	}
	a.wakeLocked()
}

// wakeLocked arranges for the queue to be looked at again when waiters are
// held back only by time: the budget refilling, or other work no longer
// counting. Call with mu held.
func (a *admission) wakeLocked() {
	if a.wake != nil || len(a.waiters) == 0 || !a.othersServed(a.now()) {
		return // every slot counts: a release will admit the next
	}
	d := linger // by then the count may have fallen
	if a.running < a.sharedSlots() && a.credit <= 0 {
		d = min(d, time.Duration(float64(-a.credit)/a.rate))
	}
	a.wake = time.AfterFunc(d+time.Millisecond, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.wake = nil
		a.grantLocked()
	})
}

// cheapFinished records that a tracked request finished without hashing.
func (a *admission) cheapFinished() {
	a.seen.add(a.now())
}

// trackKey marks a context whose request is tracked.
type trackKey struct{}

// tracked is a request tracked by Track: whether it hashed.
type tracked struct{ hashed atomic.Bool }

// Track marks the request of ctx as served until done is called. Requests
// that finish without hashing count as other work being served, for a
// window of linger, once there are enough of them to matter: while such
// work is, hashing keeps to its share of the cores.
// Serve every request through it (server middleware), so that password
// hashing uses every core when only logins are served and yields as soon
// as page views, token checks and refreshes are. done must be called once.
func (h *Hasher) Track(ctx context.Context) (context.Context, func()) {
	t := &tracked{}
	return context.WithValue(ctx, trackKey{}, t), func() {
		if !t.hashed.Load() {
			h.adm.cheapFinished()
		}
	}
}

// hashingStarts marks the request of ctx, if tracked, as one that hashes.
func (h *Hasher) hashingStarts(ctx context.Context) {
	if t, _ := ctx.Value(trackKey{}).(*tracked); t != nil {
		t.hashed.Store(true)
	}
}

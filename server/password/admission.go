package password

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// admission decides when a hash may start. While nothing else is in
// flight, hashing may use every slot (max, one per core by default). While
// cheap work is in flight (requests tracked with [Hasher.Track] that are
// not themselves waiting for or running a hash), hashing keeps to a share
// of the machine: at most ceil(rate) hashes run, and each draws its
// running time from a budget that refills at rate seconds of hashing per
// second (rate = share × max). A hash already running is never stopped;
// one that would overdraw the budget waits until it has refilled. Those
// waiting start in arrival order. Memory stays bounded by max.
type admission struct {
	max   int
	rate  float64          // hashing time per second of wall time while cheap work is in flight
	now   func() time.Time // tests replace it
	cheap atomic.Int64     // tracked requests in flight, minus those hashing

	mu       sync.Mutex
	running  int
	waiters  []chan struct{} // closed when admitted
	credit   time.Duration   // hashing time that may still start while cheap work is in flight; below 0: owed
	creditAt time.Time       // when credit was last brought up to date
	wake     *time.Timer     // set while waiters wait for credit
	typical  time.Duration   // what a hash takes with a core to itself (see learn)
}

// DefaultShare is the share of the hashing slots' time that hashing may
// use while other requests are in flight. The rest of the cores serve the
// cheap requests and the database work of the logins themselves, so page
// views and token checks keep at least half their rate in a login storm.
const DefaultShare = 0.3

// The hashing-time budget holds at most creditCap (a burst of a few hashes
// when cheap work starts) and owes at most creditFloor (so a login storm
// with nothing else in flight never leaves a debt behind it).
const (
	creditCap   = 100 * time.Millisecond
	creditFloor = -100 * time.Millisecond
)

func newAdmission(slots int, share float64) *admission {
	if share <= 0 || share > 1 {
		share = DefaultShare
	}
	return &admission{max: slots, rate: share * float64(slots), now: time.Now, credit: creditCap}
}

// sharedSlots is how many hashes may run at once while cheap work is in
// flight.
func (a *admission) sharedSlots() int {
	return max(1, int(math.Ceil(a.rate-1e-9)))
}

// refillLocked brings the budget up to date; call with mu held.
func (a *admission) refillLocked(now time.Time) {
	if a.cheap.Load() == 0 {
		// Nothing to yield to: the budget starts full when cheap work
		// next arrives.
		a.credit, a.creditAt = creditCap, now
		return
	}
	if d := now.Sub(a.creditAt); d > 0 {
		a.credit = min(creditCap, a.credit+time.Duration(a.rate*float64(d)))
	}
	a.creditAt = now
}

// free reports whether one more hash may start now; call with mu held.
func (a *admission) free() bool {
	if a.cheap.Load() == 0 {
		return a.running < a.max
	}
	a.refillLocked(a.now())
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

// release gives back the slot of a hash that started at start. A hash
// that ends while cheap work is in flight is charged to the budget.
func (a *admission) release(start time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.running--
	now := a.now()
	ran := now.Sub(start)
	if a.cheap.Load() > 0 {
		a.credit -= a.cost(ran)
		a.refillLocked(now)
		a.credit = max(creditFloor, a.credit)
	}
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

// wakeLocked arranges for the queue to be looked at again once the budget
// has refilled, when it is only the budget that holds waiters back; call
// with mu held.
func (a *admission) wakeLocked() {
	if a.wake != nil || len(a.waiters) == 0 || a.cheap.Load() == 0 ||
		a.running >= a.sharedSlots() || a.credit > 0 {
		return
	}
	d := time.Duration(float64(-a.credit)/a.rate) + time.Millisecond
	a.wake = time.AfterFunc(d, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.wake = nil
		a.grantLocked()
	})
}

// cheapStart and cheapEnd count a tracked request in or out of cheap work.
// When the last cheap request ends, waiting hashes may use every slot.
func (a *admission) cheapStart() { a.cheap.Add(1) }

func (a *admission) cheapEnd() {
	if a.cheap.Add(-1) == 0 {
		a.mu.Lock()
		a.grantLocked()
		a.mu.Unlock()
	}
}

// trackKey marks a context whose request is counted as cheap work.
type trackKey struct{}

// tracked is a request counted by Track: hashing pauses its count.
type tracked struct{ hashing atomic.Int32 }

// Track counts the request of ctx as cheap work in flight until done is
// called, except while it waits for or runs a hash of this Hasher. Serve
// every request through it (server middleware), so that password hashing
// uses every core when only logins are in flight and keeps to its share
// of them as soon as other requests are. done must be called once.
func (h *Hasher) Track(ctx context.Context) (context.Context, func()) {
	t := &tracked{}
	h.adm.cheapStart()
	return context.WithValue(ctx, trackKey{}, t), func() {
		if t.hashing.Load() == 0 {
			h.adm.cheapEnd()
		}
	}
}

// hashingStarts takes the request of ctx, if tracked, out of cheap work
// for a hash; the returned func puts it back.
func (h *Hasher) hashingStarts(ctx context.Context) func() {
	t, _ := ctx.Value(trackKey{}).(*tracked)
	if t == nil || t.hashing.Add(1) != 1 {
		if t != nil {
			return func() { t.hashing.Add(-1) }
		}
		return func() {}
	}
	h.adm.cheapEnd()
	return func() {
		h.adm.cheapStart()
		t.hashing.Add(-1)
	}
}

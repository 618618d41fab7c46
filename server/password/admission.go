package password

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// admission decides when a hash may start. Hashing may use every slot
// (max, one per core by default) while nothing else is in flight, and
// only shared slots (half) while cheap work is: requests tracked with
// [Hasher.Track] that are not themselves waiting for or running a hash.
// A hash already running is never stopped; the next one waits until the
// running count is under the bound that holds when it would start. Those
// waiting start in arrival order. Memory stays bounded by max.
type admission struct {
	max, shared int
	cheap       atomic.Int64 // tracked requests in flight, minus those hashing

	mu      sync.Mutex
	running int
	waiters []chan struct{} // closed when admitted
}

func newAdmission(slots int) *admission {
	return &admission{max: slots, shared: max(1, slots/2)}
}

// limit is the bound now; call with mu held.
func (a *admission) limit() int {
	if a.cheap.Load() > 0 {
		return a.shared
	}
	return a.max
}

// tryAcquire takes a slot if one is free under the current bound and
// nobody waits ahead.
func (a *admission) tryAcquire() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.waiters) == 0 && a.running < a.limit() {
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
	if len(a.waiters) == 0 && a.running < a.limit() {
		a.running++
		a.mu.Unlock()
		return nil
	}
	a.waiters = append(a.waiters, ch)
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

func (a *admission) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.running--
	a.grantLocked()
}

// grantLocked admits waiters while the bound allows; call with mu held.
func (a *admission) grantLocked() {
	for len(a.waiters) > 0 && a.running < a.limit() {
		a.running++
		close(a.waiters[0])
		a.waiters = a.waiters[1:]
	}
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
// uses every core when only logins are in flight and yields half of them
// as soon as other requests are. done must be called once.
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

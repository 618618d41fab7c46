// Package guard bounds every guess at a secret and every costly action
// (sending a message, hashing a password) with one ledger shared by every
// instance of Latch, and one policy table (policy.go) that names each
// limit.
//
// A caller reserves before it acts:
//
//	r, err := g.Reserve(ctx, guard.Password, guard.Subject{Account: "user:" + id, Known: known, Device: dev, IP: ip})
//	if err != nil {
//		return err // a *Refused (answer 429 with RetryAfter), or the ledger failed
//	}
//	ok := verify(...)
//	if ok {
//		r.Succeeded(ctx) // a right guess costs nothing and clears what the policy clears
//	}
//
// Reserve is one round trip: a single call of the guard_reserve function
// that counts the attempt against every key of the policy and says whether
// all of them allow it, atomically, so concurrent attempts can never pass
// more than the budget (there is no read-then-write). Each limit is a
// generic cell rate (GCRA): a budget of N per window W allows a burst of
// N, then one more every W/N.
//
// Known devices: a browser that has signed in to an account before is
// exempt from the account-wide limit that every other client shares and
// has a budget of its own (ScopeAccountDevice), so a stranger who knows
// only an address cannot lock its owner out (OWASP "Slow Brute Force /
// Device Cookies").
package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Counter is one key of a reservation and its rate: an emission interval
// (Window / Budget) and a window (the burst tolerance).
type Counter struct {
	Key      string
	Emission time.Duration
	Window   time.Duration
}

// Store is the ledger. Implementations must decide each Reserve
// atomically across every instance (db.Guard does it in PostgreSQL).
type Store interface {
	// Reserve counts one attempt against every counter if all of them
	// allow it, and otherwise counts nothing and returns the index of the
	// counter that refused and how long until it would allow one.
	Reserve(ctx context.Context, appID uuid.UUID, counters []Counter, now time.Time) (denied int, wait time.Duration, err error)
	// Refund gives back one attempt to each counter.
	Refund(ctx context.Context, appID uuid.UUID, counters []Counter) error
	// Clear forgets every attempt counted against keys.
	Clear(ctx context.Context, appID uuid.UUID, keys []string) error
}

// Settler is a Store that can refund counters and clear keys in one step
// (one round trip): what a right guess does. Its result must be that of
// Refund(counters) followed by Clear(keys).
type Settler interface {
	Settle(ctx context.Context, appID uuid.UUID, counters []Counter, keys []string) error
}

// Subject says who an attempt comes from and what it is aimed at. Empty
// fields leave out the limits keyed by them (an API client has no device,
// a password has no destination).
type Subject struct {
	// Account is the account aimed at: "user:<id>" when known, or the
	// identifier typed ("email:a@b.c") when no account holds it, so the
	// limits say nothing about who has an account.
	Account string
	// Known reports that the client is a known device of Account: it
	// meets ScopeAccountDevice limits instead of ScopeAccount ones.
	Known bool
	// Device is the browser's device id (see Devices), "" for API clients.
	Device string
	// IP is the client address; IPv6 addresses are counted per /64.
	IP string
	// Session is the browser session's public id, or "".
	Session string
	// Destination is the address or number a message goes to.
	Destination string
	// Country is the calling code of a phone Destination ("44").
	Country string
	// Proof reports that the request carried a valid proof of work;
	// limits marked Unproven apply only to requests without one.
	Proof bool
}

// Refused is the error of an attempt over a limit.
type Refused struct {
	Policy     Name
	Scope      Scope
	Past       Past
	RetryAfter time.Duration // how long until an attempt is allowed; for Lock, until the lock lifts by itself
}

func (e *Refused) Error() string {
	return fmt.Sprintf("guard: %s over its %s limit (%s); retry in %s", e.Policy, e.Scope, e.Past, e.RetryAfter.Round(time.Second))
}

// ErrNoPolicy is returned by Reserve for a policy name not in the table:
// a flow without a policy fails rather than running unbounded.
var ErrNoPolicy = errors.New("guard: no policy")

// Guard applies the policy table to attempts. Build it with New.
type Guard struct {
	store    Store
	policies Policies
	appID    uuid.UUID
	clock    func() time.Time
	log      *slog.Logger
	metrics  Metrics
	appOf    func(ctx context.Context) (uuid.UUID, bool)

	mu     sync.Mutex
	trips  []time.Time          // recent Challenge refusals, for Level
	warned map[string]time.Time // when each tripped limit was last logged
}

// Options are the optional parts of a Guard.
type Options struct {
	Clock  func() time.Time // nil means time.Now
	Logger *slog.Logger     // nil discards
	// Metrics hears of every refusal; nil: nobody.
	Metrics Metrics
	// AppOf returns the app of the request in ctx, when it has one
	// (several apps on one server): attempts count in that app's ledger,
	// so an email in one app never spends another app's budgets. nil, or
	// false: the app given to New.
	AppOf func(ctx context.Context) (uuid.UUID, bool)
}

// Metrics hears of each refused attempt: the policy, the scope of the
// limit that was spent and what happens past it (refuse, challenge, lock).
type Metrics interface {
	Refused(policy, scope, past string)
}

// New returns a Guard counting in store with the given policies for one
// app. It fails when a policy is not usable (see Policies.Check).
func New(store Store, policies Policies, appID uuid.UUID, o Options) (*Guard, error) {
	if err := policies.Check(); err != nil {
		return nil, err
	}
	g := &Guard{store: store, policies: policies, appID: appID, clock: o.Clock, log: o.Logger, metrics: o.Metrics, appOf: o.AppOf}
	if g.clock == nil {
		g.clock = time.Now
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	return g, nil
}

// app is the app whose ledger counts an attempt made in ctx.
func (g *Guard) app(ctx context.Context) uuid.UUID {
	if g.appOf != nil {
		if id, ok := g.appOf(ctx); ok {
			return id
		}
	}
	return g.appID
}

// Reservation is an attempt counted by Reserve.
type Reservation struct {
	g        *Guard
	policy   Policy
	counters []Counter
	clears   []string
	subject  Subject
}

// Reserve counts an attempt of policy by s against every limit that
// applies to s and returns it, or a *Refused when one of them is spent
// (nothing is counted then). Reserve before checking the secret or
// sending the message, never after.
//
// Errors: *Refused; ErrNoPolicy for a name not in the table; a ledger
// failure, which callers must treat as a refusal (fail closed).
func (g *Guard) Reserve(ctx context.Context, name Name, s Subject) (*Reservation, error) {
	p, ok := g.policies[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrNoPolicy, name)
	}
	noteReserved(ctx, name)
	r := &Reservation{g: g, policy: p, subject: s}
	var scopes []Limit
	seen := map[string]bool{}
	for _, l := range p.Limits {
		value, applies := l.Scope.value(s)
		if !applies || (l.Unproven && s.Proof) {
			continue
		}
		key := counterKey(name, l, value)
		if seen[key] {
			continue
		}
		seen[key] = true
		r.counters = append(r.counters, Counter{Key: key, Emission: l.Window / time.Duration(l.Budget), Window: l.Window})
		scopes = append(scopes, l)
		if l.ClearOnSuccess {
			r.clears = append(r.clears, key)
		}
	}
	if len(r.counters) == 0 {
		return r, nil
	}
	// A stable order, so concurrent reservations lock rows alike.
	order := make([]int, len(r.counters))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return r.counters[order[a]].Key < r.counters[order[b]].Key })
	sorted := make([]Counter, len(order))
	limits := make([]Limit, len(order))
	for i, j := range order {
		sorted[i], limits[i] = r.counters[j], scopes[j]
	}
	r.counters = sorted
	denied, wait, err := g.store.Reserve(ctx, g.app(ctx), r.counters, g.clock())
	if err != nil {
		return nil, fmt.Errorf("guard: reserve %s: %w", name, err)
	}
	if denied < 0 {
		return r, nil
	}
	l := limits[denied]
	refused := &Refused{Policy: name, Scope: l.Scope, Past: l.Past, RetryAfter: wait}
	if g.metrics != nil {
		g.metrics.Refused(string(name), string(l.Scope), string(l.Past))
	}
	if !p.Quiet {
		noteRefused(ctx, refused)
	}
	if l.Past == Challenge && g.trip(counterKey(name, l, "")) {
		g.log.WarnContext(ctx, "budget tripped", "policy", string(name), "scope", string(l.Scope),
			"budget", l.Budget, "window", l.Window.String(), "level", g.Level())
	}
	return nil, refused
}

// Succeeded records that the reserved attempt was a right guess: it gives
// the attempt back to every counter (a right guess is not a guess) and
// clears the counters the policy clears on success. For a send it does
// nothing: a message sent is spent. Failures are logged, never returned:
// the attempt itself succeeded.
func (r *Reservation) Succeeded(ctx context.Context) {
	if r == nil || r.policy.Kind != Guess || len(r.counters) == 0 {
		return
	}
	if st, ok := r.g.store.(Settler); ok && len(r.clears) > 0 {
		if err := st.Settle(ctx, r.g.app(ctx), r.counters, r.clears); err != nil {
			r.g.log.WarnContext(ctx, "guard settle failed", "policy", string(r.policy.Name), "err", err)
		}
		return
	}
	if err := r.g.store.Refund(ctx, r.g.app(ctx), r.counters); err != nil {
		r.g.log.WarnContext(ctx, "guard refund failed", "policy", string(r.policy.Name), "err", err)
	}
	if len(r.clears) > 0 {
		if err := r.g.store.Clear(ctx, r.g.app(ctx), r.clears); err != nil {
			r.g.log.WarnContext(ctx, "guard clear failed", "policy", string(r.policy.Name), "err", err)
		}
	}
}

// Release gives the attempt back without clearing anything: for an
// attempt that never reached the secret (the store failed, the input was
// refused before any check).
func (r *Reservation) Release(ctx context.Context) {
	if r == nil || len(r.counters) == 0 {
		return
	}
	if err := r.g.store.Refund(ctx, r.g.app(ctx), r.counters); err != nil {
		r.g.log.WarnContext(ctx, "guard release failed", "policy", string(r.policy.Name), "err", err)
	}
}

// Clear forgets every attempt counted by policy against s's account
// limits: after an account recovery, say, which lifts a Lock.
func (g *Guard) Clear(ctx context.Context, name Name, s Subject) error {
	p, ok := g.policies[name]
	if !ok {
		return fmt.Errorf("%w %q", ErrNoPolicy, name)
	}
	var keys []string
	for _, l := range p.Limits {
		if l.Scope != ScopeAccount && l.Scope != ScopeAccountDevice {
			continue
		}
		if value, applies := l.Scope.value(Subject{Account: s.Account, Device: s.Device, Known: l.Scope == ScopeAccountDevice}); applies {
			keys = append(keys, counterKey(name, l, value))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return g.store.Clear(ctx, g.app(ctx), keys)
}

// counterKey names the ledger row of one limit of a policy for one value
// of its scope. The budget and window are part of it, so stacked limits of
// one scope count apart, and a changed limit starts afresh.
func counterKey(name Name, l Limit, value string) string {
	return string(name) + ":" + string(l.Scope) + ":" + value + ":" + strconv.Itoa(l.Budget) + "/" + l.Window.String()
}

// levelWindow is how long a tripped Challenge limit raises Level.
const levelWindow = 15 * time.Minute

// maxLevel caps Level, and with it the extra proof-of-work difficulty.
const maxLevel = 6

// trip records a Challenge refusal of the limit named by key, raising
// Level, and reports whether it is the first of that limit in a minute:
// the warning is logged once a minute per limit, not once per refused
// request, so an attack cannot flood the log.
func (g *Guard) trip(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock()
	g.trips = append(g.prune(now), now)
	if g.warned == nil {
		g.warned = map[string]time.Time{}
	}
	if last, ok := g.warned[key]; ok && now.Sub(last) < time.Minute {
		return false
	}
	for k, t := range g.warned {
		if now.Sub(t) >= time.Minute {
			delete(g.warned, k)
		}
	}
	g.warned[key] = now
	return true
}

func (g *Guard) prune(now time.Time) []time.Time {
	keep := g.trips[:0]
	for _, t := range g.trips {
		if now.Sub(t) < levelWindow {
			keep = append(keep, t)
		}
	}
	return keep
}

// Level is how far bot friction should be raised now: the number of
// Challenge limits that tripped on this instance in the last 15 minutes,
// at most 6. The proof-of-work issuer adds it to the difficulty.
func (g *Guard) Level() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.trips = g.prune(g.clock())
	return min(len(g.trips), maxLevel)
}

// ClientPrefix is the key of a client address: the address itself for
// IPv4, its /64 for IPv6 (one subscriber usually holds a whole /64), and
// the string as given when it does not parse.
func ClientPrefix(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

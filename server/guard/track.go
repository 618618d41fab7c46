package guard

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// Use is something a request did that a policy must have allowed first.
type Use string

// The uses a Tracker is told about.
const (
	UseGuess Use = "guess" // a secret was checked
	UseSend  Use = "send"  // a message was queued
	UseHash  Use = "hash"  // a password was hashed
)

// Tracker records, for one request, the policies reserved and the secrets
// checked, messages queued and hashes run, so a test can hold every route
// to the rule "reserve first". It costs nothing when absent from the
// context.
type Tracker struct {
	mu       sync.Mutex
	reserved []Name
	problems []string
	refusal  *Refused
}

type trackerKey struct{}

// WithTracker returns ctx carrying a new Tracker.
func WithTracker(ctx context.Context) (context.Context, *Tracker) {
	t := &Tracker{}
	return context.WithValue(ctx, trackerKey{}, t), t
}

func trackerFrom(ctx context.Context) *Tracker {
	t, _ := ctx.Value(trackerKey{}).(*Tracker)
	return t
}

func noteReserved(ctx context.Context, name Name) {
	if t := trackerFrom(ctx); t != nil {
		t.mu.Lock()
		t.reserved = append(t.reserved, name)
		t.mu.Unlock()
	}
}

// Note tells the request's Tracker, if any, that u happened; what names
// it for the report, under the policies that may allow it. A use with no
// reservation of one of those policies before it in the request is a
// problem (a reservation of another policy allows nothing here; a use
// naming no policy is always one).
func Note(ctx context.Context, u Use, what string, under ...Name) {
	t := trackerFrom(ctx)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range under {
		if slices.Contains(t.reserved, name) {
			return
		}
	}
	if len(under) == 0 {
		t.problems = append(t.problems, string(u)+" naming no policy: "+what)
		return
	}
	names := make([]string, len(under))
	for i, name := range under {
		names[i] = string(name)
	}
	t.problems = append(t.problems, string(u)+" without a reservation of "+strings.Join(names, " or ")+": "+what)
}

func noteRefused(ctx context.Context, r *Refused) {
	if t := trackerFrom(ctx); t != nil {
		t.mu.Lock()
		t.refusal = r
		t.mu.Unlock()
	}
}

// Refusal returns the last refusal of the request, or nil: its RetryAfter
// is the request's Retry-After.
func (t *Tracker) Refusal() *Refused {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.refusal
}

// Reserved returns the policies reserved so far, in order.
func (t *Tracker) Reserved() []Name {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Name(nil), t.reserved...)
}

// Problems returns every use that came without a reservation.
func (t *Tracker) Problems() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.problems...)
}

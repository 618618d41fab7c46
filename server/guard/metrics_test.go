package guard_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/guard"
)

type refusals []string

func (r *refusals) Refused(policy, scope, past string) { *r = append(*r, policy+" "+scope+" "+past) }

// appStore records the app each reservation was counted in.
type appStore struct {
	memStore
	apps []uuid.UUID
}

func (s *appStore) Reserve(ctx context.Context, app uuid.UUID, cs []guard.Counter, now time.Time) (int, time.Duration, error) {
	s.apps = append(s.apps, app)
	return s.memStore.Reserve(ctx, app, cs, now)
}

type appKey struct{}

// TestRefusalsAreHeardAndCountedPerApp: Metrics hears each refusal with
// its policy, scope and what happens past it; with AppOf, an attempt
// counts in its request's app, else in the guard's own.
func TestRefusalsAreHeardAndCountedPerApp(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	own, other := uuid.New(), uuid.New()
	heard := &refusals{}
	store := &appStore{memStore: memStore{tat: map[string]time.Time{}}}
	g, err := guard.New(store, guard.DefaultPolicies(), own, guard.Options{
		Clock: func() time.Time { return now }, Metrics: heard,
		AppOf: func(ctx context.Context) (uuid.UUID, bool) { id, ok := ctx.Value(appKey{}).(uuid.UUID); return id, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	s := guard.Subject{Account: "user:x", Known: true, Device: "d"}
	ctx := context.Background()
	for range 5 {
		if _, err := g.Reserve(ctx, guard.TOTP, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := g.Reserve(ctx, guard.TOTP, s); err == nil {
		t.Fatal("6th guess not refused")
	}
	if len(*heard) != 1 || (*heard)[0] != "totp account_device refuse" {
		t.Fatalf("heard %v", *heard)
	}
	// (memStore keeps one ledger for every app; db.Guard keys by app.)
	_, _ = g.Reserve(context.WithValue(ctx, appKey{}, other), guard.TOTP, s)
	if n := len(store.apps); n != 7 || store.apps[0] != own || store.apps[6] != other {
		t.Fatalf("counted in apps %v, want six in the guard's own then one in the request's", store.apps)
	}
}

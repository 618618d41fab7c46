package db_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/guard"
)

// onePolicy is a table with one guess policy of one account limit.
func onePolicy(budget int, window time.Duration) guard.Policies {
	return guard.Policies{guard.Password: {Name: guard.Password, Kind: guard.Guess, Limits: []guard.Limit{
		{Scope: guard.ScopeAccount, Budget: budget, Window: window, Past: guard.Refuse, ClearOnSuccess: true},
		{Scope: guard.ScopeIP, Budget: 1000, Window: time.Hour, Past: guard.Refuse},
	}}}
}

func newGuard(t *testing.T, bdb *bun.DB, p guard.Policies, clock func() time.Time) *guard.Guard {
	t.Helper()
	g, err := guard.New(db.NewGuard(bdb, clock), p, defaultApp(t, bdb), guard.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// reserveMany makes n concurrent reservations for the subject with each
// guard (round robin) and returns how many were allowed.
func reserveMany(t *testing.T, guards []*guard.Guard, n int, s guard.Subject) int {
	t.Helper()
	var allowed atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := guards[i%len(guards)].Reserve(context.Background(), guard.Password, s)
			var refused *guard.Refused
			switch {
			case err == nil:
				allowed.Add(1)
			case !errors.As(err, &refused):
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return int(allowed.Load())
}

func TestGuardAllowsExactlyTheBudgetUnderConcurrency(t *testing.T) {
	t.Parallel()
	bdb := dbtest.Open(t)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	g := newGuard(t, bdb, onePolicy(10, 15*time.Minute), clock)
	s := guard.Subject{Account: "user:concurrent", IP: "192.0.2.7"}
	if got := reserveMany(t, []*guard.Guard{g}, 120, s); got != 10 {
		t.Fatalf("120 concurrent attempts with a budget of 10: %d allowed", got)
	}
	// Another account is not held up; the same one is.
	if _, err := g.Reserve(context.Background(), guard.Password, guard.Subject{Account: "user:other", IP: "192.0.2.7"}); err != nil {
		t.Fatalf("another account: %v", err)
	}
	_, err := g.Reserve(context.Background(), guard.Password, s)
	var refused *guard.Refused
	if !errors.As(err, &refused) || refused.Scope != guard.ScopeAccount || refused.RetryAfter != 90*time.Second {
		t.Fatalf("11th attempt: %v (want refused on the account, retry in 90s)", err)
	}
}

func TestGuardBudgetHoldsAcrossTwoPools(t *testing.T) {
	t.Parallel()
	dsn := dbtest.DSN(t)
	open := func() *bun.DB {
		bdb, err := db.Open(context.Background(), dsn, db.Options{MaxOpenConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = bdb.Close() })
		return bdb
	}
	a, b := open(), open()
	clock := func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }
	guards := []*guard.Guard{newGuard(t, a, onePolicy(7, time.Hour), clock), newGuard(t, b, onePolicy(7, time.Hour), clock)}
	if got := reserveMany(t, guards, 64, guard.Subject{Account: "user:two-pools"}); got != 7 {
		t.Fatalf("64 attempts through two pools with a budget of 7: %d allowed", got)
	}
}

func TestGuardRefundsRightGuessesAndClearsOnSuccess(t *testing.T) {
	t.Parallel()
	bdb := dbtest.Open(t)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	g := newGuard(t, bdb, onePolicy(3, time.Hour), func() time.Time { return now })
	ctx := context.Background()
	s := guard.Subject{Account: "user:refund"}
	// Right guesses cost nothing: ten in a row never reach a budget of 3.
	for i := range 10 {
		r, err := g.Reserve(ctx, guard.Password, s)
		if err != nil {
			t.Fatalf("right guess %d: %v", i+1, err)
		}
		r.Succeeded(ctx)
	}
	// Two wrong, then a right one clears the account count.
	for range 2 {
		if _, err := g.Reserve(ctx, guard.Password, s); err != nil {
			t.Fatal(err)
		}
	}
	r, err := g.Reserve(ctx, guard.Password, s)
	if err != nil {
		t.Fatal(err)
	}
	r.Succeeded(ctx)
	for i := range 3 {
		if _, err := g.Reserve(ctx, guard.Password, s); err != nil {
			t.Fatalf("wrong guess %d after a success: %v", i+1, err)
		}
	}
	if _, err := g.Reserve(ctx, guard.Password, s); err == nil {
		t.Fatal("4th wrong guess allowed")
	}
	// Time refills the budget one emission interval at a time.
	now = now.Add(20 * time.Minute)
	if _, err := g.Reserve(ctx, guard.Password, s); err != nil {
		t.Fatalf("after one interval: %v", err)
	}
	if _, err := g.Reserve(ctx, guard.Password, s); err == nil {
		t.Fatal("two allowed after one interval")
	}
	// Prune drops only rows whose attempts have all aged out.
	if n, err := db.NewGuard(bdb, func() time.Time { return now }).Prune(ctx); err != nil || n != 0 {
		t.Fatalf("prune with live rows: %d, %v", n, err)
	}
	if n, err := db.NewGuard(bdb, func() time.Time { return now.Add(2 * time.Hour) }).Prune(ctx); err != nil || n != 1 {
		t.Fatalf("prune after the window: %d, %v", n, err)
	}
}

// BenchmarkGuardReserve measures one reservation (two limits) against a
// local PostgreSQL: the guard's cost per check.
func BenchmarkGuardReserve(b *testing.B) {
	bdb := dbtest.Open(b)
	p := guard.Policies{guard.Password: {Name: guard.Password, Kind: guard.Guess, Limits: []guard.Limit{
		{Scope: guard.ScopeAccount, Budget: 1_000_000_000, Window: time.Hour, Past: guard.Refuse},
		{Scope: guard.ScopeIP, Budget: 1_000_000_000, Window: time.Hour, Past: guard.Refuse},
	}}}
	g, err := guard.New(db.NewGuard(bdb, nil), p, defaultApp(b, bdb), guard.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s := guard.Subject{Account: "user:bench", IP: "192.0.2.1"}
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.Reserve(ctx, guard.Password, s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGuardSettleRefundsAndClearsInOneStep checks Settle against Refund
// then Clear: the counter only refunded gets its attempt back, the
// cleared one is gone.
func TestGuardSettleRefundsAndClearsInOneStep(t *testing.T) {
	t.Parallel()
	bdb := dbtest.Open(t)
	ctx := context.Background()
	app := defaultApp(t, bdb)
	store := db.NewGuard(bdb, nil)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	counters := []guard.Counter{
		{Key: "settle:ip", Emission: time.Minute, Window: time.Hour},
		{Key: "settle:account", Emission: time.Minute, Window: time.Hour},
	}
	for range 3 {
		if denied, _, err := store.Reserve(ctx, app, counters, now); err != nil || denied != -1 {
			t.Fatalf("reserve: denied %d, %v", denied, err)
		}
	}
	tat := func(key string) (time.Time, bool) {
		var at time.Time
		err := bdb.NewRaw("SELECT tat FROM guard_limits WHERE app_id = ? AND key = ?", app, key).Scan(ctx, &at)
		return at, err == nil
	}
	before, ok := tat("settle:ip")
	if !ok {
		t.Fatal("no row for settle:ip")
	}
	if err := store.Settle(ctx, app, counters, []string{"settle:account"}); err != nil {
		t.Fatal(err)
	}
	after, ok := tat("settle:ip")
	if !ok || !after.Equal(before.Add(-time.Minute)) {
		t.Fatalf("settle:ip tat %v → %v, want one emission (1m) back", before, after)
	}
	if _, ok := tat("settle:account"); ok {
		t.Fatal("settle:account was not cleared")
	}
}

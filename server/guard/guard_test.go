package guard_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/guard"
)

// memStore is the GCRA of db.Guard over a map, to test the policy logic
// without a database (the database's own tests hold the SQL to the same).
type memStore struct{ tat map[string]time.Time }

func (m *memStore) Reserve(_ context.Context, _ uuid.UUID, cs []guard.Counter, now time.Time) (int, time.Duration, error) {
	next := make([]time.Time, len(cs))
	worst, wait := -1, time.Duration(0)
	for i, c := range cs {
		t := m.tat[c.Key]
		if t.Before(now) {
			t = now
		}
		next[i] = t.Add(c.Emission)
		if w := next[i].Sub(now) - c.Window; w > 0 && (worst < 0 || w > wait) {
			worst, wait = i, w
		}
	}
	if worst >= 0 {
		return worst, wait, nil
	}
	for i, c := range cs {
		m.tat[c.Key] = next[i]
	}
	return -1, 0, nil
}

func (m *memStore) Refund(_ context.Context, _ uuid.UUID, cs []guard.Counter) error {
	for _, c := range cs {
		m.tat[c.Key] = m.tat[c.Key].Add(-c.Emission)
	}
	return nil
}

func (m *memStore) Clear(_ context.Context, _ uuid.UUID, keys []string) error {
	for _, k := range keys {
		delete(m.tat, k)
	}
	return nil
}

func newGuard(t *testing.T, p guard.Policies, now *time.Time) *guard.Guard {
	t.Helper()
	g, err := guard.New(&memStore{tat: map[string]time.Time{}}, p, uuid.New(), guard.Options{Clock: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestDefaultPoliciesAreUsable(t *testing.T) {
	p := guard.DefaultPolicies()
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []guard.Name{guard.Password, guard.TOTP, guard.RecoveryCode, guard.Code, guard.Link,
		guard.SendEmail, guard.SendSMS, guard.Signup, guard.Notice, guard.Provider} {
		if _, ok := p[name]; !ok {
			t.Errorf("no %s policy", name)
		}
	}
	// NIST SP 800-63B: at most 100 consecutive failures of a factor.
	for _, name := range []guard.Name{guard.TOTP, guard.Code} {
		capped := false
		for _, l := range p[name].Limits {
			capped = capped || (l.Past == guard.Lock && l.Budget <= 100 && l.ClearOnSuccess)
		}
		if !capped {
			t.Errorf("%s has no cap of at most 100 consecutive failures", name)
		}
	}
}

func TestKnownDeviceIsNotLockedOutByStrangers(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	g := newGuard(t, guard.DefaultPolicies(), &now)
	ctx := context.Background()
	stranger := guard.Subject{Account: "user:owner", IP: "203.0.113.9", Device: "attacker"}
	refused := 0
	for range 50 {
		if _, err := g.Reserve(ctx, guard.Password, stranger); err != nil {
			refused++
		}
	}
	if refused != 40 {
		t.Fatalf("50 stranger attempts: %d refused, want 40 (budget 10)", refused)
	}
	owner := guard.Subject{Account: "user:owner", IP: "198.51.100.4", Device: "owner-laptop", Known: true}
	if _, err := g.Reserve(ctx, guard.Password, owner); err != nil {
		t.Fatalf("the owner's known browser after a stranger's burst: %v", err)
	}
	// The same browser, not known to the account, shares the strangers' lock.
	if _, err := g.Reserve(ctx, guard.Password, guard.Subject{Account: "user:owner", IP: "198.51.100.4", Device: "new-phone"}); err == nil {
		t.Fatal("an unknown browser passed the spent account budget")
	}
}

func TestRefusalSaysWhichLimitAndWhen(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	g := newGuard(t, guard.DefaultPolicies(), &now)
	ctx := context.Background()
	s := guard.Subject{Account: "user:x", Known: true, Device: "d"}
	for range 5 {
		if _, err := g.Reserve(ctx, guard.TOTP, s); err != nil {
			t.Fatal(err)
		}
	}
	_, err := g.Reserve(ctx, guard.TOTP, s)
	var r *guard.Refused
	if !errors.As(err, &r) || r.Scope != guard.ScopeAccountDevice || r.RetryAfter != 3*time.Minute {
		t.Fatalf("6th TOTP guess: %v", err)
	}
}

func TestTOTPLocksAtOneHundredUntilASuccess(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	g := newGuard(t, guard.DefaultPolicies(), &now)
	ctx := context.Background()
	s := guard.Subject{Account: "user:y", Known: true, Device: "d"}
	failures := 0
	for failures < 200 {
		if _, err := g.Reserve(ctx, guard.TOTP, s); err != nil {
			var r *guard.Refused
			if errors.As(err, &r) && r.Past == guard.Lock {
				break
			}
			now = now.Add(time.Hour) // wait out the short limits
			continue
		}
		failures++
	}
	if failures != 100 {
		t.Fatalf("locked after %d failures, want 100", failures)
	}
	now = now.Add(30 * 24 * time.Hour)
	if _, err := g.Reserve(ctx, guard.TOTP, s); err == nil {
		t.Fatal("the lock lifted by itself within a month")
	}
	if err := g.Clear(ctx, guard.TOTP, s); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Reserve(ctx, guard.TOTP, s); err != nil {
		t.Fatalf("after a recovery cleared it: %v", err)
	}
}

func TestUnprovenRequestsMeetTheStricterBudgetAndRaiseTheLevel(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	g := newGuard(t, guard.DefaultPolicies(), &now)
	ctx := context.Background()
	plain := func(i int) guard.Subject {
		return guard.Subject{IP: "192.0.2.1", Destination: "+4477009001" + string(rune('0'+i%10)) + string(rune('0'+i/10)), Country: "44"}
	}
	sent := 0
	for i := range 20 {
		if _, err := g.Reserve(ctx, guard.SendSMS, plain(i)); err == nil {
			sent++
		}
	}
	if sent != 3 {
		t.Fatalf("plain forms from one client: %d texts to 20 numbers, want 3", sent)
	}
	if g.Level() == 0 {
		t.Fatal("a tripped SMS budget did not raise the challenge level")
	}
	proven := 0
	for i := range 20 {
		s := plain(i + 20)
		s.Proof = true
		if _, err := g.Reserve(ctx, guard.SendSMS, s); err == nil {
			proven++
		}
	}
	if proven != 7 { // 10 an hour per client, 3 already spent
		t.Fatalf("with a proof of work: %d more texts, want 7", proven)
	}
	now = now.Add(16 * time.Minute)
	if g.Level() != 0 {
		t.Fatal("the level did not fall back")
	}
}

func TestIPv6IsCountedPerSlash64(t *testing.T) {
	for in, want := range map[string]string{
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"not an address":       "not an address",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
	} {
		if got := guard.ClientPrefix(in); got != want {
			t.Errorf("ClientPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOverridesAndUnknownPolicies(t *testing.T) {
	p := guard.DefaultPolicies()
	env := map[string]string{"LATCH_GUARD_PASSWORD_ACCOUNT": "4/1m"}
	if err := p.ParseOverrides(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if l := p[guard.Password].Limits[0]; l.Budget != 4 || l.Window != time.Minute {
		t.Fatalf("override: %+v", l)
	}
	if l := p[guard.Password].Limits[1]; l.Budget != 20 || l.Window != 96*time.Minute {
		t.Fatalf("the stacked limit did not scale with it: %+v", l)
	}
	env["LATCH_GUARD_PASSWORD_ACCOUNT"] = "lots"
	if err := guard.DefaultPolicies().ParseOverrides(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "LATCH_GUARD_PASSWORD_ACCOUNT") {
		t.Fatalf("a bad override: %v", err)
	}
	now := time.Now()
	g := newGuard(t, guard.DefaultPolicies(), &now)
	if _, err := g.Reserve(context.Background(), "wishful_thinking", guard.Subject{}); !errors.Is(err, guard.ErrNoPolicy) {
		t.Fatalf("a flow without a policy: %v", err)
	}
}

// TestTrackerWantsTheRightPolicy: a use is allowed only by a reservation,
// earlier in the request, of one of the policies it names; a reservation
// of another policy allows nothing.
func TestTrackerWantsTheRightPolicy(t *testing.T) {
	now := time.Now()
	g := newGuard(t, guard.DefaultPolicies(), &now)
	ctx, tr := guard.WithTracker(context.Background())
	guard.Note(ctx, guard.UseGuess, "before any reservation", guard.TOTP)
	if _, err := g.Reserve(ctx, guard.Link, guard.Subject{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	guard.Note(ctx, guard.UseGuess, "recovery code after a link's reservation", guard.RecoveryCode)
	guard.Note(ctx, guard.UseGuess, "link", guard.Link)
	guard.Note(ctx, guard.UseHash, "argon2id", guard.Password, guard.SetPassword, guard.Link)
	guard.Note(ctx, guard.UseSend, "naming no policy")
	want := []string{
		"guess without a reservation of totp: before any reservation",
		"guess without a reservation of recovery_code: recovery code after a link's reservation",
		"send naming no policy: naming no policy",
	}
	if got := tr.Problems(); !slices.Equal(got, want) {
		t.Fatalf("problems %q, want %q", got, want)
	}
}

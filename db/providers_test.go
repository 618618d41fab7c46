package db_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

// linkNotices counts "provider linked" notices, by user.
type linkNotices struct {
	mu   sync.Mutex
	sent map[uuid.UUID][]string
}

func (n *linkNotices) ProviderLinked(_ context.Context, _, userID uuid.UUID, name string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent[userID] = append(n.sent[userID], name)
	return nil
}

func (n *linkNotices) to(userID uuid.UUID) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sent[userID]
}

// xorSealer stands for the key-encryption key's sealer: what it stores
// differs from what it was given.
type xorSealer struct{}

func (xorSealer) Seal(plain, _ []byte) ([]byte, error) {
	out := make([]byte, len(plain))
	for i, b := range plain {
		out[i] = b ^ 0x5a
	}
	return out, nil
}

type providerWorld struct {
	bdb     *bun.DB
	app     uuid.UUID
	users   *db.Users
	store   *db.Providers
	flows   *auth.Providers
	notices *linkNotices
}

func newProviderWorld(t *testing.T) *providerWorld {
	t.Helper()
	bdb := dbtest.Open(t)
	w := &providerWorld{bdb: bdb, app: defaultApp(t, bdb), users: db.NewUsers(bdb), store: db.NewProviders(bdb),
		notices: &linkNotices{sent: map[uuid.UUID][]string{}}}
	w.flows = auth.NewProviders(w.store, []auth.ProviderSettings{
		{ID: "trusted", Name: "Trusted", TrustEmail: true, KeepTokens: true},
		{ID: "plain", Name: "Plain"},
		{ID: "wechat", Name: "WeChat"},
	}, db.NewAudit(bdb, nil), auth.ProvidersOptions{Notices: w.notices, Sealer: xorSealer{}})
	return w
}

// passwordUser makes an account with a password and email, verified or not.
func (w *providerWorld) passwordUser(t *testing.T, email string, verified bool) uuid.UUID {
	t.Helper()
	nu := newUser(t, w.app, email)
	if err := w.users.CreatePasswordUser(context.Background(), nu); err != nil {
		t.Fatal(err)
	}
	if verified {
		if err := w.users.MarkVerified(context.Background(), w.app, nu.User.ID, auth.IdentityEmail, email); err != nil {
			t.Fatal(err)
		}
	}
	return nu.User.ID
}

func (w *providerWorld) links(t *testing.T, userID uuid.UUID) []auth.ProviderLink {
	t.Helper()
	l, err := w.flows.Links(context.Background(), w.app, userID)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (w *providerWorld) hasPassword(t *testing.T, userID uuid.UUID) bool {
	t.Helper()
	ok, err := w.bdb.NewSelect().TableExpr("password_credentials").Where("user_id = ?", userID).Exists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func (w *providerWorld) userCount(t *testing.T) int {
	t.Helper()
	n, err := w.bdb.NewSelect().TableExpr("users").Where("app_id = ?", w.app).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func profile(provider, subject, email string, verified bool) auth.ProviderProfile {
	return auth.ProviderProfile{Provider: provider, Subject: subject, Email: email, EmailVerified: verified, Name: "Sam",
		Tokens: []byte(`{"access_token":"provider-access-token"}`)}
}

// The linking policy of the README, one test per row.

func TestProviderPolicyKnownSubjectSignsInToItsAccount(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	first, err := w.flows.SignIn(ctx, w.app, profile("plain", "s-1", "sam@example.com", true))
	if err != nil || !first.Created {
		t.Fatalf("first sign-in: %+v, %v", first, err)
	}
	// The provider's address changes; the subject decides.
	again, err := w.flows.SignIn(ctx, w.app, profile("plain", "s-1", "someone-else@example.com", false))
	if err != nil || again.Created || again.User.ID != first.User.ID || again.Held != "" {
		t.Fatalf("second sign-in: %+v, %v; want the same account", again, err)
	}
}

func TestProviderPolicyNewVerifiedAddressMakesAnAccount(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		provider     string
		wantVerified bool
	}{{"trusted", true}, {"plain", false}} {
		email := tc.provider + "-new@example.com"
		out, err := w.flows.SignIn(ctx, w.app, profile(tc.provider, "s-"+tc.provider, email, true))
		if err != nil || !out.Created || out.EmailVerified != tc.wantVerified {
			t.Fatalf("%s: %+v, %v", tc.provider, out, err)
		}
		acct, err := w.users.Account(ctx, w.app, out.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		var emailOK, linkOK bool
		for _, id := range acct.Identities {
			switch id.Kind {
			case auth.IdentityEmail:
				emailOK = id.Value == email && (id.VerifiedAt != nil) == tc.wantVerified
			case auth.IdentityProvider:
				linkOK = id.Value == tc.provider+":s-"+tc.provider && id.VerifiedAt != nil
			}
		}
		if !emailOK || !linkOK || len(acct.Identities) != 2 {
			t.Fatalf("%s: identities %+v", tc.provider, acct.Identities)
		}
	}
}

func TestProviderPolicyTrustedVerifiedAddressLinksToItsHolder(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	holder := w.passwordUser(t, "held@example.com", true)
	out, err := w.flows.SignIn(ctx, w.app, profile("trusted", "s-t", "held@example.com", true))
	if err != nil || out.User.ID != holder || !out.Linked || out.Created || out.User.Claimed {
		t.Fatalf("%+v, %v; want a link to the holder", out, err)
	}
	if !w.hasPassword(t, holder) {
		t.Fatal("a proven account lost its password to a link")
	}
	if got := w.notices.to(holder); len(got) != 1 || got[0] != "Trusted" {
		t.Fatalf("notices = %v, want one for Trusted", got)
	}
	if l := w.links(t, holder); len(l) != 1 || l[0].Subject != "s-t" {
		t.Fatalf("links = %+v", l)
	}
}

func TestProviderPolicyTrustedProofOfAnUnprovenAddressClaimsIt(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	// Someone signed up with this address and never proved it, then
	// linked a provider of their own.
	squatter := w.passwordUser(t, "claimed@example.com", false)
	if err := w.flows.Link(ctx, w.app, squatter, profile("plain", "squatter", "", false), "signed_in"); err != nil {
		t.Fatal(err)
	}
	out, err := w.flows.SignIn(ctx, w.app, profile("trusted", "owner", "claimed@example.com", true))
	if err != nil || out.User.ID != squatter || !out.User.Claimed || !out.Linked {
		t.Fatalf("%+v, %v; want the account claimed and linked", out, err)
	}
	if w.hasPassword(t, squatter) {
		t.Fatal("the password set before the proof survived it")
	}
	l := w.links(t, squatter)
	if len(l) != 1 || l[0].Provider != "trusted" {
		t.Fatalf("links = %+v, want only the owner's", l)
	}
}

func TestProviderPolicyUntrustedVerifiedAddressInUseIsHeld(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	holder := w.passwordUser(t, "mine@example.com", true)
	out, err := w.flows.SignIn(ctx, w.app, profile("plain", "s-p", "mine@example.com", true))
	if err != nil || out.Held != auth.HeldEmailInUse || out.User.ID != uuid.Nil {
		t.Fatalf("%+v, %v; want held, no account", out, err)
	}
	if l := w.links(t, holder); len(l) != 0 {
		t.Fatalf("the holder got a link by email alone: %+v", l)
	}
	// Once the holder signs in and confirms, it is linked.
	if err := w.flows.Link(ctx, w.app, holder, profile("plain", "s-p", "mine@example.com", true), "confirmed"); err != nil {
		t.Fatal(err)
	}
	if l := w.links(t, holder); len(l) != 1 {
		t.Fatalf("links = %+v", l)
	}
}

func TestProviderPolicyUnverifiedOrMissingAddressIsHeld(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	victim := w.passwordUser(t, "victim@example.com", true)
	before := w.userCount(t)
	for _, prof := range []auth.ProviderProfile{
		profile("trusted", "attacker", "victim@example.com", false), // an address the provider does not vouch for
		profile("trusted", "nobody", "fresh@example.com", false),
		profile("wechat", "unionid:abc", "", false), // WeChat gives no address
	} {
		out, err := w.flows.SignIn(ctx, w.app, prof)
		if err != nil || out.Held != auth.HeldNoVerifiedEmail || out.User.ID != uuid.Nil {
			t.Fatalf("%+v: %+v, %v; want held", prof, out, err)
		}
	}
	if n := w.userCount(t); n != before {
		t.Fatalf("%d accounts made from unvouched addresses", n-before)
	}
	if l := w.links(t, victim); len(l) != 0 || !w.hasPassword(t, victim) {
		t.Fatal("an unverified provider email touched the account holding it")
	}
}

func TestProviderPolicyLinkingWhileSignedIn(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	a := w.passwordUser(t, "a@example.com", true)
	b := w.passwordUser(t, "b@example.com", true)
	if err := w.flows.Link(ctx, w.app, a, profile("plain", "s-a", "", false), "signed_in"); err != nil {
		t.Fatal(err)
	}
	// Again: nothing changes, no second notice.
	if err := w.flows.Link(ctx, w.app, a, profile("plain", "s-a", "", false), "signed_in"); err != nil {
		t.Fatal(err)
	}
	if n := len(w.notices.to(a)); n != 1 {
		t.Fatalf("%d notices, want 1", n)
	}
	// The same provider account for another user: refused.
	err := w.flows.Link(ctx, w.app, b, profile("plain", "s-a", "", false), "signed_in")
	if auth.Code(err) != messages.ProviderLinkedElsewhere {
		t.Fatalf("err = %v, want ProviderLinkedElsewhere", err)
	}
	// A second account of the same provider for a: refused.
	err = w.flows.Link(ctx, w.app, a, profile("plain", "s-a2", "", false), "signed_in")
	if auth.Code(err) != messages.ProviderOtherLinked {
		t.Fatalf("err = %v, want ProviderOtherLinked", err)
	}
	if l := w.links(t, b); len(l) != 0 {
		t.Fatalf("b got %+v", l)
	}
	// A linked provider signs in to its account, whatever its address says.
	out, err := w.flows.SignIn(ctx, w.app, profile("plain", "s-a", "b@example.com", true))
	if err != nil || out.User.ID != a {
		t.Fatalf("%+v, %v; want a", out, err)
	}
}

func TestProviderPolicyHeldAfterReset(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	u := w.passwordUser(t, "reset@example.com", true)
	if _, err := w.bdb.NewUpdate().TableExpr("users").Set("password_reset_at = now()").Where("id = ?", u).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	err := w.flows.Link(ctx, w.app, u, profile("plain", "s-r", "", false), "signed_in")
	if auth.Code(err) != messages.ChangeHeldAfterReset {
		t.Fatalf("err = %v, want ChangeHeldAfterReset", err)
	}
}

func TestProviderPolicySuspendedAccount(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	out, err := w.flows.SignIn(ctx, w.app, profile("plain", "s-s", "sus@example.com", true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.users.SetStatus(ctx, w.app, out.User.ID, auth.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	if _, err := w.flows.SignIn(ctx, w.app, profile("plain", "s-s", "sus@example.com", true)); auth.Code(err) != messages.ProviderAccountUnavailable {
		t.Fatalf("err = %v, want ProviderAccountUnavailable", err)
	}
	if _, err := w.flows.SignIn(ctx, w.app, profile("trusted", "s-s2", "sus@example.com", true)); auth.Code(err) != messages.ProviderAccountUnavailable {
		t.Fatalf("trusted by email: err = %v, want ProviderAccountUnavailable", err)
	}
}

func TestProviderUnlinkKeepsAWayIn(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	// An account reachable only through a provider.
	u := auth.User{ID: uuid.Must(uuid.NewV7()), AppID: w.app, Status: auth.StatusActive, CreatedAt: time.Now().UTC()}
	if err := w.store.CreateProviderUser(ctx, u, auth.ProviderLink{Provider: "wechat", Subject: "openid:x", CreatedAt: u.CreatedAt}, nil, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.flows.Unlink(ctx, w.app, u.ID, "wechat"); auth.Code(err) != messages.ProviderLastWayIn {
		t.Fatalf("err = %v, want ProviderLastWayIn", err)
	}
	if err := w.flows.Unlink(ctx, w.app, u.ID, "plain"); auth.Code(err) != messages.ProviderNotLinked {
		t.Fatalf("err = %v, want ProviderNotLinked", err)
	}
	// With a second provider, the first can go.
	if err := w.flows.Link(ctx, w.app, u.ID, profile("plain", "s-u", "", false), "signed_in"); err != nil {
		t.Fatal(err)
	}
	if err := w.flows.Unlink(ctx, w.app, u.ID, "wechat"); err != nil {
		t.Fatal(err)
	}
	if l := w.links(t, u.ID); len(l) != 1 || l[0].Provider != "plain" {
		t.Fatalf("links = %+v", l)
	}
	// And an identity can go while a provider remains.
	v := w.passwordUser(t, "v@example.com", true)
	if err := w.flows.Link(ctx, w.app, v, profile("plain", "s-v", "", false), "signed_in"); err != nil {
		t.Fatal(err)
	}
	acct, err := w.users.Account(ctx, w.app, v)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.CanRemove(acct, auth.IdentityEmail, "v@example.com"); err != nil {
		t.Fatalf("a linked provider is not counted as a way in: %v", err)
	}
}

func TestProviderSignInRaceMakesOneAccount(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	before := w.userCount(t)
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, 4)
	errs := make([]error, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := w.flows.SignIn(ctx, w.app, profile("trusted", "racer", "racer@example.com", true))
			ids[i], errs[i] = out.User.ID, err
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("sign-in %d: %v, %v (first %v)", i, ids[i], errs[i], ids[0])
		}
	}
	if n := w.userCount(t) - before; n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
}

func TestProviderTokensAreKeptSealedOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		provider string
		kept     bool
	}{{"trusted", true}, {"plain", false}} {
		if _, err := w.flows.SignIn(ctx, w.app, profile(tc.provider, "tok-"+tc.provider, tc.provider+"-tok@example.com", true)); err != nil {
			t.Fatal(err)
		}
		var tokens []byte
		if err := w.bdb.NewSelect().TableExpr("provider_links").Column("tokens").
			Where("provider = ? AND subject = ?", tc.provider, "tok-"+tc.provider).Scan(ctx, &tokens); err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.kept && (len(tokens) == 0 || bytes.Contains(tokens, []byte("provider-access-token"))):
			t.Fatalf("%s: tokens %q, want sealed", tc.provider, tokens)
		case !tc.kept && tokens != nil:
			t.Fatalf("%s: tokens kept without being asked", tc.provider)
		}
	}
}

func TestProviderEventsAreAudited(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	out, err := w.flows.SignIn(ctx, w.app, profile("trusted", "aud", "aud@example.com", true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.flows.SignIn(ctx, w.app, profile("trusted", "aud", "aud@example.com", true)); err != nil {
		t.Fatal(err)
	}
	if err := w.flows.Unlink(ctx, w.app, out.User.ID, "trusted"); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := w.bdb.NewSelect().TableExpr("audit_events").Column("event").Where("user_id = ?", out.User.ID).
		OrderExpr("id").Scan(ctx, &names); err != nil {
		t.Fatal(err)
	}
	want := []string{"signup", "provider.sign_in", "provider.unlink"}
	if len(names) != len(want) {
		t.Fatalf("events %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("events %v, want %v", names, want)
		}
	}
}

// secondFactorFor says userID signs in with a second factor.
type secondFactorFor struct{ userID uuid.UUID }

func (s secondFactorFor) Required(_ context.Context, _, userID uuid.UUID) (bool, error) {
	return userID == s.userID, nil
}

func TestProviderPolicyTrustedLinkWaitsForTheSecondFactor(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	ctx := context.Background()
	holder := w.passwordUser(t, "twofa@example.com", true)
	flows := auth.NewProviders(w.store, []auth.ProviderSettings{{ID: "trusted", Name: "Trusted", TrustEmail: true}},
		db.NewAudit(w.bdb, nil), auth.ProvidersOptions{Notices: w.notices, SecondFactors: secondFactorFor{holder}})
	out, err := flows.SignIn(ctx, w.app, profile("trusted", "s-2fa", "twofa@example.com", true))
	if err != nil || out.User.ID != holder || !out.LinkAfterSecondFactor || out.Linked {
		t.Fatalf("%+v, %v; want the holder, the link left for the second factor", out, err)
	}
	if l := w.links(t, holder); len(l) != 0 || len(w.notices.to(holder)) != 0 {
		t.Fatalf("linked before the second factor: %+v", l)
	}
	linked, err := flows.CompleteTrustedLink(ctx, w.app, holder, profile("trusted", "s-2fa", "twofa@example.com", true))
	if err != nil || !linked {
		t.Fatalf("completing the link: %v, %v", linked, err)
	}
	if l := w.links(t, holder); len(l) != 1 || len(w.notices.to(holder)) != 1 {
		t.Fatalf("after the second factor: links %+v, notices %v", l, w.notices.to(holder))
	}
	// A provider not trusted for emails has no link to complete.
	if _, err := flows.CompleteTrustedLink(ctx, w.app, holder, profile("plain", "s-x", "", false)); auth.Code(err) != messages.ProviderUnknown {
		t.Fatalf("completing an untrusted link: %v", err)
	}
}

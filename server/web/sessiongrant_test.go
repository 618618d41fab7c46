package web_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/session"
	"github.com/latch-dev/latch/server/token"
)

// slowFamilies is the refresh-token store with a session family that
// takes a while to write: the clock moves on while it does.
type slowFamilies struct {
	*db.RefreshTokens
	clock *clock
	delay time.Duration
}

func (s slowFamilies) SessionFamily(ctx context.Context, f auth.TokenFamily, sessionToken string) (auth.TokenFamily, error) {
	s.clock.Advance(s.delay)
	return s.RefreshTokens.SessionFamily(ctx, f, sessionToken)
}

// TestSessionTokenNeverOutlivesItsFamily: a browser session's access token
// is never announced as living past its family's end, however long the
// store took, so the page renews it before the family refuses it.
func TestSessionTokenNeverOutlivesItsFamily(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{tokens: tokenOptions{accessTTL: 2 * time.Second}})
	c := h.signup("slow-store@example.com", "correct horse staple 1")
	id := userID(t, h, c)
	replay, err := token.NewSealer(h.tok.kek, token.PurposeRefreshReplay)
	if err != nil {
		t.Fatal(err)
	}
	flows := auth.NewTokens(nil, slowFamilies{RefreshTokens: h.tok.store, clock: h.clock, delay: 1500 * time.Millisecond},
		h.tok.ring, replay, h.audit, auth.TokenOptions{Clock: h.clock.Now})
	u, err := url.Parse(h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var sessionToken string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == session.CookieName(false) {
			sessionToken = ck.Value
		}
	}
	if sessionToken == "" {
		t.Fatal("no session cookie")
	}
	g, err := flows.SessionGrant(context.Background(), h.appID, id, sessionToken)
	if err != nil {
		t.Fatal(err)
	}
	p, err := flows.Authenticate(context.Background(), h.appID, g.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	// Up to the end the grant announces, the family must still be live.
	live, err := h.tok.store.FamilyLive(context.Background(), h.appID, id, p.FamilyID, g.ExpiresAt.Add(-time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if !live {
		t.Fatalf("token announced until %s (in %d s), but its family has ended by then", g.ExpiresAt, g.ExpiresIn)
	}
}

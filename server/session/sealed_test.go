package session_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/latch-dev/latch/server/session"
)

// heldServer is a Manager over store sealing with sealer, behind:
//
//	POST /hold?reset=…&recovery=…  keeps both tokens
//	GET  /held?recovery=…          answers "reset recovery holds"
func heldServer(t *testing.T, r *rig, sealer session.Sealer) *httptest.Server {
	t.Helper()
	m := session.New(r.store, session.Options{IdleTimeout: idle, Lifetime: lifetime, Clock: r.clock.Now, Sealer: sealer})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hold", func(w http.ResponseWriter, req *http.Request) {
		m.HoldResetToken(req.Context(), req.URL.Query().Get("reset"))
		m.RememberRecovery(req.Context(), req.URL.Query().Get("recovery"))
	})
	mux.HandleFunc("GET /held", func(w http.ResponseWriter, req *http.Request) {
		holds := "no"
		if m.HoldsRecovery(req.Context(), req.URL.Query().Get("recovery")) {
			holds = "yes"
		}
		io.WriteString(w, m.ResetToken(req.Context())+" "+m.RecoveryToken(req.Context())+" "+holds)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

// TestHeldTokensAreSealedAtRest: the link tokens a session holds between
// two steps (a reset's, a recovery's finish) are never in the sessions
// table in plain form. Another instance with the same key reads them; a
// process with another key reads nothing (and holds nothing).
func TestHeldTokensAreSealedAtRest(t *testing.T) {
	r := newRig(t)
	kek := bytes.Repeat([]byte{7}, 32)
	one, err := session.NewSealer(kek)
	if err != nil {
		t.Fatal(err)
	}
	two, err := session.NewSealer(kek)
	if err != nil {
		t.Fatal(err)
	}
	a, b, stranger := heldServer(t, r, one), heldServer(t, r, two), heldServer(t, r, nil)
	const reset, recovery = "rst_4f1d9c0b7e2a4c3d9e8f", "rcv_9a8b7c6d5e4f3a2b1c0d"
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/hold?reset="+reset+"&recovery="+recovery, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == session.CookieName(false) {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie after holding the tokens")
	}
	var rows [][]byte
	if err := r.db.NewRaw("SELECT data FROM sessions").Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no session stored")
	}
	for _, data := range rows {
		for _, tok := range []string{reset, recovery} {
			if bytes.Contains(data, []byte(tok)) {
				t.Errorf("the sessions table holds %q in plain form", tok)
			}
		}
	}
	read := func(srv *httptest.Server) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/held?recovery="+recovery, nil)
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if got, want := read(a), reset+" "+recovery+" yes"; got != want {
		t.Errorf("the instance that kept them reads %q, want %q", got, want)
	}
	if got, want := read(b), reset+" "+recovery+" yes"; got != want {
		t.Errorf("another instance with the same key reads %q, want %q", got, want)
	}
	if got := read(stranger); got != "  no" {
		t.Errorf("a process with another key reads %q, want nothing", got)
	}
}

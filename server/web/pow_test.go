package web_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	clientpow "github.com/latch-dev/latch/client/pow"
	"github.com/latch-dev/latch/components/ui"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/pow"
	"github.com/latch-dev/latch/server/web"
	"github.com/latch-dev/latch/static"
)

// newProofs is a proof-of-work issuer at bits over its own database.
func newProofs(t *testing.T, bits int) *pow.Issuer {
	t.Helper()
	iss, err := pow.NewIssuer([]byte("a proof-of-work key for tests 32"), db.NewSpentProofs(dbtest.Open(t), nil), pow.Options{Bits: bits})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// botChecks records the bot check of every POST to one path, run as the
// handlers run it (web.Server.BotCheckOf is botCheck) on the very request,
// before the handler sees it.
type botChecks struct {
	mu     sync.Mutex
	checks []web.BotCheck
	logMu  sync.Mutex
	logs   strings.Builder // the checker's log, at debug
}

// wrap returns middleware that records the bot checks. Its checker
// spends proofs with an issuer of its own (the same key and
// difficulty, its own spent-proof database), so the handler behind it
// finds the proof unspent in the harness's.
func (b *botChecks) wrap(t *testing.T, bits int, path string) func(http.Handler) http.Handler {
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(lockedWriter{w: &b.logs, mu: &b.logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	checker := web.New(web.Deps{Proofs: newProofs(t, bits), Assets: assets, Logger: log})
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == path {
				c := checker.BotCheckOf(r)
				b.mu.Lock()
				b.checks = append(b.checks, c)
				b.mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (b *botChecks) all() []web.BotCheck {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]web.BotCheck(nil), b.checks...)
}

// challenge fetches GET /pow/challenge.
func challenge(t *testing.T, h *harness, c *http.Client) (value string, bits, expiresIn int) {
	t.Helper()
	r := h.get(c, "/pow/challenge")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /pow/challenge: %d %v %s", r.status, r.header, r.body)
	}
	var body struct {
		Challenge string `json:"challenge"`
		Bits      int    `json:"bits"`
		ExpiresIn int    `json:"expires_in"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("GET /pow/challenge: %v: %s", err, r.body)
	}
	if r.header.Get("Set-Cookie") != "" {
		t.Errorf("GET /pow/challenge set a cookie: %s", r.header.Get("Set-Cookie"))
	}
	return body.Challenge, body.Bits, body.ExpiresIn
}

// TestBotCheck drives the bot check through the real router and forms:
// the challenge endpoint, a valid proof (accepted once), a replay, a
// forged one, none, and the honeypot.
func TestBotCheck(t *testing.T) {
	t.Parallel()
	const bits = 10
	proofs := newProofs(t, bits)
	var seen botChecks
	h := newHarnessWith(t, harnessOptions{proofs: proofs, wrap: seen.wrap(t, bits, "/signup")})
	c := h.browser()

	value, gotBits, expiresIn := challenge(t, h, c)
	if gotBits != bits || expiresIn < 290 || expiresIn > 300 {
		t.Fatalf("challenge asks %d bits and expires in %ds; want %d bits and about 300s", gotBits, expiresIn, bits)
	}
	counter, ok := clientpow.NewSolver(value).Search(0, 1<<30, gotBits)
	if !ok {
		t.Fatal("no solution")
	}
	proof := clientpow.Proof(value, counter)
	// Another signature: one character of it changed (not the last, whose
	// low bits are padding).
	b := []byte(value)
	if b[len(b)-3] == 'A' {
		b[len(b)-3] = 'B'
	} else {
		b[len(b)-3] = 'A'
	}
	forged := clientpow.Proof(string(b), counter)

	signup := func(email string, extra url.Values) {
		form := url.Values{"email": {email}, "password": {"a long enough password"}}
		for k, v := range extra {
			form[k] = v
		}
		h.post(c, "/signup", form)
	}
	signup("pow-valid@example.com", url.Values{ui.ProofField: {proof}, ui.HoneypotField: {""}})
	signup("pow-replay@example.com", url.Values{ui.ProofField: {proof}, ui.HoneypotField: {""}})
	signup("pow-forged@example.com", url.Values{ui.ProofField: {forged}, ui.HoneypotField: {""}})
	signup("pow-none@example.com", url.Values{ui.ProofField: {""}, ui.HoneypotField: {""}})
	signup("pow-honeypot@example.com", url.Values{ui.ProofField: {""}, ui.HoneypotField: {"https://spam.example"}})
	signup("pow-absent@example.com", nil)

	want := []web.BotCheck{
		{Proof: true, Bits: bits},
		{}, // replayed
		{}, // forged
		{}, // none: JavaScript off
		{Honeypot: true},
		{}, // neither field: an API client
	}
	got := seen.all()
	if len(got) != len(want) {
		t.Fatalf("%d bot checks recorded, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("post %d: bot check %+v, want %+v", i, got[i], want[i])
		}
	}
	seen.logMu.Lock()
	logs := seen.logs.String()
	seen.logMu.Unlock()
	for _, want := range []string{"challenge already spent", "challenge signature does not match"} {
		if !strings.Contains(logs, "proof of work refused") || !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q at debug:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "proof of work not checked") {
		t.Errorf("a refused proof was logged as a failure:\n%s", logs)
	}
}

// TestPowChallengeOff: without Proofs there is no challenge endpoint, and
// a proof sent anyway counts for nothing.
func TestPowChallengeOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if r := h.get(h.browser(), "/pow/challenge"); r.status != http.StatusNotFound {
		t.Errorf("GET /pow/challenge without Proofs: %d, want 404", r.status)
	}
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/signup", strings.NewReader(url.Values{ui.ProofField: {"x.1"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got := web.New(web.Deps{Assets: assets}).BotCheckOf(req); got != (web.BotCheck{}) {
		t.Errorf("bot check without Proofs = %+v, want nothing", got)
	}
}

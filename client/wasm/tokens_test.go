//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"sync"
	"syscall/js"
	"testing"
)

// These tests run under Node (see module_test.go) against a fake server:
// Node has fetch's Request, Response and Headers, and BroadcastChannel, but
// no Web Locks, which fakeLocks stands in for.

const (
	testOrigin   = "http://latch.test"
	testEndpoint = "/auth/token"
)

// fakeServer answers the token endpoint and the API.
type fakeServer struct {
	mu         sync.Mutex
	life       int // expires_in of minted tokens, in seconds
	mintStatus int // 0 for 200
	mints      int
	refused    map[string]bool // tokens the API answers 401 for
	calls      []string        // the Authorization of each API call
	fetch      js.Func
}

func newFakeServer(t *testing.T) *fakeServer {
	s := &fakeServer{life: 300, refused: map[string]bool{}}
	s.fetch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		input, init := args[0], args[1]
		// Answer on a later turn of the event loop, as a network would.
		return promise(func() (js.Value, js.Value) {
			if input.Type() == js.TypeString {
				return s.mint(input.String(), init), js.Undefined()
			}
			return s.api(init.Get("headers").Call("get", "Authorization").String()), js.Undefined()
		})
	})
	t.Cleanup(s.fetch.Release)
	return s
}

func response(status int, body string, headers map[string]any) js.Value {
	return js.Global().Get("Response").New(body, map[string]any{"status": status, "headers": headers})
}

func (s *fakeServer) mint(url string, init js.Value) js.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	if url != testEndpoint || init.Get("method").String() != "POST" || init.Get("credentials").String() != "same-origin" {
		return response(400, `{"error":"invalid_request"}`, nil)
	}
	s.mints++
	if s.mintStatus != 0 {
		return response(s.mintStatus, `{"error":"login_required"}`, map[string]any{"Content-Type": "application/json"})
	}
	return response(200, `{"access_token":"tok-`+strconv.Itoa(s.mints)+`","token_type":"Bearer","expires_in":`+strconv.Itoa(s.life)+`,"user_id":"u-1"}`,
		map[string]any{"Content-Type": "application/json"})
}

func (s *fakeServer) api(authorization string) js.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, authorization)
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || s.refused[token] {
		return response(401, `{"error":"invalid_token"}`, map[string]any{"WWW-Authenticate": `Bearer realm="latch", error="invalid_token"`})
	}
	return response(200, `{"id":"u-1"}`, map[string]any{"Content-Type": "application/json"})
}

func (s *fakeServer) counts() (mints, calls int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mints, len(s.calls)
}

// fakeClock is Date.now for a manager, and its timers: a timer is only
// recorded, for the test to fire, except short ones (the wait for another
// tab's broadcast), which run on Node's own.
type fakeClock struct {
	now    float64
	timers []fakeTimer
}

type fakeTimer struct {
	at      float64
	f       func()
	stopped *bool
}

func (c *fakeClock) after(ms float64, f func()) func() {
	if ms <= broadcastWait {
		return after(ms, f)
	}
	stopped := new(bool)
	c.timers = append(c.timers, fakeTimer{at: c.now + ms, f: f, stopped: stopped})
	return func() { *stopped = true }
}

// fire runs the timers due by now that were not stopped.
func (c *fakeClock) fire() {
	due := c.timers[:0:0]
	rest := c.timers[:0:0]
	for _, tm := range c.timers {
		if tm.at <= c.now {
			due = append(due, tm)
		} else {
			rest = append(rest, tm)
		}
	}
	c.timers = rest
	for _, tm := range due {
		if !*tm.stopped {
			tm.f()
		}
	}
}

// pending counts the timers neither fired nor stopped.
func (c *fakeClock) pending() int {
	n := 0
	for _, tm := range c.timers {
		if !*tm.stopped {
			n++
		}
	}
	return n
}

func newTestManager(s *fakeServer, c *fakeClock) *tokenManager {
	return newTokenManager(testEndpoint, testOrigin, tokenEnv{
		fetch:   s.fetch.Value,
		now:     func() float64 { return c.now },
		after:   c.after,
		channel: js.Undefined(),
		locks:   js.Undefined(),
	})
}

// settle lets callbacks and goroutines started by the code under test run:
// it waits for a real timer, so the event loop turns.
func settle() {
	done := make(chan struct{})
	after(5, func() { close(done) })
	<-done
}

// eventually settles until cond holds, for at most a second.
func eventually(cond func() bool) bool {
	for range 200 {
		if cond() {
			return true
		}
		settle()
	}
	return cond()
}

func TestNewAccessTokenTimes(t *testing.T) {
	tests := []struct {
		lifeMS, renewAt, until float64
	}{
		{300_000, 240_000, 295_000}, // the default 5 minutes: renewed a minute ahead
		{3_600_000, 3_540_000, 3_595_000},
		{2_000, 1_500, 1_800}, // a very short token: the shares apply
		{60_000, 45_000, 55_000},
	}
	for _, tt := range tests {
		got := newAccessToken("x", 1000, tt.lifeMS)
		if got.renewAt != 1000+tt.renewAt || got.until != 1000+tt.until {
			t.Errorf("life %v: renewAt %v until %v, want %v and %v", tt.lifeMS, got.renewAt-1000, got.until-1000, tt.renewAt, tt.until)
		}
	}
}

func TestGetSharesOneMint(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	m := newTestManager(s, c)
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, st := m.get()
			if st != tokenOK {
				t.Errorf("get %d: status %d", i, st)
			}
			got[i] = tok
		}()
	}
	wg.Wait()
	if mints, _ := s.counts(); mints != 1 {
		t.Fatalf("%d concurrent first calls minted %d tokens, want 1", len(got), mints)
	}
	for i, tok := range got {
		if tok != "tok-1" {
			t.Errorf("call %d got %q, want tok-1", i, tok)
		}
	}
	// Until renewal is due, the same token, no request.
	c.now += 239_000
	if tok, _ := m.get(); tok != "tok-1" {
		t.Fatalf("before renewal got %q", tok)
	}
	if mints, _ := s.counts(); mints != 1 {
		t.Fatalf("minted %d tokens before renewal was due", mints)
	}
}

func TestGetRenewsAheadOfTheEnd(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	m := newTestManager(s, c)
	if tok, _ := m.get(); tok != "tok-1" {
		t.Fatalf("first token %q", tok)
	}
	// Renewal due but the token still good: sent at once, renewed behind.
	c.now += 250_000
	if tok, _ := m.get(); tok != "tok-1" {
		t.Fatalf("with renewal due got %q, want the held token at once", tok)
	}
	eventually(func() bool { return m.held.value == "tok-2" })
	if mints, _ := s.counts(); mints != 2 || m.held.value != "tok-2" {
		t.Fatalf("after a call with renewal due: %d mints, holding %q; want 2, tok-2", mints, m.held.value)
	}
	// In its last seconds a token is no longer sent: the call waits.
	c.now += 296_000
	if tok, _ := m.get(); tok != "tok-3" {
		t.Fatalf("past the stop point got %q, want a new token", tok)
	}
}

func TestTimerRenewsOnlyATokenInUse(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	m := newTestManager(s, c)
	if _, st := m.get(); st != tokenOK {
		t.Fatal("no first token")
	}
	m.used = false // as if only minted, never sent
	c.now += 240_000
	c.fire()
	settle()
	if mints, _ := s.counts(); mints != 1 {
		t.Fatalf("an unused token was renewed: %d mints", mints)
	}
	// Used, then due: renewed by the timer.
	c.now = 2e12
	m.held = accessToken{}
	if _, st := m.get(); st != tokenOK {
		t.Fatal("no second token")
	}
	if _, st := m.get(); st != tokenOK { // a call uses it
		t.Fatal("no token for a call")
	}
	c.now += 240_000
	c.fire()
	eventually(func() bool { return m.held.value == "tok-3" })
	if mints, _ := s.counts(); mints != 3 || m.held.value != "tok-3" {
		t.Fatalf("a used token at its renewal time: %d mints, holding %q; want 3, tok-3", mints, m.held.value)
	}
	if n := c.pending(); n != 1 {
		t.Fatalf("%d renewal timers pending, want the new token's one", n)
	}
}

// callGo runs m.call for a URL and returns the response status, or the
// error's code (or name) when it rejects.
func callGo(m *tokenManager, url string) (status int, failure string) {
	resp, f := m.call(js.ValueOf(url), js.Undefined())
	if !f.IsUndefined() {
		if code := stringField(f, "code"); code != "" {
			return 0, code
		}
		return 0, stringField(f, "name")
	}
	return resp.Get("status").Int(), ""
}

func TestCallRetriesOnceWithANewToken(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	m := newTestManager(s, c)
	if status, f := callGo(m, testOrigin+"/api/v1/me"); status != 200 {
		t.Fatalf("first call: %d %s", status, f)
	}
	// The API refuses tok-1 (revoked, or expired on the way): one retry.
	s.mu.Lock()
	s.refused["tok-1"] = true
	s.mu.Unlock()
	if status, f := callGo(m, testOrigin+"/api/v1/me"); status != 200 {
		t.Fatalf("call after the token was refused: %d %s", status, f)
	}
	mints, calls := s.counts()
	if mints != 2 || calls != 3 {
		t.Fatalf("%d mints and %d API calls, want 2 and 3", mints, calls)
	}
	if s.calls[1] != "Bearer tok-1" || s.calls[2] != "Bearer tok-2" {
		t.Fatalf("Authorization sent: %q", s.calls)
	}
}

func TestCallStopsWhenSignedOut(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	m := newTestManager(s, c)
	if status, _ := callGo(m, testOrigin+"/api/v1/me"); status != 200 {
		t.Fatal("first call failed")
	}
	// Logged out elsewhere: the token is revoked and no new one is given.
	s.mu.Lock()
	s.refused["tok-1"] = true
	s.mintStatus = 401
	s.mu.Unlock()
	if _, f := callGo(m, testOrigin+"/api/v1/me"); f != "login_required" {
		t.Fatalf("call after logout: failure %q, want login_required", f)
	}
	settle()
	mints, calls := s.counts()
	if mints != 2 || calls != 2 {
		t.Fatalf("after logout: %d mints and %d API calls, want 2 and 2 (one call, one retry mint, no more)", mints, calls)
	}
	if m.held.value != "" || c.pending() != 0 {
		t.Fatalf("still holding %q with %d renewal timers", m.held.value, c.pending())
	}
	// The next call asks once more (the person may have logged in again
	// in another tab), then gives up again: never a loop.
	if _, f := callGo(m, testOrigin+"/api/v1/me"); f != "login_required" {
		t.Fatalf("next call: %q", f)
	}
	if mints, calls := s.counts(); mints != 3 || calls != 2 {
		t.Fatalf("next call: %d mints, %d API calls; want 3 and 2", mints, calls)
	}
}

func TestCallSendsTheTokenToThisOriginOnly(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	m := newTestManager(s, c)
	for _, url := range []string{"https://elsewhere.example/api/v1/me", "//elsewhere.example/x", "http://latch.test:8080/api/v1/me", "https://latch.test/api/v1/me"} {
		if _, f := callGo(m, url); f != "TypeError" {
			t.Errorf("call to %s: failure %q, want a TypeError", url, f)
		}
	}
	if mints, calls := s.counts(); mints != 0 || calls != 0 {
		t.Fatalf("%d mints and %d calls for other origins", mints, calls)
	}
}

func TestMintFailures(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   tokenStatus
	}{{401, tokenSignedOut}, {403, tokenUnavailable}, {500, tokenUnavailable}, {503, tokenUnavailable}} {
		s, c := newFakeServer(t), &fakeClock{now: 1e12}
		s.mintStatus = tt.status
		m := newTestManager(s, c)
		if tok, st := m.get(); tok != "" || st != tt.want {
			t.Errorf("mint answered %d: %q, status %d; want status %d", tt.status, tok, st, tt.want)
		}
	}
}

// fakeLocks is navigator.locks for tabs in one Node process: one holder
// at a time, in request order, with ifAvailable.
func fakeLocks() js.Value {
	return js.Global().Get("Function").New(`
		let held = false, queue = [];
		const release = () => { held = false; const next = queue.shift(); if (next) next(); };
		return { request(name, opts, cb) {
			if (typeof opts === "function") { cb = opts; opts = {}; }
			if (opts.ifAvailable && (held || queue.length)) return Promise.resolve().then(() => cb(null));
			return new Promise((resolve, reject) => {
				const run = () => { held = true; Promise.resolve().then(() => cb({ name })).then(
					(v) => { release(); resolve(v); }, (e) => { release(); reject(e); }); };
				if (held) queue.push(run); else run();
			});
		} };`).Invoke()
}

func TestTabsShareOneRenewal(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	locks := fakeLocks()
	tab := func() *tokenManager {
		ch := js.Global().Get("BroadcastChannel").New(tokenChannelName)
		t.Cleanup(func() { ch.Call("close") })
		m := newTokenManager(testEndpoint, testOrigin, tokenEnv{
			fetch: s.fetch.Value, now: func() float64 { return c.now }, after: c.after, channel: ch, locks: locks,
		})
		m.listen()
		return m
	}
	a, b := tab(), tab()

	// A mints and broadcasts; B adopts instead of minting.
	if tok, _ := a.get(); tok != "tok-1" {
		t.Fatalf("tab A got %q", tok)
	}
	eventually(func() bool { return b.held.value == "tok-1" })
	if b.held.value != "tok-1" {
		t.Fatalf("tab B holds %q after A's broadcast, want tok-1", b.held.value)
	}
	if tok, _ := b.get(); tok != "tok-1" {
		t.Fatalf("tab B got %q", tok)
	}

	// Both find the token past its stop point at once: one mint.
	c.now += 296_000
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i, m := range []*tokenManager{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = m.get()
		}()
	}
	wg.Wait()
	if mints, _ := s.counts(); mints != 2 {
		t.Fatalf("two tabs renewing together minted %d tokens in all, want 2 (one each time)", mints)
	}
	if got[0] != "tok-2" || got[1] != "tok-2" {
		t.Fatalf("tabs got %q, want both tok-2", got)
	}

	// Their renewal timers fire together: still one mint.
	c.now = a.held.renewAt
	c.fire()
	eventually(func() bool {
		return a.held.value == "tok-3" && b.held.value == "tok-3" && a.flight == nil && b.flight == nil
	})
	settle()
	if mints, _ := s.counts(); mints != 3 || a.held.value != "tok-3" || b.held.value != "tok-3" {
		t.Fatalf("timers firing in both tabs: %d mints, A holds %q, B %q; want 3, tok-3, tok-3", mints, a.held.value, b.held.value)
	}
}

func TestBroadcastKeepsTheLongerLivedToken(t *testing.T) {
	s, c := newFakeServer(t), &fakeClock{now: 1e12}
	m := newTestManager(s, c)
	deliver := func(data map[string]any) {
		ev := js.Global().Get("Object").New()
		ev.Set("data", data)
		m.onMessage(js.Undefined(), []js.Value{ev})
	}
	deliver(map[string]any{"kind": "token", "token": "peer-1", "renewAt": c.now + 1000, "until": c.now + 2000})
	if m.held.value != "peer-1" {
		t.Fatalf("held %q, want the peer's token", m.held.value)
	}
	for _, bad := range []map[string]any{
		{"kind": "token", "token": "older", "renewAt": c.now + 500, "until": c.now + 1500},
		{"kind": "token", "token": "expired", "renewAt": c.now - 2000, "until": c.now - 1000},
		{"kind": "token", "token": "", "renewAt": c.now + 5000, "until": c.now + 6000},
		{"kind": "token", "token": 42, "renewAt": c.now + 5000, "until": c.now + 6000},
		{"kind": "token", "token": "no-times"},
		{"kind": "hello", "token": "other-kind", "renewAt": c.now + 5000, "until": c.now + 6000},
	} {
		deliver(bad)
		if m.held.value != "peer-1" {
			t.Fatalf("message %v replaced the token with %q", bad, m.held.value)
		}
	}
	deliver(map[string]any{"kind": "token", "token": "peer-2", "renewAt": c.now + 3000, "until": c.now + 4000})
	if m.held.value != "peer-2" {
		t.Fatalf("held %q, want the newer peer token", m.held.value)
	}
}

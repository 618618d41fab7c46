//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
)

// The token manager gives signed-in pages an access token for Latch's API
// without ever storing one: the token lives in this module's memory (never
// localStorage, sessionStorage or a cookie), comes from the page's own
// session (POST /auth/token: same-origin, with the session cookie, never a
// refresh token), and is renewed shortly before it ends while the page is
// using it. Page scripts call the API through window.latch.fetch, which
// adds the token, sends it only to this origin, and retries once with a new
// token when the API refuses the one it sent.
//
// Tabs of the same browser share their tokens: a tab that mints one posts
// it on the BroadcastChannel tokenChannelName, and the others adopt it when
// it outlives their own, so all tabs converge on one token and renew it
// together. Minting happens under the Web Lock tokenLockName, so when
// several tabs find their token due at once only one asks the server; the
// others wait for the lock, find the token it broadcast, and use that.
// Without those APIs (older browsers, an insecure origin) each tab keeps
// and renews its own token; everything else works the same.

// Names shared by every tab of the origin.
const (
	tokenChannelName = "latch-tokens"        // BroadcastChannel: freshly minted tokens
	tokenLockName    = "latch-token-refresh" // Web Locks: one tab mints at a time
)

// Times in milliseconds. A token's end is when its mint request was sent
// plus expires_in: counting from the request, not the answer, errs on the
// early side of the server's clock. A token is renewed once a quarter of its
// lifetime is left (at most a minute before its end) and no longer sent in
// its last tenth (at most 5 s). A default 5-minute token is renewed after 4
// minutes; a 2-second one after 1.5 s, and not sent after 1.8 s.
const (
	renewShare    = 4
	renewLeadMax  = 60_000
	stopShare     = 10
	stopLeadMax   = 5_000
	mintTimeout   = 10_000 // a mint unanswered by then has failed, and frees the lock
	broadcastWait = 250    // see renewLocked
)

// accessToken is one access token and the times (Date.now milliseconds,
// the same clock in every tab) from which it is due for renewal and no
// longer sent.
type accessToken struct {
	value   string
	renewAt float64
	until   float64
}

// newAccessToken times a token minted by a request sent at sent that lives
// lifeMS.
func newAccessToken(value string, sent, lifeMS float64) accessToken {
	end := sent + lifeMS
	return accessToken{
		value:   value,
		renewAt: end - min(lifeMS/renewShare, renewLeadMax),
		until:   end - min(lifeMS/stopShare, stopLeadMax),
	}
}

// tokenStatus is the outcome of getting a token.
type tokenStatus int

const (
	tokenOK          tokenStatus = iota
	tokenSignedOut               // /auth/token answered 401: no session, or it ended
	tokenUnavailable             // the network failed, or the server did not answer as expected
)

// jsError is the Error window.latch.fetch rejects with when it has no token
// to send: name "LatchTokenError", code "login_required" or
// "temporarily_unavailable".
func (s tokenStatus) jsError() js.Value {
	if s == tokenSignedOut {
		return newJSError("Error", "LatchTokenError", "latch.fetch: no access token, because this browser is not signed in", "login_required")
	}
	return newJSError("Error", "LatchTokenError", "latch.fetch: no access token, because the server could not be reached", "temporarily_unavailable")
}

// tokenEnv is what the manager uses from the browser; tests stand in for it.
type tokenEnv struct {
	fetch   js.Value                                 // fetch(input, init)
	now     func() float64                           // Date.now()
	after   func(ms float64, f func()) (stop func()) // setTimeout
	channel js.Value                                 // a BroadcastChannel(tokenChannelName), or undefined
	locks   js.Value                                 // navigator.locks, or undefined
}

// browserTokenEnv is the real browser's, leaving out what it lacks.
func browserTokenEnv() tokenEnv {
	g := js.Global()
	env := tokenEnv{
		fetch:   g.Get("fetch").Call("bind", g),
		now:     func() float64 { return g.Get("Date").Call("now").Float() },
		after:   after,
		channel: js.Undefined(),
		locks:   js.Undefined(),
	}
	if bc := g.Get("BroadcastChannel"); bc.Type() == js.TypeFunction {
		if ch, failure := catchJS(func() (js.Value, js.Value) { return bc.New(tokenChannelName), js.Undefined() }); failure.IsUndefined() {
			env.channel = ch
		}
	}
	if nav := g.Get("navigator"); nav.Truthy() {
		if l := nav.Get("locks"); l.Truthy() && l.Get("request").Type() == js.TypeFunction {
			env.locks = l
		}
	}
	return env
}

// tokenManager holds one tab's access token. Its methods run on goroutines
// of the module (never blocking an event callback); the module is single
// threaded, so state changes only where a method waits.
type tokenManager struct {
	endpoint string // POST here for a token: the session's token endpoint
	origin   string // the page's origin, the only one a token is sent to
	env      tokenEnv

	held      accessToken
	used      bool   // a call sent held: renew it before it ends
	stopTimer func() // cancels the renewal timer of held
	flight    *flight
	arrivals  []chan struct{} // woken when another tab's token is adopted
}

// flight is a renewal in progress; calls that need it wait for done.
type flight struct {
	done   chan struct{}
	token  string
	status tokenStatus
}

func newTokenManager(endpoint, origin string, env tokenEnv) *tokenManager {
	return &tokenManager{endpoint: endpoint, origin: origin, env: env}
}

// apiTokens starts the token manager on pages whose module loader tag
// names a token endpoint (data-latch-tokens: Latch's signed-in pages, never
// signup or login), exposes it to page scripts as window.latch, and starts
// the account page's API check. Page scripts wait for <html
// data-latch-api> or the latch:ready event on document.
func apiTokens(doc js.Value) {
	tag := doc.Call("querySelector", "script[data-latch-tokens]")
	if !tag.Truthy() {
		return
	}
	endpoint := tag.Call("getAttribute", "data-latch-tokens").String()
	if !strings.HasPrefix(endpoint, "/") || strings.HasPrefix(endpoint, "//") {
		return // only a path on this origin gets the session cookie
	}
	m := newTokenManager(endpoint, js.Global().Get("location").Get("origin").String(), browserTokenEnv())
	m.listen()
	if m.expose(doc) {
		apiCheck(doc, m)
	}
}

// listen adopts the tokens other tabs broadcast.
func (m *tokenManager) listen() {
	if m.env.channel.Truthy() {
		m.env.channel.Call("addEventListener", "message", js.FuncOf(m.onMessage))
	}
}

// expose defines window.latch = {fetch}, marks <html data-latch-api> and
// fires latch:ready on document. It reports false if window.latch could not
// be defined (a page script took the name).
func (m *tokenManager) expose(doc js.Value) bool {
	g := js.Global()
	fetch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		input, init := js.Undefined(), js.Undefined()
		if len(args) > 0 {
			input = args[0]
		}
		if len(args) > 1 {
			init = args[1]
		}
		return promise(func() (js.Value, js.Value) { return m.call(input, init) })
	})
	_, failure := catchJS(func() (js.Value, js.Value) {
		api := g.Get("Object").New()
		api.Set("fetch", fetch)
		g.Get("Object").Call("freeze", api)
		g.Get("Object").Call("defineProperty", g, "latch", map[string]any{"value": api, "enumerable": true})
		return js.Undefined(), js.Undefined()
	})
	if !failure.IsUndefined() {
		fetch.Release()
		g.Get("console").Call("warn", "Latch: window.latch is taken; the API token manager is off.", failure)
		return false
	}
	doc.Get("documentElement").Call("setAttribute", "data-latch-api", "")
	doc.Call("dispatchEvent", g.Get("Event").New("latch:ready"))
	return true
}

// call is window.latch.fetch: it sends fetch(input, init) with the access
// token, and returns the response, or the reason to reject with: fetch's
// own for a network failure, a TypeError for a URL on another origin, a
// LatchTokenError when no token can be had. A 401 with a Bearer challenge
// (the token expired on the way, or was revoked) is retried once with a
// fresh token; the second answer is returned whatever it is.
func (m *tokenManager) call(input, init js.Value) (resp, failure js.Value) {
	return catchJS(func() (js.Value, js.Value) {
		req := js.Global().Get("Request").New(input, init)
		if js.Global().Get("URL").New(req.Get("url")).Get("origin").String() != m.origin {
			return js.Undefined(), newJSError("TypeError", "", "latch.fetch sends the access token to this site only: use fetch for other origins", "")
		}
		token, st := m.get()
		if st != tokenOK {
			return js.Undefined(), st.jsError()
		}
		resp, ok := await(m.send(req, token))
		if !ok {
			return js.Undefined(), resp
		}
		if !refused(resp) {
			return resp, js.Undefined()
		}
		m.forget(token)
		if token, st = m.renew(token); st != tokenOK {
			return js.Undefined(), st.jsError()
		}
		if resp, ok = await(m.send(req, token)); !ok {
			return js.Undefined(), resp
		}
		return resp, js.Undefined()
	})
}

// send fetches a copy of req (req stays unread, for a retry) with token.
func (m *tokenManager) send(req js.Value, token string) js.Value {
	r := req.Call("clone")
	h := js.Global().Get("Headers").New(r.Get("headers"))
	h.Call("set", "Authorization", "Bearer "+token)
	return m.env.fetch.Invoke(r, map[string]any{"headers": h})
}

// refused reports whether resp is the API refusing the token sent: 401
// with a Bearer challenge (RFC 6750 §3).
func refused(resp js.Value) bool {
	if resp.Get("status").Int() != 401 {
		return false
	}
	ch := stringOrEmpty(resp.Get("headers").Call("get", "WWW-Authenticate"))
	return len(ch) >= 6 && strings.ToLower(ch[:6]) == "bearer"
}

// get returns a token to send now: the one held while it is good, asking
// for its renewal in the background once that is due; otherwise a renewed
// one, waiting for it.
func (m *tokenManager) get() (string, tokenStatus) {
	t, now := m.held, m.env.now()
	if t.value != "" && now < t.until {
		if now >= t.renewAt && m.flight == nil {
			go m.renew(t.value)
		}
		m.used = true
		return t.value, tokenOK
	}
	token, st := m.renew(t.value)
	if st == tokenOK {
		m.used = true
	}
	return token, st
}

// renew returns a good token other than stale. Calls in this tab share one
// renewal: while one is in flight, the others wait for its result.
func (m *tokenManager) renew(stale string) (string, tokenStatus) {
	for f := m.flight; f != nil; f = m.flight {
		<-f.done
		if f.status != tokenOK || f.token != stale {
			return f.token, f.status
		}
	}
	f := &flight{done: make(chan struct{})}
	m.flight = f
	m.locked(func(waited bool) {
		f.token, f.status = m.renewLocked(stale, waited)
	})
	m.flight = nil
	close(f.done)
	return f.token, f.status
}

// renewLocked renews while holding the cross-tab lock. If another tab
// minted while this one waited for the lock, its token is used instead of
// minting again. Its broadcast can arrive just after the lock (the two
// travel separately), so a tab that had to wait gives it broadcastWait to
// arrive first.
func (m *tokenManager) renewLocked(stale string, waited bool) (string, tokenStatus) {
	if token, ok := m.goodOtherThan(stale); ok {
		return token, tokenOK
	}
	if waited && m.env.channel.Truthy() {
		m.waitArrival(broadcastWait)
		if token, ok := m.goodOtherThan(stale); ok {
			return token, tokenOK
		}
	}
	return m.mint()
}

// goodOtherThan returns the held token if it is not stale and still good
// to send.
func (m *tokenManager) goodOtherThan(stale string) (string, bool) {
	if t := m.held; t.value != "" && t.value != stale && m.env.now() < t.until {
		return t.value, true
	}
	return "", false
}

// mint asks the server for a token for this page's session and shares it
// with the other tabs.
func (m *tokenManager) mint() (token string, st tokenStatus) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(js.Error); !ok {
				panic(r)
			}
			token, st = "", tokenUnavailable
		}
	}()
	init := map[string]any{
		"method":      "POST",
		"credentials": "same-origin",
		"cache":       "no-store",
		"redirect":    "error",
		"headers":     map[string]any{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
	}
	if as := js.Global().Get("AbortSignal"); as.Truthy() && as.Get("timeout").Type() == js.TypeFunction {
		init["signal"] = as.Call("timeout", mintTimeout)
	}
	sent := m.env.now()
	resp, ok := await(m.env.fetch.Invoke(m.endpoint, init))
	if !ok {
		return "", tokenUnavailable
	}
	switch resp.Get("status").Int() {
	case 200:
	case 401:
		m.forget(m.held.value) // the session is gone, and with it every token it minted
		return "", tokenSignedOut
	default:
		return "", tokenUnavailable
	}
	body, ok := await(resp.Call("json"))
	if !ok || body.Type() != js.TypeObject {
		return "", tokenUnavailable
	}
	value, life := stringField(body, "access_token"), numberField(body, "expires_in")
	if value == "" || life <= 0 {
		return "", tokenUnavailable
	}
	t := newAccessToken(value, sent, life*1000)
	m.adopt(t)
	if m.env.channel.Truthy() {
		m.env.channel.Call("postMessage", map[string]any{"kind": "token", "token": t.value, "renewAt": t.renewAt, "until": t.until})
	}
	return t.value, tokenOK
}

// adopt makes t the held token and times its renewal: when due, it is
// renewed only if a call has used it, so a page left open without calling
// the API stops minting (and stops keeping its session active); its next
// call mints again.
func (m *tokenManager) adopt(t accessToken) {
	if m.stopTimer != nil {
		m.stopTimer()
	}
	m.held, m.used = t, false
	m.stopTimer = m.env.after(t.renewAt-m.env.now(), func() {
		if m.held.value == t.value && m.used && m.flight == nil {
			go m.renew(t.value)
		}
	})
}

// forget drops token if it is the one held: the server refused it.
func (m *tokenManager) forget(token string) {
	if token == "" || m.held.value != token {
		return
	}
	if m.stopTimer != nil {
		m.stopTimer()
		m.stopTimer = nil
	}
	m.held, m.used = accessToken{}, false
}

// onMessage adopts a token another tab broadcast if it outlives the one
// held, and wakes renewals waiting for one.
func (m *tokenManager) onMessage(_ js.Value, args []js.Value) any {
	if len(args) == 0 {
		return nil
	}
	d := args[0].Get("data")
	if d.Type() != js.TypeObject || stringField(d, "kind") != "token" {
		return nil
	}
	t := accessToken{value: stringField(d, "token"), renewAt: numberField(d, "renewAt"), until: numberField(d, "until")}
	if t.value == "" || t.renewAt > t.until || t.until <= m.held.until || t.until <= m.env.now() {
		return nil
	}
	m.adopt(t)
	for _, ch := range m.arrivals {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return nil
}

// waitArrival waits until another tab's token is adopted, or ms pass.
func (m *tokenManager) waitArrival(ms float64) {
	ch := make(chan struct{}, 1)
	m.arrivals = append(m.arrivals, ch)
	stop := m.env.after(ms, func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	})
	<-ch
	stop()
	for i, c := range m.arrivals {
		if c == ch {
			m.arrivals = append(m.arrivals[:i], m.arrivals[i+1:]...)
			break
		}
	}
}

// locked runs fn holding the cross-tab lock, telling it whether it had to
// wait for another tab. Without the Web Locks API, or if it refuses the
// request, fn runs unlocked.
func (m *tokenManager) locked(fn func(waited bool)) {
	if !m.env.locks.Truthy() {
		fn(false)
		return
	}
	if ran, ok := m.lockRequest(map[string]any{"ifAvailable": true}, false, fn); ran || !ok {
		if !ran {
			fn(false)
		}
		return
	}
	if ran, _ := m.lockRequest(map[string]any{}, true, fn); !ran {
		fn(false)
	}
}

// lockRequest asks for the lock with opts and runs fn if it is granted.
// It reports whether fn ran, and whether the request itself succeeded (an
// ifAvailable request that finds the lock taken succeeds without running
// fn).
func (m *tokenManager) lockRequest(opts map[string]any, waited bool, fn func(bool)) (ran, ok bool) {
	grant := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 || args[0].IsNull() {
			return nil // taken by another tab, with ifAvailable
		}
		ran = true
		// The lock is held until this promise settles.
		return promise(func() (js.Value, js.Value) {
			fn(waited)
			return js.Undefined(), js.Undefined()
		})
	})
	defer grant.Release()
	p, failure := catchJS(func() (js.Value, js.Value) {
		return m.env.locks.Call("request", tokenLockName, opts, grant), js.Undefined()
	})
	if !failure.IsUndefined() {
		return false, false
	}
	_, ok = await(p)
	return ran, ok
}

// stringField is obj[key] if it is a string, else "".
func stringField(obj js.Value, key string) string {
	if v := obj.Get(key); v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

// numberField is obj[key] if it is a finite number, else 0.
func numberField(obj js.Value, key string) float64 {
	v := obj.Get(key)
	if v.Type() != js.TypeNumber {
		return 0
	}
	f := v.Float()
	if f != f || f > 1e15 || f < -1e15 { // NaN, or beyond any date or lifetime
		return 0
	}
	return f
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/phone"
)

// workers is how many clients attack at once in each scenario (the flood
// apart).
const workers = 8

// floodWorkers is how many signups the flood sends at once.
const floodWorkers = 64

// Where each party speaks from, within 127.0.0.0/8: the owners, then one
// address per scenario's attacker, so that each scenario meets fresh
// per-address budgets, and ranges of addresses for attackers that stand
// for many machines.
const (
	ownerAddr    = "127.0.0.2"
	passwordAddr = "127.0.0.10"
	totpAddr     = "127.0.0.11"
	recoveryAddr = "127.0.0.12"
	codeAddr     = "127.0.0.13"
	smsAddr      = "127.0.0.14"
	signupAddr   = "127.0.0.15"
	codeSendAddr = "127.0.0.16"
	botnetSize   = 250 // 127.1.0.1 …
)

// account is an email and password of an account the run made.
type account struct{ email, password string }

func (a account) form() url.Values { return url.Values{"email": {a.email}, "password": {a.password}} }

// attacker runs the scenarios against t and files figures in rep.
type attacker struct {
	t      *target
	rep    *report
	d      time.Duration
	log    io.Writer
	spread bool // attackers may speak from addresses other than the target's

	a, b     account      // a: passwords and codes; b: two-step verification on
	ownerA   *http.Client // a's browser: a known device of a
	secret   []byte       // b's authenticator key, only to keep guesses wrong
	recovery []string     // b's recovery codes, likewise

}

// attack sets up the accounts and runs every scenario. It returns the
// setup failures; a scenario whose own setup fails is reported as not
// measured and the others still run.
func attack(ctx context.Context, t *target, rep *report, o options, log io.Writer) error {
	x := &attacker{t: t, rep: rep, d: o.duration, log: log, spread: spreadable(t.addr)}
	if !x.spread {
		rep.note("The target is not IPv4 loopback, so every client speaks from one address: per-address budgets are shared by all scenarios, and the botnet and flood rows stand for one machine.")
	} else {
		rep.note("Each scenario's attacker speaks from its own loopback address (127.0.0.10-16), the owners from 127.0.0.2; the SMS botnet from 250 addresses (127.1.0.x) and the flood from 64 (127.2.0.x). No attacker sends a proof of work, so the stricter budgets of plain posts apply.")
	}
	if err := x.setup(ctx); err != nil {
		return fmt.Errorf("setting up the accounts: %w", err)
	}
	var errs []error
	step := func(id, name string, f func(context.Context) error) {
		if ctx.Err() != nil {
			return
		}
		fmt.Fprintf(log, "attack: %s. %s\n", id, name)
		if err := f(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s. %s: %w", id, name, err))
			rep.add(id, name, "not measured", "", "setup failed: "+err.Error())
		}
	}
	step("a, b", "passwords, and the owner meanwhile", x.passwords)
	step("c", "authenticator codes", x.totp)
	step("d", "recovery codes", x.recoveryCodes)
	var finishCodes func(context.Context) error
	step("e", "emailed codes", func(ctx context.Context) (err error) {
		finishCodes, err = x.codes(ctx)
		return err
	})
	step("f", "SMS pumping, one client", x.smsOneClient)
	step("f", "SMS pumping, a botnet", x.smsBotnet)
	step("f", "email pumping through signup", x.signupEmails)
	step("f", "email pumping through code login", x.codeEmails)
	step("g", "signup flood", x.flood)
	if finishCodes != nil {
		step("e", "the owner's codes after the attack", finishCodes)
	}
	warn, errCount, trips, errMsgs := t.warnings()
	rep.add("server", "server log lines at WARN / ERROR", fmt.Sprintf("%d / %d", warn, errCount), "",
		"challenge limits tripped (each raises the proof-of-work level for 15 minutes): "+tallied(trips)+
			"; errors: "+tallied(errMsgs))
	return errors.Join(errs...)
}

// tallied lists counts by key, most first.
func tallied(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return m[b] - m[a] })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// src is the address a party speaks from, or "" when the target is not
// IPv4 loopback.
func (x *attacker) src(addr string) string {
	if !x.spread {
		return ""
	}
	return addr
}

var (
	secretRe   = regexp.MustCompile(`data-testid="totp-secret">([A-Z2-7 ]+)<`)
	recoveryRe = regexp.MustCompile(`data-testid="recovery-code">([a-z2-9]{5}-[a-z2-9]{5})<`)
)

// setup makes the two accounts through the signup form, as their owners,
// and turns on two-step verification for b through its page.
func (x *attacker) setup(ctx context.Context) error {
	x.a = account{"owner-a@example.com", "pw-" + randomHex(12)}
	x.b = account{"owner-b@example.com", "pw-" + randomHex(12)}
	t := x.t
	x.ownerA = t.client(x.src(ownerAddr), true)
	for _, acct := range []struct {
		account
		c *http.Client
	}{{x.a, x.ownerA}, {x.b, t.client(x.src(ownerAddr), true)}} {
		if err := x.signup(ctx, acct.c, acct.account); err != nil {
			return err
		}
		if acct.email != x.b.email {
			continue
		}
		page, err := t.get(ctx, acct.c, "/account/2fa")
		if err != nil {
			return err
		}
		m := secretRe.FindStringSubmatch(page.body)
		if page.status != http.StatusOK || m == nil {
			return fmt.Errorf("GET /account/2fa: %d, no key shown", page.status)
		}
		if x.secret, err = otp.DecodeTOTPSecret(m[1]); err != nil {
			return fmt.Errorf("the key shown does not decode: %w", err)
		}
		code := otp.TOTPCode(x.secret, otp.TOTPStep(time.Now()))
		r, err := t.post(ctx, acct.c, "/account/2fa", url.Values{"code": {code}}, true)
		if err != nil {
			return err
		}
		for _, m := range recoveryRe.FindAllStringSubmatch(r.body, -1) {
			x.recovery = append(x.recovery, m[1])
		}
		if r.status != http.StatusOK || len(x.recovery) == 0 {
			return fmt.Errorf("confirming the first authenticator code: %d, %d recovery codes shown", r.status, len(x.recovery))
		}
	}
	// The owner of a signs in once more, so the browser is sure to be a
	// known device of a before the attack.
	return x.ownerSignIn(ctx)
}

// signupIDRe finds the pending signup's id the code step carries.
var signupIDRe = regexp.MustCompile(`name="signup" value="([0-9a-f-]{36})"`)

// signup creates acct through the signup form as its owner would: the
// form, then the code emailed to the address (read from the dev mailbox),
// typed in the same browser.
func (x *attacker) signup(ctx context.Context, c *http.Client, acct account) error {
	t := x.t
	since, err := t.mark(ctx)
	if err != nil {
		return err
	}
	r, err := t.post(ctx, c, "/signup", acct.form(), true)
	if err != nil {
		return err
	}
	m := signupIDRe.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		return fmt.Errorf("signup %s: %d, no code step", acct.email, r.status)
	}
	code, err := t.code(ctx, since, acct.email, "signup_code")
	if err != nil {
		return err
	}
	r, err = t.post(ctx, c, "/signup/verify", url.Values{"email": {acct.email}, "code": {code}, "signup": {m[1]}}, true)
	if err != nil {
		return err
	}
	if r.status != http.StatusSeeOther || r.location != "/account" {
		return fmt.Errorf("signup code for %s: %d → %q", acct.email, r.status, r.location)
	}
	return nil
}

// ownerSignIn logs a's browser out and in with the right password.
func (x *attacker) ownerSignIn(ctx context.Context) error {
	if _, err := x.t.post(ctx, x.ownerA, "/logout", url.Values{}, true); err != nil {
		return err
	}
	r, err := x.t.post(ctx, x.ownerA, "/login", x.a.form(), true)
	if err != nil {
		return err
	}
	if r.status != http.StatusSeeOther || r.location != "/account" {
		return fmt.Errorf("owner's sign-in: %d → %q", r.status, r.location)
	}
	return nil
}

// hammer runs attempt from n goroutines until the scenario's time is up,
// and returns once every attempt in flight has its answer.
func (x *attacker) hammer(n int, attempt func(worker, i int)) {
	x.hammerFor(x.d, n, attempt)
}

func (x *attacker) hammerFor(d time.Duration, n int, attempt func(worker, i int)) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	var seq atomic.Int64
	for w := range n {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				attempt(w, int(seq.Add(1)))
			}
		})
	}
	wg.Wait()
}

// classify sorts an answer to a guess: 429 is a refusal, want a checked
// wrong guess, anything else other. A page that says a guard's words is
// a refusal whatever its status.
func classify(t *tally, r answer, err error, want int, refusal ...messages.Key) outcome {
	if err != nil {
		t.fail()
		return other
	}
	o := other
	switch {
	case r.status == http.StatusTooManyRequests:
		o = refused
	case says(r.body, refusal...):
		o = refused
	case r.status == want:
		o = checked
	}
	t.add(o, r.status, r.took)
	return o
}

// says reports whether a page shows one of the messages.
func says(body string, keys ...messages.Key) bool {
	if len(keys) == 0 {
		return false
	}
	body = html.UnescapeString(body)
	for _, k := range keys {
		if strings.Contains(body, messages.Text(k)) {
			return true
		}
	}
	return false
}

// passwords is scenarios a and b: strangers post wrong passwords for a at
// /login, each request a new client, while a's owner signs out and in
// with the right password every second from a known browser.
func (x *attacker) passwords(ctx context.Context) error {
	t := x.t
	guesser := t.client(x.src(passwordAddr), false)
	guesses := newTally()
	var owner struct {
		sync.Mutex
		tries, ok int
		failures  map[int]int
		lat       []time.Duration
	}
	owner.failures = map[int]int{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		deadline := time.Now().Add(x.d)
		for time.Now().Before(deadline) {
			<-tick.C
			_, err := t.post(ctx, x.ownerA, "/logout", url.Values{}, true)
			r, err2 := t.post(ctx, x.ownerA, "/login", x.a.form(), true)
			owner.Lock()
			owner.tries++
			switch {
			case err != nil || err2 != nil:
				owner.failures[0]++
			case r.status == http.StatusSeeOther && r.location == "/account":
				owner.ok++
				owner.lat = append(owner.lat, r.took)
			default:
				owner.failures[r.status]++
			}
			owner.Unlock()
		}
	}()
	x.hammer(workers, func(_, i int) {
		f := url.Values{"email": {x.a.email}, "password": {fmt.Sprintf("wrong guess %d %s", i, randomHex(4))}}
		r, err := t.post(ctx, guesser, "/login", f, true)
		classify(guesses, r, err, http.StatusUnauthorized)
	})
	guesses.stop()
	<-done

	stranger := []guard.Scope{guard.ScopeAccount, guard.ScopeIP, guard.ScopeGlobal}
	x.rep.add("a", fmt.Sprintf("wrong passwords for one account at `/login`, %d clients without cookies from one address", workers),
		guesses.counts([3]string{"checked (401)", "refused (429)", "other"}), x.rep.allows(guard.Password, false, stranger...),
		"A guess is checked only if the guard reserved it first; every other request is refused before any argon2id work")
	x.rep.add("a", "wrong passwords that reached the account, per hour", guesses.perHour(), x.rep.allows(guard.Password, false, stranger...),
		"What an attacker (or a botnet: the account budget is shared by every stranger) can try against one password")
	x.rep.add("a", "median answer: checked / refused", guesses.latency(checked)+" / "+guesses.latency(refused), "",
		"A refusal costs a guard reservation and a page, not a password hash")
	var med string
	owner.Lock()
	if len(owner.lat) > 0 {
		l := owner.lat
		slices.Sort(l)
		med = ms(l[len(l)/2])
	}
	fails := ""
	if len(owner.failures) > 0 {
		fails = fmt.Sprintf("; failures by status: %v", owner.failures)
	}
	x.rep.add("b", "the owner signs out and in with the right password every second during (a), from the browser that signed in before",
		fmt.Sprintf("%d of %d signed in (%s), median %s%s", owner.ok, owner.tries, pct(owner.ok, owner.tries), med, fails),
		"its own budget (known device: "+x.rep.allows(guard.Password, false, guard.ScopeAccountDevice)+"); right passwords are given back",
		"The `latch_device` cookie keeps the owner out of the budget strangers spend: no lockout by strangers")
	owner.Unlock()
	return nil
}

// totp is scenario c: an attacker who knows b's password guesses its
// authenticator codes through the token API and through the second
// sign-in step, together.
func (x *attacker) totp(ctx context.Context) error {
	t := x.t
	api := t.client(x.src(totpAddr), false)
	all, viaAPI, viaForm := newTally(), newTally(), newTally()
	var relogins, loginRefused atomic.Int64
	record := func(path *tally, r answer, err error, want int) outcome {
		o := classify(path, r, err, want, messages.TwoFactorThrottled, messages.TwoFactorCodesLocked)
		if err == nil {
			all.add(o, r.status, r.took)
		} else {
			all.fail()
		}
		return o
	}
	x.hammer(workers, func(w, _ int) {
		if w < workers/2 {
			f := url.Values{"grant_type": {"password"}, "username": {x.b.email}, "password": {x.b.password}, "totp": {x.wrongTOTP()}}
			r, err := t.post(ctx, api, "/api/v1/token", f, false)
			if err == nil && r.status == http.StatusBadRequest && !strings.Contains(r.body, "invalid_grant") {
				r.status = 0 // a 400 other than a wrong code
			}
			record(viaAPI, r, err, http.StatusBadRequest)
			return
		}
		// A new browser passes the password step, then guesses codes
		// until the pending sign-in is voided or the time is up.
		c := t.client(x.src(totpAddr), true)
		r, err := t.post(ctx, c, "/login", x.b.form(), true)
		if err != nil || r.status != http.StatusSeeOther || r.location != "/login/verify" {
			loginRefused.Add(1)
			time.Sleep(100 * time.Millisecond)
			return
		}
		relogins.Add(1)
		deadline := viaForm.began.Add(x.d)
		for time.Now().Before(deadline) {
			r, err := t.post(ctx, c, "/login/verify", url.Values{"code": {x.wrongTOTP()}}, true)
			if err == nil && r.status == http.StatusSeeOther {
				// The SecondFactorLimit-th wrong code in a row: checked,
				// and the pending sign-in is void. Start again.
				viaForm.add(checked, r.status, r.took)
				all.add(checked, r.status, r.took)
				return
			}
			record(viaForm, r, err, http.StatusUnauthorized)
		}
	})
	for _, tl := range []*tally{all, viaAPI, viaForm} {
		tl.stop()
	}
	stranger := []guard.Scope{guard.ScopeAccount, guard.ScopeIP, guard.ScopeGlobal}
	allows := x.rep.allows(guard.TOTP, false, stranger...)
	x.rep.add("c", fmt.Sprintf("wrong authenticator codes with the right password, token API (`grant_type=password` + `totp`), %d clients", workers/2),
		viaAPI.counts([3]string{"checked (400 invalid_grant)", "refused (429 slow_down)", "other"}), allows, "")
	x.rep.add("c", fmt.Sprintf("the same at `/login/verify` after a password sign-in, %d browsers", workers-workers/2),
		viaForm.counts([3]string{"checked (401, or 303 for the wrong code that voids the pending sign-in)", "refused (429)", "other"})+fmt.Sprintf("; %d password steps passed, %d not", relogins.Load(), loginRefused.Load()),
		allows, "The second step and the token API draw on one budget per account")
	x.rep.add("c", "authenticator codes checked, both ways together, per hour", all.perHour(), allows,
		"Against 10^6 codes (3 valid at a time): about 1 in 330,000 per guess")
	return nil
}

// wrongTOTP is a random six-digit code that is not one b's app shows
// now, so that every guess is a wrong one.
func (x *attacker) wrongTOTP() string {
	step := otp.TOTPStep(time.Now())
	for {
		c := fmt.Sprintf("%06d", randomInt(1_000_000))
		if c != otp.TOTPCode(x.secret, step-1) && c != otp.TOTPCode(x.secret, step) && c != otp.TOTPCode(x.secret, step+1) {
			return c
		}
	}
}

// recoveryCodes is scenario d: wrong recovery codes for b at
// /recover/code, each request a new client.
func (x *attacker) recoveryCodes(ctx context.Context) error {
	t := x.t
	c := t.client(x.src(recoveryAddr), false)
	tl := newTally()
	var quiet atomic.Int64 // refusals answered 401
	x.hammer(workers, func(_, _ int) {
		code := otp.NewRecoveryCodes(1)[0]
		for _, real := range x.recovery {
			if code == real {
				return
			}
		}
		r, err := t.post(ctx, c, "/recover/code", url.Values{"email": {x.b.email}, "code": {code}}, true)
		if classify(tl, r, err, http.StatusUnauthorized, messages.RecoveryThrottled) == refused && r.status != http.StatusTooManyRequests {
			quiet.Add(1)
		}
	})
	tl.stop()
	stranger := []guard.Scope{guard.ScopeAccount, guard.ScopeIP, guard.ScopeGlobal}
	meaning := "Against 31^10 codes, 10 valid: nothing to gain"
	if n := quiet.Load(); n > 0 {
		meaning += fmt.Sprintf("; %d refusals came as 401 with the guard's words, not 429 with Retry-After (this route renders its page itself)", n)
		x.rep.note(fmt.Sprintf("`POST /recover/code` answers a guard refusal with 401 and the refusal's words but no 429 or `Retry-After` (%d times in this run); counted here as refused by its words.", n))
	}
	x.rep.add("d", fmt.Sprintf("wrong recovery codes at `/recover/code` (email + code), %d clients without cookies", workers),
		tl.counts([3]string{"checked", "refused", "other"}), x.rep.allows(guard.RecoveryCode, false, stranger...), meaning)
	x.rep.add("d", "recovery codes checked per hour", tl.perHour(), x.rep.allows(guard.RecoveryCode, false, stranger...), "")
	return nil
}

// codes is scenario e: a stranger asks for a login code for a's address,
// then guesses codes at /login/code/verify, from its own browser and from
// new clients. It returns the second half, run later so that the
// one-a-minute resend wait has passed: the owner signs in with a code.
func (x *attacker) codes(ctx context.Context) (func(context.Context) error, error) {
	t := x.t
	before, err := t.mark(ctx)
	if err != nil {
		return nil, err
	}
	requester := t.client(x.src(codeAddr), true)
	r, err := t.post(ctx, requester, "/login/code", url.Values{"email": {x.a.email}}, true)
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("the stranger's code request: %d", r.status)
	}
	sent, err := t.code(ctx, before, x.a.email, "login_code", "login_code_link")
	if err != nil {
		return nil, err
	}
	others := t.client(x.src(codeAddr), false)
	mine, theirs, all := newTally(), newTally(), newTally()
	x.hammer(workers, func(w, _ int) {
		code := sent
		for code == sent {
			code = fmt.Sprintf("%06d", randomInt(1_000_000))
		}
		c, tl := others, theirs
		if w == 0 {
			c, tl = requester, mine
		}
		r, err := t.post(ctx, c, "/login/code/verify", url.Values{"email": {x.a.email}, "code": {code}}, true)
		o := classify(tl, r, err, http.StatusUnauthorized, messages.CodeGuessThrottled)
		if err != nil {
			all.fail()
		} else {
			all.add(o, r.status, r.took)
		}
	})
	for _, tl := range []*tally{mine, theirs, all} {
		tl.stop()
	}
	stranger := x.rep.allows(guard.Code, false, guard.ScopeAccount, guard.ScopeIP, guard.ScopeGlobal)
	x.rep.add("e", "wrong login codes for a's address at `/login/code/verify` from the stranger's browser that asked for the code (1 client)",
		mine.counts([3]string{"checked (401)", "refused (429)", "other"}), stranger, "")
	x.rep.add("e", fmt.Sprintf("the same from new clients without cookies (%d clients)", workers-1),
		theirs.counts([3]string{"checked (401)", "refused (429)", "other"}), stranger,
		"Every client that is not a known browser of the account shares one budget")
	x.rep.add("e", "login codes checked per hour, both together", all.perHour(), stranger,
		"Against 10^6 codes, one valid for 10 minutes; each code also has a backstop of 20 wrong tries")

	return func(ctx context.Context) error {
		// The owner first tries the code the stranger's request sent to
		// the owner's own mailbox.
		if err := x.ownerSignOut(ctx); err != nil {
			return err
		}
		r, err := t.post(ctx, x.ownerA, "/login/code/verify", url.Values{"email": {x.a.email}, "code": {sent}}, true)
		if err != nil {
			return err
		}
		used := r.status == http.StatusSeeOther && r.location == "/account"
		got := fmt.Sprintf("%d", r.status)
		if used {
			got = "signed in (303 → /account)"
			if err := x.ownerSignOut(ctx); err != nil {
				return err
			}
		}
		x.rep.add("e", "after (e), the owner types into its known browser the code the stranger's request sent to the owner's mailbox", got,
			x.rep.allows(guard.Code, false, guard.ScopeAccountDevice),
			"Whether strangers' wrong guesses voided the code or spent the owner's tries")

		// Then asks for a code of its own, waiting out the resend wait.
		began := time.Now()
		var mark int64
		for {
			if mark, err = t.mark(ctx); err != nil {
				return err
			}
			r, err = t.post(ctx, x.ownerA, "/login/code", url.Values{"email": {x.a.email}}, true)
			if err != nil {
				return err
			}
			if r.status == http.StatusOK || time.Since(began) > 2*time.Minute {
				break
			}
			wait, _ := strconv.Atoi(r.retry)
			time.Sleep(time.Duration(min(max(wait, 1), 65)) * time.Second)
		}
		if r.status != http.StatusOK {
			x.rep.add("e", "the owner asks for a code of its own", fmt.Sprintf("refused: %d", r.status), "", "")
			return nil
		}
		waited := time.Since(began)
		code, err := t.code(ctx, mark, x.a.email, "login_code", "login_code_link")
		if err != nil {
			return err
		}
		r, err = t.post(ctx, x.ownerA, "/login/code/verify", url.Values{"email": {x.a.email}, "code": {code}}, true)
		if err != nil {
			return err
		}
		result := fmt.Sprintf("refused: %d", r.status)
		if r.status == http.StatusSeeOther && r.location == "/account" {
			result = "signed in (303 → /account)"
		}
		x.rep.add("e", "then the owner asks for a code of its own in that browser, reads it from the dev mailbox and signs in",
			fmt.Sprintf("%s; asking waited %s for the one-a-minute resend limit", result, secs(waited)),
			x.rep.allows(guard.Code, false, guard.ScopeAccountDevice),
			"The owner's way in by email after the attack")
		return nil
	}, nil
}

// ownerSignOut signs a's browser out.
func (x *attacker) ownerSignOut(ctx context.Context) error {
	_, err := x.t.post(ctx, x.ownerA, "/logout", url.Values{}, true)
	return err
}

// mobiles returns numbers of the North American range set aside for
// fiction, NPA 555-0100 to 555-0199, that the server's default phone
// rules accept as mobiles (libphonenumber counts them as fixed line or
// mobile; the UK's drama range, 07700 900xxx, it counts as invalid).
// They all share calling code +1.
func mobiles() ([]string, error) {
	regions := strings.Split(config.DefaultPhoneRegions, ",")
	n, err := phone.New("US", regions)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, npa := range []int{201, 202, 212, 213, 305, 312, 415, 503, 617, 646, 702, 713, 818, 917} {
		for i := range 100 {
			if e164, problem := n.Normalize(fmt.Sprintf("+1 %d 555 01%02d", npa, i)); problem == "" {
				out = append(out, e164)
			}
		}
	}
	if len(out) < 200 {
		return nil, fmt.Errorf("only %d numbers of NPA 555-01xx count as mobiles", len(out))
	}
	return out, nil
}

// smsOneClient is scenario f for text messages: one browser asks for
// signup codes at /signup/phone for many different mobile numbers.
func (x *attacker) smsOneClient(ctx context.Context) error {
	numbers, err := mobiles()
	if err != nil {
		return err
	}
	numbers = numbers[:len(numbers)/4]
	t := x.t
	c := t.client(x.src(smsAddr), true)
	since, err := t.mark(ctx)
	if err != nil {
		return err
	}
	tl := newTally()
	x.hammer(workers/2, func(_, i int) {
		r, err := t.post(ctx, c, "/signup/phone", url.Values{"phone": {numbers[i%len(numbers)]}}, true)
		classify(tl, r, err, http.StatusOK, messages.SendThrottled)
	})
	tl.stop()
	_, sms, err := t.delivered(ctx, since)
	if err != nil {
		return err
	}
	allows := x.rep.allows(guard.SendSMS, false, guard.ScopeSession, guard.ScopeIP, guard.ScopeCountry, guard.ScopeGlobal)
	x.rep.add("f", fmt.Sprintf("SMS pumping: one browser asks `/signup/phone` to text codes to many mobiles (+1 NPA 555-01xx) (%d at once)", workers/2),
		tl.counts([3]string{"sent (200)", "refused (429)", "other"}), allows, "")
	x.rep.add("f", "text messages actually queued and delivered (dev mailbox), one browser",
		fmt.Sprintf("%d in %s; sends per hour: %s", sms, secs(tl.ended), tl.perHour()), allows,
		"Each costs real money with a gateway: the per-address budget of plain posts (no proof of work) stops a single client at a handful")
	return nil
}

// smsBotnet is scenario f for text messages from many machines: every
// request a new client from one of botnetSize addresses.
func (x *attacker) smsBotnet(ctx context.Context) error {
	numbers, err := mobiles()
	if err != nil {
		return err
	}
	numbers = numbers[len(numbers)/4:]
	t := x.t
	since, err := t.mark(ctx)
	if err != nil {
		return err
	}
	tl := newTally()
	x.hammer(workers, func(_, i int) {
		c := t.client(x.src(botnetAddr(1, i%botnetSize)), false)
		r, err := t.post(ctx, c, "/signup/phone", url.Values{"phone": {numbers[i%len(numbers)]}}, true)
		classify(tl, r, err, http.StatusOK, messages.SendThrottled)
	})
	tl.stop()
	_, sms, err := t.delivered(ctx, since)
	if err != nil {
		return err
	}
	allows := x.rep.allows(guard.SendSMS, false, guard.ScopeCountry, guard.ScopeGlobal)
	x.rep.add("f", fmt.Sprintf("SMS pumping from a botnet: each request a new client from one of %d addresses (%d at once)", botnetSize, workers),
		tl.counts([3]string{"sent (200)", "refused (429)", "other"}), allows, "")
	x.rep.add("f", "text messages actually queued and delivered (dev mailbox), botnet",
		fmt.Sprintf("%d in %s; sends per hour: %s", sms, secs(tl.ended), tl.perHour()), allows,
		"Past the per-address budgets, the per-country and global budgets cap the bill (all numbers here share +1)")
	return nil
}

// botnetAddr is the n-th address of the range 127.r.x.y.
func botnetAddr(r, n int) string {
	return fmt.Sprintf("127.%d.%d.%d", r, n/250, n%250+1)
}

// signupEmails is scenario f for email through signup: one address posts
// /signup for many new addresses, each request a new client.
func (x *attacker) signupEmails(ctx context.Context) error {
	t := x.t
	c := t.client(x.src(signupAddr), false)
	since, err := t.mark(ctx)
	if err != nil {
		return err
	}
	tl := newTally()
	x.hammer(workers/2, func(_, i int) {
		addr := fmt.Sprintf("pump-%d@example.com", i)
		r, err := t.post(ctx, c, "/signup", url.Values{"email": {addr}, "password": {"pw-" + randomHex(12)}}, true)
		classify(tl, r, err, http.StatusOK, messages.SignupThrottled, messages.SendThrottled)
	})
	tl.stop()
	email, _, err := t.delivered(ctx, since)
	if err != nil {
		return err
	}
	allows := x.rep.allows(guard.Signup, false, guard.ScopeIP, guard.ScopeGlobal)
	x.rep.add("f", fmt.Sprintf("email pumping through `/signup`: new addresses from one address, %d at once", workers/2),
		tl.counts([3]string{"accepted (200: a code emailed, no account before it is typed)", "refused (429)", "other"}), allows, "")
	x.rep.add("f", "emails delivered (dev mailbox) by those signups",
		fmt.Sprintf("%d in %s; signups per hour: %s", email, secs(tl.ended), tl.perHour()),
		allows+"; "+x.rep.allows(guard.SendEmail, false, guard.ScopeIP, guard.ScopeGlobal),
		"Each signup is a password hash and a verification email")
	return nil
}

// codeEmails is scenario f for email through code login: one address asks
// /login/code to email codes to many addresses, half of them with
// accounts (the owners'), the rest without.
func (x *attacker) codeEmails(ctx context.Context) error {
	t := x.t
	c := t.client(x.src(codeSendAddr), false)
	since, err := t.mark(ctx)
	if err != nil {
		return err
	}
	known := []string{x.a.email, x.b.email} // signups make no account before their code
	tl := newTally()
	x.hammer(workers/2, func(_, i int) {
		addr := fmt.Sprintf("nobody-%d@example.com", i)
		if i%2 == 0 && i/2 < len(known) {
			addr = known[i/2]
		}
		r, err := t.post(ctx, c, "/login/code", url.Values{"email": {addr}}, true)
		classify(tl, r, err, http.StatusOK, messages.SendThrottled)
	})
	tl.stop()
	email, _, err := t.delivered(ctx, since)
	if err != nil {
		return err
	}
	allows := x.rep.allows(guard.SendEmail, false, guard.ScopeIP, guard.ScopeGlobal)
	x.rep.add("f", fmt.Sprintf("email pumping through `/login/code`: many addresses (two with accounts) from one address, %d at once", workers/2),
		tl.counts([3]string{"sent (200)", "refused (429)", "other"}), allows, "")
	x.rep.add("f", "emails delivered (dev mailbox) by those requests",
		fmt.Sprintf("%d in %s; requests answered \"sent\" per hour: %s", email, secs(tl.ended), tl.perHour()), allows,
		"Addresses without an account get a decoy that is queued and never delivered, so only real accounts' mail shows here")
	return nil
}

// flood is scenario g: floodWorkers signups at once for a few seconds,
// each from its own address, each request a new client, while the
// server's memory is sampled.
func (x *attacker) flood(ctx context.Context) error {
	t := x.t
	d := min(x.d, 5*time.Second)
	_, before, err := t.memory()
	if err != nil {
		before = 0
	}
	var peakSeen atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if _, cur, err := t.memory(); err == nil && cur > peakSeen.Load() {
				peakSeen.Store(cur)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	tl := newTally()
	x.hammerFor(d, floodWorkers, func(w, i int) {
		c := t.client(x.src(botnetAddr(2, w)), false)
		r, err := t.post(ctx, c, "/signup", url.Values{"email": {fmt.Sprintf("flood-%d@example.com", i)}, "password": {"pw-" + randomHex(12)}}, true)
		classify(tl, r, err, http.StatusOK, messages.SignupThrottled)
	})
	tl.stop()
	close(stop)
	<-sampled
	peak, _, _ := t.memory()
	x.rep.add("g", fmt.Sprintf("signup flood: %d signups at once for %s, each from its own address", floodWorkers, secs(d)),
		tl.counts([3]string{"accepted (200: hashed, code emailed)", "refused (429)", "other"}),
		x.rep.allowsIn(d, guard.Signup, false, guard.ScopeIP, guard.ScopeGlobal)+fmt.Sprintf(" per address, %d addresses", floodWorkers),
		fmt.Sprintf("503 is the bounded hash queue (LATCH_HASH_QUEUE, LATCH_HASH_QUEUE_WAIT) turning work away; median answer %s made, %s refused, %s other",
			tl.latency(checked), tl.latency(refused), tl.latency(other)))
	x.rep.add("g", "server memory during the flood",
		fmt.Sprintf("resident %s before, highest sample %s, peak (VmHWM) %s", mib(before), mib(peakSeen.Load()), mib(peak)), "",
		"At most LATCH_HASH_CONCURRENCY argon2id hashes hold their memory at once; the rest wait in a bounded queue")
	return nil
}

// benchmark runs BenchmarkGuardReserve against admin's PostgreSQL and
// files its ns/op.
func benchmark(ctx context.Context, admin string, rep *report, log io.Writer) {
	fmt.Fprintln(log, "attack: h. go test -run '^$' -bench BenchmarkGuardReserve -benchtime 2000x ./db/")
	ns, err := runBenchmark(ctx, admin)
	if err != nil {
		rep.add("h", "one guard reservation (BenchmarkGuardReserve)", "not measured", "", err.Error())
		return
	}
	rep.add("h", "one guard reservation (`BenchmarkGuardReserve`, 2,000 reservations of two limits each)",
		fmt.Sprintf("%.0f ns/op (%.2f ms)", ns, ns/1e6), "",
		"The latency the guard adds to every check or send: one call of the guard_reserve PostgreSQL function")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on Linux
	return hex.EncodeToString(b)
}

func randomInt(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(err)
	}
	return v.Int64()
}

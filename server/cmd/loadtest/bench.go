package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/latch-dev/latch/server/password"
)

// clockTick is Linux's USER_HZ: /proc counts CPU time in hundredths of a
// second.
const clockTick = 10 * time.Millisecond

func scenarioNames() []string {
	return []string{"signup", "login-api", "login-form", "refresh", "bearer", "page", "mixed", "storm", "guard"}
}

// client is the load generator: HTTP to the instances, round-robin.
// Each worker speaks from its own loopback address (127.0.1.N), as
// clients on the internet come from many addresses: the guard's budgets
// per address then meet as many rows as a real deployment's would,
// instead of one row every request queues on.
type client struct {
	f    *fleet
	mu   sync.Mutex
	trs  map[int]*http.Transport
	next atomic.Uint64
}

func newClient(f *fleet) *client { return &client{f: f, trs: map[int]*http.Transport{}} }

// from returns the transport of worker w's address.
func (c *client) from(w int) *http.Transport {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := w % 250
	if tr, ok := c.trs[k]; ok {
		return tr
	}
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(k+1))}}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConns: 64, MaxIdleConnsPerHost: 16, IdleConnTimeout: 60 * time.Second, Proxy: nil}
	c.trs[k] = tr
	return tr
}

// base picks the next instance, round-robin, and says which.
func (c *client) base() (string, int) {
	i := int(c.next.Add(1)-1) % len(c.f.instances)
	return c.f.instances[i].base, i
}

func (c *client) http(w int, jar http.CookieJar) *http.Client {
	return &http.Client{Transport: c.from(w), Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil)
	return j
}

// result is one answer.
type result struct {
	status   int
	body     string
	location string
	instance int
}

func (c *client) do(ctx context.Context, hc *http.Client, method, path string, form url.Values, hdr map[string]string) (result, error) {
	base, i := c.base()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return result{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, strings.ReplaceAll(v, "{base}", base))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return result{instance: i}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return result{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), instance: i}, err
}

// check turns one answer into measure's terms: whether it is the one
// wanted, on which instance, and what was wrong if not.
func check(ok bool, res result, err error) (bool, int, error) {
	if !ok && err == nil {
		err = fmt.Errorf("status %d: %.200s", res.status, res.body)
	}
	return ok, res.instance, err
}

// browser are the headers a same-origin form post carries.
var browser = map[string]string{"Origin": "{base}", "Sec-Fetch-Site": "same-origin"}

// account is a signed-up user.
type account struct {
	email, password string
	jar             http.CookieJar // signed in through the signup
}

var signupIDRe = regexp.MustCompile(`name="signup" value="([0-9a-f-]{36})"`)

// signup makes an account through the signup form and its emailed code.
func (c *client) signup(ctx context.Context, email, pw string) (account, error) {
	a := account{email: email, password: pw, jar: newJar()}
	hc := c.http(0, a.jar)
	var since int64
	if err := c.f.stats.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM outbox_dev_mailbox").Scan(&since); err != nil {
		return a, err
	}
	r, err := c.do(ctx, hc, "POST", "/signup", url.Values{"email": {email}, "password": {pw}}, browser)
	if err != nil {
		return a, err
	}
	m := signupIDRe.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		return a, fmt.Errorf("signup %s: %d, no code step", email, r.status)
	}
	code, err := c.code(ctx, since, email)
	if err != nil {
		return a, err
	}
	r, err = c.do(ctx, hc, "POST", "/signup/verify", url.Values{"email": {email}, "code": {code}, "signup": {m[1]}}, browser)
	if err != nil {
		return a, err
	}
	if r.status != http.StatusSeeOther || r.location != "/account" {
		return a, fmt.Errorf("signup code for %s: %d → %q", email, r.status, r.location)
	}
	return a, nil
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

func (c *client) code(ctx context.Context, since int64, to string) (string, error) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var text string
		err := c.f.stats.QueryRow(ctx, "SELECT text_body FROM outbox_dev_mailbox WHERE id > $1 AND recipient = $2 ORDER BY id DESC LIMIT 1", since, to).Scan(&text)
		if err == nil {
			if m := sixDigits.FindString(text); m != "" {
				return m, nil
			}
		} else if err != pgx.ErrNoRows {
			return "", err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("no code reached %s within 20s", to)
}

// grant is a token response.
type grant struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
}

func (c *client) passwordGrant(ctx context.Context, hc *http.Client, a account) (grant, result, error) {
	r, err := c.do(ctx, hc, "POST", "/api/v1/token", url.Values{"grant_type": {"password"}, "username": {a.email}, "password": {a.password}}, nil)
	var g grant
	if err == nil {
		_ = json.Unmarshal([]byte(r.body), &g)
	}
	return g, r, err
}

// run is one scenario's figures.
type figures struct {
	name      string
	note      string
	took      time.Duration
	ok, bad   int64
	lat       []time.Duration
	perInst   []int64
	serverCPU []time.Duration // per instance
	pgCPU     time.Duration
	pgExec    float64 // ms, pg_stat_statements total_exec_time
	calls     int64
	top       []statement
	load      string
	extra     []string
}

// measure runs work from n workers for d and takes every figure around it.
func measure(ctx context.Context, f *fleet, name string, n int, d time.Duration, top int,
	work func(ctx context.Context, worker int) (ok bool, instance int, err error)) *figures {
	r := &figures{name: name, perInst: make([]int64, len(f.instances))}
	s0, _ := f.statements(ctx)
	srv0, pg0 := f.serverTicks(), f.postgresTicks()
	var mu sync.Mutex
	var wg sync.WaitGroup
	began := time.Now()
	stop := began.Add(d)
	var firstErr atomic.Value
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var lat []time.Duration
			var ok, bad int64
			per := make([]int64, len(f.instances))
			for time.Now().Before(stop) && ctx.Err() == nil {
				t := time.Now()
				good, inst, err := work(ctx, w)
				lat = append(lat, time.Since(t))
				if err != nil && firstErr.Load() == nil {
					firstErr.Store(err.Error())
				}
				if good {
					ok++
					if inst >= 0 && inst < len(per) {
						per[inst]++
					}
				} else {
					bad++
				}
			}
			mu.Lock()
			r.lat = append(r.lat, lat...)
			r.ok += ok
			r.bad += bad
			for i := range per {
				r.perInst[i] += per[i]
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	r.took = time.Since(began)
	srv1, pg1 := f.serverTicks(), f.postgresTicks()
	r.load = loadavg()
	s1, _ := f.statements(ctx)
	for i := range srv1 {
		r.serverCPU = append(r.serverCPU, time.Duration(srv1[i]-srv0[i])*clockTick)
	}
	r.pgCPU = time.Duration(pg1-pg0) * clockTick
	var deltas []statement
	for id, s := range s1 {
		p := s0[id]
		if s.calls > p.calls {
			dl := statement{calls: s.calls - p.calls, ms: s.ms - p.ms, query: s.query}
			r.calls += dl.calls
			r.pgExec += dl.ms
			deltas = append(deltas, dl)
		}
	}
	if top > 0 {
		sort.Slice(deltas, func(i, j int) bool { return deltas[i].calls > deltas[j].calls })
		r.top = deltas[:min(top, len(deltas))]
	}
	if e := firstErr.Load(); e != nil {
		r.note = "first error: " + e.(string)
	}
	return r
}

func (r *figures) total() int64 { return r.ok + r.bad }

func (r *figures) rate() float64 { return float64(r.ok) / r.took.Seconds() }

func (r *figures) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	slices.Sort(r.lat)
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

func (r *figures) serverSum() time.Duration {
	var s time.Duration
	for _, c := range r.serverCPU {
		s += c
	}
	return s
}

func perReq(d time.Duration, n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)/float64(n))
}

func (r *figures) print(w io.Writer) {
	n := r.total()
	fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %.2f | %s |\n",
		r.name, r.ok, r.rate(), ms(r.pct(0.50)), ms(r.pct(0.99)), ms(r.pct(1)),
		perReq(r.serverSum(), n), perReq(r.pgCPU, n), execPerReq(r.pgExec, n), float64(r.calls)/float64(max(n, 1)), r.load)
}

func execPerReq(total float64, n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", total/float64(n))
}

// mib is KiB in MiB.
func mib(kib int64) float64 { return float64(kib) / 1024 }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *figures) details(w io.Writer, instances int) {
	if r.bad > 0 {
		fmt.Fprintf(w, "- %s: %d requests did not get the expected answer. %s\n", r.name, r.bad, r.note)
	}
	if instances > 1 {
		var parts []string
		for i := range r.perInst {
			parts = append(parts, fmt.Sprintf("#%d %.1f req/s, %s ms CPU/req", i+1, float64(r.perInst[i])/r.took.Seconds(), perReq(r.serverCPU[i], r.perInst[i])))
		}
		fmt.Fprintf(w, "- %s per instance: %s\n", r.name, strings.Join(parts, "; "))
	}
	for _, e := range r.extra {
		fmt.Fprintf(w, "- %s: %s\n", r.name, e)
	}
	for _, s := range r.top {
		q := strings.Join(strings.Fields(s.query), " ")
		if len(q) > 160 {
			q = q[:160] + "…"
		}
		fmt.Fprintf(w, "    %6d calls %8.3f ms/call  %s\n", s.calls, s.ms/float64(max(s.calls, 1)), q)
	}
}

// hashTime measures one argon2id hash with the default parameters, as the
// server computes it: the CPU time of this process, which does nothing else
// meanwhile (a busy machine does not inflate it the way it inflates wall
// time), and wall time.
func hashTime() (cpu, wall time.Duration) {
	h := password.NewHasher(password.DefaultParams(), 1)
	ctx := context.Background()
	_, _ = h.Hash(ctx, "warm-up password")
	n := 0
	c0 := processCPU()
	began := time.Now()
	for time.Since(began) < 1500*time.Millisecond {
		_, _ = h.Hash(ctx, "correct horse battery staple")
		n++
	}
	wall = time.Since(began) / time.Duration(n)
	return (processCPU() - c0) / time.Duration(n), wall
}

// hashTimeAllCores is hashTime with cores hashes running at once, as in a
// login storm: the cores then share caches and memory bandwidth, so each
// hash costs more CPU than one alone.
func hashTimeAllCores(cores int) time.Duration {
	var n atomic.Int64
	var wg sync.WaitGroup
	c0 := processCPU()
	began := time.Now()
	for range cores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := password.NewHasher(password.DefaultParams(), 1)
			for time.Since(began) < 1500*time.Millisecond {
				_, _ = h.Hash(context.Background(), "correct horse battery staple")
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return (processCPU() - c0) / time.Duration(max(n.Load(), 1))
}

func bench(ctx context.Context, f *fleet, o options, stdout, stderr io.Writer) error {
	c := newClient(f)
	want := func(n string) bool { return o.only == nil || o.only[n] }
	loginWorkers := 32
	nAccounts := max(o.clients, loginWorkers)
	fmt.Fprintf(stderr, "loadtest: signing up %d accounts\n", nAccounts)
	accounts := make([]account, nAccounts)
	{
		var wg sync.WaitGroup
		errs := make(chan error, nAccounts)
		sem := make(chan struct{}, 4)
		for i := range accounts {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				a, err := c.signup(ctx, fmt.Sprintf("load-%d@example.com", i), fmt.Sprintf("load-pw-%d-%d", i, time.Now().UnixNano()))
				accounts[i] = a
				if err != nil {
					errs <- err
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
	}
	var runs []*figures
	var notes []string
	cores := o.latchCores()
	if o.cpus != nil {
		// Time the hash on the CPUs Latch hashes on.
		if err := o.cpus.pinToLatch(); err != nil {
			return err
		}
	}
	hash, hashWall := hashTime()
	ceiling := float64(cores) / hash.Seconds()
	notes = append(notes, fmt.Sprintf("argon2id (default parameters): %.1f ms CPU per hash (%.1f ms wall) here: %d cores ÷ hash = %.1f logins/s ceiling (load %s)",
		ms(hash), ms(hashWall), cores, ceiling, loadavg()))
	hashAll := hashTimeAllCores(cores)
	ceilingAll := float64(cores) / hashAll.Seconds()
	notes = append(notes, fmt.Sprintf("argon2id with all %d cores hashing at once: %.1f ms CPU per hash, %.1f hashes/s: the most logins/s this machine can hash (load %s)",
		cores, ms(hashAll), ceilingAll, loadavg()))
	if o.cpus != nil {
		// From here the client keeps to PostgreSQL's CPUs.
		if err := o.cpus.pinToRest(); err != nil {
			return err
		}
		notes = append(notes, fmt.Sprintf("split: %s; the ceilings are Latch's cores ÷ one hash", o.cpus))
	}
	// The share of a login's CPU (server and PostgreSQL) that is the hash:
	// the rate a quiet machine reaches, as a share of the ceiling, when
	// logins are all it does. It carries over between machines; req/s on
	// a shared machine does not.
	loginShare := func(r *figures) string {
		n := r.total()
		if n == 0 {
			return ""
		}
		if o.cpus != nil {
			per := r.serverSum() / time.Duration(n)
			return fmt.Sprintf("the hash is %.0f %% of a login's CPU on Latch's cores (%.1f ms of %.1f ms)",
				100*float64(hash)/float64(per), ms(hash), ms(per))
		}
		per := (r.serverSum() + r.pgCPU) / time.Duration(n)
		return fmt.Sprintf("the hash is %.0f %% of a login's CPU (%.1f ms of %.1f ms server + PostgreSQL): a quiet machine would sign in at most that share of the ceiling",
			100*float64(hash)/float64(per), ms(hash), ms(per))
	}
	// bracket measures a login run between two timings of every core
	// hashing, so its ceiling is the machine's at that moment: on a
	// shared machine a hash's cost drifts by a fifth within minutes.
	hashNow := func() time.Duration {
		if o.cpus == nil {
			return hashTimeAllCores(cores)
		}
		// On Latch's CPUs, as the ceiling is theirs; then back.
		if err := o.cpus.pinToLatch(); err != nil {
			return hashAll
		}
		t := hashTimeAllCores(cores)
		_ = o.cpus.pinToRest()
		return t
	}
	bracket := func(run func() *figures) (*figures, string) {
		before := hashNow()
		r := run()
		after := hashNow()
		hashes := float64(cores) / ((before + after) / 2).Seconds()
		return r, fmt.Sprintf("%.0f %% of the %.1f hashes/s every core hashed just before and after this run (%.1f and %.1f ms per hash)",
			100*r.rate()/hashes, hashes, ms(before), ms(after))
	}
	d := o.duration
	var signupN atomic.Int64
	if want("signup") {
		r := measure(ctx, f, "signup (POST /signup)", o.clients, d, o.top, func(ctx context.Context, w int) (bool, int, error) {
			i := signupN.Add(1)
			res, err := c.do(ctx, c.http(w, nil), "POST", "/signup", url.Values{"email": {fmt.Sprintf("new-%d@example.com", i)}, "password": {fmt.Sprintf("new-pw-%d-x", i)}}, browser)
			return check(err == nil && res.status == http.StatusOK && signupIDRe.MatchString(res.body), res, err)
		})
		runs = append(runs, r)
	}
	if want("login-api") {
		r, near := bracket(func() *figures {
			return measure(ctx, f, "password login, token API", o.clients, d, o.top, func(ctx context.Context, w int) (bool, int, error) {
				g, res, err := c.passwordGrant(ctx, c.http(w, nil), accounts[w%len(accounts)])
				return check(err == nil && res.status == http.StatusOK && g.RefreshToken != "", res, err)
			})
		})
		r.extra = append(r.extra, fmt.Sprintf("%.0f %% of the %.1f logins/s ceiling, %.0f %% of the %.1f hashes/s with every core hashing (load %s); %s; %s",
			100*r.rate()/ceiling, ceiling, 100*r.rate()/ceilingAll, ceilingAll, r.load, near, loginShare(r)))
		runs = append(runs, r)
	}
	if want("login-form") {
		r, near := bracket(func() *figures {
			return measure(ctx, f, "password login, form", o.clients, d, o.top, func(ctx context.Context, w int) (bool, int, error) {
				a := accounts[w%len(accounts)]
				res, err := c.do(ctx, c.http(w, newJar()), "POST", "/login", url.Values{"email": {a.email}, "password": {a.password}}, browser)
				return check(err == nil && res.status == http.StatusSeeOther && res.location == "/account", res, err)
			})
		})
		r.extra = append(r.extra, fmt.Sprintf("%.0f %% of the %.1f logins/s ceiling, %.0f %% of the %.1f hashes/s with every core hashing (load %s); %s; %s",
			100*r.rate()/ceiling, ceiling, 100*r.rate()/ceilingAll, ceilingAll, r.load, near, loginShare(r)))
		runs = append(runs, r)
	}
	// One token pair per client for refresh and bearer.
	grants := make([]grant, o.clients)
	if want("refresh") || want("bearer") {
		for w := range grants {
			g, res, err := c.passwordGrant(ctx, c.http(w, nil), accounts[w%len(accounts)])
			if err != nil || res.status != http.StatusOK {
				return fmt.Errorf("password grant for the token runs: %d %v %s", res.status, err, res.body)
			}
			grants[w] = g
		}
	}
	if want("refresh") {
		r := measure(ctx, f, "refresh rotation", o.clients, d, o.top, func(ctx context.Context, w int) (bool, int, error) {
			res, err := c.do(ctx, c.http(w, nil), "POST", "/api/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {grants[w].RefreshToken}}, nil)
			var g grant
			if err == nil {
				_ = json.Unmarshal([]byte(res.body), &g)
			}
			if err != nil || res.status != http.StatusOK || g.RefreshToken == "" {
				return false, res.instance, fmt.Errorf("refresh: %d %v %.200s", res.status, err, res.body)
			}
			grants[w] = g
			return true, res.instance, nil
		})
		runs = append(runs, r)
	}
	if want("bearer") {
		r := measure(ctx, f, "bearer current user (GET /api/v1/me)", o.clients, d, o.top, func(ctx context.Context, w int) (bool, int, error) {
			res, err := c.do(ctx, c.http(w, nil), "GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + grants[w].AccessToken})
			if err == nil && res.status == http.StatusUnauthorized { // expired on a long run: a new pair
				if g, _, gerr := c.passwordGrant(ctx, c.http(w, nil), accounts[w%len(accounts)]); gerr == nil && g.AccessToken != "" {
					grants[w] = g
				}
			}
			return check(err == nil && res.status == http.StatusOK, res, err)
		})
		runs = append(runs, r)
	}
	var pageSolo *figures
	page := func(ctx context.Context, w int) (bool, int, error) {
		a := accounts[w%len(accounts)]
		res, err := c.do(ctx, c.http(w, a.jar), "GET", "/account", nil, nil)
		return check(err == nil && res.status == http.StatusOK, res, err)
	}
	if want("page") || want("mixed") {
		pageSolo = measure(ctx, f, "signed-in page (GET /account)", o.clients, d, o.top, page)
		runs = append(runs, pageSolo)
	}
	if want("mixed") {
		// Pages from o.clients browsers while loginWorkers API clients
		// sign in: the pages' figures, then the logins'.
		var logins *figures
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			logins = measure(ctx, f, "  logins during the mixed run", loginWorkers, d, 0, func(ctx context.Context, w int) (bool, int, error) {
				g, res, err := c.passwordGrant(ctx, c.http(w, nil), accounts[w%len(accounts)])
				return check(err == nil && res.status == http.StatusOK && g.RefreshToken != "", res, err)
			})
		}()
		time.Sleep(200 * time.Millisecond) // the logins are hashing
		pages := measure(ctx, f, fmt.Sprintf("mixed: pages while %d logins hash", loginWorkers), o.clients, d-400*time.Millisecond, o.top, page)
		wg.Wait()
		pages.extra = append(pages.extra, fmt.Sprintf("pages at %.0f %% of their solo rate (%.1f req/s), p99 %.1f ms; logins meanwhile %.1f/s (%.0f %% of the ceiling), login p99 %.0f ms",
			100*pages.rate()/pageSolo.rate(), pageSolo.rate(), ms(pages.pct(0.99)), logins.rate(), 100*logins.rate()/ceiling, ms(logins.pct(0.99))))
		pages.extra = append(pages.extra, "CPU and statements per request of the mixed rows cover both kinds of request in the window")
		runs = append(runs, pages, logins)
	}
	if want("storm") {
		// The peak asked of the storm is its own, not the earlier
		// scenarios' (the mixed run renders pages while logins hash).
		before := make([]int64, len(f.instances))
		reset := make([]bool, len(f.instances))
		for i := range f.instances {
			before[i], _ = f.rss(i)
			reset[i] = f.resetPeak(i) == nil
		}
		r := measure(ctx, f, "login storm, 64 clients", 64, d, o.top, func(ctx context.Context, w int) (bool, int, error) {
			g, res, err := c.passwordGrant(ctx, c.http(w, nil), accounts[w%len(accounts)])
			return check(err == nil && res.status == http.StatusOK && g.RefreshToken != "", res, err)
		})
		time.Sleep(2 * time.Second)
		for i := range f.instances {
			peak, cur := f.rss(i)
			if !reset[i] {
				r.extra = append(r.extra, fmt.Sprintf("instance %d: peak RSS %.1f MiB since the server started (this system cannot restart the count), %.1f MiB two seconds after", i+1, mib(peak), mib(cur)))
				continue
			}
			r.extra = append(r.extra, fmt.Sprintf("instance %d: peak RSS %.1f MiB during the storm, %.1f MiB two seconds after (the earlier scenarios peaked at %.1f MiB)", i+1, mib(peak), mib(cur), mib(before[i])))
		}
		runs = append(runs, r)
	}
	if want("guard") {
		notes = append(notes, guardCheck(ctx, c)...)
	}

	fmt.Fprintf(stdout, "\n## Latch under load: %d instance(s), %d clients, %s per scenario, %d CPUs\n\n", len(f.instances), o.clients, d, runtime.NumCPU())
	fmt.Fprintln(stdout, "| scenario | ok | req/s | p50 ms | p99 ms | max ms | server CPU ms/req | PostgreSQL CPU ms/req | PG exec ms/req | statements/req | load avg |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range runs {
		r.print(stdout)
	}
	fmt.Fprintln(stdout)
	for _, n := range notes {
		fmt.Fprintln(stdout, "- "+n)
	}
	for _, r := range runs {
		r.details(stdout, len(f.instances))
	}
	for i, in := range f.instances {
		if n := in.errorLines(); n > 0 {
			fmt.Fprintf(stdout, "- instance %d logged %d ERROR lines; the last of its log:\n%s\n", i+1, n, in.logTail())
		}
	}
	return nil
}

// guardCheck sends wrong passwords for one account, spread round-robin
// over the instances, each from a new client, and counts how many are
// checked before the guard refuses: the per-account budget (10 per 15
// minutes by default) must hold exactly, however many instances share it.
func guardCheck(ctx context.Context, c *client) []string {
	email := fmt.Sprintf("guard-%d@example.com", time.Now().UnixNano())
	a, err := c.signup(ctx, email, "guard-right-password-1")
	if err != nil {
		return []string{"guard check: " + err.Error()}
	}
	const tries = 16
	checked, refused, other := 0, 0, 0
	per := make([]int, len(c.f.instances))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < tries; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, res, err := c.passwordGrant(ctx, c.http(i, nil), account{email: a.email, password: "wrong-password-x"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				other++
			case res.status == http.StatusBadRequest && strings.Contains(res.body, "invalid_grant"):
				checked++
				per[res.instance]++
			case res.status == http.StatusTooManyRequests:
				refused++
			default:
				other++
			}
		}(i)
	}
	wg.Wait()
	return []string{fmt.Sprintf("guard across %d instance(s): %d wrong passwords at once for one account, round-robin: %d checked (per instance %v), %d refused, %d other; the policy allows 10 per 15 minutes",
		len(c.f.instances), tries, checked, per, refused, other)}
}

package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// attackDB is the database the run creates and drops.
const attackDB = "latch_attack"

// target is the server under attack: a child process on loopback and its
// own database.
type target struct {
	addr   string // host:port, loopback
	base   string // http://addr
	admin  string // DSN of the server's PostgreSQL, to create and drop attackDB
	dir    string // temporary data folder and log of the child
	cmd    *exec.Cmd
	exited chan struct{}
	db     *pgxpool.Pool

	// overrides are the LATCH_GUARD_* settings passed on to the child.
	overrides map[string]string

	mu         sync.Mutex
	transports map[string]*http.Transport
}

// start makes a fresh attackDB on admin's server, starts the binary latch
// on addr against it in dev mode, and waits until it is ready. Settings
// are explicit: only LATCH_GUARD_* overrides are taken from the
// environment, so a configured SMTP host or SMS gateway never gets the
// run's messages.
func start(ctx context.Context, latch, admin, addr string, getenv func(string) string, progress io.Writer) (t *target, err error) {
	if ln, err := net.Listen("tcp", addr); err != nil {
		return nil, fmt.Errorf("%s is not free: %w", addr, err)
	} else {
		ln.Close()
	}
	t = &target{addr: addr, base: "http://" + addr, admin: admin, exited: make(chan struct{}),
		overrides: map[string]string{}, transports: map[string]*http.Transport{}}
	defer func() {
		if err != nil {
			if cerr := t.close(); cerr != nil {
				fmt.Fprintln(progress, "attack: cleanup:", cerr)
			}
		}
	}()
	if err := t.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{attackDB}.Sanitize()+" WITH (FORCE)"); err != nil {
		return t, err
	}
	if err := t.exec(ctx, "CREATE DATABASE "+pgx.Identifier{attackDB}.Sanitize()); err != nil {
		return t, err
	}
	dsn, err := withDatabase(admin, attackDB)
	if err != nil {
		return t, err
	}
	if t.dir, err = os.MkdirTemp("", "latch-attack-"); err != nil {
		return t, err
	}
	logf, err := os.Create(t.dir + "/latch.log")
	if err != nil {
		return t, err
	}
	defer logf.Close() // the child holds its own descriptor

	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		return t, err
	}
	env := []string{
		"LATCH_ENV=dev",
		"DATABASE_URL=" + dsn,
		"LATCH_ADDR=" + addr,
		"LATCH_PUBLIC_URL=" + t.base,
		"LATCH_DATA_DIR=" + t.dir,
		"LATCH_TOKEN_KEK=" + base64.StdEncoding.EncodeToString(kek),
		"LATCH_TRUST_PROXY_HEADERS=false",
		"LATCH_LOG_LEVEL=warn",
		"LATCH_LOG_FORMAT=text",
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "LATCH_GUARD_") {
			t.overrides[k] = getenv(k)
			env = append(env, k+"="+getenv(k))
		}
	}

	t.cmd = exec.Command(latch, "serve")
	t.cmd.Env = env
	t.cmd.Stdout, t.cmd.Stderr = logf, logf
	dieWithParent(t.cmd)
	if err := t.cmd.Start(); err != nil {
		return t, fmt.Errorf("start %s: %w", latch, err)
	}
	go func() {
		_ = t.cmd.Wait()
		close(t.exited)
	}()

	if t.db, err = pgxpool.New(ctx, dsn); err != nil {
		return t, err
	}
	if err := t.awaitReady(ctx, 90*time.Second); err != nil {
		return t, fmt.Errorf("%w\n%s", err, t.logTail())
	}
	return t, nil
}

// exec runs one statement on the admin database.
func (t *target) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, t.admin)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// withDatabase returns dsn naming database instead of its own.
func withDatabase(dsn, database string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("the PostgreSQL DSN does not parse as a URL")
		}
		u.Path = "/" + database
		u.RawPath = ""
		return u.String(), nil
	}
	return strings.TrimSpace(dsn) + " dbname=" + database, nil
}

// awaitReady polls /readyz until it answers 200, the child exits or
// limit passes.
func (t *target) awaitReady(ctx context.Context, limit time.Duration) error {
	c := t.client("", false)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-t.exited:
			return errors.New("the server exited before it was ready")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if a, err := t.get(ctx, c, "/readyz"); err == nil && a.status == http.StatusOK {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the server was not ready within %s", limit)
}

// close stops the child (SIGTERM, then SIGKILL after 15 seconds), drops
// attackDB and removes the temporary folder. It is safe on a target
// that started only in part.
func (t *target) close() error {
	var errs []error
	if t.cmd != nil && t.cmd.Process != nil {
		_ = t.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-t.exited:
		case <-time.After(15 * time.Second):
			_ = t.cmd.Process.Kill()
			<-t.exited
			errs = append(errs, errors.New("the server did not stop within 15s of SIGTERM; killed"))
		}
	}
	if t.db != nil {
		t.db.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := t.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{attackDB}.Sanitize()+" WITH (FORCE)"); err != nil {
		errs = append(errs, err)
	}
	for _, tr := range t.transports {
		tr.CloseIdleConnections()
	}
	if t.dir != "" {
		if err := os.RemoveAll(t.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// logTail returns the last lines of the child's log.
func (t *target) logTail() string {
	if t.dir == "" {
		return ""
	}
	b, err := os.ReadFile(t.dir + "/latch.log")
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// warnings counts the child's log lines at WARN and ERROR level, the
// guard's "budget tripped" warnings among them by policy and scope, and
// the errors by message and status.
func (t *target) warnings() (warn, errs int, trips, errMsgs map[string]int) {
	trips, errMsgs = map[string]int{}, map[string]int{}
	f, err := os.Open(t.dir + "/latch.log")
	if err != nil {
		return 0, 0, trips, errMsgs
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Text()
		switch {
		case strings.Contains(line, "level=ERROR"):
			errs++
			errMsgs[strings.TrimSpace(logField(line, "msg")+" "+logField(line, "err")+" "+logField(line, "path"))]++
		case strings.Contains(line, "level=WARN"):
			warn++
			if strings.Contains(line, "budget tripped") {
				trips[logField(line, "policy")+" "+logField(line, "scope")]++
			}
		}
	}
	return warn, errs, trips, errMsgs
}

// logField returns the value of key in a slog text line.
func logField(line, key string) string {
	_, v, ok := strings.Cut(line, " "+key+"=")
	if !ok {
		return ""
	}
	if strings.HasPrefix(v, `"`) {
		if q, err := strconv.QuotedPrefix(v); err == nil {
			if u, err := strconv.Unquote(q); err == nil {
				return u
			}
		}
	}
	v, _, _ = strings.Cut(v, " ")
	return v
}

// memory returns the child's peak and current resident set, in KiB.
func (t *target) memory() (peak, current int64, err error) {
	if t.cmd == nil || t.cmd.Process == nil {
		return 0, 0, errors.New("no server")
	}
	return readRSS(t.cmd.Process.Pid)
}

// parseStatus reads VmHWM and VmRSS (kB) from a /proc/<pid>/status text.
func parseStatus(r io.Reader) (peak, current int64, err error) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %q", k, v)
		}
		if k == "VmHWM" {
			peak = n
		} else {
			current = n
		}
	}
	if peak == 0 {
		return 0, 0, errors.New("no VmHWM in the process status")
	}
	return peak, current, s.Err()
}

// transport returns the shared transport whose connections come from the
// loopback address src ("" for the system's choice).
func (t *target) transport(src string) *http.Transport {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr, ok := t.transports[src]; ok {
		return tr
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second,
		Proxy: nil, ForceAttemptHTTP2: false}
	t.transports[src] = tr
	return tr
}

// client returns an HTTP client speaking from src that never follows
// redirects; with jar it keeps cookies like one browser, without it each
// request arrives as a new client.
func (t *target) client(src string, jar bool) *http.Client {
	c := &http.Client{Transport: t.transport(src), Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if jar {
		c.Jar = newJar()
	}
	return c
}

// answer is a response, read whole.
type answer struct {
	status   int
	location string
	retry    string // Retry-After
	body     string
	took     time.Duration
}

// post sends form to path. As a browser it carries the same-origin
// headers a form post has; otherwise it is an API client's request.
func (t *target) post(ctx context.Context, c *http.Client, path string, form url.Values, browser bool) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if browser {
		req.Header.Set("Origin", t.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	return do(c, req)
}

func (t *target) get(ctx context.Context, c *http.Client, path string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+path, nil)
	if err != nil {
		return answer{}, err
	}
	return do(c, req)
}

func do(c *http.Client, req *http.Request) (answer, error) {
	began := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, location: resp.Header.Get("Location"), retry: resp.Header.Get("Retry-After"),
		body: string(b), took: time.Since(began)}, nil
}

// mark returns the newest message id in the dev mailbox.
func (t *target) mark(ctx context.Context) (int64, error) {
	var id int64
	err := t.db.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM outbox_dev_mailbox").Scan(&id)
	return id, err
}

// settle waits until the outbox has no job left to run (at most 20
// seconds), so that counts of delivered messages are final.
func (t *target) settle(ctx context.Context) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var pending int
		err := t.db.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')").Scan(&pending)
		if err != nil || pending == 0 {
			time.Sleep(300 * time.Millisecond) // a job being inserted right now
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// delivered counts the emails and text messages stored in the dev mailbox
// after the message id since.
func (t *target) delivered(ctx context.Context, since int64) (email, sms int, err error) {
	t.settle(ctx)
	err = t.db.QueryRow(ctx, "SELECT count(*) FILTER (WHERE kind = 'email'), count(*) FILTER (WHERE kind = 'sms') FROM outbox_dev_mailbox WHERE id > $1", since).
		Scan(&email, &sms)
	return email, sms, err
}

// code waits (10 seconds at most) for a message with a six-digit code to
// reach to after the message id since, with one of purposes, and returns
// the code, as its owner reading the mailbox would.
func (t *target) code(ctx context.Context, since int64, to string, purposes ...string) (string, error) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var text string
		err := t.db.QueryRow(ctx, "SELECT text_body FROM outbox_dev_mailbox WHERE id > $1 AND recipient = $2 AND purpose = ANY($3) ORDER BY id DESC LIMIT 1",
			since, to, purposes).Scan(&text)
		if err == nil {
			if c := sixDigits(text); c != "" {
				return c, nil
			}
			return "", fmt.Errorf("no six-digit code in the %v message to %s", purposes, to)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return "", err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("no %v message reached %s within 10s", purposes, to)
}

// sixDigits returns the first run of exactly six digits in text.
func sixDigits(text string) string {
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r < '0' || r > '9' }) {
		if len(f) == 6 {
			return f
		}
	}
	return ""
}

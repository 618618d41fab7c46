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
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// loadDB is the database the run creates and drops.
const loadDB = "latch_load"

// instance is one `latch serve` child on a loopback port.
type instance struct {
	base   string
	dir    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// fleet is the servers under load and the database they share.
type fleet struct {
	admin     string // DSN of the cluster's postgres database
	dsn       string // DSN of loadDB
	pgData    string // the cluster's data folder (postmaster.pid)
	instances []*instance
	stats     *pgxpool.Pool // on loadDB: pg_stat_statements and the dev mailbox
}

// guardOverrides raise the guard's budgets per address and for the whole
// app for the run, so that one loopback address can sign up and sign in
// for minutes: the bench measures work, not refusals. Budgets per account
// keep their defaults (the -instances run checks them).
var guardOverrides = []string{
	"LATCH_GUARD_PASSWORD_IP=100000000/1h",
	"LATCH_GUARD_SIGNUP_IP=100000000/1h",
	"LATCH_GUARD_SIGNUP_SESSION=100000000/1h",
	"LATCH_GUARD_SIGNUP_GLOBAL=100000000/1h",
	"LATCH_GUARD_SEND_EMAIL_IP=100000000/1h",
	"LATCH_GUARD_SEND_EMAIL_GLOBAL=100000000/1h",
}

func startFleet(ctx context.Context, o options, admin, pgData string, getenv func(string) string, progress io.Writer) (f *fleet, err error) {
	f = &fleet{admin: admin, pgData: pgData}
	defer func() {
		if err != nil {
			if cerr := f.close(); cerr != nil {
				fmt.Fprintln(progress, "loadtest: cleanup:", cerr)
			}
		}
	}()
	if err := execAdmin(ctx, admin, "DROP DATABASE IF EXISTS "+pgx.Identifier{loadDB}.Sanitize()+" WITH (FORCE)"); err != nil {
		return f, err
	}
	if err := execAdmin(ctx, admin, "CREATE DATABASE "+pgx.Identifier{loadDB}.Sanitize()); err != nil {
		return f, err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return f, errors.New("the cluster's DSN does not parse")
	}
	u.Path = "/" + loadDB
	f.dsn = u.String()
	if f.stats, err = pgxpool.New(ctx, f.dsn); err != nil {
		return f, err
	}
	if _, err := f.stats.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		return f, fmt.Errorf("pg_stat_statements: %w (the cluster in %s must run with shared_preload_libraries=pg_stat_statements; stop it and run again)", err, pgData)
	}
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		return f, err
	}
	// Every instance serves one public URL, as behind a load balancer: it
	// names the issuer and audience of access tokens, so a token issued
	// by one instance is accepted by the others.
	var public string
	// Several instances on one machine split its cores, as CPU limits
	// split them in a cluster: each hashes on its share
	// (LATCH_HASH_CONCURRENCY in the environment overrides it).
	var extra []string
	if o.instances > 1 && getenv("LATCH_HASH_CONCURRENCY") == "" {
		extra = append(extra, fmt.Sprintf("LATCH_HASH_CONCURRENCY=%d", max(1, o.latchCores()/o.instances)))
	}
	for i := 0; i < o.instances; i++ {
		in, err := startInstance(ctx, o.latch, f.dsn, base64.StdEncoding.EncodeToString(kek), public, extra, getenv, o.cpus)
		if in != nil {
			f.instances = append(f.instances, in)
		}
		if err != nil {
			return f, err
		}
		// The first applies the migrations; the others start once it is
		// ready.
		if err := in.awaitReady(ctx, 90*time.Second); err != nil {
			return f, fmt.Errorf("%w\n%s", err, in.logTail())
		}
		fmt.Fprintf(progress, "loadtest: instance %d ready on %s (pid %d)\n", i+1, in.base, in.cmd.Process.Pid)
		if public == "" {
			public = in.base
		}
	}
	return f, nil
}

func execAdmin(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startInstance starts one `latch serve` in dev mode (messages land in the
// dev mailbox; nothing is sent) with explicit settings: only LATCH_HASH_*,
// LATCH_DB_*, LATCH_ARGON2_* and the Go runtime's GODEBUG, GOGC and
// GOMEMLIMIT are taken from the environment, to compare settings. With
// cpus, it runs on Latch's CPUs.
func startInstance(ctx context.Context, latch, dsn, kek, public string, extra []string, getenv func(string) string, cpus *cpuSplit) (*instance, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	in := &instance{base: "http://" + addr, exited: make(chan struct{})}
	if public == "" {
		public = in.base
	}
	if in.dir, err = os.MkdirTemp("", "latch-load-"); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(in.dir, "latch.log"))
	if err != nil {
		return in, err
	}
	defer logf.Close()
	env := []string{
		"LATCH_ENV=dev",
		"DATABASE_URL=" + dsn,
		"LATCH_ADDR=" + addr,
		"LATCH_PUBLIC_URL=" + public,
		"LATCH_DATA_DIR=" + in.dir,
		"LATCH_TOKEN_KEK=" + kek,
		"LATCH_TRUST_PROXY_HEADERS=false",
		"LATCH_LOG_LEVEL=warn",
		"LATCH_LOG_FORMAT=text",
	}
	env = append(env, guardOverrides...)
	env = append(env, extra...)
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok && (k == "GODEBUG" || k == "GOGC" || k == "GOMEMLIMIT" || strings.HasPrefix(k, "LATCH_HASH_") || strings.HasPrefix(k, "LATCH_DB_") || strings.HasPrefix(k, "LATCH_ARGON2_")) {
			env = append(env, kv)
		}
	}
	in.cmd = exec.Command(latch, "serve")
	in.cmd.Env = env
	in.cmd.Stdout, in.cmd.Stderr = logf, logf
	in.cmd.SysProcAttr = childAttr()
	start := in.cmd.Start
	if cpus != nil {
		start = func() error { return cpus.start(in.cmd) }
	}
	if err := start(); err != nil {
		return in, fmt.Errorf("start %s: %w", latch, err)
	}
	go func() {
		_ = in.cmd.Wait()
		close(in.exited)
	}()
	return in, nil
}

func (in *instance) awaitReady(ctx context.Context, limit time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-in.exited:
			return errors.New("the server exited before it was ready")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := c.Get(in.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the server was not ready within %s", limit)
}

func (in *instance) logTail() string {
	b, err := os.ReadFile(filepath.Join(in.dir, "latch.log"))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// errorLines counts the log's ERROR lines.
func (in *instance) errorLines() int {
	fh, err := os.Open(filepath.Join(in.dir, "latch.log"))
	if err != nil {
		return 0
	}
	defer fh.Close()
	n := 0
	s := bufio.NewScanner(fh)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		if strings.Contains(s.Text(), "level=ERROR") {
			n++
		}
	}
	return n
}

func (in *instance) stop() error {
	if in.cmd == nil || in.cmd.Process == nil {
		return nil
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.exited:
	case <-time.After(15 * time.Second):
		_ = in.cmd.Process.Kill()
		<-in.exited
		return errors.New("a server did not stop within 15s of SIGTERM; killed")
	}
	return nil
}

func (f *fleet) close() error {
	var errs []error
	for _, in := range f.instances {
		if err := in.stop(); err != nil {
			errs = append(errs, err)
		}
		if in.dir != "" {
			_ = os.RemoveAll(in.dir)
		}
	}
	if f.stats != nil {
		f.stats.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if f.admin != "" {
		if err := execAdmin(ctx, f.admin, "DROP DATABASE IF EXISTS "+pgx.Identifier{loadDB}.Sanitize()+" WITH (FORCE)"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// cpuTicks reads utime+stime (and, with children, cutime+cstime) of pid
// from /proc, in clock ticks.
func cpuTicks(pid int, children bool) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	fields := strings.Fields(s[i+1:]) // fields[0] is state (field 3)
	if len(fields) < 15 {
		return 0, errors.New("short /proc stat")
	}
	var sum int64
	last := 12 // utime=14, stime=15 → indexes 11, 12
	if children {
		last = 14
	}
	for k := 11; k <= last; k++ {
		n, _ := strconv.ParseInt(fields[k], 10, 64)
		sum += n
	}
	return sum, nil
}

// ppid is the parent of pid.
func ppid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(fields[1])
	return n
}

// postgresTicks is the CPU of the whole PostgreSQL server: the
// postmaster with its reaped children, and every live child.
func (f *fleet) postgresTicks() int64 {
	b, err := os.ReadFile(filepath.Join(f.pgData, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if pm <= 0 {
		return 0
	}
	total, _ := cpuTicks(pm, true)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || ppid(pid) != pm {
			continue
		}
		t, _ := cpuTicks(pid, true)
		total += t
	}
	return total
}

// serverTicks is the CPU of each instance.
func (f *fleet) serverTicks() []int64 {
	out := make([]int64, len(f.instances))
	for i, in := range f.instances {
		out[i], _ = cpuTicks(in.cmd.Process.Pid, false)
	}
	return out
}

// resetPeak starts instance i's peak RSS (VmHWM) afresh from its current
// RSS (Linux's clear_refs "5"), so the next scenario's peak is its own.
func (f *fleet) resetPeak(i int) error {
	return os.WriteFile("/proc/"+strconv.Itoa(f.instances[i].cmd.Process.Pid)+"/clear_refs", []byte("5"), 0)
}

// rss reads VmHWM and VmRSS (KiB) of instance i.
func (f *fleet) rss(i int) (peak, cur int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(f.instances[i].cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			peak = n
		case "VmRSS":
			cur = n
		}
	}
	return peak, cur
}

// statement is one pg_stat_statements row.
type statement struct {
	calls int64
	ms    float64
	query string
}

// statements reads pg_stat_statements for loadDB, without the bench's
// own queries.
func (f *fleet) statements(ctx context.Context) (map[int64]statement, error) {
	rows, err := f.stats.Query(ctx, `SELECT queryid, calls, total_exec_time, query FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND query NOT LIKE '%pg_stat_statements%' AND queryid IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]statement{}
	for rows.Next() {
		var id int64
		var s statement
		if err := rows.Scan(&id, &s.calls, &s.ms, &s.query); err != nil {
			return nil, err
		}
		p := out[id]
		p.calls += s.calls
		p.ms += s.ms
		p.query = s.query
		out[id] = p
	}
	return out, rows.Err()
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// Package devdb runs a project-local PostgreSQL cluster, so that `dev` and
// `test` work on a machine with only Go installed: it finds (or, as root on
// Debian, installs) PostgreSQL's server binaries, creates a cluster in a data
// folder inside the project, starts it on a free loopback port and hands back
// a DSN for the `latch` database.
//
// The cluster trusts every local connection as the `postgres` superuser and
// listens on 127.0.0.1 only. It is for development and tests, never for
// production.
package devdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// Database is the database Start creates and the returned DSN names.
	Database = "latch"

	superuser = "postgres"
	portFile  = "latch.port" // inside Dir: the port this cluster listens on
	logFile   = "server.log" // inside Dir: the server's log, for when start fails
)

// Cluster is a PostgreSQL cluster kept in Dir. The zero value is not usable:
// Dir must be set.
type Cluster struct {
	Dir string    // data folder, e.g. <project>/.data/postgres
	Out io.Writer // short progress lines and installer output; nil discards them
	// Settings are extra server settings, name=value (e.g.
	// shared_preload_libraries=pg_stat_statements), given as -c options
	// when Start starts the server. A server already running keeps its own.
	Settings []string
}

// Start makes sure the cluster exists, is running and has a database named
// latch, and returns its DSN,
// postgres://postgres@127.0.0.1:PORT/latch?sslmode=disable.
//
// Start is idempotent, and safe when several processes call it at once: they
// serialise on an exclusive lock on the file Dir+".lock". A first call creates
// the cluster (initdb) and picks a free port; later calls reuse that port if
// it is still free.
//
// Start fails when PostgreSQL's server binaries are missing and cannot be
// installed (the error says what to install), when running as root and the
// postgres system user cannot reach Dir (the error names the folder in the
// way), when Dir exists but holds something other than a cluster, when the
// cluster was made by another major version than the binaries found, when the
// server does not start (the error quotes the end of Dir/server.log), or when
// ctx ends first.
func (c *Cluster) Start(ctx context.Context) (dsn string, err error) {
	dir, err := c.dir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("devdb: %w", err)
	}
	unlock, err := lock(ctx, dir+".lock")
	if err != nil {
		return "", err
	}
	defer unlock()

	pg, err := findOrInstall(ctx, dir, c.out())
	if err != nil {
		return "", err
	}
	if err := c.ensureCluster(ctx, pg, dir); err != nil {
		return "", err
	}

	running, err := pg.running(ctx, dir)
	if err != nil {
		return "", err
	}
	var port int
	if running {
		if port, err = runningPort(dir); err != nil {
			return "", err
		}
	} else if port, err = c.start(ctx, pg, dir); err != nil {
		return "", err
	}
	if err := c.ensureDatabase(ctx, port); err != nil {
		return "", err
	}
	return dsnFor(port, Database), nil
}

// Stop shuts the cluster down (pg_ctl stop -m fast), waiting until it has
// stopped. Stopping a cluster that is not running, or that does not exist,
// is not an error. Stop fails if pg_ctl cannot be found or does not stop the
// server, or when ctx ends first.
func (c *Cluster) Stop(ctx context.Context) error {
	dir, err := c.dir()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	unlock, err := lock(ctx, dir+".lock")
	if err != nil {
		return err
	}
	defer unlock()

	pg, err := findBinaries(dir)
	if err != nil {
		return err
	}
	running, err := pg.running(ctx, dir)
	if err != nil || !running {
		return err
	}
	fmt.Fprintf(c.out(), "devdb: stopping PostgreSQL in %s\n", dir)
	out, err := pg.command(ctx, "pg_ctl", "-D", dir, "stop", "-m", "fast", "-w").CombinedOutput()
	if err != nil {
		return fmt.Errorf("devdb: pg_ctl stop: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// URL returns the DSN of the running cluster without starting it. It fails
// if the cluster does not exist or is not running, or if pg_ctl cannot be
// found to ask.
func (c *Cluster) URL() (string, error) {
	dir, err := c.dir()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		return "", fmt.Errorf("devdb: no cluster in %s (run `devdb start`)", dir)
	}
	pg, err := findBinaries(dir)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	running, err := pg.running(ctx, dir)
	if err != nil {
		return "", err
	}
	if !running {
		return "", fmt.Errorf("devdb: the cluster in %s is not running (run `devdb start`)", dir)
	}
	port, err := runningPort(dir)
	if err != nil {
		return "", err
	}
	return dsnFor(port, Database), nil
}

func (c *Cluster) dir() (string, error) {
	if c.Dir == "" {
		return "", errors.New("devdb: Cluster.Dir is empty")
	}
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return "", fmt.Errorf("devdb: %w", err)
	}
	return dir, nil
}

func (c *Cluster) out() io.Writer {
	if c.Out == nil {
		return io.Discard
	}
	return c.Out
}

// ensureCluster runs initdb unless dir already holds a cluster.
func (c *Cluster) ensureCluster(ctx context.Context, pg *binaries, dir string) error {
	_, err := os.Stat(filepath.Join(dir, "PG_VERSION"))
	if err == nil {
		return pg.checkAccess(ctx, dir)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("devdb: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("devdb: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("devdb: %s exists but holds no PostgreSQL cluster; remove it or choose another folder", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if err := pg.own(dir); err != nil {
		return err
	}
	if err := pg.checkAccess(ctx, dir); err != nil {
		return err
	}
	fmt.Fprintf(c.out(), "devdb: creating a PostgreSQL %d cluster in %s\n", pg.major, dir)
	out, err := pg.command(ctx, "initdb", "-D", dir, "-U", superuser, "-A", "trust", "-E", "UTF8", "--no-locale").CombinedOutput()
	if err != nil {
		return fmt.Errorf("devdb: initdb: %w\n%s", err, tail(string(out), 15))
	}
	return nil
}

// start starts the stopped cluster in dir and returns its port. It reuses
// the recorded port if free; if the server cannot bind it (another process
// took it meanwhile), it tries once more on a new port.
func (c *Cluster) start(ctx context.Context, pg *binaries, dir string) (int, error) {
	port := recordedPort(dir)
	if port == 0 || !portFree(port) {
		var err error
		if port, err = freePort(); err != nil {
			return 0, err
		}
	}
	for attempt := 0; ; attempt++ {
		if err := pg.writeFile(filepath.Join(dir, portFile), []byte(strconv.Itoa(port)+"\n")); err != nil {
			return 0, err
		}
		fmt.Fprintf(c.out(), "devdb: starting PostgreSQL %d on 127.0.0.1:%d\n", pg.major, port)
		err := pg.start(ctx, dir, port, c.Settings)
		if err == nil {
			return port, nil
		}
		if attempt > 0 || portFree(port) || ctx.Err() != nil {
			return 0, err
		}
		if port, err = freePort(); err != nil {
			return 0, err
		}
	}
}

// ensureDatabase creates the latch database if it is missing.
func (c *Cluster) ensureDatabase(ctx context.Context, port int) error {
	conn, err := pgx.Connect(ctx, dsnFor(port, "postgres"))
	if err != nil {
		return fmt.Errorf("devdb: connect to 127.0.0.1:%d: %w", port, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", Database).Scan(&exists); err != nil {
		return fmt.Errorf("devdb: look for database %s: %w", Database, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{Database}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: made meanwhile
		return nil
	}
	if err != nil {
		return fmt.Errorf("devdb: create database %s: %w", Database, err)
	}
	fmt.Fprintf(c.out(), "devdb: created database %s\n", Database)
	return nil
}

func dsnFor(port int, database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, port, database)
}

// runningPort reads the port from the running server's postmaster.pid,
// whose fourth line is the port.
func runningPort(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("devdb: read the running server's port: %w", err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, fmt.Errorf("devdb: %s/postmaster.pid is incomplete", dir)
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil || port <= 0 {
		return 0, fmt.Errorf("devdb: %s/postmaster.pid has no port", dir)
	}
	return port, nil
}

// recordedPort is the port recorded in dir, or 0 if none is.
func recordedPort(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, portFile))
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || port <= 0 || port > 65535 {
		return 0
	}
	return port
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("devdb: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// exitCode is the exit status of a finished command, or -1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// Command attack runs a bounded attack on a local Latch and reports what
// gets through its rate-limit guard (server/guard): wrong passwords,
// authenticator codes, recovery codes and emailed codes aimed at one
// account, text messages and emails pumped to many destinations, and a
// signup flood, each for a fixed time with at most 16 clients (64 for the
// flood). It prints a Markdown table of every figure beside what the
// guard's policy table allows.
//
//	go run ./server/cmd/attack [-latch bin/latch] [-dsn DSN] [-duration 15s] [-addr 127.0.0.1:18080] [-bench=true]
//
// It creates a fresh database, latch_attack, on the PostgreSQL server of
// -dsn (default DATABASE_URL, else the project-local cluster of
// server/devdb, started if needed), starts the server binary as a child
// in dev mode on -addr against it (emails and text messages land in the
// outbox_dev_mailbox table; nothing is sent), runs the scenarios, reads
// the child's peak RSS, then stops the child and drops the database.
//
// It only ever targets loopback: -addr must be a loopback address
// (127.0.0.0/8, ::1 or localhost); anything else is refused before
// anything starts. Attackers that stand for many clients (a botnet) speak
// from other addresses of 127.0.0.0/8.
//
// It exits non-zero only when setting up fails (database, server,
// accounts); the figures themselves never fail it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/latch-dev/latch/server/devdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "attack:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	latch    string
	dsn      string
	addr     string
	duration time.Duration
	bench    bool
}

// run is main with its dependencies passed in.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("attack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.latch, "latch", filepath.Join("bin", "latch"), "the built server binary")
	fs.StringVar(&o.dsn, "dsn", "", "PostgreSQL admin DSN (default DATABASE_URL, else the project-local cluster)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:18080", "loopback address the server listens on")
	fs.DurationVar(&o.duration, "duration", 15*time.Second, "how long each scenario runs")
	fs.BoolVar(&o.bench, "bench", true, "also run BenchmarkGuardReserve (go test ./db/) for the guard's cost per check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.duration < time.Second || o.duration > 10*time.Minute {
		return errors.New("-duration must be from 1s to 10m")
	}
	addr, err := loopbackAddr(o.addr)
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.latch); err != nil {
		return fmt.Errorf("server binary: %w (build it with go tool -modfile=go.tool.mod task build)", err)
	}
	admin := o.dsn
	if admin == "" {
		admin = getenv("DATABASE_URL")
	}
	if admin == "" {
		root, err := devdb.ProjectRoot(".")
		if err != nil {
			return fmt.Errorf("no -dsn or DATABASE_URL, and %w", err)
		}
		c := &devdb.Cluster{Dir: filepath.Join(root, ".data", "postgres"), Out: stderr}
		if admin, err = c.Start(ctx); err != nil {
			return err
		}
	}

	fmt.Fprintf(stderr, "attack: starting %s on %s (database %s)\n", o.latch, addr, attackDB)
	t, err := start(ctx, o.latch, admin, addr, getenv, stderr)
	if err != nil {
		return err
	}
	defer func() {
		if err := t.close(); err != nil {
			fmt.Fprintln(stderr, "attack: cleanup:", err)
		}
	}()

	rep := newReport(o.duration, t.overrides)
	setupErr := attack(ctx, t, rep, o, stderr)
	if o.bench {
		benchmark(ctx, admin, rep, stderr)
	}
	if peak, cur, err := t.memory(); err == nil {
		rep.add("server", "peak RSS of the server over the whole run (VmHWM)", mib(peak), "",
			"resident now "+mib(cur)+"; each argon2id hash in flight holds LATCH_ARGON2_MEMORY_KIB (19 MiB by default)")
	} else {
		rep.add("server", "peak RSS of the server", "not measured", "", err.Error())
	}
	rep.print(stdout)
	if tail := t.logTail(); setupErr != nil && tail != "" {
		fmt.Fprintf(stderr, "attack: end of the server's log:\n%s\n", tail)
	}
	return setupErr
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// Command loadtest measures what each kind of request costs a local Latch:
// requests per second, latency (p50, p99), server and PostgreSQL CPU per
// request and SQL statements per request, for signup, password login
// (token API and form), refresh-token rotation, the bearer "current user",
// the signed-in page, and the mixed run (signed-in pages while 32 logins
// hash). CPU per request is the figure that carries over to other
// machines; requests per second depends on what else the machine runs.
//
//	go run ./server/cmd/loadtest [-latch bin/latch] [-instances 1] [-duration 8s] [-clients 8] [-only refresh,bearer] [-split]
//
// It starts its own PostgreSQL cluster in .data/postgres-load with
// pg_stat_statements loaded (server/devdb, on loopback), a fresh database
// latch_load, and -instances `latch serve` children on loopback ports.
// With more than one instance the client spreads its requests round-robin
// over them, reports each instance's share, and checks that the guard's
// per-account password limit holds exactly across instances. Guard
// budgets per address are raised for the run through the LATCH_GUARD_*
// settings (never in code), so it measures work, not refusals; every
// client speaks from 127.0.0.1.
//
// With -split, Latch runs on half the CPUs and PostgreSQL and the client
// on the other half, as on an app server whose database runs elsewhere:
// the login ceiling is then Latch's cores ÷ one hash.
//
// Settings: LATCH_LOAD_DURATION (per scenario, default 8s),
// LATCH_LOAD_CLIENTS (default 8), LATCH_LOAD_INSTANCES (default 1).
// Everything stops, and the database is dropped, when it ends.
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
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/latch-dev/latch/server/devdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type options struct {
	latch     string
	instances int
	duration  time.Duration
	clients   int
	only      map[string]bool
	top       int
	keep      bool
	split     bool
	cpus      *cpuSplit // with split: Latch's CPUs and the rest
}

// latchCores is how many CPUs Latch runs on: all of them, or its half with
// -split.
func (o options) latchCores() int {
	if o.cpus != nil {
		return o.cpus.latchCores()
	}
	return runtime.NumCPU()
}

func envInt(getenv func(string) string, key string, def int) int {
	if v, err := strconv.Atoi(getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDuration(getenv func(string) string, key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o options
	var only string
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.latch, "latch", filepath.Join("bin", "latch"), "the built server binary")
	fs.IntVar(&o.instances, "instances", envInt(getenv, "LATCH_LOAD_INSTANCES", 1), "latch serve processes sharing the database (1-8)")
	fs.DurationVar(&o.duration, "duration", envDuration(getenv, "LATCH_LOAD_DURATION", 8*time.Second), "how long each scenario runs")
	fs.IntVar(&o.clients, "clients", envInt(getenv, "LATCH_LOAD_CLIENTS", 8), "concurrent clients per scenario (the mixed run adds 32 logins)")
	fs.StringVar(&only, "only", "", "comma-separated scenarios to run (default all): "+strings.Join(scenarioNames(), ","))
	fs.IntVar(&o.top, "top", 0, "also print the N statements called most in each scenario")
	fs.BoolVar(&o.keep, "keep-cluster", false, "leave the PostgreSQL cluster running afterwards")
	fs.BoolVar(&o.split, "split", false, "run Latch on half the CPUs and PostgreSQL and the client on the rest, as with the database on its own machine (Linux)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.duration < time.Second || o.duration > 10*time.Minute {
		return errors.New("-duration must be from 1s to 10m")
	}
	if o.instances < 1 || o.instances > 8 {
		return errors.New("-instances must be from 1 to 8")
	}
	if o.clients < 1 || o.clients > 256 {
		return errors.New("-clients must be from 1 to 256")
	}
	if only != "" {
		o.only = map[string]bool{}
		for _, n := range strings.Split(only, ",") {
			n = strings.TrimSpace(n)
			if !contains(scenarioNames(), n) {
				return fmt.Errorf("-only: no scenario %q (have %s)", n, strings.Join(scenarioNames(), ", "))
			}
			o.only[n] = true
		}
	}
	if _, err := os.Stat(o.latch); err != nil {
		return fmt.Errorf("server binary: %w (build it with go tool -modfile=go.tool.mod task build)", err)
	}
	root, err := devdb.ProjectRoot(".")
	if err != nil {
		return err
	}
	cluster := &devdb.Cluster{Dir: filepath.Join(root, ".data", "postgres-load"), Out: stderr,
		Settings: []string{"shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=top", "max_connections=200"}}
	admin, err := cluster.Start(ctx)
	if err != nil {
		return err
	}
	if o.split {
		cpus, err := newCPUSplit()
		if err != nil {
			return err
		}
		if err := cpus.pinPostgres(cluster.Dir); err != nil {
			return err
		}
		o.cpus = &cpus
		fmt.Fprintf(stderr, "loadtest: %s\n", cpus)
	}
	if !o.keep {
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := cluster.Stop(sctx); err != nil {
				fmt.Fprintln(stderr, "loadtest: stop PostgreSQL:", err)
			}
		}()
	}
	fmt.Fprintf(stderr, "loadtest: %d instance(s) of %s, %s per scenario, %d clients, %d CPUs\n",
		o.instances, o.latch, o.duration, o.clients, runtime.NumCPU())
	f, err := startFleet(ctx, o, admin, filepath.Join(root, ".data", "postgres-load"), getenv, stderr)
	if err != nil {
		return err
	}
	defer func() {
		if err := f.close(); err != nil {
			fmt.Fprintln(stderr, "loadtest: cleanup:", err)
		}
	}()
	return bench(ctx, f, o, stdout, stderr)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/password"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeAnswersAndStops(t *testing.T) {
	dsn := dbtest.DSN(t)
	addr := freeAddr(t)
	env := map[string]string{
		"DATABASE_URL": dsn, "LATCH_ADDR": addr, "LATCH_PUBLIC_URL": "http://localhost:8080",
		"LATCH_ARGON2_MEMORY_KIB": "64", "LATCH_ARGON2_ITERATIONS": "1",
		"LATCH_TOKEN_KEK": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard, &logs)
	}()

	var ready bool
	for i := 0; i < 100 && !ready; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			ready = resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
		if !ready {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !ready {
		cancel()
		t.Fatalf("server never became ready: %v\n%s", <-done, logs.String())
	}
	resp, err := http.Get("http://" + addr + "/login")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %v %v", resp, err)
	}
	resp.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), `"msg":"latch listening"`) {
		t.Fatalf("no structured start line in logs:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), dsn) {
		t.Fatal("logs contain the database URL")
	}
	if strings.Contains(logs.String(), "background loops still running") || !strings.Contains(logs.String(), `"msg":"features"`) {
		t.Fatalf("loops not stopped at shutdown, or no features line:\n%s", logs.String())
	}
}

func TestMigrateDownThenUp(t *testing.T) {
	env := map[string]string{"DATABASE_URL": dbtest.DSN(t)}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	for _, step := range []struct{ dir, want string }{
		{"down", "migrate down: 20261123000001_accounts"},
		{"down", "migrate down: nothing to do"},
		{"up", "migrate up: 20261123000001_accounts"},
		{"up", "migrate up: nothing to do"},
	} {
		var out bytes.Buffer
		if err := run(ctx, []string{"migrate", step.dir}, getenv, &out, io.Discard); err != nil {
			t.Fatalf("migrate %s: %v", step.dir, err)
		}
		if !strings.Contains(out.String(), step.want) {
			t.Fatalf("migrate %s printed %q, want %q", step.dir, out.String(), step.want)
		}
	}
}

func TestCommandLineErrors(t *testing.T) {
	ctx := context.Background()
	noenv := func(string) string { return "" }
	for _, args := range [][]string{{"frobnicate"}, {"migrate", "sideways"}, {"serve", "extra"}} {
		env := noenv
		if args[0] != "frobnicate" {
			dsn := dbtest.DSN(t)
			env = func(k string) string {
				if k == "DATABASE_URL" {
					return dsn
				}
				return ""
			}
		}
		if err := run(ctx, args, env, io.Discard, io.Discard); err == nil {
			t.Errorf("latch %v: no error", args)
		}
	}
	if err := run(ctx, []string{"serve"}, noenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("production without DATABASE_URL: %v", err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"help"}, noenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "usage") {
		t.Errorf("help: %v %q", err, out.String())
	}
}

// TestMemoryLimitFollowsTheHashingSlots: without GOMEMLIMIT the runtime's
// soft limit is a base plus twice the memory of every hash that may run at
// once; with it, Latch leaves the runtime's own reading alone.
func TestMemoryLimitFollowsTheHashingSlots(t *testing.T) {
	p := password.DefaultParams()
	two, set := memoryLimit("", p, 2)
	if !set {
		t.Fatal("no limit set without GOMEMLIMIT")
	}
	eight, _ := memoryLimit("", p, 8)
	if per := (eight - two) / 6; per != 2*int64(p.MemoryKiB)<<10 {
		t.Fatalf("each slot adds %d bytes, want twice a hash's %d KiB", per, p.MemoryKiB)
	}
	if two < 2*int64(p.MemoryKiB)<<10 || two > 256<<20 {
		t.Fatalf("limit for two slots: %d bytes", two)
	}
	if _, set := memoryLimit("512MiB", p, 2); set {
		t.Fatal("a GOMEMLIMIT setting was overridden")
	}
}

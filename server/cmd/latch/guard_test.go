package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/db/dbtest"
)

// serveOn starts `latch serve` on addr against dsn and waits until it is
// ready; it stops when the test ends.
func serveOn(t *testing.T, dsn, addr string) {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL": dsn, "LATCH_ADDR": addr, "LATCH_PUBLIC_URL": "http://localhost:8080",
		"LATCH_ARGON2_MEMORY_KIB": "64", "LATCH_ARGON2_ITERATIONS": "1",
		"LATCH_TOKEN_KEK": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	for i := 0; i < 200; i++ {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server on %s never became ready", addr)
}

// TestTwoInstancesShareOneGuard runs two servers, each with its own
// connection pool and guard, on one database, and sends 40 concurrent
// wrong passwords for one account through both: exactly the budget (10)
// is checked, whichever instance answers.
func TestTwoInstancesShareOneGuard(t *testing.T) {
	dsn := dbtest.DSN(t)
	a, b := freeAddr(t), freeAddr(t)
	serveOn(t, dsn, a)
	serveOn(t, dsn, b)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm("http://"+a+"/signup", url.Values{"email": {"shared@example.com"}, "password": {"correct horse staple 1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Fatalf("signup: %d", resp.StatusCode)
	}
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := a
			if i%2 == 1 {
				addr = b
			}
			resp, err := noRedirect.PostForm("http://"+addr+"/login", url.Values{"email": {"shared@example.com"}, "password": {"a wrong guess"}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			counts[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[http.StatusUnauthorized] != 10 || counts[http.StatusTooManyRequests] != 30 {
		t.Fatalf("40 wrong passwords through two instances, budget 10: %v", counts)
	}
}

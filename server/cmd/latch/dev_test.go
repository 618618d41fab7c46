package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestWatchStaticAsksForAReloadOnEdit(t *testing.T) {
	dir := t.TempDir()
	css := filepath.Join(dir, "theme.css")
	if err := os.WriteFile(css, []byte("a{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	var posts atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/_templ/reload/events" {
			posts.Add(1)
		}
	}))
	defer proxy.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go watchStatic(ctx, dir, proxy.URL+"/_templ/reload/events", 20*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	time.Sleep(100 * time.Millisecond)
	if n := posts.Load(); n != 0 {
		t.Fatalf("%d reloads before any edit", n)
	}
	if err := os.WriteFile(css, []byte("a{color:red}"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for posts.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no reload asked for after an edit")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

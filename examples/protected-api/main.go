// Command protected-api is a separate service that accepts Latch's access
// tokens: it checks them against Latch's published keys
// (server/accesstoken), with no database and no key-encryption key.
//
//	LATCH_URL=https://auth.example.com go run ./examples/protected-api
//	curl -H "Authorization: Bearer $ACCESS" http://127.0.0.1:8090/hello
//
// Configuration:
//
//	LATCH_URL             Latch's public origin (its LATCH_PUBLIC_URL): the issuer, and where the keys are
//	LATCH_TOKEN_AUDIENCE  the aud tokens must name (Latch's LATCH_TOKEN_AUDIENCE; default LATCH_URL)
//	ADDR                  where this service listens (default 127.0.0.1:8090)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/latch-dev/latch/server/accesstoken"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "protected-api:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	latch := getenv("LATCH_URL")
	if latch == "" {
		return errors.New("LATCH_URL is required: Latch's public origin, e.g. https://auth.example.com")
	}
	audience := getenv("LATCH_TOKEN_AUDIENCE")
	if audience == "" {
		audience = latch
	}
	addr := getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8090"
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))
	opts := accesstoken.ForLatch(latch, audience)
	opts.Logger = log
	verifier, err := accesstoken.New(opts)
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /hello", verifier.Middleware(http.HandlerFunc(hello)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("protected-api listening", "addr", ln.Addr().String(), "latch", latch)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// hello answers the user the access token speaks for.
func hello(w http.ResponseWriter, r *http.Request) {
	c, _ := accesstoken.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"user_id": c.UserID.String(), "session_id": c.SessionID.String(), "message": "hello"})
}

package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/devdb"
	"github.com/latch-dev/latch/static"
)

// staticAssets are the embedded, hashed assets, or in dev with
// LATCH_STATIC_DIR the folder on disk, read at each request.
func staticAssets(cfg config.Config, log *slog.Logger) (*static.Assets, error) {
	if cfg.StaticDir == "" {
		return static.New()
	}
	dir := staticDir(cfg)
	log.Info("serving static files from disk (dev)", "dir", dir)
	return static.NewFromDisk(dir)
}

// staticDir is LATCH_STATIC_DIR, relative to the project root.
func staticDir(cfg config.Config) string {
	dir := cfg.StaticDir
	if !filepath.IsAbs(dir) {
		if root, err := devdb.ProjectRoot("."); err == nil {
			dir = filepath.Join(root, dir)
		}
	}
	return dir
}

// devNotice tells a developer where the dev mailbox is and how the local
// database outlives the server.
func devNotice(w io.Writer, cfg config.Config) {
	fmt.Fprintf(w, "\n  Latch (dev) on %s\n", cfg.Origin())
	if cfg.Features().DevMailbox {
		fmt.Fprintf(w, "  Dev mailbox (emails and texts not sent): %s/dev/mailbox\n", cfg.Origin())
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintf(w, "  The local PostgreSQL keeps running after Ctrl-C; stop it with: go tool -modfile=go.tool.mod task devdb -- stop\n")
	}
	fmt.Fprintln(w)
}

// watchStatic, in dev, looks at the files under dir every interval and,
// when one changed, asks the reload proxy at notify (templ's
// /_templ/reload/events) to reload the browser: a stylesheet edit shows
// without restarting Latch, since dev serves those files from disk.
func watchStatic(ctx context.Context, dir, notify string, interval time.Duration, log *slog.Logger) {
	last := staticStamp(dir)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := staticStamp(dir)
		if now == last {
			continue
		}
		last = now
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, notify, nil)
		if err != nil {
			log.Warn("dev reload", "err", err)
			return
		}
		if resp, err := http.DefaultClient.Do(req); err != nil {
			log.Debug("dev reload not sent", "err", err)
		} else {
			resp.Body.Close()
		}
	}
}

// staticStamp sums the sizes and modification times of the files under
// dir (the built module and vendor files aside, which change only by a
// task run): any edit changes it.
func staticStamp(dir string) int64 {
	var sum int64
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if name := d.Name(); name == "vendor" || name == "wasm" || name == "cmd" {
				return filepath.SkipDir
			}
			return nil
		}
		if info, err := d.Info(); err == nil {
			sum += info.ModTime().UnixNano() + info.Size()
		}
		return nil
	})
	return sum
}

// stopWhenOrphaned, in dev, calls stop once the process that started Latch
// is gone (the parent changes). Under `go tool -modfile=go.tool.mod task dev`, templ restarts
// Latch by killing `go run`, which leaves its child running; this lets that
// child shut down cleanly instead of holding the port.
func stopWhenOrphaned(ctx context.Context, stop context.CancelFunc, interval time.Duration) {
	parent := os.Getppid()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				stop()
				return
			}
		}
	}
}

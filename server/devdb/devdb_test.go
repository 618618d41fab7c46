package devdb

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// clusterDir returns a data folder for a cluster in a fresh temporary folder
// that the postgres user can traverse (t.TempDir is 0700, so root-only), and
// stops the cluster and removes the folder at cleanup.
func clusterDir(t *testing.T) string {
	t.Helper()
	if _, err := findBinaries(""); err != nil {
		t.Skipf("PostgreSQL is not installed: %v", err)
	}
	base, err := os.MkdirTemp("", "devdb-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "postgres")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := (&Cluster{Dir: dir}).Stop(ctx); err != nil {
			t.Errorf("stop at cleanup: %v", err)
		}
		_ = os.RemoveAll(base)
	})
	return dir
}

func query(t *testing.T, dsn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	var user, db string
	if err := conn.QueryRow(ctx, "SELECT current_user, current_database()").Scan(&user, &db); err != nil {
		t.Fatalf("query: %v", err)
	}
	if user != "postgres" || db != "latch" {
		t.Fatalf("connected as %s to %s, want postgres to latch", user, db)
	}
}

func TestStartStop(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var progress bytes.Buffer
	c := &Cluster{Dir: clusterDir(t), Out: &progress}

	begin := time.Now()
	dsn, err := c.Start(ctx)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("first Start (initdb + start): %v", time.Since(begin))
	if !strings.HasPrefix(dsn, "postgres://postgres@127.0.0.1:") || !strings.HasSuffix(dsn, "/latch?sslmode=disable") {
		t.Fatalf("DSN %q has the wrong shape", dsn)
	}
	if !strings.Contains(progress.String(), "creating a PostgreSQL") {
		t.Errorf("progress %q does not mention creating the cluster", progress.String())
	}
	query(t, dsn)

	begin = time.Now()
	again, err := c.Start(ctx)
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	t.Logf("Start of a running cluster: %v", time.Since(begin))
	if again != dsn {
		t.Fatalf("second Start = %q, want %q", again, dsn)
	}
	if url, err := c.URL(); err != nil || url != dsn {
		t.Fatalf("URL = %q, %v; want %q", url, err, dsn)
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := c.URL(); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("URL of a stopped cluster: err = %v, want 'not running'", err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop of a stopped cluster: %v", err)
	}

	begin = time.Now()
	restarted, err := c.Start(ctx)
	if err != nil {
		t.Fatalf("Start after Stop: %v", err)
	}
	t.Logf("Start of a stopped cluster: %v", time.Since(begin))
	if restarted != dsn {
		t.Errorf("Start after Stop = %q, want the recorded port again: %q", restarted, dsn)
	}
	query(t, restarted)
}

func TestConcurrentStart(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	const n = 3
	dsns := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			dsns[i], errs[i] = (&Cluster{Dir: dir}).Start(t.Context())
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Start %d: %v", i, errs[i])
		}
		if dsns[i] != dsns[0] {
			t.Fatalf("Start %d = %q, Start 0 = %q", i, dsns[i], dsns[0])
		}
	}
	query(t, dsns[0])
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	ctx := t.Context()

	var out bytes.Buffer
	if err := Run(ctx, []string{"start", "-dir", dir}, &out); err != nil {
		t.Fatalf("devdb start: %v", err)
	}
	dsn := strings.TrimSpace(out.String())
	if strings.Count(out.String(), "\n") != 1 || !strings.HasPrefix(dsn, "postgres://") {
		t.Fatalf("devdb start printed %q, want only the DSN", out.String())
	}
	query(t, dsn)

	out.Reset()
	if err := Run(ctx, []string{"-dir", dir, "url"}, &out); err != nil {
		t.Fatalf("devdb url: %v", err)
	}
	if got := strings.TrimSpace(out.String()); got != dsn {
		t.Fatalf("devdb url = %q, want %q", got, dsn)
	}

	out.Reset()
	if err := Run(ctx, []string{"stop", "-dir", dir}, &out); err != nil {
		t.Fatalf("devdb stop: %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("devdb stop printed %q on stdout", out.String())
	}
	if err := Run(ctx, []string{"url", "-dir", dir}, &out); err == nil {
		t.Fatal("devdb url of a stopped cluster succeeded")
	}
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing subcommand"},
		{[]string{"launch"}, `unknown subcommand "launch"`},
		{[]string{"start", "now"}, `unexpected argument "now"`},
		{[]string{"-port", "5432", "start"}, "-port"},
		{[]string{"start", "-dir"}, "-dir"},
	} {
		var out bytes.Buffer
		err := Run(t.Context(), tc.args, &out)
		if !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%q) = %v, want a usage error", tc.args, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "usage: devdb start|stop|url") {
			t.Errorf("Run(%q) = %q, want it to mention %q and the usage", tc.args, err, tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("Run(%q) printed %q on stdout", tc.args, out.String())
		}
	}
}

func TestProjectRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, start := range []string{root, deep, filepath.Join(deep, "..")} {
		if got, err := ProjectRoot(start); err != nil || got != root {
			t.Errorf("ProjectRoot(%s) = %q, %v; want %q", start, got, err, root)
		}
	}

	// A go.mod folder is not a go.mod file.
	bare := t.TempDir()
	if err := os.Mkdir(filepath.Join(bare, "go.mod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/go.mod"); err == nil {
		t.Skip("/go.mod exists on this machine")
	}
	if got, err := ProjectRoot(bare); err == nil {
		t.Errorf("ProjectRoot(%s) = %q, want an error", bare, got)
	}

	// This package lives in the Latch module.
	got, err := ProjectRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(got, "go.mod")); err != nil || !strings.Contains(string(b), "module github.com/latch-dev/latch") {
		t.Errorf("ProjectRoot(.) = %s, which is not Latch's root", got)
	}
}

func TestMissingBinariesSaysWhatToInstall(t *testing.T) {
	t.Parallel()
	has := func(files ...string) func(string) bool {
		return func(p string) bool {
			for _, f := range files {
				if f == p {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		goos   string
		exists func(string) bool
		want   []string
	}{
		{"darwin", has(), []string{"brew install postgresql@"}},
		{"linux", has("/etc/debian_version"), []string{"apt-get install postgresql"}},
		{"linux", has("/etc/fedora-release"), []string{"dnf install postgresql-server"}},
		{"freebsd", has(), []string{"brew install", "apt-get install", "dnf install"}},
	} {
		msg := missingBinaries(tc.goos, tc.exists).Error()
		for _, w := range append(tc.want, "DATABASE_URL", "initdb") {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q lacks %q", tc.goos, msg, w)
			}
		}
	}
}

func TestFirstBlocked(t *testing.T) {
	t.Parallel()
	base, err := os.MkdirTemp("", "devdb-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	closed := filepath.Join(base, "closed")
	dir := filepath.Join(closed, "open", "postgres")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	const stranger = 54321 // owns nothing here
	if got := firstBlocked(dir, stranger, stranger); got != closed {
		t.Errorf("firstBlocked = %q, want %q", got, closed)
	}
	if err := os.Chmod(closed, 0o711); err != nil {
		t.Fatal(err)
	}
	if got := firstBlocked(dir, stranger, stranger); got != "" && !strings.HasPrefix(base, got) {
		t.Errorf("firstBlocked = %q after chmod o+x, want none below %s", got, base)
	}
}

func TestStartExplainsUnreachableDir(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root runs PostgreSQL as another user")
	}
	if _, err := findBinaries(""); err != nil {
		t.Skipf("PostgreSQL is not installed: %v", err)
	}
	closed := t.TempDir() // 0700, owned by root
	c := &Cluster{Dir: filepath.Join(closed, "postgres")}
	_, err := c.Start(t.Context())
	if err == nil {
		_ = c.Stop(context.Background())
		t.Fatal("Start in a folder the postgres user cannot reach succeeded")
	}
	if !strings.Contains(err.Error(), "chmod o+x") {
		t.Errorf("error %q does not say how to fix it", err)
	}
}

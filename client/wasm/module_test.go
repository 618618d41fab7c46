//go:build !(js && wasm)

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// These tests run natively and drive the go command for the js/wasm build.

const module = "github.com/latch-dev/latch/"

// heavy lists standard packages that would swell the module (fmt, regexp
// and encoding/json together double it) or that have no business in a
// browser.
var heavy = []string{
	"fmt", "regexp", "encoding/json", "net/mail", "net/http", "reflect", "log", "log/slog",
	"text/template", "html/template", "database/sql", "os/exec", "golang.org/x/text/unicode/norm",
	"crypto/sha256", "strconv", "time", "os", // crypto/sha256 brings the rest: about 90 KB brotli
}

// The budgets of the release build, made as go tool -modfile=go.tool.mod task wasm makes it
// (buildFlags, buildEnv). Browsers download the brotli copy: 448-451 KB
// with the proof-of-work solver, nearly all of it Go's runtime (an empty
// syscall/js program built the same way is about 403 KB). A jump means a
// heavy import slipped in (crypto/sha256 alone is about 90 KB). Small
// shifts are noise: a new file in client/messages adds its name to the
// module's file table (103 bytes raw) and moved the brotli size by 2,174
// bytes, and one more catalog line moved it back by 2,195, so the budget
// leaves a few KB of room. Without inlining the raw
// size grows while the compressed one shrinks.
const (
	sizeBudget       = 2_600_000
	brotliSizeBudget = 455_000
)

// buildFlags and buildEnv are the Taskfile's wasm task's.
var (
	buildFlags = []string{"-trimpath", "-gcflags=all=-l", "-ldflags=-s -w"}
	buildEnv   = []string{"GOEXPERIMENT=nogreenteagc"}
)

// goCommand returns the go command, which go test puts first on PATH.
func goCommand(t *testing.T) string {
	t.Helper()
	g, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH: %v", err)
	}
	return g
}

// goJS runs the go command for GOOS=js GOARCH=wasm and returns its output.
func goJS(t *testing.T, args ...string) []byte {
	t.Helper()
	return goJSEnv(t, nil, args...)
}

// goJSEnv is goJS with extra environment variables.
func goJSEnv(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCommand(t), args...)
	cmd.Env = append(append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

// TestModuleImportsNoServerCode keeps the browser module to the standard
// library and client/: server, database and component code must never
// reach the browser, and heavy standard packages must not swell it.
func TestModuleImportsNoServerCode(t *testing.T) {
	t.Parallel()
	out := goJS(t, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".")
	n := 0
	for line := range strings.Lines(string(out)) {
		path, standard, _ := strings.Cut(strings.TrimSpace(line), " ")
		n++
		switch {
		case path == module+"client/wasm":
		case strings.HasPrefix(path, module):
			if !strings.HasPrefix(path, module+"client/") {
				t.Errorf("the browser module depends on %s: only client/ packages may reach the browser", path)
			}
		case standard != "true":
			t.Errorf("the browser module depends on %s, which is not the standard library", path)
		}
		for _, h := range heavy {
			if path == h {
				t.Errorf("the browser module depends on %s, which swells it or does not belong in a browser", path)
			}
		}
	}
	if n < 3 {
		t.Fatalf("go list found only %d packages:\n%s", n, out)
	}
}

// TestModuleSize builds the module as go tool -modfile=go.tool.mod task wasm does and holds it,
// and its brotli copy (compressed as static/cmd/precompress does), to the
// budgets.
func TestModuleSize(t *testing.T) {
	t.Parallel()
	taskfile, err := os.ReadFile("../../Taskfile.yml")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(buildEnv, " ") + " go build " + strings.Join(buildFlags[:2], " ") + ` -ldflags="-s -w"`; !strings.Contains(string(taskfile), want) {
		t.Fatalf("the Taskfile's wasm task no longer runs %q: keep buildFlags and buildEnv in step with it", want)
	}
	bin := filepath.Join(t.TempDir(), "latch.wasm")
	goJSEnv(t, buildEnv, append(append([]string{"build"}, buildFlags...), "-o", bin, ".")...)
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var br bytes.Buffer
	w := brotli.NewWriterOptions(&br, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("latch.wasm: %d bytes, brotli %d", len(raw), br.Len())
	if len(raw) > sizeBudget {
		t.Errorf("latch.wasm is %d bytes, over the %d budget: check what it imports (go list -deps with GOOS=js GOARCH=wasm)", len(raw), sizeBudget)
	}
	if br.Len() > brotliSizeBudget {
		t.Errorf("latch.wasm is %d bytes in brotli, over the %d budget: check what it imports (go list -deps with GOOS=js GOARCH=wasm)", br.Len(), brotliSizeBudget)
	}
}

// TestClientPackagesUnderWasm runs the tests of client/validate,
// client/messages and this module's rules compiled to WebAssembly, under
// Node with Go's go_js_wasm_exec, so the rules are checked in the build the
// browser runs, not only natively.
func TestClientPackagesUnderWasm(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("Node.js not found on PATH: the WebAssembly tests need it. " +
			"Install it with `apt-get install -y nodejs`, or run .ci/run, which installs it.")
	}
	goroot, err := exec.Command(goCommand(t), "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	wrapper := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "go_js_wasm_exec")
	if _, err := os.Stat(wrapper); err != nil {
		t.Fatalf("Go's WebAssembly runner is missing: %v", err)
	}
	out := goJS(t, "test", "-count=1", "-exec="+wrapper, "../validate", "../messages", "../pow", ".")
	t.Logf("%s", out)
}

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
)

// These tests run natively and drive the go command for the js/wasm build.

const module = "github.com/latch-dev/latch/"

// heavy lists standard packages that would swell the module (fmt, regexp
// and encoding/json together double it) or that have no business in a
// browser.
var heavy = []string{
	"fmt", "regexp", "encoding/json", "net/mail", "net/http", "reflect", "log", "log/slog",
	"text/template", "html/template", "database/sql", "os/exec", "golang.org/x/text/unicode/norm",
}

// sizeBudget bounds the release build (-s -w -trimpath). It is about 2 MB
// today, nearly all of it Go's runtime; a jump means a heavy import slipped in.
const sizeBudget = 2_400_000

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
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCommand(t), args...)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
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

// TestModuleSize builds the module as go tool task wasm does and holds it
// to sizeBudget.
func TestModuleSize(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "latch.wasm")
	goJS(t, "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("latch.wasm: %d bytes", fi.Size())
	if fi.Size() > sizeBudget {
		t.Errorf("latch.wasm is %d bytes, over the %d budget: check what it imports (go list -deps with GOOS=js GOARCH=wasm)", fi.Size(), sizeBudget)
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
	out := goJS(t, "test", "-count=1", "-exec="+wrapper, "../validate", "../messages", ".")
	t.Logf("%s", out)
}

package validate_test

import (
	"go/build"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const messagesPath = "github.com/latch-dev/latch/client/messages"

// heavy lists standard packages that would swell the WebAssembly build.
var heavy = []string{"fmt", "regexp", "encoding/json", "net/mail", "reflect", "log", "text/template", "html/template"}

// TestImportsOnlyStandardLibrary keeps the package fit for the WebAssembly
// client: it reads the package's own source for its direct imports, then
// asks the go command for everything it pulls in, natively and for
// js/wasm, so a change in client/messages is caught too.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	t.Run("direct", func(t *testing.T) {
		for _, dir := range []string{".", "../messages"} {
			pkg, err := build.ImportDir(dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range pkg.Imports {
				if imp == messagesPath {
					continue
				}
				if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
					t.Errorf("%s imports %s, which is not the standard library", dir, imp)
				}
				for _, h := range heavy {
					if imp == h {
						t.Errorf("%s imports %s, which swells the WebAssembly build", dir, imp)
					}
				}
			}
		}
	})
	for _, target := range []struct{ goos, goarch string }{{"", ""}, {"js", "wasm"}} {
		name := "deps"
		if target.goos != "" {
			name += " " + target.goos + "/" + target.goarch
		}
		t.Run(name, func(t *testing.T) {
			goCmd, err := exec.LookPath("go")
			if err != nil {
				t.Skip("no go command on PATH:", err)
			}
			cmd := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".")
			cmd.Env = os.Environ()
			if target.goos != "" {
				cmd.Env = append(cmd.Env, "GOOS="+target.goos, "GOARCH="+target.goarch, "CGO_ENABLED=0")
			}
			out, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("go list: %v\n%s", err, stderr)
			}
			for line := range strings.Lines(string(out)) {
				path, standard, _ := strings.Cut(strings.TrimSpace(line), " ")
				switch {
				case path == "github.com/latch-dev/latch/client/validate", path == messagesPath:
				case standard != "true":
					t.Errorf("the package depends on %s, which is not the standard library", path)
				}
				for _, h := range heavy {
					if path == h {
						t.Errorf("the package depends on %s, which swells the WebAssembly build", path)
					}
				}
			}
		})
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/latch-dev/latch/server/devdb"
)

var benchRe = regexp.MustCompile(`BenchmarkGuardReserve\S*\s+\d+\s+([0-9.]+) ns/op`)

// runBenchmark runs BenchmarkGuardReserve of package db with go test,
// against admin's PostgreSQL, and returns its ns/op.
func runBenchmark(ctx context.Context, admin string) (float64, error) {
	root, err := devdb.ProjectRoot(".")
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "BenchmarkGuardReserve", "-benchtime", "2000x", "./db/")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "LATCH_TEST_DATABASE_URL="+admin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return 0, fmt.Errorf("go test: %w: %s", err, strings.Join(lines[max(0, len(lines)-3):], " / "))
	}
	m := benchRe.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no ns/op in the output of go test")
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

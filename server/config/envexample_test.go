package config_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/config"
)

// TestEnvExampleListsEveryKey keeps .env.example in step with Load: every
// key Load reads is documented there (the guard's per-policy overrides,
// LATCH_GUARD_*, are documented by pattern).
func TestEnvExampleListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#?\s*([A-Z][A-Z0-9_]+)=`).FindAllStringSubmatch(string(b), -1) {
		listed[m[1]] = true
	}
	read := map[string]bool{}
	for _, env := range []string{"dev", "production"} {
		_, _ = config.Load(func(k string) string {
			read[k] = true
			if k == "LATCH_ENV" {
				return env
			}
			return ""
		})
	}
	for k := range read {
		if !listed[k] && !strings.HasPrefix(k, "LATCH_GUARD_") {
			t.Errorf(".env.example does not list %s", k)
		}
	}
}

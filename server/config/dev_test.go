package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/latch-dev/latch/server/config"
)

func TestDotenvFillsWhatTheEnvironmentLeavesUnset(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	body := "# a comment\nLATCH_ENV=dev\nLATCH_ADDR=127.0.0.1:9999\nLATCH_APP=\"from-file\"\nexport LATCH_LOG_LEVEL=debug\nLATCH_SMTP_FROM='Latch <no-reply@example.com>'\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	real := map[string]string{"LATCH_APP": "from-env", "LATCH_LOG_LEVEL": ""}
	lookup := func(k string) (string, bool) { v, ok := real[k]; return v, ok }
	getenv, err := config.WithDotenv(lookup, path)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"LATCH_ENV": "dev", "LATCH_ADDR": "127.0.0.1:9999", "LATCH_APP": "from-env", "LATCH_LOG_LEVEL": "",
		"LATCH_SMTP_FROM": "Latch <no-reply@example.com>", "DATABASE_URL": "",
	} {
		if got := getenv(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	c, err := config.Load(getenv)
	if err != nil || c.Env != config.EnvDev || c.Addr != "127.0.0.1:9999" || c.App != "from-env" || c.StaticDir != "static" {
		t.Fatalf("Load through the .env: %+v %v", c, err)
	}

	// No file: the environment alone.
	getenv, err = config.WithDotenv(lookup, filepath.Join(t.TempDir(), ".env"))
	if err != nil || getenv("LATCH_APP") != "from-env" || getenv("LATCH_ENV") != "" {
		t.Fatalf("without a file: %v", err)
	}
	// A file that is not dotenv is an error, not silently ignored.
	bad := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(bad, []byte("LATCH_APP=\"unterminated\nthis is not a line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.WithDotenv(lookup, bad); err == nil {
		t.Fatal("a malformed .env was accepted")
	}
}

// TestEnvExampleIsAWorkingDevFile loads .env.example as `cp .env.example
// .env` would: a dev configuration that needs nothing else.
func TestEnvExampleIsAWorkingDevFile(t *testing.T) {
	getenv, err := config.WithDotenv(func(string) (string, bool) { return "", false }, "../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(getenv)
	if err != nil {
		t.Fatalf(".env.example does not load: %v", err)
	}
	if c.Env != config.EnvDev || c.DatabaseURL != "" || c.StaticDir != "static" {
		t.Fatalf(".env.example is not a dev file: env %q static %q", c.Env, c.StaticDir)
	}
}

func TestStaticDirIsDevOnly(t *testing.T) {
	if _, err := config.Load(env(map[string]string{"DATABASE_URL": "postgres://x", "LATCH_PUBLIC_URL": "https://a.example", "LATCH_STATIC_DIR": "static"})); err == nil {
		t.Fatal("LATCH_STATIC_DIR accepted in production")
	}
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_STATIC_DIR": "-"}))
	if err != nil || c.StaticDir != "" {
		t.Fatalf("LATCH_STATIC_DIR=- : %q %v", c.StaticDir, err)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/db/dbtest"
)

const testKEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func TestKeysListAndRotate(t *testing.T) {
	env := map[string]string{"DATABASE_URL": dbtest.DSN(t), "LATCH_TOKEN_KEK": testKEK}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"migrate", "up"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var list bytes.Buffer
	if err := run(ctx, []string{"keys", "list"}, getenv, &list, io.Discard); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(list.String()), "\n"); len(lines) != 2 {
		t.Fatalf("keys list on a new database should show the first key:\n%s", list.String())
	}
	var again bytes.Buffer
	if err := run(ctx, []string{"keys", "list"}, getenv, &again, io.Discard); err != nil || again.String() != list.String() {
		t.Fatalf("a second start made another key:\n%s\n%s", list.String(), again.String())
	}
	var rot bytes.Buffer
	if err := run(ctx, []string{"keys", "rotate", "10m"}, getenv, &rot, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rot.String(), "rotated: ") || strings.Count(rot.String(), "\n") != 4 {
		t.Fatalf("rotate printed:\n%s", rot.String())
	}
	for _, args := range [][]string{{"keys"}, {"keys", "spin"}, {"keys", "rotate", "soon"}, {"keys", "list", "x"}} {
		if err := run(ctx, args, getenv, io.Discard, io.Discard); err == nil {
			t.Errorf("latch %v: no error", args)
		}
	}
	// Production serves nothing without a KEK, and says which key is missing.
	delete(env, "LATCH_TOKEN_KEK")
	if err := run(ctx, []string{"serve"}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "LATCH_TOKEN_KEK is required in production") {
		t.Fatalf("production without a KEK: %v", err)
	}
	// Another KEK cannot open the stored keys: refused, never replaced.
	env["LATCH_TOKEN_KEK"] = "ZZECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	if err := run(ctx, []string{"keys", "list"}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "LATCH_TOKEN_KEK") {
		t.Fatalf("wrong KEK: %v", err)
	}
}

func TestDevKEKIsKeptInTheDataDir(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LATCH_ENV": "dev", "DATABASE_URL": dbtest.DSN(t), "LATCH_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"migrate", "up"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var first, second bytes.Buffer
	if err := run(ctx, []string{"keys", "list"}, getenv, &first, io.Discard); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "keys", "kek"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("dev KEK file: %v %v", fi, err)
	}
	if err := run(ctx, []string{"keys", "list"}, getenv, &second, io.Discard); err != nil || first.String() != second.String() {
		t.Fatalf("dev restart changed the keys (%v):\n%s\n%s", err, first.String(), second.String())
	}
}

func TestServeAnswersTheTokenAPI(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{
		"DATABASE_URL": dbtest.DSN(t), "LATCH_ADDR": addr, "LATCH_PUBLIC_URL": "http://localhost:8080",
		"LATCH_ARGON2_MEMORY_KIB": "64", "LATCH_ARGON2_ITERATIONS": "1", "LATCH_TOKEN_KEK": testKEK,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + addr
	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = http.Get(base + "/.well-known/jwks.json"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []struct{ Kid, Kty, Crv string }
	}
	err = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if err != nil || len(set.Keys) != 1 || set.Keys[0].Kty != "OKP" || set.Keys[0].Crv != "Ed25519" {
		t.Fatalf("jwks: %+v %v", set, err)
	}
	form := url.Values{"email": {"serve@example.com"}, "password": {"correct horse battery"}}
	if _, err := http.PostForm(base+"/signup", form); err != nil {
		t.Fatal(err)
	}
	resp, err = http.PostForm(base+"/api/v1/token", url.Values{"grant_type": {"password"}, "username": form["email"], "password": form["password"]})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Refresh     string `json:"refresh_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.Refresh == "" {
		t.Fatalf("password grant: %d %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("me: %v %v", resp, err)
	}
	resp.Body.Close()
}

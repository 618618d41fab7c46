package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/db/dbtest"
)

// The served app refuses common and breached passwords at signup: the
// blocklist and the breach range service are wired in.
func TestServeRefusesCommonAndBreachedPasswords(t *testing.T) {
	const breached = "violet breach harbour 7"
	sum := sha1.Sum([]byte(breached))
	digest := strings.ToUpper(hex.EncodeToString(sum[:]))
	asked := make(chan string, 10)
	rangeService := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked <- r.URL.Path
		if r.URL.Path == "/range/"+digest[:5] {
			fmt.Fprintf(w, "%s:12\r\n", digest[5:])
		}
		fmt.Fprintf(w, "%s:0", strings.Repeat("F", 35))
	}))
	defer rangeService.Close()

	addr := freeAddr(t)
	env := map[string]string{
		"DATABASE_URL": dbtest.DSN(t), "LATCH_ADDR": addr, "LATCH_PUBLIC_URL": "http://localhost:8080",
		"LATCH_ARGON2_MEMORY_KIB": "64", "LATCH_ARGON2_ITERATIONS": "1", "LATCH_TOKEN_KEK": testKEK,
		"LATCH_BREACH_RANGE_URL": rangeService.URL,
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
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	signup := func(pw string) (int, string) {
		t.Helper()
		resp, err := client.PostForm(base+"/signup", url.Values{"email": {"serve@example.com"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for pw, want := range map[string]messages.Key{
		"qwertyuiop": messages.PasswordCommon,
		"latch-2024": messages.PasswordHasContext,
		breached:     messages.PasswordBreached,
	} {
		if status, body := signup(pw); status != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(messages.Text(want))) {
			t.Errorf("signup with %q: %d, want 422 with %q", pw, status, messages.Text(want))
		}
	}
	select {
	case p := <-asked:
		if p != "/range/"+digest[:5] {
			t.Errorf("breach service asked for %q, want /range/%s (common passwords are refused before it)", p, digest[:5])
		}
	default:
		t.Error("the breach service was never asked")
	}
	if status, body := signup("a fine long passphrase 9"); status != http.StatusSeeOther {
		t.Errorf("signup with a good password: %d\n%.500s", status, body)
	}
}

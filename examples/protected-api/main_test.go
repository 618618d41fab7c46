package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/accesstoken"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// latchServer is a real `latch serve`, built from this module, on a
// private database.
type latchServer struct {
	url string
	bin string
	env []string
}

var buildOnce struct {
	sync.Once
	bin string
	err error
	out []byte
}

// buildLatch builds server/cmd/latch once per test binary.
func buildLatch(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "latch-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.bin = filepath.Join(dir, "latch")
		cmd := exec.Command("go", "build", "-o", buildOnce.bin, "github.com/latch-dev/latch/server/cmd/latch")
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("build latch: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.bin
}

func startLatch(t *testing.T) *latchServer {
	t.Helper()
	bin := buildLatch(t)
	addr := freeAddr(t)
	l := &latchServer{url: "http://" + addr, bin: bin, env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + dbtest.DSN(t), "LATCH_ADDR=" + addr, "LATCH_PUBLIC_URL=http://" + addr,
		"LATCH_ARGON2_MEMORY_KIB=64", "LATCH_ARGON2_ITERATIONS=1",
		"LATCH_TOKEN_KEK=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"LATCH_TOKEN_AUDIENCE=https://api.example.com",
		"LATCH_KEY_RELOAD_INTERVAL=200ms", // a rotation reaches the server at once
	}}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve")
	cmd.Env = l.env
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	waitReady(t, l.url+"/readyz", &logs)
	return l
}

func waitReady(t *testing.T, u string, logs *bytes.Buffer) {
	t.Helper()
	for range 200 {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 300 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered\n%s", u, logs)
}

// keys runs `latch keys ARGS` against the server's database.
func (l *latchServer) keys(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(l.bin, append([]string{"keys"}, args...)...)
	cmd.Env = l.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("latch keys %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// signup makes an account through the signup form, as a browser would.
func (l *latchServer) signup(t *testing.T, email, pw string) {
	t.Helper()
	req, _ := http.NewRequest("POST", l.url+"/signup", strings.NewReader(url.Values{"email": {email}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", l.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signup %s: %d %s", email, resp.StatusCode, body)
	}
}

// token logs in through the token API: an access token and its user.
func (l *latchServer) token(t *testing.T, email, pw string) (access string, userID string) {
	t.Helper()
	resp, err := http.PostForm(l.url+"/api/v1/token", url.Values{"grant_type": {"password"}, "username": {email}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		UserID      string `json:"user_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		t.Fatalf("password grant: %d %v", resp.StatusCode, err)
	}
	return body.AccessToken, body.UserID
}

// call GETs u with an access token (none when empty).
func call(t *testing.T, u, access string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if access != "" {
		req.Header.Set("Authorization", "Bearer "+access)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// startService runs this example with env until the test ends.
func startService(t *testing.T, env map[string]string) string {
	t.Helper()
	addr := freeAddr(t)
	env["ADDR"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs lockedBuffer
	go func() { done <- run(ctx, func(k string) string { return env[k] }, &logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("service stopped with %v", err)
		}
	})
	base := "http://" + addr
	for range 100 {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return base
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("service never answered: %s", logs.String())
	return ""
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const pw = "correct horse staple 1"

// TestServiceAcceptsLatchTokens runs the example service against a real
// Latch: a token Latch minted passes, anything else gets a 401.
func TestServiceAcceptsLatchTokens(t *testing.T) {
	latch := startLatch(t)
	latch.signup(t, "svc@example.com", pw)
	access, userID := latch.token(t, "svc@example.com", pw)

	svc := startService(t, map[string]string{"LATCH_URL": latch.url, "LATCH_TOKEN_AUDIENCE": "https://api.example.com"})
	status, _, body := call(t, svc+"/hello", access)
	if status != http.StatusOK || !strings.Contains(body, `"user_id":"`+userID+`"`) {
		t.Fatalf("GET /hello with Latch's token: %d %s", status, body)
	}
	if status, h, _ := call(t, svc+"/hello", ""); status != http.StatusUnauthorized || h.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("no token: %d %q", status, h.Get("WWW-Authenticate"))
	}
	if status, h, body := call(t, svc+"/hello", access[:len(access)-4]+"AAAA"); status != http.StatusUnauthorized ||
		h.Get("WWW-Authenticate") != `Bearer error="invalid_token"` || strings.Contains(body, "signature") {
		t.Fatalf("tampered token: %d %q %s", status, h.Get("WWW-Authenticate"), body)
	}
	// A service expecting another audience refuses the same token.
	other := startService(t, map[string]string{"LATCH_URL": latch.url, "LATCH_TOKEN_AUDIENCE": "https://billing.example.com"})
	if status, _, _ := call(t, other+"/hello", access); status != http.StatusUnauthorized {
		t.Fatalf("token for another audience: %d", status)
	}
	// Without LATCH_URL the service refuses to start.
	if err := run(context.Background(), func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("run without LATCH_URL started")
	}
}

// countingTransport counts JWKS fetches.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/.well-known/jwks.json") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestVerifierWithRealTokens checks server/accesstoken against tokens a
// real Latch minted: expired, wrong audience or issuer, an unknown kid
// (refetching at most once per MinRefetch), then a rotated key.
func TestVerifierWithRealTokens(t *testing.T) {
	latch := startLatch(t)
	latch.signup(t, "keys@example.com", pw)
	access, userID := latch.token(t, "keys@example.com", pw)

	var offset atomic.Int64 // the verifier's clock runs ahead by this much
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	counter := &countingTransport{}
	opts := accesstoken.ForLatch(latch.url, "https://api.example.com")
	opts.HTTPClient = &http.Client{Transport: counter, Timeout: 5 * time.Second}
	opts.Clock = clock
	opts.MinRefetch = time.Minute
	v, err := accesstoken.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := v.Verify(ctx, access)
	if err != nil || c.UserID.String() != userID || c.Issuer != latch.url {
		t.Fatalf("Verify(Latch's token) = %+v, %v", c, err)
	}
	firstKID := c.KeyID
	if n := counter.n.Load(); n != 1 {
		t.Fatalf("%d fetches for the first token, want 1", n)
	}
	if _, err := v.Verify(ctx, access); err != nil || counter.n.Load() != 1 {
		t.Fatalf("second Verify: %v, %d fetches", err, counter.n.Load())
	}

	// Expired: the access token lives 5 minutes; past it and the leeway,
	// refused; within the leeway, still good.
	for ahead, ok := range map[time.Duration]bool{
		5*time.Minute + accesstoken.DefaultLeeway + time.Second: false,
		5*time.Minute + accesstoken.DefaultLeeway/2:             true,
	} {
		o := accesstoken.ForLatch(latch.url, "https://api.example.com")
		o.Clock = func() time.Time { return time.Now().Add(ahead) }
		late, err := accesstoken.New(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := late.Verify(ctx, access); (err == nil) != ok || (!ok && !errors.Is(err, accesstoken.ErrInvalid)) {
			t.Errorf("token checked %v after it was issued: %v", ahead, err)
		}
	}

	for name, o := range map[string]accesstoken.Options{
		"wrong audience": accesstoken.ForLatch(latch.url, "https://billing.example.com"),
		"wrong issuer":   {JWKSURL: latch.url + "/.well-known/jwks.json", Issuer: "https://evil.example", Audience: "https://api.example.com"},
	} {
		w, err := accesstoken.New(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Verify(ctx, access); !errors.Is(err, accesstoken.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}

	// A token signed by a key Latch never published, under an unknown kid:
	// one refetch to look for it, then refused; a second at once fetches nothing.
	_, forger, _ := ed25519.GenerateKey(rand.Reader)
	claims := jwt.MapClaims{"iss": latch.url, "aud": "https://api.example.com", "sub": userID, "sid": uuid.NewString(),
		"app": c.AppID.String(), "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()}
	forged := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	forged.Header["kid"], forged.Header["typ"] = "forged-kid", "at+jwt"
	raw, err := forged.SignedString(forger)
	if err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(2 * time.Minute)) // past MinRefetch since the first fetch
	if _, err := v.Verify(ctx, raw); !errors.Is(err, accesstoken.ErrInvalid) || counter.n.Load() != 2 {
		t.Fatalf("unknown kid: %v, %d fetches (want 2)", err, counter.n.Load())
	}
	if _, err := v.Verify(ctx, raw); !errors.Is(err, accesstoken.ErrInvalid) || counter.n.Load() != 2 {
		t.Fatalf("unknown kid again: %v, %d fetches (want still 2)", err, counter.n.Load())
	}
	// The forger's key under Latch's kid: the signature fails.
	forged.Header["kid"] = firstKID
	if raw, _ = forged.SignedString(forger); raw != "" {
		if _, err := v.Verify(ctx, raw); !errors.Is(err, accesstoken.ErrInvalid) {
			t.Fatalf("forged signature under a known kid: %v", err)
		}
	}
	// Another algorithm under a known kid: refused before any key is tried.
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	hs.Header["kid"], hs.Header["typ"] = firstKID, "at+jwt"
	if raw, err := hs.SignedString([]byte("any shared secret, 32 bytes long")); err != nil {
		t.Fatal(err)
	} else if _, err := v.Verify(ctx, raw); !errors.Is(err, accesstoken.ErrInvalid) {
		t.Fatalf("HS256 token: %v", err)
	}

	// Rotate Latch's key; the server picks it up and signs with it. The
	// verifier meets an unknown kid, refetches (MinRefetch has passed) and
	// accepts the token.
	latch.keys(t, "rotate")
	var rotated string
	deadline := time.Now().Add(10 * time.Second)
	for {
		tok, _ := latch.token(t, "keys@example.com", pw)
		if h, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{}); err == nil && h.Header["kid"] != firstKID {
			rotated = tok
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Latch still signs with the old key after a rotation")
		}
		time.Sleep(200 * time.Millisecond)
	}
	offset.Store(int64(4 * time.Minute))
	c2, err := v.Verify(ctx, rotated)
	if err != nil || c2.KeyID == firstKID || counter.n.Load() != 3 {
		t.Fatalf("token of the rotated key: %+v %v, %d fetches (want 3)", c2, err, counter.n.Load())
	}
	// The old key stays published until its tokens have expired.
	if _, err := v.Verify(ctx, access); err != nil {
		t.Fatalf("token of the previous key after the rotation: %v", err)
	}
}

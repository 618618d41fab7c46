package breach_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/breach"
)

// rangeService stands in for a Pwned Passwords-style range service: it
// knows some passwords with their counts, answers each prefix with the
// suffixes it knows under it plus padding lines of count 0, and records
// the paths asked for.
type rangeService struct {
	mu     sync.Mutex
	known  map[string]int // full upper-case SHA-1 → count
	paths  []string
	padded []bool
}

func newRangeService(known map[string]int) (*rangeService, *httptest.Server) {
	s := &rangeService{known: map[string]int{}}
	for pw, n := range known {
		s.known[sha1Hex(pw)] = n
	}
	srv := httptest.NewServer(s)
	return s, srv
}

func (s *rangeService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.Path)
	s.padded = append(s.padded, r.Header.Get("Add-Padding") == "true")
	s.mu.Unlock()
	prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
	if !ok || len(prefix) != 5 || strings.ToUpper(prefix) != prefix {
		http.NotFound(w, r)
		return
	}
	var b bytes.Buffer
	for h, n := range s.known {
		if strings.HasPrefix(h, prefix) {
			fmt.Fprintf(&b, "%s:%d\r\n", h[5:], n)
		}
	}
	// Padding: made-up suffixes with count 0, and one that is the
	// suffix of a password the service must not report.
	fmt.Fprintf(&b, "%s:0\r\n", strings.Repeat("0", 35))
	fmt.Fprintf(&b, "%s:0\r\n", sha1Hex("padded but not breached")[5:])
	fmt.Fprintf(&b, "%s:%d", strings.Repeat("A", 35), 3) // no final newline, as the real one
	w.Header().Set("Content-Type", "text/plain")
	w.Write(b.Bytes())
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func TestCheck(t *testing.T) {
	svc, srv := newRangeService(map[string]int{"P@ssw0rd": 52256179, "hunter2hunter2": 1})
	defer srv.Close()
	c := breach.New(srv.URL+"/", breach.Options{})
	ctx := context.Background()
	tests := []struct {
		password string
		want     messages.Key
	}{
		{"P@ssw0rd", messages.PasswordBreached},
		{"hunter2hunter2", messages.PasswordBreached},
		{"p@ssw0rd", ""},                // SHA-1 is case-sensitive: a different password
		{"padded but not breached", ""}, // listed only as padding (count 0)
		{"violet otter 3 harbour lamp", ""},
	}
	for _, tt := range tests {
		if got := c.Check(ctx, tt.password, "ada@example.com"); got != tt.want {
			t.Errorf("Check(%q) = %q, want %q", tt.password, got, tt.want)
		}
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if want := "/range/" + sha1Hex("P@ssw0rd")[:5]; svc.paths[0] != want {
		t.Errorf("first request path = %q, want %q (only the 5-hex-digit prefix, upper case)", svc.paths[0], want)
	}
	for i, p := range svc.paths {
		if strings.Contains(p, sha1Hex(tests[i].password)[5:]) {
			t.Errorf("request %d sent more than the prefix: %s", i, p)
		}
		if !svc.padded[i] {
			t.Errorf("request %d did not ask for padding", i)
		}
	}
}

func TestSeenCount(t *testing.T) {
	_, srv := newRangeService(map[string]int{"correcthorse": 42})
	defer srv.Close()
	n, err := breach.New(srv.URL, breach.Options{}).Seen(context.Background(), "correcthorse")
	if err != nil || n != 42 {
		t.Fatalf("Seen = %d, %v; want 42, nil", n, err)
	}
}

// The check fails open: a service that is down, slow, failing or talking
// nonsense allows the password and leaves a warning in the log.
func TestCheckFailsOpen(t *testing.T) {
	slowDone := make(chan struct{})
	defer close(slowDone)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-slowDone:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "try later", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	nonsense := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>a captive portal</html>")
	}))
	defer nonsense.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()

	for name, base := range map[string]string{"slow": slow.URL, "503": failing.URL, "not the protocol": nonsense.URL, "unreachable": downURL} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			c := breach.New(base, breach.Options{Timeout: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			start := time.Now()
			if got := c.Check(context.Background(), "P@ssw0rd", ""); got != "" {
				t.Errorf("Check = %q, want \"\" (fail open)", got)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Check took %v, want about the 200ms timeout at most", d)
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "breach range check failed") {
				t.Errorf("no warning logged: %q", logs.String())
			}
			if strings.Contains(logs.String(), "P@ssw0rd") {
				t.Errorf("the password reached the log: %q", logs.String())
			}
		})
	}
}

// Package breach asks a k-anonymity "range" service whether a password has
// appeared in a data breach, without sending the password or its full hash.
//
// The service speaks the shape of Have I Been Pwned's Pwned Passwords API:
// GET {base}/range/{the first 5 hex digits of the password's SHA-1, upper
// case} answers one line per known hash starting with those digits,
// "SUFFIX:COUNT" (the other 35 hex digits and how often it was seen). Lines
// with a count of 0 are padding (asked for with "Add-Padding: true", so
// the response size says nothing about the prefix) and are ignored.
//
// It is off unless LATCH_BREACH_RANGE_URL is set, and it fails open: when
// the service is slow, unreachable or answers nonsense, the password is
// allowed and a warning is logged, so an outage never stops a signup.
package breach

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/messages"
)

// DefaultTimeout bounds one lookup when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// maxBody bounds a response: a real one is about 40 KB (800-1,000 lines),
// padded ones a little more.
const maxBody = 1 << 20

// Options tune a Checker.
type Options struct {
	Timeout time.Duration // one lookup, DefaultTimeout when zero
	Client  *http.Client  // http.DefaultClient's transport when nil
	Logger  *slog.Logger  // nil discards
}

// Checker looks passwords up in a range service. Build it with New; it is
// safe for concurrent use.
type Checker struct {
	base    string
	timeout time.Duration
	client  *http.Client
	log     *slog.Logger
}

// New returns a Checker for the service at base, such as
// https://api.pwnedpasswords.com (a trailing slash is ignored).
func New(base string, o Options) *Checker {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Checker{base: strings.TrimRight(base, "/"), timeout: o.Timeout, client: o.Client, log: o.Logger}
}

// Check returns messages.PasswordBreached when the service knows password
// (as given: it must already be NFKC-normalised), and "" when it does not
// or cannot answer within the timeout; the latter is logged as a warning
// with its cause. email is unused.
func (c *Checker) Check(ctx context.Context, password, _ string) messages.Key {
	seen, err := c.Seen(ctx, password)
	if err != nil {
		c.log.WarnContext(ctx, "breach range check failed; password allowed", "err", err)
		return ""
	}
	if seen > 0 {
		return messages.PasswordBreached
	}
	return ""
}

// Seen returns how often the service has seen password in breaches (0 when
// never). It fails when the request cannot be made or times out, on any
// status but 200, and on a response that is not SUFFIX:COUNT lines.
func (c *Checker) Seen(ctx context.Context, password string) (int, error) {
	sum := sha1.Sum([]byte(password))
	digest := strings.ToUpper(hex.EncodeToString(sum[:]))
	prefix, suffix := digest[:5], digest[5:]

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/range/"+prefix, nil)
	if err != nil {
		return 0, fmt.Errorf("breach: %w", err)
	}
	req.Header.Set("Add-Padding", "true")
	req.Header.Set("User-Agent", "Latch")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("breach: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("breach: range %s: %s", prefix, resp.Status)
	}
	return find(io.LimitReader(resp.Body, maxBody), suffix)
}

// find reads SUFFIX:COUNT lines and returns the count of suffix (compared
// ignoring case), 0 when absent.
func find(r io.Reader, suffix string) (int, error) {
	sc := bufio.NewScanner(r)
	seen := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		s, n, ok := strings.Cut(line, ":")
		if !ok || len(s) != len(suffix) {
			return 0, fmt.Errorf("breach: malformed line %q", truncate(line))
		}
		count, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || count < 0 {
			return 0, fmt.Errorf("breach: malformed count in %q", truncate(line))
		}
		if count > 0 && strings.EqualFold(s, suffix) {
			seen = count
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("breach: read: %w", err)
	}
	return seen, nil
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

package auth

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Throttle limits failed password attempts (OWASP ASVS V6 anti-automation,
// NIST SP 800-63B 5.2.2). Keys are counted whether or not an account holds
// the address, so the limit says nothing about who has an account.
type Throttle interface {
	// Limited returns how long until an attempt is allowed for the first
	// of keys over its limit, or 0, and whether keys[0] has any failure
	// counted (so a success knows whether there is anything to Reset).
	Limited(ctx context.Context, appID uuid.UUID, keys []ThrottleKey) (wait time.Duration, counted bool, err error)
	// Fail counts one failed attempt against each key.
	Fail(ctx context.Context, appID uuid.UUID, keys []ThrottleKey) error
	// Reset forgets the failures of key.
	Reset(ctx context.Context, appID uuid.UUID, key string) error
}

// ThrottleKey is one counter and its limit per window.
type ThrottleKey struct {
	Key   string
	Limit int
}

// Default limits of failed password attempts in a throttle window (15
// minutes): per address, few enough to stop guessing one account, and per
// client IP, enough for a shared office or NAT yet short of a spray.
const (
	FailuresPerAddress = 10
	FailuresPerIP      = 100
)

// loginKeys are the counters a password attempt for email from the
// request's client counts against.
func loginKeys(ctx context.Context, email string) []ThrottleKey {
	keys := []ThrottleKey{{Key: "email:" + email, Limit: FailuresPerAddress}}
	if ip := ClientFrom(ctx).IP; ip != "" {
		keys = append(keys, ThrottleKey{Key: "ip:" + ip, Limit: FailuresPerIP})
	}
	return keys
}

// ThrottledError is the *Error of a refused attempt; Wait says how long
// until another is allowed.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return "auth: too many failed attempts; retry in " + e.Wait.Round(time.Second).String()
}

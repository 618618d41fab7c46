package auth

import (
	"context"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
	"github.com/latch-dev/latch/server/password"
)

// Every path that sets a password — signup, reset, change, a first
// password, recovery — checks it with checkNewPassword: the length and
// email rules the browser shares (client/validate), then the Blocklist.

// Blocklist refuses new passwords that are easy to guess (package blocklist:
// common ones, and ones built from the product's name or the email; package
// breach: ones a breach service has seen). Check gets the password
// NFKC-normalised and the account's email ("" when it has none) and returns
// the reason it is refused (such as messages.PasswordCommon), or "". A
// blocklist that cannot decide (a service down) answers "" and logs why.
// nil allows every password the rules accept.
type Blocklist interface {
	Check(ctx context.Context, password, email string) messages.Key
}

// checkNewPassword normalises a new password (NFKC) and returns it with the
// first problem found, or "": messages.PasswordTooLong before any other work
// for an oversized one, the validate.Password rules against email (the
// account's address, or "" when it has none), then the blocklist's verdict
// (nil allows every password the rules accept). The blocklist is asked only
// about passwords the rules accept, so nothing leaves the process for one
// the form refuses anyway.
func checkNewPassword(ctx context.Context, plain, email string, blocklist Blocklist) (string, messages.Key) {
	if len(plain) > validate.PasswordMaxBytes {
		return "", messages.PasswordTooLong
	}
	plain = password.Normalize(plain)
	if problem := validate.Password(plain, email); problem != "" {
		return plain, problem
	}
	if blocklist != nil {
		if problem := blocklist.Check(ctx, plain, email); problem != "" {
			return plain, problem
		}
	}
	return plain, ""
}

// Blocklists asks each Blocklist in turn and returns the first refusal, so
// a cheap in-memory list can go before a remote breach service.
type Blocklists []Blocklist

// Check implements Blocklist.
func (bs Blocklists) Check(ctx context.Context, password, email string) messages.Key {
	for _, b := range bs {
		if problem := b.Check(ctx, password, email); problem != "" {
			return problem
		}
	}
	return ""
}

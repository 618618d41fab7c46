package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/guard"
)

// NewSignIn is what a "new sign-in" notice tells: where from and when.
type NewSignIn struct {
	UserAgent string
	IP        string
	At        time.Time
}

// SignInMessages writes the "new sign-in" notice, with a link to the
// devices page built from the public origin.
type SignInMessages interface {
	NewSignIn(ctx context.Context, to string, s NewSignIn) (Message, error)
	// Restored says a sign-in brought the account back from deletion.
	Restored(ctx context.Context, to string, s NewSignIn) (Message, error)
	// ProviderLinked says the sign-in provider named provider can now
	// sign in to the account, linked from where s says.
	ProviderLinked(ctx context.Context, to, provider string, s NewSignIn) (Message, error)
}

// SignInNotices tells account holders about sign-ins from browsers that
// are not known devices of theirs. Build it with NewSignInNotices.
type SignInNotices struct {
	users    UserStore
	notifier Notifier
	msgs     SignInMessages
	guard    Guard
	clock    func() time.Time
	log      *slog.Logger
}

// NewSignInNotices returns the notices; a nil clock is time.Now.
func NewSignInNotices(users UserStore, notifier Notifier, msgs SignInMessages, g Guard, clock func() time.Time, log *slog.Logger) *SignInNotices {
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SignInNotices{users: users, notifier: notifier, msgs: msgs, guard: g, clock: clock, log: log}
}

// NewSignIn emails userID's address about a sign-in from the request's
// client (browser and system, address, time), at most one an hour per
// account (guard policy Notice) so that sign-ins cannot be turned into a
// flood of email. An account without an email address gets none.
//
// Errors: a failure to look up the account, write or queue the notice.
func (n *SignInNotices) NewSignIn(ctx context.Context, appID, userID uuid.UUID) error {
	return n.send(ctx, appID, userID, "new_sign_in", n.msgs.NewSignIn)
}

// Restored emails userID's address that a sign-in restored the account
// they had deleted (RestoreNotifier), within the same notice budget.
func (n *SignInNotices) Restored(ctx context.Context, appID, userID uuid.UUID) error {
	return n.send(ctx, appID, userID, "restored", n.msgs.Restored)
}

// ProviderLinked emails userID's address that the provider named
// providerName was linked to the account (ProviderNotices), within the
// notice budget.
func (n *SignInNotices) ProviderLinked(ctx context.Context, appID, userID uuid.UUID, providerName string) error {
	// One budget per provider: linking a second provider within the hour
	// is told too (an account links each provider once).
	return n.send(ctx, appID, userID, "provider_linked:"+providerName, func(ctx context.Context, to string, s NewSignIn) (Message, error) {
		return n.msgs.ProviderLinked(ctx, to, providerName, s)
	})
}

func (n *SignInNotices) send(ctx context.Context, appID, userID uuid.UUID, kind string, write func(context.Context, string, NewSignIn) (Message, error)) error {
	if _, err := reserve(ctx, n.guard, guard.Notice, guard.Subject{Account: accountKey(userID, "") + ":" + kind}, ""); err != nil {
		if Refused(err) {
			return nil // one notice an hour is enough to act on
		}
		return err
	}
	acct, err := n.users.Account(ctx, appID, userID)
	if err != nil {
		return fmt.Errorf("auth: new sign-in notice: %w", err)
	}
	if acct.Email() == "" {
		return nil
	}
	c := ClientFrom(ctx)
	m, err := write(ctx, acct.Email(), NewSignIn{UserAgent: c.UserAgent, IP: c.IP, At: n.clock().UTC()})
	if err != nil {
		return fmt.Errorf("auth: new sign-in notice: %w", err)
	}
	m.Expires = n.clock().Add(24 * time.Hour)
	return n.notifier.Notify(ctx, m)
}

package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// Deleting an account is not immediate: the owner's request ends every
// session and token at once and marks the account deleted, but its data
// stays for a grace period (Settings' DeleteGrace, 14 days by default).
// Signing in during that period with any first factor (a password, a code,
// a link) restores the account: restoreIfPending is the one step every
// first factor of this package passes through. After the grace period
// Settings.Purge removes the personal data.

// restorer brings back an account pending deletion (UserStore and
// PhoneUserStore implement it).
type restorer interface {
	RestoreDeleted(ctx context.Context, appID, userID uuid.UUID, now time.Time) (bool, error)
}

// restoreIfPending returns u, restored first when it is pending deletion at
// now, with Restored set and an "account.restore" event recorded. Call it
// only once the first factor has passed. A user that is neither active nor
// restorable is returned as is: callers refuse it.
func restoreIfPending(ctx context.Context, users restorer, audit Auditor, log *slog.Logger, u User, now time.Time, method string) (User, error) {
	if !u.PendingDeletion(now) {
		return u, nil
	}
	ok, err := users.RestoreDeleted(ctx, u.AppID, u.ID, now)
	if err != nil {
		return User{}, fmt.Errorf("auth: restore account: %w", err)
	}
	if !ok {
		// Purged or restored at this very moment: read as the caller reads
		// any account that is not active.
		return u, nil
	}
	u.Status, u.PurgeAfter, u.Restored = StatusActive, nil, true
	if err := audit.Record(ctx, Event{AppID: u.AppID, UserID: u.ID, Name: "account.restore", Outcome: Success,
		Detail: map[string]string{"method": method}}); err != nil {
		log.ErrorContext(ctx, "audit write failed", "event", "account.restore", "err", err)
	}
	return u, nil
}

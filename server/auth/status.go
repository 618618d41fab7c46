package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
)

// ErrUnknownStatus is returned by SetStatus for a status Latch does not know.
var ErrUnknownStatus = errors.New("auth: unknown user status")

// SetStatus moves a user to status. Suspending or deleting a user ends all
// of their sessions at once, in the same transaction as the status change,
// so no request runs as that user after SetStatus returns. It records a
// "user.status" event and, when sessions ended, a "session.revoke" event
// with scope "all" and the reason "status_<status>".
//
// Errors: ErrUnknownStatus; ErrNotFound when the app has no such user;
// anything else is internal.
func (s *Service) SetStatus(ctx context.Context, appID, userID uuid.UUID, status Status) error {
	switch status {
	case StatusActive, StatusSuspended, StatusDeleted:
	default:
		return ErrUnknownStatus
	}
	n, err := s.users.SetStatus(ctx, appID, userID, status)
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("auth: set status: %w", err)
	}
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "user.status", Outcome: Success,
		Detail: map[string]string{"status": string(status)}})
	if status != StatusActive {
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Success,
			Detail: map[string]string{"scope": RevokeAll, "count": strconv.Itoa(n), "reason": "status_" + string(status)}})
	}
	return nil
}

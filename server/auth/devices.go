package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
)

// Session is one signed-in session of a user, as the device list shows it.
// PublicID is a random handle for the session, safe to put in a page: it is
// neither the cookie token nor derived from it.
type Session struct {
	PublicID   string
	Browser    string // named from the user agent; "" when not recognised
	OS         string // named from the user agent; "" when not recognised
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	Current    bool // the session making the request (set by Devices.List)
}

// SessionStore is the storage the device list needs. Every method is scoped
// to one user, so no call can reach another user's sessions.
type SessionStore interface {
	// UserSessions lists the user's unexpired sessions.
	UserSessions(ctx context.Context, userID uuid.UUID) ([]Session, error)
	// DeleteUserSession deletes the user's session with the public id and
	// returns it. It returns ErrNotFound when the user has no such session
	// (it ended already, or belongs to someone else).
	DeleteUserSession(ctx context.Context, userID uuid.UUID, publicID string) (Session, error)
	// DeleteUserSessions deletes every session of the user except the one
	// with the public id keep ("" keeps none) and returns how many.
	DeleteUserSessions(ctx context.Context, userID uuid.UUID, keep string) (int, error)
}

// Devices lists a user's signed-in sessions and ends them. Ending a session
// deletes it from the store, so the device's very next request finds no
// session. Every ending is an audit event named "session.revoke".
type Devices struct {
	sessions SessionStore
	audit    Auditor
	log      *slog.Logger
}

// NewDevices returns the device list over sessions; log nil discards.
func NewDevices(sessions SessionStore, audit Auditor, log *slog.Logger) *Devices {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Devices{sessions: sessions, audit: audit, log: log}
}

// Scopes of a "session.revoke" audit event.
const (
	RevokeOne    = "one"    // one session, chosen on the device list
	RevokeOthers = "others" // every session but the current one
	RevokeAll    = "all"    // every session, the current one included
)

// List returns the user's sessions: the one whose public id is current
// first (marked Current), then the others, most recently seen first.
//
// Errors: anything the store returns, as internal.
func (d *Devices) List(ctx context.Context, userID uuid.UUID, current string) ([]Session, error) {
	list, err := d.sessions.UserSessions(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	for i := range list {
		list[i].Current = current != "" && list[i].PublicID == current
	}
	slices.SortStableFunc(list, func(a, b Session) int {
		if a.Current != b.Current {
			if a.Current {
				return -1
			}
			return 1
		}
		return b.LastSeenAt.Compare(a.LastSeenAt)
	})
	return list, nil
}

// SignOut ends the user's session with the public id and returns what it
// was. Signing out the current session this way is allowed; the caller then
// ends it in the response too.
//
// Errors: *Error with messages.DeviceNotFound when the user has no session
// with that public id, whether it ended already or belongs to another user
// (the answer is the same, so it reveals nothing about other accounts);
// anything else is internal.
func (d *Devices) SignOut(ctx context.Context, appID, userID uuid.UUID, publicID string) (Session, error) {
	s, err := d.sessions.DeleteUserSession(ctx, userID, publicID)
	if errors.Is(err, ErrNotFound) {
		d.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Failure,
			Detail: map[string]string{"scope": RevokeOne, "reason": "not_found"}})
		return Session{}, &Error{Code: messages.DeviceNotFound, Err: err}
	}
	if err != nil {
		return Session{}, fmt.Errorf("auth: sign out session: %w", err)
	}
	d.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Success,
		Detail: map[string]string{"scope": RevokeOne, "count": "1", "browser": s.Browser, "os": s.OS}})
	return s, nil
}

// SignOutOthers ends every session of the user except current and returns
// how many ended.
//
// Errors: anything the store returns, as internal.
func (d *Devices) SignOutOthers(ctx context.Context, appID, userID uuid.UUID, current string) (int, error) {
	if current == "" {
		// Without a current session "others" would mean all of them.
		return 0, errors.New("auth: sign out other sessions: no current session")
	}
	return d.revoke(ctx, appID, userID, current, RevokeOthers, "user")
}

// SignOutEverywhere ends every session of the user, the current one
// included, and returns how many ended.
//
// Errors: anything the store returns, as internal.
func (d *Devices) SignOutEverywhere(ctx context.Context, appID, userID uuid.UUID) (int, error) {
	return d.revoke(ctx, appID, userID, "", RevokeAll, "user")
}

func (d *Devices) revoke(ctx context.Context, appID, userID uuid.UUID, keep, scope, reason string) (int, error) {
	n, err := d.sessions.DeleteUserSessions(ctx, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("auth: sign out sessions (%s): %w", scope, err)
	}
	d.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Success,
		Detail: map[string]string{"scope": scope, "count": strconv.Itoa(n), "reason": reason}})
	return n, nil
}

func (d *Devices) record(ctx context.Context, e Event) {
	if err := d.audit.Record(ctx, e); err != nil {
		d.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "outcome", e.Outcome, "err", err)
	}
}

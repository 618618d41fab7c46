package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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

// APIClient is one live refresh family as the device list shows it: an
// app, script or other client signed in through the token API. PublicID
// is a random handle for it, safe to put in a page: neither a token nor
// derived from one.
type APIClient struct {
	ID            uuid.UUID // the family (an access token's sid); for the log and audit, never for a page
	PublicID      string
	UserAgent     string // of its login, as sent (at most 512 bytes)
	Browser       string // named from UserAgent; "" when not recognised
	OS            string
	IP            string     // of its latest login or refresh
	CreatedAt     time.Time  // the login
	LastRefreshAt *time.Time // nil until its first refresh
	ExpiresAt     time.Time
}

// APIClientStore is what the device list needs from the token families.
// Every method is scoped to one user of one app and sees only refresh
// families (a browser session's family ends with its session).
type APIClientStore interface {
	// UserAPIClients lists the user's refresh families that are neither
	// revoked nor expired at now.
	UserAPIClients(ctx context.Context, appID, userID uuid.UUID, now time.Time) ([]APIClient, error)
	// RevokeUserAPIClient revokes the user's live refresh family with the
	// public id and returns it, or ErrNotFound when the user has none
	// (revoked or expired already, or someone else's).
	RevokeUserAPIClient(ctx context.Context, appID, userID uuid.UUID, publicID string, at time.Time, reason string) (APIClient, error)
	// RevokeUserAPIClients revokes every live refresh family of the user
	// and returns how many.
	RevokeUserAPIClients(ctx context.Context, appID, userID uuid.UUID, at time.Time, reason string) (int, error)
}

// Devices lists a user's signed-in sessions and API clients and ends them.
// Ending a session deletes it from the store, so the device's very next
// request finds no session; ending an API client revokes its refresh
// family, so its refresh token is refused and its access tokens stop
// working on Latch's own API at once (verifiers that only check the
// signature accept them until they expire). Every ending is an audit
// event named "session.revoke".
type Devices struct {
	sessions SessionStore
	clients  APIClientStore
	audit    Auditor
	clock    func() time.Time
	log      *slog.Logger
}

// NewDevices returns the device list over sessions and, when clients is
// not nil (the token API is on), API clients; clock nil means time.Now,
// log nil discards.
func NewDevices(sessions SessionStore, clients APIClientStore, audit Auditor, clock func() time.Time, log *slog.Logger) *Devices {
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Devices{sessions: sessions, clients: clients, audit: audit, clock: clock, log: log}
}

// Scopes of a "session.revoke" audit event.
const (
	RevokeOne    = "one"    // one session or API client, chosen on the device list
	RevokeOthers = "others" // every session but the current one (and API clients when asked)
	RevokeAll    = "all"    // every session, the current one included, and every API client
)

// Kinds of what a "session.revoke" event of scope RevokeOne ended (its
// "kind" detail). Bulk events count API clients in "api_clients".
const (
	RevokeKindSession   = "session"
	RevokeKindAPIClient = "api_client"
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
		Detail: map[string]string{"scope": RevokeOne, "kind": RevokeKindSession, "count": "1", "browser": s.Browser, "os": s.OS}})
	return s, nil
}

// APIClients returns the user's live API clients, most recently used
// first; none when the token API is off.
//
// Errors: anything the store returns, as internal.
func (d *Devices) APIClients(ctx context.Context, appID, userID uuid.UUID) ([]APIClient, error) {
	if d.clients == nil {
		return nil, nil
	}
	list, err := d.clients.UserAPIClients(ctx, appID, userID, d.clock().UTC())
	if err != nil {
		return nil, fmt.Errorf("auth: list API clients: %w", err)
	}
	return list, nil
}

// SignOutAPIClient revokes the user's API client with the public id and
// returns what it was.
//
// Errors: *Error with messages.APIClientNotFound when the user has no live
// API client with that public id, whether it ended already or belongs to
// another user (the same answer either way); anything else is internal.
func (d *Devices) SignOutAPIClient(ctx context.Context, appID, userID uuid.UUID, publicID string) (APIClient, error) {
	notFound := func(err error) (APIClient, error) {
		d.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Failure,
			Detail: map[string]string{"scope": RevokeOne, "kind": RevokeKindAPIClient, "reason": "not_found"}})
		return APIClient{}, &Error{Code: messages.APIClientNotFound, Err: err}
	}
	if d.clients == nil {
		return notFound(ErrNotFound)
	}
	c, err := d.clients.RevokeUserAPIClient(ctx, appID, userID, publicID, d.clock().UTC(), "signed_out")
	if errors.Is(err, ErrNotFound) {
		return notFound(err)
	}
	if err != nil {
		return APIClient{}, fmt.Errorf("auth: sign out API client: %w", err)
	}
	d.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Success,
		Detail: map[string]string{"scope": RevokeOne, "kind": RevokeKindAPIClient, "count": "1",
			"family": c.ID.String(), "browser": c.Browser, "os": c.OS}})
	return c, nil
}

// SignOutOthers ends every session of the user except current and, when
// apiClients is true, revokes every API client too. It returns how many
// sessions ended.
//
// Errors: anything the stores return, as internal.
func (d *Devices) SignOutOthers(ctx context.Context, appID, userID uuid.UUID, current string, apiClients bool) (int, error) {
	if current == "" {
		// Without a current session "others" would mean all of them.
		return 0, errors.New("auth: sign out other sessions: no current session")
	}
	return d.revoke(ctx, appID, userID, current, RevokeOthers, apiClients)
}

// SignOutEverywhere ends every session of the user, the current one
// included, and revokes every API client. It returns how many sessions
// ended.
//
// Errors: anything the stores return, as internal.
func (d *Devices) SignOutEverywhere(ctx context.Context, appID, userID uuid.UUID) (int, error) {
	return d.revoke(ctx, appID, userID, "", RevokeAll, true)
}

// revoke revokes the API clients first (when asked), so a failure leaves
// the sessions standing and the user can simply try again.
func (d *Devices) revoke(ctx context.Context, appID, userID uuid.UUID, keep, scope string, apiClients bool) (int, error) {
	detail := map[string]string{"scope": scope, "reason": "user"}
	if apiClients && d.clients != nil {
		c, err := d.clients.RevokeUserAPIClients(ctx, appID, userID, d.clock().UTC(), "signed_out_"+scope)
		if err != nil {
			return 0, fmt.Errorf("auth: sign out API clients (%s): %w", scope, err)
		}
		detail["api_clients"] = strconv.Itoa(c)
	}
	n, err := d.sessions.DeleteUserSessions(ctx, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("auth: sign out sessions (%s): %w", scope, err)
	}
	detail["count"] = strconv.Itoa(n)
	d.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Success, Detail: detail})
	return n, nil
}

// newPublicID returns a random public id: 16 bytes, unpadded base64url,
// the format sessions' public ids have.
func newPublicID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (d *Devices) record(ctx context.Context, e Event) {
	if err := d.audit.Record(ctx, e); err != nil {
		d.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "outcome", e.Outcome, "err", err)
	}
}

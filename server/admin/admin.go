// Package admin is what Latch's admin console does to accounts: finding
// users, reading a user's identities, sessions, API clients, second
// factors, roles and audit trail, and the operator's actions on them.
// Each action is done by the same code a user's own request runs
// (auth.Service.SetStatus, auth.Settings.DeleteAccount, auth.Devices…),
// under auth.WithActor, so its audit events carry the administrator and
// the user's security activity can say that an administrator did it.
//
// Who may do what is server/roles' job; the web layer checks the
// permission, and a fresh proof of identity, before it calls here.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/auth"
)

// MaxQuery bounds a search string, in bytes.
const MaxQuery = 320

// SearchLimit bounds the users one search returns.
const SearchLimit = 50

// ExportLimit bounds the rows of one audit export.
const ExportLimit = 50_000

// TrailLimit is how many of a user's events the user page shows.
const TrailLimit = 50

// ReasonMax bounds an action's written reason, in characters.
const ReasonMax = 500

// Errors the console's actions return besides auth.ErrNotFound.
var (
	ErrQueryTooLong = errors.New("admin: search string too long")
	ErrNoReason     = errors.New("admin: a reason is required")
	ErrSelf         = errors.New("admin: an administrator cannot do that to their own account here")
	ErrNoFactor     = errors.New("admin: the user has no such second factor")
)

// Found is one user a search found.
type Found struct {
	ID        uuid.UUID
	Status    auth.Status
	Email     string // the email identity, "" when none
	Phone     string // the phone identity, "" when none
	CreatedAt time.Time
}

// Event is one audit event, as operators read it.
type Event struct {
	ID        int64
	UserID    *uuid.UUID
	Name      string
	Outcome   string
	IP        string
	UserAgent string
	RequestID string
	Detail    map[string]string
	At        time.Time
}

// Filter selects audit events: every set field must match.
type Filter struct {
	UserID *uuid.UUID
	Kind   string    // an event name, or a prefix ending in "." ("session.")
	From   time.Time // inclusive; zero: no bound
	To     time.Time // exclusive; zero: no bound
	Before int64     // only events with a smaller id (paging); 0: from the newest
}

// Store is the reading the console needs. db.Admin implements it.
type Store interface {
	// Search finds users of appID whose id is q, or one of whose
	// identities (email, phone, or provider identity "provider:subject")
	// starts with q, case-insensitively; at most limit.
	Search(ctx context.Context, appID uuid.UUID, q string, limit int) ([]Found, error)
	// Events lists audit events of appID matching f, newest first.
	Events(ctx context.Context, appID uuid.UUID, f Filter, limit int) ([]Event, error)
	// EachEvent calls fn for each event of appID matching f, newest
	// first, at most limit, streaming from the database; an error from fn
	// stops it.
	EachEvent(ctx context.Context, appID uuid.UUID, f Filter, limit int, fn func(Event) error) error
	// HasAuthenticator reports whether the user has an authenticator app.
	HasAuthenticator(ctx context.Context, userID uuid.UUID) (bool, error)
	// ClearPassword deletes the user's password, reporting whether there
	// was one.
	ClearPassword(ctx context.Context, userID uuid.UUID) (bool, error)
	// Limits lists the guard limits of appID that were full at some
	// moment after since, most recent first, at most limit.
	Limits(ctx context.Context, appID uuid.UUID, since time.Time, limit int) ([]Limit, error)
}

// Accounts is auth.Service's part the console uses.
type Accounts interface {
	Account(ctx context.Context, appID, userID uuid.UUID) (auth.Account, error)
	SetStatus(ctx context.Context, appID, userID uuid.UUID, status auth.Status) error
}

// Deleter deletes an account with the self-service grace period
// (auth.Settings).
type Deleter interface {
	DeleteAccount(ctx context.Context, appID, userID uuid.UUID) (time.Time, error)
}

// Devices lists and ends sessions and API clients (auth.Devices).
type Devices interface {
	List(ctx context.Context, userID uuid.UUID, current string) ([]auth.Session, error)
	APIClients(ctx context.Context, appID, userID uuid.UUID) ([]auth.APIClient, error)
	SignOut(ctx context.Context, appID, userID uuid.UUID, publicID string) (auth.Session, error)
	SignOutEverywhere(ctx context.Context, appID, userID uuid.UUID) (int, error)
}

// Authenticators removes an authenticator app (auth.TwoFactor).
type Authenticators interface {
	Disable(ctx context.Context, appID, userID uuid.UUID) error
}

// Verifier resends the email verification code (auth.Codes).
type Verifier interface {
	RequestEmailVerification(ctx context.Context, appID, userID uuid.UUID) (auth.EmailVerification, error)
}

// Roles reads a user's roles (roles.Service).
type Roles interface {
	Roles(ctx context.Context, userID uuid.UUID) ([]string, error)
}

// Auditor records the console's own events (db.Audit).
type Auditor = auth.Auditor

// Deps is what a Console uses; Authenticators, Verifier and Outbox may be nil
// (those actions are then unavailable).
type Deps struct {
	Store          Store
	Accounts       Accounts
	Deleter        Deleter
	Devices        Devices
	Authenticators Authenticators
	Verifier       Verifier
	Roles          Roles
	Audit          Auditor
	Outbox         Outbox           // nil without message delivery
	Apps           AppStore         // nil: apps are managed only with `latch apps`
	Clock          func() time.Time // nil means time.Now
	// PasswordResets says the forgot-password flow is delivered here, so
	// a user whose password was removed can set a new one.
	PasswordResets bool
}

// Console does the admin console's reading and actions.
type Console struct{ d Deps }

// New returns a Console.
func New(d Deps) *Console {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	return &Console{d: d}
}

// CanRemoveAuthenticator reports whether authenticator apps exist here.
func (c *Console) CanRemoveAuthenticator() bool { return c.d.Authenticators != nil }

// CanResendVerification reports whether verification codes can be sent.
func (c *Console) CanResendVerification() bool { return c.d.Verifier != nil }

// Search finds users by id, email, phone or provider identity. An empty
// q finds nothing.
//
// Errors: ErrQueryTooLong over MaxQuery bytes or not UTF-8; anything else
// is internal.
func (c *Console) Search(ctx context.Context, appID uuid.UUID, q string) ([]Found, error) {
	q = strings.TrimSpace(q)
	if len(q) > MaxQuery || !utf8.ValidString(q) || strings.ContainsRune(q, 0) {
		return nil, ErrQueryTooLong
	}
	if q == "" {
		return nil, nil
	}
	if strings.HasPrefix(q, "+") {
		// A phone number as people type it: "+44 20 7946-0958".
		q = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(q)
	}
	return c.d.Store.Search(ctx, appID, q, SearchLimit)
}

// Profile is everything the user page shows: never a secret.
type Profile struct {
	Account       auth.Account
	Sessions      []auth.Session
	APIClients    []auth.APIClient
	Authenticator bool // an authenticator app is set up
	Roles         []string
	Trail         []Event
}

// Profile reads the user's page.
//
// Errors: auth.ErrNotFound; anything else is internal.
func (c *Console) Profile(ctx context.Context, appID, userID uuid.UUID) (Profile, error) {
	acct, err := c.d.Accounts.Account(ctx, appID, userID)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{Account: acct}
	if p.Sessions, err = c.d.Devices.List(ctx, userID, ""); err != nil {
		return Profile{}, fmt.Errorf("admin: sessions: %w", err)
	}
	if p.APIClients, err = c.d.Devices.APIClients(ctx, appID, userID); err != nil {
		return Profile{}, fmt.Errorf("admin: api clients: %w", err)
	}
	if p.Authenticator, err = c.d.Store.HasAuthenticator(ctx, userID); err != nil {
		return Profile{}, fmt.Errorf("admin: second factors: %w", err)
	}
	if p.Roles, err = c.d.Roles.Roles(ctx, userID); err != nil {
		return Profile{}, err
	}
	if p.Trail, err = c.d.Store.Events(ctx, appID, Filter{UserID: &userID}, TrailLimit); err != nil {
		return Profile{}, fmt.Errorf("admin: trail: %w", err)
	}
	return p, nil
}

// acting returns ctx naming actor, and checks the target exists in appID.
func (c *Console) acting(ctx context.Context, appID, actor, userID uuid.UUID) (context.Context, auth.Account, error) {
	acct, err := c.d.Accounts.Account(ctx, appID, userID)
	if err != nil {
		return nil, auth.Account{}, err
	}
	return auth.WithActor(ctx, actor.String()), acct, nil
}

// Suspend suspends the user: every session and every API client's token
// family ends at once.
//
// Errors: auth.ErrNotFound; ErrSelf for the actor's own account.
func (c *Console) Suspend(ctx context.Context, appID, actor, userID uuid.UUID) error {
	if actor == userID {
		return ErrSelf
	}
	ctx, _, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return err
	}
	if err := c.d.Accounts.SetStatus(ctx, appID, userID, auth.StatusSuspended); err != nil {
		return err
	}
	// SetStatus ended the cookie sessions; the token API's families end
	// here, so no app keeps refreshing.
	if _, err := c.d.Devices.SignOutEverywhere(ctx, appID, userID); err != nil {
		return fmt.Errorf("admin: suspend: %w", err)
	}
	return nil
}

// Unsuspend makes a suspended user active again. A deleted account is
// left as it is (its owner restores it by signing in).
//
// Errors: auth.ErrNotFound, also for a user that is not suspended.
func (c *Console) Unsuspend(ctx context.Context, appID, actor, userID uuid.UUID) error {
	ctx, acct, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return err
	}
	if acct.User.Status != auth.StatusSuspended {
		return auth.ErrNotFound
	}
	return c.d.Accounts.SetStatus(ctx, appID, userID, auth.StatusActive)
}

// Delete deletes the account as its owner would: everything ends at
// once, the data stays for the grace period, then the purge removes it.
// It returns when the grace period ends.
//
// Errors: auth.ErrNotFound (also for an account not active); ErrSelf.
func (c *Console) Delete(ctx context.Context, appID, actor, userID uuid.UUID) (time.Time, error) {
	if actor == userID {
		return time.Time{}, ErrSelf
	}
	ctx, _, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return time.Time{}, err
	}
	return c.d.Deleter.DeleteAccount(ctx, appID, userID)
}

// SignOut ends one of the user's sessions by its public id.
//
// Errors: auth.ErrNotFound for an unknown user or session.
func (c *Console) SignOut(ctx context.Context, appID, actor, userID uuid.UUID, publicID string) error {
	ctx, _, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return err
	}
	_, err = c.d.Devices.SignOut(ctx, appID, userID, publicID)
	return err
}

// SignOutEverywhere ends every session and API client of the user.
func (c *Console) SignOutEverywhere(ctx context.Context, appID, actor, userID uuid.UUID) (int, error) {
	ctx, _, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return 0, err
	}
	return c.d.Devices.SignOutEverywhere(ctx, appID, userID)
}

// ResendVerification sends the user a new email verification code, within
// the same send budgets as their own resend.
//
// Errors: the verifier's (*auth.Error for an address verified already or
// a spent budget); auth.ErrNotFound.
func (c *Console) ResendVerification(ctx context.Context, appID, actor, userID uuid.UUID) error {
	if c.d.Verifier == nil {
		return auth.ErrNotFound
	}
	ctx, _, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return err
	}
	_, err = c.d.Verifier.RequestEmailVerification(ctx, appID, userID)
	return err
}

// RemoveAuthenticator removes the user's authenticator app (and its
// recovery codes) after the operator checked who is asking out of band;
// reason says how, and is recorded with an "admin.factor_remove" event.
//
// Errors: ErrNoReason for an empty reason (or over ReasonMax);
// ErrNoFactor when the user has none; auth.ErrNotFound.
func (c *Console) RemoveAuthenticator(ctx context.Context, appID, actor, userID uuid.UUID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > ReasonMax || !utf8.ValidString(reason) {
		return ErrNoReason
	}
	if c.d.Authenticators == nil {
		return ErrNoFactor
	}
	ctx, _, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return err
	}
	has, err := c.d.Store.HasAuthenticator(ctx, userID)
	if err != nil {
		return fmt.Errorf("admin: second factors: %w", err)
	}
	if !has {
		return ErrNoFactor
	}
	if err := c.d.Authenticators.Disable(ctx, appID, userID); err != nil {
		return err
	}
	if err := c.d.Audit.Record(ctx, auth.Event{AppID: appID, UserID: userID, Name: "admin.factor_remove", Outcome: auth.Success,
		Detail: map[string]string{"factor": "totp", "reason": reason}}); err != nil {
		return fmt.Errorf("admin: audit: %w", err)
	}
	return nil
}

// Events searches the audit log.
func (c *Console) Events(ctx context.Context, appID uuid.UUID, f Filter, limit int) ([]Event, error) {
	return c.d.Store.Events(ctx, appID, f, limit)
}

// ExportCSV writes the audit events matching f to w as CSV, newest first,
// at most ExportLimit rows, streamed; it records an "admin.audit_export"
// event for the actor. Cells a spreadsheet would run as a formula are
// quoted (CSVCell).
func (c *Console) ExportCSV(ctx context.Context, appID, actor uuid.UUID, f Filter, w io.Writer) error {
	cw := newCSV(w)
	if err := cw.row("id", "time", "user_id", "event", "outcome", "ip", "user_agent", "request_id", "detail"); err != nil {
		return err
	}
	err := c.d.Store.EachEvent(ctx, appID, f, ExportLimit, func(e Event) error {
		uid := ""
		if e.UserID != nil {
			uid = e.UserID.String()
		}
		return cw.row(fmt.Sprint(e.ID), e.At.UTC().Format(time.RFC3339), uid, e.Name, e.Outcome, e.IP, e.UserAgent, e.RequestID, detailText(e.Detail))
	})
	if err != nil {
		return err
	}
	if err := cw.flush(); err != nil {
		return err
	}
	if err := c.d.Audit.Record(auth.WithActor(ctx, actor.String()), auth.Event{AppID: appID, Name: "admin.audit_export", Outcome: auth.Success}); err != nil {
		return fmt.Errorf("admin: audit: %w", err)
	}
	return nil
}

// Errors of RequirePasswordReset.
var (
	ErrNoPassword   = errors.New("admin: the account has no password")
	ErrNoWayToReset = errors.New("admin: the account has no verified email address or phone number to reset through")
)

// CanRequirePasswordReset reports whether password resets are delivered.
func (c *Console) CanRequirePasswordReset() bool { return c.d.PasswordResets }

// RequirePasswordReset removes the user's password (suspected leaked, or
// set by someone else) and signs them out everywhere: their next sign-in
// goes through "forgot password", which proves they hold their verified
// email address or phone number, or through any other way in they have.
// It records "admin.password_reset_required".
//
// Errors: auth.ErrNotFound; ErrSelf; ErrNoPassword; ErrNoWayToReset when
// the account has no verified address or number (it would be locked out)
// or resets are not delivered here.
func (c *Console) RequirePasswordReset(ctx context.Context, appID, actor, userID uuid.UUID) error {
	if actor == userID {
		return ErrSelf
	}
	ctx, acct, err := c.acting(ctx, appID, actor, userID)
	if err != nil {
		return err
	}
	reachable := false
	for _, id := range acct.Identities {
		if (id.Kind == auth.IdentityEmail || id.Kind == auth.IdentityPhone) && id.VerifiedAt != nil {
			reachable = true
		}
	}
	if !reachable || !c.d.PasswordResets {
		return ErrNoWayToReset
	}
	removed, err := c.d.Store.ClearPassword(ctx, userID)
	if err != nil {
		return fmt.Errorf("admin: clear password: %w", err)
	}
	if !removed {
		return ErrNoPassword
	}
	if _, err := c.d.Devices.SignOutEverywhere(ctx, appID, userID); err != nil {
		return fmt.Errorf("admin: require password reset: %w", err)
	}
	if err := c.d.Audit.Record(ctx, auth.Event{AppID: appID, UserID: userID, Name: "admin.password_reset_required", Outcome: auth.Success}); err != nil {
		return fmt.Errorf("admin: audit: %w", err)
	}
	return nil
}

package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/token"
)

// FamilyKind says what a token family stands for.
type FamilyKind string

// The kinds of token family.
const (
	// FamilyRefresh is one chain of rotated refresh tokens, started by a
	// password grant.
	FamilyRefresh FamilyKind = "refresh"
	// FamilySession stands for a signed-in browser session that minted
	// access tokens; it ends with the session.
	FamilySession FamilyKind = "session"
)

// TokenFamily is what an access token's sid names. Revoking it ends every
// token of the family at once.
type TokenFamily struct {
	ID        uuid.UUID
	AppID     uuid.UUID
	UserID    uuid.UUID
	Kind      FamilyKind
	CreatedAt time.Time
	ExpiresAt time.Time // absolute: no token of the family outlives it
	RevokedAt *time.Time
	// PublicID is a random handle for a refresh family, safe to put in a
	// page (the device list's sign-out form); "" lets the store make one.
	PublicID string
	// UserAgent and IP are the client's that started a refresh family,
	// for the device list.
	UserAgent string
	IP        string
}

// RefreshToken is one stored refresh token. Only its SHA-256 is kept.
type RefreshToken struct {
	ID        uuid.UUID
	FamilyID  uuid.UUID
	AppID     uuid.UUID
	UserID    uuid.UUID
	Hash      []byte
	ParentID  *uuid.UUID
	CreatedAt time.Time
	ExpiresAt time.Time
	RotatedAt *time.Time
	// ReplaySealed is the pair this token was exchanged for, sealed and
	// bound to its id, kept for the grace window only.
	ReplaySealed []byte
}

// RefreshState is what RefreshStore.Refresh shows the decision: the token,
// locked against concurrent refreshes, with its family and user.
type RefreshState struct {
	Token      RefreshToken
	Family     TokenFamily
	UserStatus Status
	// Roles are the user's roles, sorted, read in the same statement by a
	// store that offers FamilyRoles (the roles claim of the child's access
	// token); others leave it nil and the roles are read on their own.
	Roles []string
}

// RefreshDecision is what to write after looking at a RefreshState: a
// rotation, a revocation of the family, or nothing.
type RefreshDecision struct {
	At     time.Time // when the decision was taken
	Rotate *Rotation
	Revoke string // non-empty: revoke the family for this reason
}

// Rotation replaces a refresh token with its child.
type Rotation struct {
	Child        RefreshToken
	ReplaySealed []byte // kept for the grace window (stored with the child, read with the parent)
	IP           string // the refreshing client's, kept on the family for the device list
}

// RefreshStore keeps token families and refresh tokens.
type RefreshStore interface {
	// CreateFamily writes a refresh family and its first token.
	CreateFamily(ctx context.Context, f TokenFamily, first RefreshToken) error
	// Refresh reads the refresh token stored under hash, calls decide with
	// it, and writes what decide returns, so that two refreshes of one
	// token are decided one after the other: a rotation is written only if
	// the token is still unrotated and its family live, and otherwise
	// decide is called again with what the other refresh wrote (decide may
	// run more than once). It returns ErrNotFound for an unknown hash, and
	// decide's error, having written nothing, if it fails.
	Refresh(ctx context.Context, hash []byte, decide func(RefreshState) (RefreshDecision, error)) error
	// RevokeFamilyByToken revokes the family of the refresh token stored
	// under hash (any token of the family, rotated or not). It returns the
	// family and whether this call revoked it, or ErrNotFound.
	RevokeFamilyByToken(ctx context.Context, appID uuid.UUID, hash []byte, at time.Time, reason string) (TokenFamily, bool, error)
	// RevokeFamily revokes a family and reports whether this call did.
	RevokeFamily(ctx context.Context, appID, familyID uuid.UUID, at time.Time, reason string) (bool, error)
	// FamilyLive reports whether the family exists for that app and user,
	// is neither revoked nor expired at now, its user is active, and, for a
	// session family, its browser session still exists for the user.
	FamilyLive(ctx context.Context, appID, userID, familyID uuid.UUID, now time.Time) (bool, error)
	// SessionFamily returns the family of the browser session whose token
	// is sessionToken, creating it as f (f.ID, f.ExpiresAt) if there is
	// none, and extending its ExpiresAt to f.ExpiresAt otherwise.
	SessionFamily(ctx context.Context, f TokenFamily, sessionToken string) (TokenFamily, error)
}

// AccessSigner signs and verifies access tokens (token.Ring).
type AccessSigner interface {
	Issue(c token.Claims) (string, token.Claims, error)
	Verify(ctx context.Context, raw string) (token.Claims, error)
	AccessTTL() time.Duration
}

// Sealer encrypts small secrets at rest, bound to associated data
// (token.Sealer).
type Sealer interface {
	Seal(plain, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// PasswordAccounts is what the token flows need from the account flows.
type PasswordAccounts interface {
	Login(ctx context.Context, appID uuid.UUID, email, password string) (User, error)
	// Restore restores an account pending deletion once every factor of
	// the grant has passed (Service.Restore).
	Restore(ctx context.Context, u User, method string) (User, error)
	Account(ctx context.Context, appID, userID uuid.UUID) (Account, error)
}

// Errors of the token flows. Their text is for the log; callers map them
// to written answers.
var (
	// ErrInvalidGrant: the refresh token is malformed, unknown, expired,
	// revoked, or was reused after rotation (which revoked its family).
	ErrInvalidGrant = errors.New("auth: refresh token invalid, expired or revoked")
	// ErrInvalidAccessToken: the access token does not verify, has
	// expired, or its family was revoked.
	ErrInvalidAccessToken = errors.New("auth: access token invalid, expired or revoked")
)

// Grant is what a successful token request returns.
type Grant struct {
	AccessToken  string
	ExpiresAt    time.Time // of the access token
	ExpiresIn    int       // seconds the access token has left when returned (RFC 6749 expires_in)
	RefreshToken string    // empty for a browser-session grant
	UserID       uuid.UUID
	FamilyID     uuid.UUID // the access token's sid
}

// at returns g with ExpiresIn counted from now, rounded up: iat and exp
// are whole seconds, so a fresh token reads exactly the configured TTL.
func (g Grant) at(now time.Time) Grant {
	g.ExpiresIn = max(0, int((g.ExpiresAt.Sub(now)+time.Second-1)/time.Second))
	return g
}

// Principal is who a verified access token speaks for.
type Principal struct {
	UserID   uuid.UUID
	FamilyID uuid.UUID
}

// TokenOptions are the optional parts of Tokens.
type TokenOptions struct {
	RefreshLifetime time.Duration    // absolute lifetime of a refresh family (default 30 days)
	Grace           time.Duration    // a just-rotated token returns the same pair this long (0: 10s; negative: no window)
	Clock           func() time.Time // nil means time.Now
	Logger          *slog.Logger     // nil discards
	Codes           CodeVerifier     // nil: the one-time code grant is not offered
	// SecondFactors, when set, makes users with a second factor on pass
	// it in the same grant request (TwoFactor).
	SecondFactors GrantSecondFactors
	// Roles, when set, puts the user's roles in every access token (the
	// roles claim), read afresh at each issue and refresh, so a revoked
	// role is gone from the next token.
	Roles RoleReader
	// LiveAccounts, when set, lets AuthenticateMe check the token family
	// and read the account in one round trip (db.Users).
	LiveAccounts LiveAccounts
	// FamilyRoles, when set with Roles, lets a grant that starts a family
	// write it and read the user's roles in one statement, and a refresh
	// take the roles its store read with the token (RefreshState.Roles),
	// as db.RefreshTokens does.
	FamilyRoles FamilyRoles
}

// FamilyRoles is what a refresh store may offer besides RefreshStore:
// CreateFamily that also returns the user's roles, sorted, as
// RoleReader.UserRoles lists them, and records issued in the audit log
// (as Auditor.Record would, with the client in ctx), in the same
// statement.
type FamilyRoles interface {
	CreateFamilyRoles(ctx context.Context, f TokenFamily, first RefreshToken, issued Event) ([]string, error)
}

// AuditCounter is an Auditor that also hears of events a store wrote to
// the audit log itself (FamilyRoles), so it can count them as if they had
// passed through Record (metrics.Auditor).
type AuditCounter interface {
	Counted(e Event)
}

// RoleReader reads a user's roles (roles.Service).
type RoleReader interface {
	UserRoles(ctx context.Context, appID, userID uuid.UUID) ([]string, error)
}

// GrantSecondFactors checks second factors for the token grants
// (TwoFactor.Required and VerifySignIn).
type GrantSecondFactors interface {
	Required(ctx context.Context, appID, userID uuid.UUID) (bool, error)
	VerifySignIn(ctx context.Context, appID, userID uuid.UUID, sf SecondFactor, firstMethod string) (string, error)
}

// ErrSecondFactorRequired is a grant's error for a user with a second
// factor on who sent none: the first factor was right, no token is issued.
var ErrSecondFactorRequired = errors.New("auth: second factor required")

// CodeVerifier proves a user by a one-time code (Codes.VerifyLogin).
type CodeVerifier interface {
	VerifyLogin(ctx context.Context, appID uuid.UUID, email, code string) (User, error)
}

// Tokens runs the token flows for non-browser clients: the password and
// refresh grants, logout, access-token authentication, and access tokens
// for signed-in browser sessions.
//
// Refresh tokens rotate on every use. Using a rotated token again revokes
// its whole family and is audited, except within the grace window after
// the rotation: a client that sent the same refresh twice at once (two
// tabs, a retried request) gets the very same pair both times. For that,
// the parent keeps the pair it was exchanged for, sealed with AES-256-GCM
// under a subkey of the key-encryption key and bound to the parent's id,
// and the sealed copy is wiped once the window has passed. Sealing was
// chosen over deriving the child from a secret and the parent id: a
// derivation secret together with a database copy would give every live
// token, while a sealed copy exists only for seconds.
type Tokens struct {
	accounts PasswordAccounts
	live     LiveAccounts // nil: AuthenticateMe is Authenticate then Me
	famRoles FamilyRoles  // nil: startFamily reads roles on their own
	store    RefreshStore
	signer   AccessSigner
	replay   Sealer
	audit    Auditor
	codes    CodeVerifier
	second   GrantSecondFactors
	roles    RoleReader
	lifetime time.Duration
	grace    time.Duration
	clock    func() time.Time
	log      *slog.Logger
}

// NewTokens returns the token flows.
func NewTokens(accounts PasswordAccounts, store RefreshStore, signer AccessSigner, replay Sealer, audit Auditor, opt TokenOptions) *Tokens {
	t := &Tokens{
		accounts: accounts, store: store, signer: signer, replay: replay, audit: audit, codes: opt.Codes, second: opt.SecondFactors, roles: opt.Roles,
		live:     opt.LiveAccounts,
		famRoles: opt.FamilyRoles,
		lifetime: opt.RefreshLifetime, grace: opt.Grace, clock: opt.Clock, log: opt.Logger,
	}
	if t.lifetime <= 0 {
		t.lifetime = 30 * 24 * time.Hour
	}
	switch {
	case t.grace < 0:
		t.grace = 0
	case t.grace == 0:
		t.grace = 10 * time.Second
	}
	if t.clock == nil {
		t.clock = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	return t
}

// Grace returns the window in which a rotated refresh token may be replayed.
func (t *Tokens) Grace() time.Duration { return t.grace }

// PasswordGrant checks an email and password (through Service.Login, which
// audits the attempt) and starts a refresh family.
//
// A user with a second factor on must send it too (sf), or gets
// ErrSecondFactorRequired.
//
// Errors: *Error with messages.LoginFailed for every refusal, exactly as
// Login; ErrSecondFactorRequired; *Error with messages.TwoFactorCodeInvalid
// or messages.TwoFactorLocked for a wrong second factor, as
// TwoFactor.VerifySignIn; ctx errors while waiting for the hasher;
// anything else is internal.
func (t *Tokens) PasswordGrant(ctx context.Context, appID uuid.UUID, email, password string, sf SecondFactor) (Grant, error) {
	u, err := t.accounts.Login(ctx, appID, email, password)
	if err != nil {
		return Grant{}, err
	}
	if err := t.secondFactor(ctx, appID, u, sf, "password"); err != nil {
		return Grant{}, err
	}
	if u, err = t.accounts.Restore(ctx, u, "password"); err != nil {
		return Grant{}, err
	}
	return t.startFamily(ctx, appID, u, "password")
}

// secondFactor checks sf for a user whose first factor (method) passed,
// when a second is required of them.
func (t *Tokens) secondFactor(ctx context.Context, appID uuid.UUID, u User, sf SecondFactor, method string) error {
	if t.second == nil {
		return nil
	}
	need, err := t.second.Required(ctx, appID, u.ID)
	if err != nil {
		return err
	}
	if !need {
		return nil
	}
	if sf == (SecondFactor{}) {
		t.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "token.issue", Outcome: Failure,
			Detail: map[string]string{"grant": method, "reason": "second_factor_required"}})
		return ErrSecondFactorRequired
	}
	_, err = t.second.VerifySignIn(ctx, appID, u.ID, sf, method)
	return err
}

// ErrGrantUnavailable is returned for a grant this server does not offer.
var ErrGrantUnavailable = errors.New("auth: grant not offered")

// CodeGrant checks a one-time login code sent to an email (requested with
// Codes.RequestLogin) and starts a refresh family.
//
// A user with a second factor on must send it too, as with PasswordGrant.
//
// Errors: ErrGrantUnavailable without a code verifier; *Error with
// messages.CodeInvalid or messages.CodeExhausted for every refusal, as
// Codes.VerifyLogin; the second-factor errors of PasswordGrant; anything
// else is internal.
func (t *Tokens) CodeGrant(ctx context.Context, appID uuid.UUID, email, code string, sf SecondFactor) (Grant, error) {
	if t.codes == nil {
		return Grant{}, ErrGrantUnavailable
	}
	u, err := t.codes.VerifyLogin(ctx, appID, email, code)
	if err != nil {
		return Grant{}, err
	}
	if err := t.secondFactor(ctx, appID, u, sf, "email_code"); err != nil {
		return Grant{}, err
	}
	if u, err = t.accounts.Restore(ctx, u, "email_code"); err != nil {
		return Grant{}, err
	}
	return t.startFamily(ctx, appID, u, "otp")
}

// startFamily starts a refresh family for a user a grant has proved.
func (t *Tokens) startFamily(ctx context.Context, appID uuid.UUID, u User, grant string) (Grant, error) {
	now := t.clock().UTC()
	famID, err := uuid.NewV7()
	if err != nil {
		return Grant{}, err
	}
	c := ClientFrom(ctx)
	fam := TokenFamily{
		ID: famID, AppID: appID, UserID: u.ID, Kind: FamilyRefresh, CreatedAt: now, ExpiresAt: now.Add(t.lifetime),
		PublicID: newPublicID(), UserAgent: c.UserAgent, IP: c.IP,
	}
	first, plain, err := t.newRefresh(fam, nil, now)
	if err != nil {
		return Grant{}, err
	}
	issued := Event{AppID: appID, UserID: u.ID, Name: "token.issue", Outcome: Success,
		Detail: map[string]string{"grant": grant, "family": famID.String()}}
	var g Grant
	if t.roles != nil && t.famRoles != nil {
		// The family, its audit row and the roles claim in one statement;
		// the refresh token is handed out only once the access token is
		// signed too.
		held, err := t.famRoles.CreateFamilyRoles(ctx, fam, first, issued)
		if err != nil {
			return Grant{}, fmt.Errorf("auth: %s grant: %w", grant, err)
		}
		if c, ok := t.audit.(AuditCounter); ok {
			c.Counted(issued)
		}
		if g, err = t.sign(fam, plain, held); err != nil {
			return Grant{}, err
		}
		return g.at(now), nil
	}
	if g, err = t.issue(ctx, fam, plain); err != nil {
		return Grant{}, err
	}
	if err := t.store.CreateFamily(ctx, fam, first); err != nil {
		return Grant{}, fmt.Errorf("auth: %s grant: %w", grant, err)
	}
	t.record(ctx, issued)
	return g.at(now), nil
}

// RefreshGrant exchanges a refresh token for a new access token and a new
// refresh token; the old one is rotated out. Within the grace window after
// a rotation, the same token gets the same pair again. After it, the reuse
// revokes the whole family and is audited as token.reuse. A user no longer
// active loses the family.
//
// Errors: ErrInvalidGrant for every refusal; anything else is internal.
func (t *Tokens) RefreshGrant(ctx context.Context, appID uuid.UUID, refreshToken string) (Grant, error) {
	hash, ok := token.HashRefreshToken(refreshToken)
	if !ok {
		return Grant{}, fmt.Errorf("%w: malformed", ErrInvalidGrant)
	}
	var (
		grant   Grant
		refusal string
		fam     TokenFamily
	)
	err := t.store.Refresh(ctx, hash, func(st RefreshState) (RefreshDecision, error) {
		now := t.clock().UTC()
		fam = st.Family
		switch {
		case st.Token.AppID != appID:
			refusal = "other_app"
		case st.Family.RevokedAt != nil:
			refusal = "family_revoked"
		case !now.Before(st.Family.ExpiresAt) || !now.Before(st.Token.ExpiresAt):
			refusal = "expired"
		case st.UserStatus != StatusActive:
			refusal = "user_inactive"
			return RefreshDecision{At: now, Revoke: "user_inactive"}, nil
		case st.Token.RotatedAt == nil:
			child, plain, err := t.newRefresh(st.Family, &st.Token.ID, now)
			if err != nil {
				return RefreshDecision{}, err
			}
			var g Grant
			if t.roles != nil && t.famRoles != nil {
				g, err = t.sign(st.Family, plain, st.Roles) // roles read with the token
			} else {
				g, err = t.issue(ctx, st.Family, plain)
			}
			if err != nil {
				return RefreshDecision{}, err
			}
			sealed, err := t.sealReplay(st.Token.ID, g)
			if err != nil {
				return RefreshDecision{}, err
			}
			grant = g.at(now)
			return RefreshDecision{At: now, Rotate: &Rotation{Child: child, ReplaySealed: sealed, IP: ClientFrom(ctx).IP}}, nil
		case st.Token.ReplaySealed != nil && now.Sub(*st.Token.RotatedAt) <= t.grace:
			g, err := t.openReplay(st.Token.ID, st.Token.ReplaySealed)
			if err != nil {
				return RefreshDecision{}, err
			}
			grant = g.at(now)
		default:
			refusal = "reuse"
			return RefreshDecision{At: now, Revoke: "refresh_token_reuse"}, nil
		}
		return RefreshDecision{}, nil
	})
	if errors.Is(err, ErrNotFound) {
		return Grant{}, fmt.Errorf("%w: unknown", ErrInvalidGrant)
	}
	if err != nil {
		return Grant{}, fmt.Errorf("auth: refresh grant: %w", err)
	}
	if refusal == "" {
		return grant, nil
	}
	switch refusal {
	case "reuse":
		t.log.WarnContext(ctx, "refresh token reused after rotation: family revoked", "family", fam.ID, "user_id", fam.UserID)
		t.record(ctx, Event{AppID: fam.AppID, UserID: fam.UserID, Name: "token.reuse", Outcome: Failure,
			Detail: map[string]string{"family": fam.ID.String(), "family_revoked": "true"}})
	case "user_inactive":
		t.record(ctx, Event{AppID: fam.AppID, UserID: fam.UserID, Name: "token.refresh", Outcome: Failure,
			Detail: map[string]string{"family": fam.ID.String(), "reason": refusal, "family_revoked": "true"}})
	}
	return Grant{}, fmt.Errorf("%w: %s", ErrInvalidGrant, refusal)
}

// Logout revokes the family of a refresh token, ending its refresh tokens
// and, at once for Latch's own API, its access tokens. Like RFC 7009, an
// unknown or malformed token is not an error: there is nothing to end.
//
// Errors: only internal ones.
func (t *Tokens) Logout(ctx context.Context, appID uuid.UUID, refreshToken string) error {
	hash, ok := token.HashRefreshToken(refreshToken)
	if !ok {
		return nil
	}
	fam, revoked, err := t.store.RevokeFamilyByToken(ctx, appID, hash, t.clock().UTC(), "logout")
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auth: token logout: %w", err)
	}
	if revoked {
		t.record(ctx, Event{AppID: appID, UserID: fam.UserID, Name: "token.logout", Outcome: Success,
			Detail: map[string]string{"family": fam.ID.String()}})
	}
	return nil
}

// Authenticate verifies an access token and checks, in the store, that its
// family is still live: a revoked family's tokens stop working at once for
// Latch's own API, before they expire.
//
// Errors: ErrInvalidAccessToken, wrapping the reason for the log; anything
// else is internal.
func (t *Tokens) Authenticate(ctx context.Context, appID uuid.UUID, accessToken string) (Principal, error) {
	c, err := t.signer.Verify(ctx, accessToken)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidAccessToken, err)
	}
	if c.AppID != appID {
		return Principal{}, fmt.Errorf("%w: issued for another app", ErrInvalidAccessToken)
	}
	live, err := t.store.FamilyLive(ctx, appID, c.UserID, c.SessionID, t.clock().UTC())
	if err != nil {
		return Principal{}, fmt.Errorf("auth: authenticate: %w", err)
	}
	if !live {
		return Principal{}, fmt.Errorf("%w: family revoked or ended", ErrInvalidAccessToken)
	}
	return Principal{UserID: c.UserID, FamilyID: c.SessionID}, nil
}

// LiveAccounts is what an account store may offer besides
// PasswordAccounts: the account of a user only if the token family is
// live, as RefreshStore.FamilyLive decides it, in one round trip. found
// is false when the family is not live (revoked, ended, its session gone,
// its user inactive) or the user is gone.
type LiveAccounts interface {
	LiveAccount(ctx context.Context, appID, userID, familyID uuid.UUID, now time.Time) (acct Account, found bool, err error)
}

// AuthenticateMe is Authenticate then Me, for a request that needs the
// account as well: with an account store that offers LiveAccounts, the
// family check and the account read are one round trip.
//
// Errors: ErrInvalidAccessToken, wrapping the reason for the log; anything
// else is internal.
func (t *Tokens) AuthenticateMe(ctx context.Context, appID uuid.UUID, accessToken string) (Principal, Account, error) {
	la := t.live
	if la == nil {
		p, err := t.Authenticate(ctx, appID, accessToken)
		if err != nil {
			return Principal{}, Account{}, err
		}
		acct, err := t.Me(ctx, appID, p)
		return p, acct, err
	}
	c, err := t.signer.Verify(ctx, accessToken)
	if err != nil {
		return Principal{}, Account{}, fmt.Errorf("%w: %v", ErrInvalidAccessToken, err)
	}
	if c.AppID != appID {
		return Principal{}, Account{}, fmt.Errorf("%w: issued for another app", ErrInvalidAccessToken)
	}
	acct, live, err := la.LiveAccount(ctx, appID, c.UserID, c.SessionID, t.clock().UTC())
	if err != nil {
		return Principal{}, Account{}, fmt.Errorf("auth: authenticate: %w", err)
	}
	if !live {
		return Principal{}, Account{}, fmt.Errorf("%w: family revoked or ended, or user gone or inactive", ErrInvalidAccessToken)
	}
	return Principal{UserID: c.UserID, FamilyID: c.SessionID}, acct, nil
}

// Me returns the account an authenticated principal speaks for. A user
// who is gone or no longer active loses the family.
//
// Errors: ErrInvalidAccessToken when the user is gone or inactive;
// anything else is internal.
func (t *Tokens) Me(ctx context.Context, appID uuid.UUID, p Principal) (Account, error) {
	acct, err := t.accounts.Account(ctx, appID, p.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && acct.User.Status != StatusActive) {
		if _, err := t.store.RevokeFamily(ctx, appID, p.FamilyID, t.clock().UTC(), "user_inactive"); err != nil {
			t.log.WarnContext(ctx, "revoking the family of an inactive user failed", "family", p.FamilyID, "err", err)
		}
		return Account{}, fmt.Errorf("%w: user gone or inactive", ErrInvalidAccessToken)
	}
	if err != nil {
		return Account{}, fmt.Errorf("auth: me: %w", err)
	}
	return acct, nil
}

// SessionGrant mints a short-lived access token, and never a refresh
// token, for a signed-in browser session. Its sid names the session's
// family, which ends when the session does (logout, expiry, revocation).
//
// Errors: ErrInvalidGrant when the session's family was revoked or belongs
// to someone else; anything else is internal.
func (t *Tokens) SessionGrant(ctx context.Context, appID, userID uuid.UUID, sessionToken string) (Grant, error) {
	if sessionToken == "" {
		return Grant{}, errors.New("auth: session grant: no session token")
	}
	now := t.clock().UTC()
	id, err := uuid.NewV7()
	if err != nil {
		return Grant{}, err
	}
	fam, err := t.store.SessionFamily(ctx, TokenFamily{
		ID: id, AppID: appID, UserID: userID, Kind: FamilySession, CreatedAt: now, ExpiresAt: now.Add(t.signer.AccessTTL()),
	}, sessionToken)
	if err != nil {
		return Grant{}, fmt.Errorf("auth: session grant: %w", err)
	}
	if fam.RevokedAt != nil || fam.UserID != userID || fam.AppID != appID {
		return Grant{}, fmt.Errorf("%w: session family revoked or not the user's", ErrInvalidGrant)
	}
	g, err := t.issue(ctx, fam, "")
	if err == nil && g.ExpiresAt.After(fam.ExpiresAt) {
		// The token was signed after the family's end was set (the store
		// took a while): it stops working with its family, so the client
		// is told that end and renews before it.
		g.ExpiresAt = fam.ExpiresAt
	}
	return g.at(now), err
}

// newRefresh makes a refresh token of fam; only its hash is kept.
func (t *Tokens) newRefresh(fam TokenFamily, parent *uuid.UUID, now time.Time) (RefreshToken, string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return RefreshToken{}, "", err
	}
	plain, hash, err := token.NewRefreshToken()
	if err != nil {
		return RefreshToken{}, "", err
	}
	return RefreshToken{
		ID: id, FamilyID: fam.ID, AppID: fam.AppID, UserID: fam.UserID, Hash: hash, ParentID: parent,
		CreatedAt: now, ExpiresAt: fam.ExpiresAt,
	}, plain, nil
}

// issue signs an access token for fam and pairs it with refresh.
func (t *Tokens) issue(ctx context.Context, fam TokenFamily, refresh string) (Grant, error) {
	var held []string
	if t.roles != nil {
		var err error
		if held, err = t.roles.UserRoles(ctx, fam.AppID, fam.UserID); err != nil {
			return Grant{}, fmt.Errorf("auth: roles for the access token: %w", err)
		}
	}
	return t.sign(fam, refresh, held)
}

// sign signs an access token for fam with the roles claim held and pairs
// it with refresh.
func (t *Tokens) sign(fam TokenFamily, refresh string, held []string) (Grant, error) {
	claims := token.Claims{UserID: fam.UserID, SessionID: fam.ID, AppID: fam.AppID, Roles: held}
	access, c, err := t.signer.Issue(claims)
	if err != nil {
		return Grant{}, err
	}
	return Grant{AccessToken: access, ExpiresAt: c.ExpiresAt, RefreshToken: refresh, UserID: fam.UserID, FamilyID: fam.ID}, nil
}

// replayed is a sealed Grant, as kept on a rotated parent.
type replayed struct {
	Access  string    `json:"a"`
	Expires time.Time `json:"e"`
	Refresh string    `json:"r"`
	User    uuid.UUID `json:"u"`
	Family  uuid.UUID `json:"f"`
}

func (t *Tokens) sealReplay(parent uuid.UUID, g Grant) ([]byte, error) {
	b, err := json.Marshal(replayed{Access: g.AccessToken, Expires: g.ExpiresAt, Refresh: g.RefreshToken, User: g.UserID, Family: g.FamilyID})
	if err != nil {
		return nil, err
	}
	return t.replay.Seal(b, parent[:])
}

func (t *Tokens) openReplay(parent uuid.UUID, sealed []byte) (Grant, error) {
	b, err := t.replay.Open(sealed, parent[:])
	if err != nil {
		return Grant{}, fmt.Errorf("open replay: %w", err)
	}
	var r replayed
	if err := json.Unmarshal(b, &r); err != nil {
		return Grant{}, fmt.Errorf("decode replay: %w", err)
	}
	return Grant{AccessToken: r.Access, ExpiresAt: r.Expires, RefreshToken: r.Refresh, UserID: r.User, FamilyID: r.Family}, nil
}

func (t *Tokens) record(ctx context.Context, e Event) {
	if err := t.audit.Record(ctx, e); err != nil {
		t.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "outcome", e.Outcome, "err", err)
	}
}

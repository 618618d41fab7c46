package auth

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/guard"
)

// Passkeys (WebAuthn credentials): registering one from the account page,
// signing in with one as a first factor (discoverable credentials, so no
// identifier is typed), and using one as the second factor of a sign-in.

// Passkey is one registered WebAuthn credential of a user. Only its public
// key is stored.
type Passkey struct {
	ID              uuid.UUID
	AppID           uuid.UUID
	UserID          uuid.UUID
	CredentialID    []byte
	PublicKey       []byte // COSE
	AttestationType string
	AAGUID          uuid.UUID
	SignCount       uint32
	BackupEligible  bool
	BackupState     bool
	Transports      []string
	UserVerified    bool // the registration verified the user (UV)
	Name            string
	CreatedAt       time.Time
	LastUsedAt      *time.Time
}

// PasskeyUse is what a passing assertion updates on its passkey.
type PasskeyUse struct {
	SignCount   uint32
	BackupState bool
	At          time.Time
}

// Errors of PasskeyStore.
var (
	// ErrPasskeyTaken: the credential id is already registered in the app.
	ErrPasskeyTaken = errors.New("auth: passkey already registered")
	// ErrPasskeyCounter: the signature counter did not advance (a clone,
	// or a replayed assertion racing the real one).
	ErrPasskeyCounter = errors.New("auth: passkey counter did not advance")
)

// PasskeyStore keeps passkeys and the users' WebAuthn user handles.
type PasskeyStore interface {
	// UserHandle returns the user's WebAuthn user handle, making one (32
	// random bytes) the first time.
	UserHandle(ctx context.Context, appID, userID uuid.UUID, at time.Time) ([]byte, error)
	// UserByHandle returns the user whose handle it is, or ErrNotFound.
	UserByHandle(ctx context.Context, appID uuid.UUID, handle []byte) (uuid.UUID, error)
	// Passkeys returns the user's passkeys, oldest first.
	Passkeys(ctx context.Context, appID, userID uuid.UUID) ([]Passkey, error)
	// AddPasskey stores p, or returns ErrPasskeyTaken when its credential
	// id is registered in the app already.
	AddPasskey(ctx context.Context, p Passkey) error
	// UsePasskey records a passing assertion: the new counter, backup
	// state and time, in one statement that returns ErrPasskeyCounter
	// (writing nothing) when the stored counter is not below the new one
	// and either is non-zero; ErrNotFound when the passkey is gone.
	UsePasskey(ctx context.Context, appID, id uuid.UUID, u PasskeyUse) error
	// RenamePasskey names the user's passkey id, or returns ErrNotFound.
	RenamePasskey(ctx context.Context, appID, userID, id uuid.UUID, name string) error
	// RemovePasskey deletes the user's passkey id if allowed, called with
	// the account as it stands under a lock on the user, returns nil. It
	// returns ErrNotFound when the user (active) holds no such passkey, or
	// allowed's error.
	RemovePasskey(ctx context.Context, appID, userID, id uuid.UUID, allowed func(Account) error) error
}

// PasskeyAccounts reads the accounts passkeys belong to (UserStore does).
type PasskeyAccounts interface {
	Account(ctx context.Context, appID, userID uuid.UUID) (Account, error)
}

// PasskeyMessages writes the notice a new passkey sends.
type PasskeyMessages interface {
	// PasskeyAdded tells the account holder a passkey named name was added.
	PasskeyAdded(ctx context.Context, to, name string) (Message, error)
}

// RelyingParty is who passkeys are registered with: the RP ID (a domain,
// "localhost" in development) and the origins a ceremony may come from.
type RelyingParty struct {
	ID      string
	Name    string // shown by some authenticators; "Latch" when empty
	Origins []string
}

// PasskeyOptions are the optional parts of Passkeys.
type PasskeyOptions struct {
	Guard    Guard           // bounds assertion checks (guard.Passkey); nil only in tests of one flow
	Notifier Notifier        // nil: no "passkey added" notice
	Messages PasskeyMessages // nil: no notice
	Clock    func() time.Time
	Logger   *slog.Logger
	// ChallengeTTL bounds a ceremony, from its options to its answer;
	// PasskeyChallengeTTL when zero.
	ChallengeTTL time.Duration
	// ResetHold is how long after a password reset no passkey may be
	// added or removed, like the email and phone (DefaultResetHold when
	// zero): a reset through one channel cannot plant a lasting way in,
	// nor take the owner's away.
	ResetHold time.Duration
	// RelyingPartyOf, when set, names the relying party of the request in
	// ctx (its app's, when one server serves several apps); false, or
	// nil: the one given to NewPasskeys.
	RelyingPartyOf func(ctx context.Context) (RelyingParty, bool)
}

// PasskeyChallengeTTL is how long a ceremony's challenge is good for.
const PasskeyChallengeTTL = 5 * time.Minute

// PasskeyNameMax is the longest name a passkey may have, in characters.
const PasskeyNameMax = 64

// MethodPasskey names a passkey in audit events (the sign-in method and
// the second factor).
const MethodPasskey = "passkey"

// Passkeys runs the passkey flows. Build it with NewPasskeys.
type Passkeys struct {
	wa       *webauthn.WebAuthn
	accounts PasskeyAccounts
	store    PasskeyStore
	audit    Auditor
	opt      PasskeyOptions

	mu   sync.Mutex
	byRP map[string]*webauthn.WebAuthn // RelyingPartyOf's, made once each
}

// NewPasskeys returns the passkey flows for rp. It fails when rp is not
// usable (no ID, no origin, an origin that does not parse).
func NewPasskeys(rp RelyingParty, accounts PasskeyAccounts, store PasskeyStore, audit Auditor, opt PasskeyOptions) (*Passkeys, error) {
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.ChallengeTTL <= 0 {
		opt.ChallengeTTL = PasskeyChallengeTTL
	}
	if opt.ResetHold <= 0 {
		opt.ResetHold = DefaultResetHold
	}
	wa, err := newRelyingParty(rp, opt.ChallengeTTL)
	if err != nil {
		return nil, err
	}
	return &Passkeys{wa: wa, accounts: accounts, store: store, audit: audit, opt: opt}, nil
}

func newRelyingParty(rp RelyingParty, ttl time.Duration) (*webauthn.WebAuthn, error) {
	if rp.Name == "" {
		rp.Name = "Latch"
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: ttl, TimeoutUVD: ttl}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: rp.ID, RPDisplayName: rp.Name, RPOrigins: rp.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts:              webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	return wa, nil
}

// relyingParty is the relying party of the request in ctx
// (PasskeyOptions.RelyingPartyOf), else the one given to NewPasskeys. One
// that cannot be made is logged and the default used: its ceremonies then
// fail their origin check, never pass another app's.
func (k *Passkeys) relyingParty(ctx context.Context) *webauthn.WebAuthn {
	if k.opt.RelyingPartyOf == nil {
		return k.wa
	}
	rp, ok := k.opt.RelyingPartyOf(ctx)
	if !ok {
		return k.wa
	}
	key := rp.ID + "\x00" + rp.Name + "\x00" + strings.Join(rp.Origins, " ")
	k.mu.Lock()
	defer k.mu.Unlock()
	if wa, ok := k.byRP[key]; ok {
		return wa
	}
	wa, err := newRelyingParty(rp, k.opt.ChallengeTTL)
	if err != nil {
		k.opt.Logger.ErrorContext(ctx, "passkeys: relying party not usable", "rp_id", rp.ID, "err", err)
		return k.wa
	}
	if k.byRP == nil {
		k.byRP = map[string]*webauthn.WebAuthn{}
	}
	k.byRP[key] = wa
	return wa
}

// Ceremony is a started WebAuthn ceremony: Options go to the browser's
// navigator.credentials (as JSON, binary fields base64url), Session stays
// on the server (in the browser's session, used once) until the answer.
type Ceremony struct {
	Options json.RawMessage
	Session []byte
}

// passkeyUser is a user as the WebAuthn library sees it.
type passkeyUser struct {
	handle []byte
	name   string
	creds  []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.handle }
func (u *passkeyUser) WebAuthnName() string                       { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// credential is p as the WebAuthn library checks it.
func (p Passkey) credential() webauthn.Credential {
	transports := make([]protocol.AuthenticatorTransport, len(p.Transports))
	for i, t := range p.Transports {
		transports[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID: p.CredentialID, PublicKey: p.PublicKey, AttestationType: p.AttestationType, Transport: transports,
		Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: p.UserVerified, BackupEligible: p.BackupEligible, BackupState: p.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID[:], SignCount: p.SignCount},
	}
}

// user loads userID's handle and passkeys, for a ceremony.
func (k *Passkeys) user(ctx context.Context, appID, userID uuid.UUID, name string) (*passkeyUser, []Passkey, error) {
	handle, err := k.store.UserHandle(ctx, appID, userID, k.opt.Clock().UTC())
	if err != nil {
		return nil, nil, fmt.Errorf("auth: passkey handle: %w", err)
	}
	keys, err := k.store.Passkeys(ctx, appID, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	u := &passkeyUser{handle: handle, name: name}
	for _, p := range keys {
		u.creds = append(u.creds, p.credential())
	}
	return u, keys, nil
}

// List returns the user's passkeys, oldest first.
func (k *Passkeys) List(ctx context.Context, appID, userID uuid.UUID) ([]Passkey, error) {
	keys, err := k.store.Passkeys(ctx, appID, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	return keys, nil
}

// BeginRegistration starts registering a new passkey for a signed-in user
// (the caller has checked a fresh proof of identity). The passkey must be
// discoverable (a resident key), so it can sign in without an identifier;
// the user's other passkeys are excluded, so one authenticator is not
// registered twice.
//
// Errors: ErrNotFound when the user is gone; anything else is internal.
func (k *Passkeys) BeginRegistration(ctx context.Context, appID, userID uuid.UUID) (Ceremony, error) {
	if err := k.reserveChallenge(ctx, userID); err != nil {
		return Ceremony{}, err
	}
	acct, err := k.accounts.Account(ctx, appID, userID)
	if err != nil {
		return Ceremony{}, err
	}
	if acct.User.HeldAfterReset(k.opt.Clock(), k.opt.ResetHold) {
		k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.add", Outcome: Failure, Detail: map[string]string{"reason": "held_after_reset"}})
		return Ceremony{}, &Error{Code: messages.ChangeHeldAfterReset}
	}
	u, _, err := k.user(ctx, appID, userID, accountName(acct))
	if err != nil {
		return Ceremony{}, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	required := true
	creation, sd, err := k.relyingParty(ctx).BeginRegistration(u,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: &required,
			UserVerification: protocol.VerificationPreferred,
		}),
		webauthn.WithExclusions(exclude),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return Ceremony{}, fmt.Errorf("auth: begin passkey registration: %w", err)
	}
	return ceremony(creation, sd)
}

// FinishRegistration checks the browser's answer to BeginRegistration's
// options (session is that ceremony's) and stores the passkey as name.
// The holder is told by email.
//
// Errors: *Error with messages.ChangeHeldAfterReset within ResetHold of a
// password reset (BeginRegistration says so too); messages.PasskeyNameInvalid for an empty, too long
// or unprintable name; messages.PasskeyNotAccepted for an answer that
// does not parse or verify; messages.PasskeyAlreadyRegistered when the
// credential is registered already (to anyone); anything else is internal.
func (k *Passkeys) FinishRegistration(ctx context.Context, appID, userID uuid.UUID, session, response []byte, name string) (Passkey, error) {
	name, ok := PasskeyName(name)
	if !ok {
		return Passkey{}, &Error{Code: messages.PasskeyNameInvalid}
	}
	fail := func(reason string, code messages.Key, err error) (Passkey, error) {
		k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.add", Outcome: Failure, Detail: map[string]string{"reason": reason}})
		return Passkey{}, &Error{Code: code, Err: err}
	}
	sd, err := sessionData(session)
	if err != nil {
		return fail("no_challenge", messages.PasskeyExpired, err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return fail("malformed", messages.PasskeyNotAccepted, err)
	}
	acct, err := k.accounts.Account(ctx, appID, userID)
	if err != nil {
		return Passkey{}, err
	}
	if acct.User.HeldAfterReset(k.opt.Clock(), k.opt.ResetHold) {
		return fail("held_after_reset", messages.ChangeHeldAfterReset, nil)
	}
	u, _, err := k.user(ctx, appID, userID, accountName(acct))
	if err != nil {
		return Passkey{}, err
	}
	cred, err := k.relyingParty(ctx).CreateCredential(u, sd, parsed)
	if err != nil {
		return fail("invalid", messages.PasskeyNotAccepted, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Passkey{}, err
	}
	aaguid, _ := uuid.FromBytes(cred.Authenticator.AAGUID) // uuid.Nil when absent
	p := Passkey{
		ID: id, AppID: appID, UserID: userID, CredentialID: cred.ID, PublicKey: cred.PublicKey,
		AttestationType: cred.AttestationType, AAGUID: aaguid, SignCount: cred.Authenticator.SignCount,
		BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
		UserVerified: cred.Flags.UserVerified, Name: name, CreatedAt: k.opt.Clock().UTC().Truncate(time.Microsecond),
	}
	for _, t := range cred.Transport {
		if len(p.Transports) < 10 && len(t) <= 32 {
			p.Transports = append(p.Transports, string(t))
		}
	}
	err = k.store.AddPasskey(ctx, p)
	if errors.Is(err, ErrPasskeyTaken) {
		return fail("already_registered", messages.PasskeyAlreadyRegistered, err)
	}
	if err != nil {
		return Passkey{}, fmt.Errorf("auth: add passkey: %w", err)
	}
	k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.add", Outcome: Success,
		Detail: map[string]string{"user_verified": fmt.Sprint(p.UserVerified), "backup_eligible": fmt.Sprint(p.BackupEligible)}})
	k.notify(ctx, appID, acct, name)
	return p, nil
}

// BeginLogin starts a sign-in with a discoverable passkey: no identifier,
// an empty allowCredentials, so the browser offers every passkey it holds
// for this site (from a button, or as autofill under the login field).
func (k *Passkeys) BeginLogin(ctx context.Context) (Ceremony, error) {
	if err := k.reserveChallenge(ctx, uuid.Nil); err != nil {
		return Ceremony{}, err
	}
	assertion, sd, err := k.relyingParty(ctx).BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return Ceremony{}, fmt.Errorf("auth: begin passkey login: %w", err)
	}
	return ceremony(assertion, sd)
}

// PasskeyLogin is a passkey sign-in that passed: the user, and whether
// the authenticator verified the user (UV: a PIN or biometric), which
// makes the passkey both factors at once.
type PasskeyLogin struct {
	User     User
	Verified bool
}

// FinishLogin checks the browser's answer to BeginLogin's options
// (session is that ceremony's). The user is the one whose user handle the
// answer carries, and the attempt passes the guard's passkey budget for
// that account before its signature is checked.
//
// Errors: *Error with messages.PasskeyNotAccepted for an answer that does
// not parse or verify, an unknown credential, a signature counter that
// did not advance (audited with reason "counter") or an account that may
// not sign in; messages.PasskeyExpired without a ceremony;
// messages.PasskeyThrottled when the guard refuses; anything else is
// internal.
func (k *Passkeys) FinishLogin(ctx context.Context, appID uuid.UUID, session, response []byte) (PasskeyLogin, error) {
	sd, err := sessionData(session)
	if err != nil {
		return PasskeyLogin{}, k.refuse(ctx, appID, uuid.Nil, "first", "no_challenge", messages.PasskeyExpired, err)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return PasskeyLogin{}, k.refuse(ctx, appID, uuid.Nil, "first", "malformed", messages.PasskeyNotAccepted, err)
	}
	handle := parsed.Response.UserHandle
	userID, err := k.store.UserByHandle(ctx, appID, handle)
	switch {
	case errors.Is(err, ErrNotFound):
		userID = uuid.Nil
	case err != nil:
		return PasskeyLogin{}, fmt.Errorf("auth: passkey user: %w", err)
	}
	// An unknown handle is counted under its own name, so its guesses
	// meet the same limits as a known account's.
	s := subject(ctx, userID, "passkey:"+hex.EncodeToString(handle[:min(len(handle), 64)]))
	attempt, err := reserve(ctx, k.opt.Guard, guard.Passkey, s, messages.PasskeyThrottled)
	if err != nil {
		if Refused(err) {
			k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.use", Outcome: Failure, Detail: map[string]string{"step": "first", "reason": "throttled"}})
		}
		return PasskeyLogin{}, err
	}
	guard.Note(ctx, guard.UseGuess, "passkey", guard.Passkey)
	if userID == uuid.Nil {
		return PasskeyLogin{}, k.refuse(ctx, appID, uuid.Nil, "first", "unknown_credential", messages.PasskeyNotAccepted, nil)
	}
	acct, err := k.accounts.Account(ctx, appID, userID)
	if err != nil {
		attempt.Release(ctx)
		return PasskeyLogin{}, fmt.Errorf("auth: passkey account: %w", err)
	}
	u, keys, err := k.user(ctx, appID, userID, accountName(acct))
	if err != nil {
		attempt.Release(ctx)
		return PasskeyLogin{}, err
	}
	_, cred, err := k.relyingParty(ctx).ValidatePasskeyLogin(func(_, _ []byte) (webauthn.User, error) { return u, nil }, sd, parsed)
	if err != nil {
		return PasskeyLogin{}, k.refuse(ctx, appID, userID, "first", "invalid", messages.PasskeyNotAccepted, err)
	}
	if err := k.use(ctx, appID, userID, "first", keys, cred); err != nil {
		return PasskeyLogin{}, err
	}
	attempt.Succeeded(ctx)
	if !acct.User.CanSignIn(k.opt.Clock()) {
		return PasskeyLogin{}, k.refuse(ctx, appID, userID, "first", "status_"+string(acct.User.Status), messages.PasskeyNotAccepted, nil)
	}
	verified := parsed.Response.AuthenticatorData.Flags.HasUserVerified()
	k.record(ctx, Event{AppID: appID, UserID: userID, Name: "login", Outcome: Success,
		Detail: map[string]string{"method": MethodPasskey, "user_verified": fmt.Sprint(verified)}})
	return PasskeyLogin{User: acct.User, Verified: verified}, nil
}

// The steps a passkey assertion can be for, in its audit events.
const (
	passkeyStepSecond = "second"
	passkeyStepReauth = "reauth"
)

// BeginSecondFactor starts the second step of a sign-in with one of the
// pending user's passkeys (listed in allowCredentials: the first factor
// has passed, so naming them reveals nothing to a stranger).
//
// Errors: *Error with messages.PasskeyNone when the user has none;
// anything else is internal.
func (k *Passkeys) BeginSecondFactor(ctx context.Context, appID, userID uuid.UUID) (Ceremony, error) {
	return k.beginOwn(ctx, appID, userID, protocol.VerificationPreferred)
}

// BeginReauth starts a re-authentication with one of the signed-in
// user's passkeys (listed in allowCredentials), asking the authenticator
// to verify the user (a PIN or biometric): a passkey confirms it is you
// only with user verification (FinishReauth).
//
// Errors: *Error with messages.PasskeyNone when the user has none;
// messages.PasskeyThrottled when the guard refuses; anything else is
// internal.
func (k *Passkeys) BeginReauth(ctx context.Context, appID, userID uuid.UUID) (Ceremony, error) {
	return k.beginOwn(ctx, appID, userID, protocol.VerificationRequired)
}

// beginOwn starts an assertion limited to userID's own passkeys.
func (k *Passkeys) beginOwn(ctx context.Context, appID, userID uuid.UUID, uv protocol.UserVerificationRequirement) (Ceremony, error) {
	if err := k.reserveChallenge(ctx, userID); err != nil {
		return Ceremony{}, err
	}
	u, _, err := k.user(ctx, appID, userID, "")
	if err != nil {
		return Ceremony{}, err
	}
	if len(u.creds) == 0 {
		return Ceremony{}, &Error{Code: messages.PasskeyNone}
	}
	assertion, sd, err := k.relyingParty(ctx).BeginLogin(u, webauthn.WithUserVerification(uv))
	if err != nil {
		return Ceremony{}, fmt.Errorf("auth: begin passkey assertion: %w", err)
	}
	return ceremony(assertion, sd)
}

// FinishSecondFactor checks the answer to BeginSecondFactor's options for
// the pending user: the credential must be one of theirs. On success it
// records the sign-in as firstMethod plus a passkey.
//
// Errors: those of FinishLogin (a credential of another user is
// messages.PasskeyNotAccepted, reason "other_credential").
func (k *Passkeys) FinishSecondFactor(ctx context.Context, appID, userID uuid.UUID, session, response []byte, firstMethod string) error {
	if err := k.finishOwn(ctx, appID, userID, passkeyStepSecond, session, response); err != nil {
		return err
	}
	k.record(ctx, Event{AppID: appID, UserID: userID, Name: "login", Outcome: Success,
		Detail: map[string]string{"method": firstMethod, "second_factor": MethodPasskey}})
	return nil
}

// FinishReauth checks the answer to BeginReauth's options for the
// signed-in user: the credential must be one of theirs, and its
// authenticator must have verified the user (UV); presence alone does not
// confirm it is you. Counters are checked and updated as for a sign-in.
// Every outcome is audited as a "reauth" with method "passkey" (failure
// reasons: no_challenge, malformed, throttled, other_credential,
// not_verified, invalid, counter, unknown_credential).
//
// Errors: *Error with messages.PasskeyReauthNotVerified without UV;
// otherwise those of FinishSecondFactor.
func (k *Passkeys) FinishReauth(ctx context.Context, appID, userID uuid.UUID, session, response []byte) error {
	return k.finishOwn(ctx, appID, userID, passkeyStepReauth, session, response)
}

// finishOwn checks an assertion of userID's own passkey at step (second
// or reauth), under the guard's passkey budget for the account, reserved
// before anything about the assertion is checked. A re-authentication
// needs user verification: its absence is refused in its own words (the
// signed flags are checked again by the library, as the ceremony
// required UV).
func (k *Passkeys) finishOwn(ctx context.Context, appID, userID uuid.UUID, step string, session, response []byte) error {
	sd, err := sessionData(session)
	if err != nil {
		return k.refuse(ctx, appID, userID, step, "no_challenge", messages.PasskeyExpired, err)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return k.refuse(ctx, appID, userID, step, "malformed", messages.PasskeyNotAccepted, err)
	}
	attempt, err := reserve(ctx, k.opt.Guard, guard.Passkey, subject(ctx, userID, ""), messages.PasskeyThrottled)
	if err != nil {
		if Refused(err) {
			k.recordUse(ctx, appID, userID, step, Failure, map[string]string{"reason": "throttled"})
		}
		return err
	}
	guard.Note(ctx, guard.UseGuess, "passkey "+step, guard.Passkey)
	u, keys, err := k.user(ctx, appID, userID, "")
	if err != nil {
		attempt.Release(ctx)
		return err
	}
	owned := false
	for _, p := range keys {
		owned = owned || bytes.Equal(p.CredentialID, parsed.RawID)
	}
	if !owned {
		return k.refuse(ctx, appID, userID, step, "other_credential", messages.PasskeyNotAccepted, nil)
	}
	if step == passkeyStepReauth && !parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		return k.refuse(ctx, appID, userID, step, "not_verified", messages.PasskeyReauthNotVerified, nil)
	}
	cred, err := k.relyingParty(ctx).ValidateLogin(u, sd, parsed)
	if err != nil {
		return k.refuse(ctx, appID, userID, step, "invalid", messages.PasskeyNotAccepted, err)
	}
	if err := k.use(ctx, appID, userID, step, keys, cred); err != nil {
		return err
	}
	attempt.Succeeded(ctx)
	return nil
}

// use records a passing assertion on its passkey, refusing a signature
// counter that did not advance (a cloned authenticator, or the replay of
// an assertion already used): the library flags it, and the store's
// update refuses it again atomically, so two requests cannot both pass.
func (k *Passkeys) use(ctx context.Context, appID, userID uuid.UUID, step string, keys []Passkey, cred *webauthn.Credential) error {
	var p Passkey
	for _, x := range keys {
		if bytes.Equal(x.CredentialID, cred.ID) {
			p = x
		}
	}
	if p.ID == uuid.Nil {
		return k.refuse(ctx, appID, userID, step, "unknown_credential", messages.PasskeyNotAccepted, nil)
	}
	if cred.Authenticator.CloneWarning {
		return k.refuse(ctx, appID, userID, step, "counter", messages.PasskeyNotAccepted, ErrPasskeyCounter)
	}
	err := k.store.UsePasskey(ctx, appID, p.ID, PasskeyUse{SignCount: cred.Authenticator.SignCount, BackupState: cred.Flags.BackupState, At: k.opt.Clock().UTC()})
	switch {
	case errors.Is(err, ErrPasskeyCounter):
		return k.refuse(ctx, appID, userID, step, "counter", messages.PasskeyNotAccepted, err)
	case errors.Is(err, ErrNotFound):
		return k.refuse(ctx, appID, userID, step, "unknown_credential", messages.PasskeyNotAccepted, err)
	case err != nil:
		return fmt.Errorf("auth: use passkey: %w", err)
	}
	k.recordUse(ctx, appID, userID, step, Success, map[string]string{"passkey": p.ID.String()})
	return nil
}

// reserveChallenge spends one ceremony of the guard's PasskeyChallenge
// budget: each writes a challenge into the browser's session.
//
// Errors: *Error with messages.PasskeyThrottled when refused.
func (k *Passkeys) reserveChallenge(ctx context.Context, userID uuid.UUID) error {
	_, err := reserve(ctx, k.opt.Guard, guard.PasskeyChallenge, subject(ctx, userID, ""), messages.PasskeyThrottled)
	return err
}

// refuse audits a failed passkey use with reason and returns code.
func (k *Passkeys) refuse(ctx context.Context, appID, userID uuid.UUID, step, reason string, code messages.Key, cause error) error {
	k.recordUse(ctx, appID, userID, step, Failure, map[string]string{"reason": reason})
	return &Error{Code: code, Err: cause}
}

// recordUse audits an assertion's outcome at step: "passkey.use" with
// the step, except a re-authentication, audited as every way to confirm
// it is you is: "reauth" with method "passkey".
func (k *Passkeys) recordUse(ctx context.Context, appID, userID uuid.UUID, step string, outcome Outcome, detail map[string]string) {
	name := "passkey.use"
	if step == passkeyStepReauth {
		name, detail["method"] = "reauth", MethodPasskey
	} else {
		detail["step"] = step
	}
	k.record(ctx, Event{AppID: appID, UserID: userID, Name: name, Outcome: outcome, Detail: detail})
}

// Rename names one of the user's passkeys.
//
// Errors: *Error with messages.PasskeyNameInvalid for a bad name;
// messages.PasskeyNotFound when the user holds no such passkey; anything
// else is internal.
func (k *Passkeys) Rename(ctx context.Context, appID, userID, id uuid.UUID, name string) error {
	name, ok := PasskeyName(name)
	if !ok {
		k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.rename", Outcome: Failure, Detail: map[string]string{"reason": "name_invalid"}})
		return &Error{Code: messages.PasskeyNameInvalid}
	}
	err := k.store.RenamePasskey(ctx, appID, userID, id, name)
	if errors.Is(err, ErrNotFound) {
		k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.rename", Outcome: Failure, Detail: map[string]string{"reason": "not_found"}})
		return &Error{Code: messages.PasskeyNotFound, Err: err}
	}
	if err != nil {
		return fmt.Errorf("auth: rename passkey: %w", err)
	}
	k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.rename", Outcome: Success, Detail: map[string]string{"passkey": id.String()}})
	return nil
}

// Remove deletes one of the user's passkeys, if another way in remains
// (CanRemovePasskey) and the account is not held after a password reset
// (User.HeldAfterReset: whoever reset the password must not strip the
// owner's passkeys), both decided under a lock on the user, so two
// removals cannot each leave the other as the last.
//
// Errors: *Error with messages.PasskeyLastWayIn; messages.ChangeHeldAfterReset
// within ResetHold of a password reset; messages.PasskeyNotFound when the
// user holds no such passkey; anything else is internal.
func (k *Passkeys) Remove(ctx context.Context, appID, userID, id uuid.UUID) error {
	reason := "last_way_in"
	err := k.store.RemovePasskey(ctx, appID, userID, id, func(a Account) error {
		if a.User.HeldAfterReset(k.opt.Clock(), k.opt.ResetHold) {
			reason = "held_after_reset"
			return &Error{Code: messages.ChangeHeldAfterReset}
		}
		return CanRemovePasskey(a)
	})
	var ae *Error
	switch {
	case errors.As(err, &ae):
		k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.remove", Outcome: Failure, Detail: map[string]string{"reason": reason}})
		return err
	case errors.Is(err, ErrNotFound):
		k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.remove", Outcome: Failure, Detail: map[string]string{"reason": "not_found"}})
		return &Error{Code: messages.PasskeyNotFound, Err: err}
	case err != nil:
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	k.record(ctx, Event{AppID: appID, UserID: userID, Name: "passkey.remove", Outcome: Success, Detail: map[string]string{"passkey": id.String()}})
	return nil
}

// PasskeyName trims a passkey's name and reports whether it is usable:
// 1 to PasskeyNameMax characters of valid UTF-8 with no control
// characters.
func PasskeyName(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > PasskeyNameMax {
		return name, false
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return name, false
		}
	}
	return name, true
}

// accountName is the account's name as authenticators show it when
// offering its passkey: the email address, else the phone number.
func accountName(a Account) string {
	if e := a.Email(); e != "" {
		return e
	}
	for _, id := range a.Identities {
		return id.Value
	}
	return a.User.ID.String()
}

// ceremony packs options for the browser and the session data kept.
func ceremony(options any, sd *webauthn.SessionData) (Ceremony, error) {
	o, err := json.Marshal(options)
	if err != nil {
		return Ceremony{}, fmt.Errorf("auth: passkey options: %w", err)
	}
	s, err := json.Marshal(sd)
	if err != nil {
		return Ceremony{}, fmt.Errorf("auth: passkey session: %w", err)
	}
	return Ceremony{Options: o, Session: s}, nil
}

var errNoCeremony = errors.New("auth: no passkey ceremony")

func sessionData(b []byte) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	if len(b) == 0 {
		return sd, errNoCeremony
	}
	if err := json.Unmarshal(b, &sd); err != nil || sd.Challenge == "" {
		return sd, errNoCeremony
	}
	return sd, nil
}

// notify emails the holder that a passkey was added. A failure is logged:
// the passkey is added.
func (k *Passkeys) notify(ctx context.Context, appID uuid.UUID, acct Account, name string) {
	if k.opt.Notifier == nil || k.opt.Messages == nil || acct.Email() == "" {
		return
	}
	m, err := k.opt.Messages.PasskeyAdded(ctx, acct.Email(), name)
	if err == nil {
		m.Expires = k.opt.Clock().Add(24 * time.Hour)
		err = k.opt.Notifier.Notify(ctx, m)
	}
	if err != nil {
		k.opt.Logger.WarnContext(ctx, "passkey notice not queued", "user_id", acct.User.ID, "err", err)
	}
}

func (k *Passkeys) record(ctx context.Context, e Event) {
	if err := k.audit.Record(ctx, e); err != nil {
		k.opt.Logger.ErrorContext(ctx, "audit failed", "event", e.Name, "err", err)
	}
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/guard"
)

// IdentityProvider is the identity kind of a linked sign-in provider: its
// value is "{provider}:{subject}" (ProviderIdentity).
const IdentityProvider IdentityKind = "oauth"

// ProviderIdentity is the identity value of a provider's subject.
func ProviderIdentity(provider, subject string) string { return provider + ":" + subject }

// ProviderProfile is who a sign-in provider says signed in, after its
// answer was checked (package provider).
type ProviderProfile struct {
	Provider string // the configured provider id
	Subject  string // the provider's stable id for the person
	// Email is an address the provider reported, or ""; EmailVerified
	// that the provider vouches for it.
	Email         string
	EmailVerified bool
	Name          string
	// Tokens is the provider's token response (JSON), kept sealed only
	// when the operator asks for it; nil otherwise.
	Tokens []byte `json:"-"`
}

// ProviderLink is a sign-in provider linked to an account.
type ProviderLink struct {
	Provider   string
	Subject    string
	Email      string // as the provider reported it, for display only
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// ProviderStore is the storage of provider links (db.Providers).
type ProviderStore interface {
	// UserByProvider returns the user linked to (provider, subject), or
	// ErrNotFound.
	UserByProvider(ctx context.Context, appID uuid.UUID, provider, subject string) (User, error)
	// EmailHolder returns the user holding the email identity and whether
	// it is verified, or ErrNotFound.
	EmailHolder(ctx context.Context, appID uuid.UUID, email string) (User, bool, error)
	// CreateProviderUser writes u and its link, and when email is set an
	// email identity (verified at emailVerified, nil: not verified), in one
	// transaction. ErrIdentityTaken when the link or the address belongs
	// to a user of the app.
	CreateProviderUser(ctx context.Context, u User, link ProviderLink, tokens []byte, email string, emailVerified *time.Time) error
	// LinkProvider gives the user the link, under a lock on the user, if
	// allow passes on the account. It returns added false (and no error)
	// when the user holds it already; ErrIdentityTaken when another user
	// does; ErrProviderTaken when the user is linked to another subject
	// of the same provider.
	LinkProvider(ctx context.Context, appID, userID uuid.UUID, link ProviderLink, tokens []byte, allow func(Account) error) (added bool, err error)
	// ProviderUsed records a sign-in through a link at at (and the new
	// sealed tokens, when kept).
	ProviderUsed(ctx context.Context, appID uuid.UUID, provider, subject string, at time.Time, tokens []byte) error
	// UnlinkProvider removes the user's link to provider if allow passes
	// on the account and the link's identity value, under a lock on the
	// user. ErrNotFound when the user has no such link.
	UnlinkProvider(ctx context.Context, appID, userID uuid.UUID, provider string, allow func(a Account, value string) error) error
	// ProviderLinks lists the user's links.
	ProviderLinks(ctx context.Context, appID, userID uuid.UUID) ([]ProviderLink, error)
	// ClaimByProof: see UserStore.
	ClaimByProof(ctx context.Context, appID, userID uuid.UUID, email string) (ProofClaim, error)
}

// ErrProviderTaken is LinkProvider's answer when the user is already
// linked to another account at the same provider.
var ErrProviderTaken = errors.New("auth: already linked to that provider")

// ProviderNotices tells an account holder a provider was linked.
type ProviderNotices interface {
	ProviderLinked(ctx context.Context, appID, userID uuid.UUID, providerName string) error
}

// ProviderSettings is what the operator configured about a provider.
type ProviderSettings struct {
	ID   string
	Name string
	// TrustEmail: the provider's verified emails may link to the account
	// holding the address without its holder signing in first.
	TrustEmail bool
	// KeepTokens: the provider's tokens are kept, sealed.
	KeepTokens bool
}

// Held says why a provider sign-in chose no account: the profile is held
// in the browser until its holder signs in (or signs up) and confirms.
type Held string

// Why a provider sign-in is held.
const (
	// HeldEmailInUse: an account holds the provider's verified address,
	// and the provider is not trusted to link by email.
	HeldEmailInUse Held = "email_in_use"
	// HeldNoVerifiedEmail: the provider gave no address it vouches for
	// (WeChat never does), so no account can be found or created by it.
	HeldNoVerifiedEmail Held = "no_verified_email"
)

// ProviderSignIn is what a provider sign-in came to.
type ProviderSignIn struct {
	// User is the account signed in to (through web.signIn: its second
	// factor still applies); zero when Held.
	User User
	// Created: a new account, made from the provider's verified address.
	Created bool
	// EmailVerified: the new account's address is verified (a trusted
	// provider); otherwise it still has to be proven.
	EmailVerified bool
	// Linked: the provider was linked to an existing account just now
	// (a trusted provider's verified address).
	Linked bool
	// LinkAfterSecondFactor: the link to User's account by a trusted
	// provider's verified address waits for the account's second factor,
	// like every change a first factor asks for; the caller commits it
	// with CompleteTrustedLink once that factor has passed.
	LinkAfterSecondFactor bool
	// Held, when set, says why no account was chosen.
	Held Held
}

// ProviderSealer seals provider tokens at rest (token.Sealer).
type ProviderSealer interface {
	Seal(plain, aad []byte) ([]byte, error)
}

// Providers decides which account a provider sign-in is, and links and
// unlinks providers (the linking policy in the README, row by row in
// providers_test.go). Build it with NewProviders.
type Providers struct {
	store    ProviderStore
	settings map[string]ProviderSettings
	notices  ProviderNotices
	sealer   ProviderSealer
	guard    Guard
	second   SecondFactorRequirer
	audit    Auditor
	clock    func() time.Time
	log      *slog.Logger
	hold     time.Duration
}

// ProvidersOptions tunes Providers; the zero value is usable.
type ProvidersOptions struct {
	Notices ProviderNotices // nil sends no "provider linked" notice
	Sealer  ProviderSealer  // seals kept tokens; nil keeps none
	Guard   Guard           // bounds answers from providers; nil only in tests of one flow
	// SecondFactors says which accounts sign in with a second factor: a
	// link by email to one of them waits for it. nil: none do.
	SecondFactors SecondFactorRequirer
	Clock         func() time.Time
	Logger        *slog.Logger
	// ResetHold is how long after a password reset no provider can be
	// linked or unlinked (DefaultResetHold when zero).
	ResetHold time.Duration
}

// NewProviders returns the provider flows for the configured providers.
func NewProviders(store ProviderStore, settings []ProviderSettings, audit Auditor, o ProvidersOptions) *Providers {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ResetHold <= 0 {
		o.ResetHold = DefaultResetHold
	}
	m := make(map[string]ProviderSettings, len(settings))
	for _, s := range settings {
		m[s.ID] = s
	}
	return &Providers{store: store, settings: m, notices: o.Notices, sealer: o.Sealer, guard: o.Guard, second: o.SecondFactors,
		audit: audit, clock: o.Clock, log: o.Logger, hold: o.ResetHold}
}

// Settings returns the settings of the provider id, and whether it is
// configured.
func (p *Providers) Settings(id string) (ProviderSettings, bool) {
	s, ok := p.settings[id]
	return s, ok
}

// Answer reserves the check of one answer from provider (its state, then
// its code): call it before checking anything, and Succeeded on the
// reservation once the answer checked out.
//
// Errors: *Error with messages.ProviderThrottled when the guard refuses;
// anything else is internal.
func (p *Providers) Answer(ctx context.Context, provider string) (*guard.Reservation, error) {
	c := ClientFrom(ctx)
	return reserve(ctx, p.guard, guard.Provider, guard.Subject{IP: c.IP, Session: c.Session, Device: c.Device}, messages.ProviderThrottled)
}

// SignIn decides which account prof is, by the linking policy:
//
//  1. a linked (provider, subject) is its account;
//  2. otherwise, with an address the provider vouches for that no account
//     holds, a new account is made with the link and the address
//     (verified when the provider is trusted for emails);
//  3. with a vouched-for address an account holds: a trusted provider is
//     linked to it (proving an address never proven before, which undoes
//     what was set up before, as a login code does: ClaimByProof); an
//     untrusted one is held (HeldEmailInUse) until the holder signs in;
//  4. without such an address, held (HeldNoVerifiedEmail).
//
// Never by matching an unverified email. The caller signs the user in
// through its one sign-in path, so the account's second factor applies.
//
// Errors: *Error with messages.ProviderUnknown for a provider not
// configured; messages.ProviderAccountUnavailable for a suspended account
// (or one deleted past restoring); anything else is internal.
func (p *Providers) SignIn(ctx context.Context, appID uuid.UUID, prof ProviderProfile) (ProviderSignIn, error) {
	set, ok := p.settings[prof.Provider]
	if !ok {
		return ProviderSignIn{}, &Error{Code: messages.ProviderUnknown}
	}
	// Two attempts: a concurrent sign-in of the same person may create
	// the account (or the link) between the look-up and the write.
	for attempt := 0; ; attempt++ {
		out, err := p.signIn(ctx, appID, set, prof)
		if errors.Is(err, ErrIdentityTaken) && attempt == 0 {
			continue
		}
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) {
				err = fmt.Errorf("auth: provider sign-in: %w", err)
			}
			p.record(ctx, Event{AppID: appID, UserID: out.User.ID, Name: "provider.sign_in", Outcome: Failure,
				Detail: map[string]string{"provider": prof.Provider, "reason": failureReason(err)}})
			return ProviderSignIn{}, err
		}
		return out, nil
	}
}

func (p *Providers) signIn(ctx context.Context, appID uuid.UUID, set ProviderSettings, prof ProviderProfile) (ProviderSignIn, error) {
	now := p.clock().UTC().Truncate(time.Microsecond)
	tokens, err := p.seal(set, prof)
	if err != nil {
		return ProviderSignIn{}, err
	}
	u, err := p.store.UserByProvider(ctx, appID, prof.Provider, prof.Subject)
	switch {
	case err == nil:
		if !u.CanSignIn(now) {
			return ProviderSignIn{User: u}, &Error{Code: messages.ProviderAccountUnavailable}
		}
		if err := p.store.ProviderUsed(ctx, appID, prof.Provider, prof.Subject, now, tokens); err != nil {
			return ProviderSignIn{}, err
		}
		p.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "provider.sign_in", Outcome: Success, Detail: map[string]string{"provider": prof.Provider}})
		return ProviderSignIn{User: u}, nil
	case !errors.Is(err, ErrNotFound):
		return ProviderSignIn{}, err
	}
	if prof.Email == "" || !prof.EmailVerified {
		p.record(ctx, Event{AppID: appID, Name: "provider.sign_in", Outcome: Failure,
			Detail: map[string]string{"provider": prof.Provider, "reason": "held", "held": string(HeldNoVerifiedEmail)}})
		return ProviderSignIn{Held: HeldNoVerifiedEmail}, nil
	}
	link := ProviderLink{Provider: prof.Provider, Subject: prof.Subject, Email: prof.Email, Name: prof.Name, CreatedAt: now}
	holder, verified, err := p.store.EmailHolder(ctx, appID, prof.Email)
	switch {
	case errors.Is(err, ErrNotFound):
		u := User{ID: uuid.Must(uuid.NewV7()), AppID: appID, Status: StatusActive, CreatedAt: now}
		var at *time.Time
		if set.TrustEmail {
			at = &now
		}
		if err := p.store.CreateProviderUser(ctx, u, link, tokens, prof.Email, at); err != nil {
			return ProviderSignIn{}, err
		}
		p.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "signup", Outcome: Success,
			Detail: map[string]string{"method": "provider", "provider": prof.Provider, "email_verified": fmt.Sprint(at != nil)}})
		return ProviderSignIn{User: u, Created: true, EmailVerified: at != nil}, nil
	case err != nil:
		return ProviderSignIn{}, err
	}
	if !set.TrustEmail {
		p.record(ctx, Event{AppID: appID, UserID: holder.ID, Name: "provider.sign_in", Outcome: Failure,
			Detail: map[string]string{"provider": prof.Provider, "reason": "held", "held": string(HeldEmailInUse)}})
		return ProviderSignIn{Held: HeldEmailInUse}, nil
	}
	if !holder.CanSignIn(now) {
		return ProviderSignIn{User: holder}, &Error{Code: messages.ProviderAccountUnavailable}
	}
	if !verified {
		// The provider proved an address nobody had proven here: whatever
		// was set up on the account before is not its owner's.
		cl, err := p.store.ClaimByProof(ctx, appID, holder.ID, prof.Email)
		if err != nil {
			return ProviderSignIn{}, err
		}
		if cl.First {
			p.record(ctx, Event{AppID: appID, UserID: holder.ID, Name: "email.verify", Outcome: Success, Detail: map[string]string{
				"method": "provider", "provider": prof.Provider, "first_proof": "true", "sessions_ended": fmt.Sprint(cl.Sessions),
				"families_revoked": fmt.Sprint(cl.Families), "password_removed": fmt.Sprint(cl.PasswordRemoved),
				"providers_unlinked": fmt.Sprint(cl.ProvidersUnlinked)}})
			holder.Claimed = true
		}
	}
	if p.second != nil {
		need, err := p.second.Required(ctx, appID, holder.ID)
		if err != nil {
			return ProviderSignIn{}, err
		}
		if need {
			// Nothing is committed before the last factor: the link waits.
			links, err := p.store.ProviderLinks(ctx, appID, holder.ID)
			if err != nil {
				return ProviderSignIn{}, err
			}
			for _, l := range links {
				if l.Provider == prof.Provider && l.Subject != prof.Subject {
					return ProviderSignIn{User: holder}, &Error{Code: messages.ProviderOtherLinked, Err: ErrProviderTaken}
				}
			}
			p.record(ctx, Event{AppID: appID, UserID: holder.ID, Name: "provider.sign_in", Outcome: Success,
				Detail: map[string]string{"provider": prof.Provider, "link": "after_second_factor"}})
			return ProviderSignIn{User: holder, LinkAfterSecondFactor: true}, nil
		}
	}
	added, err := p.linkTrusted(ctx, appID, holder.ID, set, link, tokens)
	if err != nil {
		return ProviderSignIn{User: holder}, err
	}
	p.record(ctx, Event{AppID: appID, UserID: holder.ID, Name: "provider.sign_in", Outcome: Success, Detail: map[string]string{"provider": prof.Provider}})
	return ProviderSignIn{User: holder, Linked: added}, nil
}

// linkTrusted links a trusted provider's account to the account holding
// its verified address, and tells the holder.
func (p *Providers) linkTrusted(ctx context.Context, appID, userID uuid.UUID, set ProviderSettings, link ProviderLink, tokens []byte) (bool, error) {
	added, err := p.store.LinkProvider(ctx, appID, userID, link, tokens, nil)
	if errors.Is(err, ErrProviderTaken) {
		// The holder linked another account of this provider: this one
		// does not sign in to theirs by email alone.
		return false, &Error{Code: messages.ProviderOtherLinked, Err: err}
	}
	if err != nil {
		return false, err
	}
	if added {
		p.linked(ctx, appID, userID, set, "trusted_email")
	}
	return added, nil
}

// CompleteTrustedLink commits the link SignIn left for the second factor
// (ProviderSignIn.LinkAfterSecondFactor), once userID passed it. Tokens
// are not carried over the second step: a kept provider's are stored at
// its next sign-in.
//
// Errors: *Error with messages.ProviderUnknown; messages.ProviderOtherLinked
// when the user linked another account of the provider meanwhile;
// anything else is internal.
func (p *Providers) CompleteTrustedLink(ctx context.Context, appID, userID uuid.UUID, prof ProviderProfile) (bool, error) {
	set, ok := p.settings[prof.Provider]
	if !ok || !set.TrustEmail {
		return false, &Error{Code: messages.ProviderUnknown}
	}
	now := p.clock().UTC().Truncate(time.Microsecond)
	link := ProviderLink{Provider: prof.Provider, Subject: prof.Subject, Email: prof.Email, Name: prof.Name, CreatedAt: now}
	added, err := p.linkTrusted(ctx, appID, userID, set, link, nil)
	if errors.Is(err, ErrIdentityTaken) {
		return false, &Error{Code: messages.ProviderLinkedElsewhere, Err: err}
	}
	return added, err
}

// Link links prof's provider account to the signed-in user userID (who
// proved who they are recently: the caller's requirement).
//
// Errors: *Error with messages.ProviderLinkedElsewhere when another
// account holds that provider account; messages.ProviderOtherLinked when
// the user is linked to another account of the provider;
// messages.ChangeHeldAfterReset shortly after a password reset;
// messages.ProviderUnknown; anything else is internal. Linking what is
// already linked to the user is no error.
func (p *Providers) Link(ctx context.Context, appID, userID uuid.UUID, prof ProviderProfile, how string) error {
	set, ok := p.settings[prof.Provider]
	if !ok {
		return &Error{Code: messages.ProviderUnknown}
	}
	tokens, err := p.seal(set, prof)
	if err != nil {
		return err
	}
	now := p.clock().UTC().Truncate(time.Microsecond)
	link := ProviderLink{Provider: prof.Provider, Subject: prof.Subject, Email: prof.Email, Name: prof.Name, CreatedAt: now}
	added, err := p.store.LinkProvider(ctx, appID, userID, link, tokens, func(a Account) error {
		if a.User.HeldAfterReset(now, p.hold) {
			return &Error{Code: messages.ChangeHeldAfterReset}
		}
		return nil
	})
	fail := func(code messages.Key, why string, err error) error {
		p.record(ctx, Event{AppID: appID, UserID: userID, Name: "provider.link", Outcome: Failure,
			Detail: map[string]string{"provider": prof.Provider, "reason": why}})
		return &Error{Code: code, Err: err}
	}
	var ae *Error
	switch {
	case errors.Is(err, ErrIdentityTaken):
		return fail(messages.ProviderLinkedElsewhere, "linked_elsewhere", err)
	case errors.Is(err, ErrProviderTaken):
		return fail(messages.ProviderOtherLinked, "other_linked", err)
	case errors.As(err, &ae):
		return fail(ae.Code, "held_after_reset", err)
	case err != nil:
		return fmt.Errorf("auth: link provider: %w", err)
	}
	if added {
		p.linked(ctx, appID, userID, set, how)
	}
	return nil
}

// Unlink removes the user's link to provider, while another way in
// remains (CanRemove).
//
// Errors: *Error with messages.ProviderLastWayIn when it is the last;
// messages.ChangeHeldAfterReset shortly after a password reset;
// messages.ProviderNotLinked when there is no such link; anything else
// is internal.
func (p *Providers) Unlink(ctx context.Context, appID, userID uuid.UUID, provider string) error {
	now := p.clock()
	err := p.store.UnlinkProvider(ctx, appID, userID, provider, func(a Account, value string) error {
		if a.User.HeldAfterReset(now, p.hold) {
			return &Error{Code: messages.ChangeHeldAfterReset}
		}
		if err := CanRemove(a, IdentityProvider, value); err != nil {
			return &Error{Code: messages.ProviderLastWayIn, Err: err}
		}
		return nil
	})
	var ae *Error
	switch {
	case errors.As(err, &ae):
		p.record(ctx, Event{AppID: appID, UserID: userID, Name: "provider.unlink", Outcome: Failure,
			Detail: map[string]string{"provider": provider, "reason": failureReason(err)}})
		return err
	case errors.Is(err, ErrNotFound):
		return &Error{Code: messages.ProviderNotLinked, Err: err}
	case err != nil:
		return fmt.Errorf("auth: unlink provider: %w", err)
	}
	p.record(ctx, Event{AppID: appID, UserID: userID, Name: "provider.unlink", Outcome: Success, Detail: map[string]string{"provider": provider}})
	return nil
}

// Reauthenticate checks that prof, who just signed in at their provider,
// is linked to userID: a proof of who the signed-in user is, audited as
// a reauth by provider.
//
// Errors: *Error with messages.ProviderRejected when prof is another
// provider account; anything else is internal.
func (p *Providers) Reauthenticate(ctx context.Context, appID, userID uuid.UUID, prof ProviderProfile) error {
	u, err := p.store.UserByProvider(ctx, appID, prof.Provider, prof.Subject)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("auth: provider reauth: %w", err)
	}
	if err != nil || u.ID != userID {
		p.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Failure,
			Detail: map[string]string{"method": "provider", "provider": prof.Provider, "reason": "other_account"}})
		return &Error{Code: messages.ProviderRejected}
	}
	p.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Success,
		Detail: map[string]string{"method": "provider", "provider": prof.Provider}})
	return nil
}

// Links lists the user's linked providers.
func (p *Providers) Links(ctx context.Context, appID, userID uuid.UUID) ([]ProviderLink, error) {
	links, err := p.store.ProviderLinks(ctx, appID, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: provider links: %w", err)
	}
	return links, nil
}

func (p *Providers) linked(ctx context.Context, appID, userID uuid.UUID, set ProviderSettings, how string) {
	p.record(ctx, Event{AppID: appID, UserID: userID, Name: "provider.link", Outcome: Success,
		Detail: map[string]string{"provider": set.ID, "method": how}})
	if p.notices == nil {
		return
	}
	if err := p.notices.ProviderLinked(ctx, appID, userID, set.Name); err != nil {
		p.log.WarnContext(ctx, "provider linked notice not queued", "user_id", userID, "err", err)
	}
}

// seal returns the provider's tokens sealed for storage, when the
// operator keeps them; nil otherwise.
func (p *Providers) seal(set ProviderSettings, prof ProviderProfile) ([]byte, error) {
	if !set.KeepTokens || p.sealer == nil || len(prof.Tokens) == 0 {
		return nil, nil
	}
	b, err := p.sealer.Seal(prof.Tokens, []byte(ProviderIdentity(prof.Provider, prof.Subject)))
	if err != nil {
		return nil, fmt.Errorf("auth: seal provider tokens: %w", err)
	}
	return b, nil
}

func (p *Providers) record(ctx context.Context, e Event) {
	if err := p.audit.Record(ctx, e); err != nil {
		p.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "err", err)
	}
}

// failureReason names an error for the audit log: its message key
// without the area, or "internal".
func failureReason(err error) string {
	var ae *Error
	if errors.As(err, &ae) {
		k := string(ae.Code)
		if i := strings.LastIndexByte(k, '.'); i >= 0 {
			k = k[i+1:]
		}
		return k
	}
	return "internal"
}

package guard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Name names a policy: what is being guessed or spent.
type Name string

// The policies. Every path that checks a secret, sends a message or
// hashes a password reserves one of these first (a route-table test holds
// every route to it).
const (
	// Password is any check of a password: the login form, the token
	// API's password grant, re-authentication, and the current password
	// of a change. One budget for all of them.
	Password Name = "password"
	// TOTP is any check of an authenticator code: the second sign-in
	// step, re-authentication and the token API.
	TOTP Name = "totp"
	// RecoveryCode is any check of a two-step recovery code, wherever
	// one is accepted (second step, account recovery).
	RecoveryCode Name = "recovery_code"
	// Code is a check of a one-time code sent by email or SMS, for any
	// purpose. Subject.Account is the identity the code was sent to;
	// Subject.Known that the client is a known browser of its account.
	Code Name = "code"
	// Link is a check of a link's token (magic link, verification,
	// reset, recovery). Links carry 256 bits, so this only stops floods.
	Link Name = "link"
	// SendEmail is an email a request causes (codes, links, notices to
	// an address typed by an unauthenticated client).
	SendEmail Name = "send_email"
	// SendSMS is a text message a request causes.
	SendSMS Name = "send_sms"
	// Signup is the creation of an account: a password hash and an email.
	Signup Name = "signup"
	// SetPassword is a new password hashed and stored (reset, change, a
	// first password, recovery): never a guess, but a hash's cost.
	SetPassword Name = "set_password"
	// Notice is a security notice about an account ("could not finish
	// signing in", "new sign-in"), so attempts cannot turn into spam.
	Notice Name = "notice"
	// Provider is an answer from a sign-in provider checked: the state
	// it echoes against the browser's session, then its code redeemed.
	// States carry 256 bits and codes are the provider's to bound, so this
	// only stops floods (and Latch being used to hammer a provider); no
	// account is known before the check, so no owner can be locked out.
	Provider Name = "provider"
	// Passkey is any check of a passkey assertion: signing in with a
	// passkey, or a passkey as the second factor. Subject.Account is the
	// account whose user handle the assertion carries.
	Passkey Name = "passkey"
	// PasskeyChallenge is a passkey ceremony begun: a challenge issued and
	// kept in the browser's session. No secret is checked, but each one
	// writes session state (and may create a session), so it is bounded.
	PasskeyChallenge Name = "passkey_challenge"
)

// Kind says what an attempt costs.
type Kind string

// The kinds of policy.
const (
	// Guess: a check of a secret; a right guess is refunded.
	Guess Kind = "guess"
	// Spend: a message sent, a hash computed; never refunded.
	Spend Kind = "spend"
)

// Scope says what a limit is counted per.
type Scope string

// The scopes a limit can be counted per.
const (
	// ScopeAccount: per account (or unknown identifier), shared by every
	// client that is not a known device of it.
	ScopeAccount Scope = "account"
	// ScopeAccountDevice: per account and known device; only known
	// devices meet it, each its own.
	ScopeAccountDevice Scope = "account_device"
	// ScopeIP: per client address, IPv6 per /64; aimed at sprays over
	// many accounts. Known devices of the account aimed at skip it.
	ScopeIP Scope = "ip"
	// ScopeSession: per browser session.
	ScopeSession Scope = "session"
	// ScopeDestination: per address or number a message goes to, for
	// clients that are not known devices of its account.
	ScopeDestination Scope = "destination"
	// ScopeCountry: per calling code of a phone number.
	ScopeCountry Scope = "country"
	// ScopeGlobal: one budget for the whole app.
	ScopeGlobal Scope = "global"
)

// value returns the key of s for the scope, and whether the scope applies.
func (sc Scope) value(s Subject) (string, bool) {
	switch sc {
	case ScopeAccount:
		return s.Account, s.Account != "" && !s.Known
	case ScopeAccountDevice:
		return s.Account + "|" + s.Device, s.Account != "" && s.Known && s.Device != ""
	case ScopeIP:
		return ClientPrefix(s.IP), s.IP != "" && !s.Known
	case ScopeSession:
		return s.Session, s.Session != ""
	case ScopeDestination:
		return s.Destination, s.Destination != "" && !s.Known
	case ScopeCountry:
		return s.Country, s.Country != ""
	case ScopeGlobal:
		return "*", true
	}
	return "", false
}

// Past says what happens to an attempt past a limit. Every refusal is a
// 429 with Retry-After.
type Past string

// What happens past a limit.
const (
	// Refuse: refused until the window lets one more through; repeated
	// attempts meet ever longer waits as the stacked limits of a policy
	// trip one after the other (progressive delay).
	Refuse Past = "refuse"
	// Challenge: refused, and the proof-of-work difficulty of this
	// instance goes up (Guard.Level); the trip is logged as a warning
	// naming the budget.
	Challenge Past = "challenge"
	// Lock: refused until a success clears it (a recovery, a right
	// answer from another way in); NIST SP 800-63B's cap on consecutive
	// failures.
	Lock Past = "lock"
)

// Limit is one budget of a policy: at most Budget attempts per Window
// (a burst of Budget, then one every Window/Budget).
type Limit struct {
	Scope  Scope
	Budget int
	Window time.Duration
	Past   Past
	// Unproven limits apply only to requests without a proof of work:
	// the stricter budget of a plain form.
	Unproven bool
	// ClearOnSuccess forgets the count on a right guess: a cap on
	// consecutive failures.
	ClearOnSuccess bool
}

// Policy is a named set of limits.
type Policy struct {
	Name   Name
	Kind   Kind
	Limits []Limit
	// Quiet policies are refused without the request failing: a notice
	// over its budget is dropped, the sign-in goes on.
	Quiet bool
}

// Policies is the policy table, by name.
type Policies map[Name]Policy

// DefaultPolicies returns Latch's policy table. The README's security
// section lists it; LATCH_GUARD_<POLICY>_<SCOPE> overrides a budget (see
// Policies.Override).
func DefaultPolicies() Policies {
	const (
		minute = time.Minute
		hour   = time.Hour
		day    = 24 * time.Hour
		// lock is the window of a cap on consecutive failures: so long
		// that only a success (or a recovery) lifts it.
		lock = 100 * 365 * day
	)
	table := []Policy{
		{Name: Password, Kind: Guess, Limits: []Limit{
			{Scope: ScopeAccount, Budget: 10, Window: 15 * minute, Past: Refuse, ClearOnSuccess: true},
			{Scope: ScopeAccount, Budget: 50, Window: day, Past: Refuse, ClearOnSuccess: true},
			{Scope: ScopeAccountDevice, Budget: 10, Window: 15 * minute, Past: Refuse, ClearOnSuccess: true},
			{Scope: ScopeIP, Budget: 100, Window: hour, Past: Refuse},
		}},
		{Name: TOTP, Kind: Guess, Limits: []Limit{
			{Scope: ScopeAccount, Budget: 5, Window: 15 * minute, Past: Refuse},
			{Scope: ScopeAccount, Budget: 20, Window: day, Past: Refuse},
			{Scope: ScopeAccount, Budget: 100, Window: lock, Past: Lock, ClearOnSuccess: true},
			{Scope: ScopeAccountDevice, Budget: 5, Window: 15 * minute, Past: Refuse},
			{Scope: ScopeAccountDevice, Budget: 100, Window: lock, Past: Lock, ClearOnSuccess: true},
			{Scope: ScopeIP, Budget: 50, Window: hour, Past: Refuse},
		}},
		{Name: RecoveryCode, Kind: Guess, Limits: []Limit{
			{Scope: ScopeAccount, Budget: 5, Window: 15 * minute, Past: Refuse},
			{Scope: ScopeAccount, Budget: 20, Window: day, Past: Refuse},
			{Scope: ScopeAccountDevice, Budget: 5, Window: 15 * minute, Past: Refuse},
			{Scope: ScopeIP, Budget: 30, Window: hour, Past: Refuse},
		}},
		{Name: Code, Kind: Guess, Limits: []Limit{
			// Every client that is not a known browser of the account
			// shares 5 guesses per half hour at one identity's codes, and
			// 100 until the owner next succeeds; each known browser has
			// its own 5 per quarter hour.
			{Scope: ScopeAccount, Budget: 5, Window: 30 * minute, Past: Refuse},
			{Scope: ScopeAccount, Budget: 100, Window: lock, Past: Lock, ClearOnSuccess: true},
			{Scope: ScopeAccountDevice, Budget: 5, Window: 15 * minute, Past: Refuse, ClearOnSuccess: true},
			{Scope: ScopeIP, Budget: 60, Window: hour, Past: Refuse},
		}},
		{Name: Link, Kind: Guess, Limits: []Limit{
			{Scope: ScopeIP, Budget: 60, Window: hour, Past: Refuse},
		}},
		{Name: SendEmail, Kind: Spend, Limits: []Limit{
			{Scope: ScopeDestination, Budget: 10, Window: hour, Past: Refuse},
			{Scope: ScopeAccountDevice, Budget: 10, Window: hour, Past: Refuse},
			{Scope: ScopeSession, Budget: 10, Window: hour, Past: Refuse},
			{Scope: ScopeIP, Budget: 30, Window: hour, Past: Challenge},
			{Scope: ScopeIP, Budget: 5, Window: hour, Past: Challenge, Unproven: true},
			{Scope: ScopeGlobal, Budget: 5000, Window: hour, Past: Challenge},
		}},
		{Name: SendSMS, Kind: Spend, Limits: []Limit{
			{Scope: ScopeDestination, Budget: 5, Window: hour, Past: Refuse},
			{Scope: ScopeDestination, Budget: 10, Window: day, Past: Refuse},
			{Scope: ScopeAccountDevice, Budget: 5, Window: hour, Past: Refuse},
			{Scope: ScopeSession, Budget: 5, Window: hour, Past: Challenge},
			{Scope: ScopeIP, Budget: 10, Window: hour, Past: Challenge},
			{Scope: ScopeIP, Budget: 3, Window: hour, Past: Challenge, Unproven: true},
			{Scope: ScopeCountry, Budget: 100, Window: hour, Past: Challenge},
			{Scope: ScopeGlobal, Budget: 300, Window: hour, Past: Challenge},
			{Scope: ScopeGlobal, Budget: 2000, Window: day, Past: Challenge},
		}},
		{Name: Signup, Kind: Spend, Limits: []Limit{
			{Scope: ScopeIP, Budget: 20, Window: hour, Past: Challenge},
			{Scope: ScopeIP, Budget: 5, Window: hour, Past: Challenge, Unproven: true},
			{Scope: ScopeSession, Budget: 5, Window: hour, Past: Challenge},
			{Scope: ScopeGlobal, Budget: 2000, Window: hour, Past: Challenge},
		}},
		{Name: SetPassword, Kind: Spend, Limits: []Limit{
			{Scope: ScopeAccount, Budget: 20, Window: hour, Past: Refuse},
			{Scope: ScopeIP, Budget: 60, Window: hour, Past: Refuse},
		}},
		{Name: Provider, Kind: Guess, Limits: []Limit{
			{Scope: ScopeSession, Budget: 10, Window: 10 * minute, Past: Refuse},
			{Scope: ScopeIP, Budget: 60, Window: hour, Past: Refuse},
		}},
		// A passkey's signature cannot be guessed: these budgets bound the
		// work of checking floods of assertions, not guesses. None locks:
		// every limit is a refusal that lifts by itself, the account-wide
		// ones are shared only by clients that are not known browsers of
		// the account (each known browser has its own), and the owner's
		// other ways in (password, codes) keep their own budgets.
		{Name: Passkey, Kind: Guess, Limits: []Limit{
			{Scope: ScopeAccount, Budget: 20, Window: 15 * minute, Past: Refuse, ClearOnSuccess: true},
			{Scope: ScopeAccountDevice, Budget: 20, Window: 15 * minute, Past: Refuse, ClearOnSuccess: true},
			{Scope: ScopeIP, Budget: 100, Window: hour, Past: Refuse},
			{Scope: ScopeGlobal, Budget: 20000, Window: hour, Past: Refuse},
		}},
		// Each page that offers a passkey begins one ceremony (the login
		// page begins one for autofill on every view), so the budgets are
		// wide; they stop a script minting sessions and challenges.
		{Name: PasskeyChallenge, Kind: Spend, Limits: []Limit{
			{Scope: ScopeSession, Budget: 60, Window: hour, Past: Refuse},
			{Scope: ScopeIP, Budget: 300, Window: hour, Past: Refuse},
			{Scope: ScopeGlobal, Budget: 50000, Window: hour, Past: Refuse},
		}},
		{Name: Notice, Kind: Spend, Quiet: true, Limits: []Limit{
			{Scope: ScopeAccount, Budget: 1, Window: hour, Past: Refuse},
		}},
	}
	p := Policies{}
	for _, x := range table {
		p[x.Name] = x
	}
	return p
}

// Check reports a policy that cannot work: a limit without a budget or
// window, or one whose scope is unknown.
func (p Policies) Check() error {
	for name, x := range p {
		if x.Name != name {
			return fmt.Errorf("guard: policy %q filed under %q", x.Name, name)
		}
		if x.Kind != Guess && x.Kind != Spend {
			return fmt.Errorf("guard: policy %q: unknown kind %q", name, x.Kind)
		}
		for _, l := range x.Limits {
			if _, ok := scopes[l.Scope]; !ok {
				return fmt.Errorf("guard: policy %q: unknown scope %q", name, l.Scope)
			}
			if l.Budget < 1 || l.Window <= 0 || l.Window/time.Duration(l.Budget) <= 0 {
				return fmt.Errorf("guard: policy %q: %s limit needs a budget of at least 1 and a window", name, l.Scope)
			}
			switch l.Past {
			case Refuse, Challenge, Lock:
			default:
				return fmt.Errorf("guard: policy %q: %s limit: unknown outcome %q", name, l.Scope, l.Past)
			}
		}
	}
	return nil
}

var scopes = map[Scope]struct{}{ScopeAccount: {}, ScopeAccountDevice: {}, ScopeIP: {}, ScopeSession: {},
	ScopeDestination: {}, ScopeCountry: {}, ScopeGlobal: {}}

// Override sets the budget and window of the first limit of a policy in a
// scope from "BUDGET/WINDOW" (e.g. "10/15m"), as LATCH_GUARD_PASSWORD_ACCOUNT
// gives it. Other limits of that scope scale with the first, so stacked
// limits keep their shape.
//
// Errors: an unknown policy or scope, or a value that does not parse.
func (p Policies) Override(name Name, scope Scope, value string) error {
	x, ok := p[name]
	if !ok {
		return fmt.Errorf("%w %q", ErrNoPolicy, name)
	}
	b, w, ok := strings.Cut(value, "/")
	budget, err1 := strconv.Atoi(strings.TrimSpace(b))
	window, err2 := time.ParseDuration(strings.TrimSpace(w))
	if !ok || err1 != nil || err2 != nil || budget < 1 || window <= 0 {
		return fmt.Errorf("guard: %s %s: %q is not BUDGET/WINDOW (e.g. 10/15m)", name, scope, value)
	}
	limits := make([]Limit, len(x.Limits))
	copy(limits, x.Limits)
	found := -1
	for i, l := range limits {
		if l.Scope == scope && !l.Unproven {
			found = i
			break
		}
	}
	if found < 0 {
		return fmt.Errorf("guard: policy %q has no %s limit", name, scope)
	}
	first := limits[found]
	for i, l := range limits {
		if l.Scope != scope {
			continue
		}
		l.Budget = max(1, l.Budget*budget/first.Budget)
		l.Window = time.Duration(float64(l.Window) * float64(window) / float64(first.Window))
		limits[i] = l
	}
	x.Limits = limits
	p[name] = x
	return p.Check()
}

// ParseOverrides applies every LATCH_GUARD_<POLICY>_<SCOPE> setting found
// by getenv to p.
func (p Policies) ParseOverrides(getenv func(string) string) error {
	var errs []error
	for name, x := range p {
		done := map[Scope]bool{}
		for _, l := range x.Limits {
			if done[l.Scope] {
				continue
			}
			done[l.Scope] = true
			key := "LATCH_GUARD_" + strings.ToUpper(string(name)) + "_" + strings.ToUpper(string(l.Scope))
			if v := getenv(key); v != "" {
				if err := p.Override(name, l.Scope, v); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", key, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

package web

import (
	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/guard"
)

// routeGuards names, for every route that can change anything (every
// POST, browser and API alike), the guard policies its flow reserves
// before it checks a secret, sends a message or hashes a password; an
// empty list says the route does none of those. Handler panics on a POST
// route missing from this table, so a new flow cannot be added without
// saying what bounds it, and a request that checks, sends or hashes
// without a reservation, or reserves a policy not listed here for its
// route, is logged as an error and reported to Deps.OnUnguarded (tests
// fail on it).
func routeGuards() map[string][]guard.Name {
	const (
		password = guard.Password
		totp     = guard.TOTP
		recovery = guard.RecoveryCode
		code     = guard.Code
		link     = guard.Link
		email    = guard.SendEmail
		sms      = guard.SendSMS
		notice   = guard.Notice
	)
	return map[string][]guard.Name{
		"/signup":                       {guard.Signup, email, sms},
		pages.SignupVerifyPath:          {code},
		pages.SignupResendPath:          {email},
		pages.SignupLinkPath:            {link},
		"/login":                        {password, notice},
		"/logout":                       {},
		layout.LanguagePath:             {},
		pages.CodeLoginPath:             {email, sms},
		pages.CodeLoginVerifyPath:       {code, notice},
		pages.LinkLoginPath:             {link, notice},
		pages.VerifyEmailPath:           {link},
		pages.AccountVerifyEmailPath:    {code},
		pages.AccountVerifyResendPath:   {email},
		pages.PhoneSignupPath:           {sms},
		pages.PhoneSignupVerifyPath:     {code, notice},
		pages.PhoneAddPath:              {sms},
		pages.PhoneAddVerifyPath:        {code},
		pages.RecoverPath:               {sms},
		pages.RecoverVerifyPath:         {code},
		pages.RecoverCodePath:           {recovery},
		pages.RecoveryCancelPath:        {link},
		pages.RecoveryFinishPath:        {link, guard.SetPassword, email, notice},
		pages.RecoveryConfirmPath:       {}, // keeps the token; checks it later
		pages.AccountRecoveryCancelPath: {},
		pages.ForgotPath:                {email, sms},
		pages.ResetCodePath:             {code, guard.SetPassword, notice},
		pages.ResetPath:                 {link, code, guard.SetPassword, notice},
		pages.ResetConfirmPath:          {}, // keeps the token; checks it later
		pages.ChangePasswordPath:        {password, guard.SetPassword},
		pages.SecondFactorPath:          {totp, recovery, notice, link, email}, // link, email: a recovery committed here
		pages.TwoFactorPath:             {totp},
		pages.TwoFactorRecoveryPath:     {},
		pages.TwoFactorDisablePath:      {},
		pages.DeviceSignOutPath:         {},
		pages.APIClientSignOutPath:      {},
		pages.DevicesSignOutOthersPath:  {},
		pages.DevicesSignOutAllPath:     {},
		pages.ReauthPath:                {password, totp, code},
		pages.ReauthSendPath:            {email, sms},
		pages.EmailChangePath:           {email},
		pages.EmailChangeCodePath:       {code},
		pages.IdentityRemovePath:        {},
		pages.DeletePath:                {},
		pages.ExportPath:                {},
		pages.ProviderStartPattern:      {},
		pages.ProviderHeldPath:          {},
		pages.ProviderLinkPath:          {},
		pages.ProviderConfirmPath:       {notice},
		pages.ProviderUnlinkPath:        {},
		pages.ProviderReauthPath:        {},
		sessionTokenPath:                {},
		// The admin console: a permission and a fresh proof, no secret
		// checked; resending a verification code is a send.
		pages.AdminAuditExportPath:   {},
		pages.AdminSuspendPath:       {},
		pages.AdminUnsuspendPath:     {},
		pages.AdminDeletePath:        {},
		pages.AdminSignOutPath:       {},
		pages.AdminSignOutAllPath:    {},
		pages.AdminVerifyResendPath:  {email},
		pages.AdminFactorRemovePath:  {},
		pages.AdminPasswordResetPath: {},
		pages.AdminRoleGrantPath:     {},
		pages.AdminRoleRevokePath:    {},
		// A retried message was reserved when it was first queued.
		pages.AdminOutboxRetryPath:  {},
		pages.AdminOutboxCancelPath: {},
		// Apps: created and renamed with the rules of `latch apps`.
		pages.AdminAppCreatePath: {},
		pages.AdminAppRenamePath: {},
		"/api/v1/token":          {password, totp, recovery, code},
		"/api/v1/otp":            {email},
		"/api/v1/logout":         {},

		// Passkeys. The options paths only issue a challenge (kept in the
		// session), bounded by PasskeyChallenge; the finish paths check
		// an assertion under Passkey first.
		pages.PasskeyLoginOptionsPath:    {guard.PasskeyChallenge},
		pages.PasskeyLoginPath:           {guard.Passkey, notice},
		pages.PasskeySecondOptionsPath:   {guard.PasskeyChallenge},
		pages.PasskeySecondFactorFinish:  {guard.Passkey, notice, link, email}, // link, email: a recovery committed here
		pages.PasskeyReauthOptionsPath:   {guard.PasskeyChallenge},
		pages.PasskeyReauthPath:          {guard.Passkey}, // a proof of who the signed-in user is
		pages.PasskeyRegisterOptionsPath: {guard.PasskeyChallenge},
		pages.PasskeyRegisterPath:        {}, // an attestation of a signed-in, freshly proven user: no secret checked
		pages.PasskeyRenamePath:          {},
		pages.PasskeyRemovePath:          {},
	}
}

// RouteGuards returns the policies each route that can change anything
// declares (see routeGuards), for tests and documentation.
func (s *Server) RouteGuards() map[string][]guard.Name { return routeGuards() }

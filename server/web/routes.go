package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/components/pages"
)

// Handler returns the whole URL map wrapped in the middleware chain.
//
// Every state-changing route is a POST behind cross-origin protection; no
// GET changes anything. Static files and health checks skip the session
// store, so they cost no database round trip. With Deps.AdminSeparate the
// admin console is left out: AdminHandler serves it.
func (s *Server) Handler() http.Handler { return s.build(!s.AdminSeparate, false) }

// AdminHandler is Handler with the admin console, for the admin listener
// (LATCH_ADMIN_ADDR): the whole site, so an operator signs in and proves
// who they are on that listener, plus the routes added with HandleAdmin
// (the place for /metrics).
func (s *Server) AdminHandler() http.Handler { return s.build(true, true) }

// HandleAdmin adds a route that only the admin listener serves, outside
// the cookie session and cross-origin protection (as /healthz is): for
// operators' endpoints such as /metrics. Call it before AdminHandler.
func (s *Server) HandleAdmin(pattern string, h http.Handler) {
	s.adminExtra = append(s.adminExtra, productRoute{pattern, h})
}

// build is the URL map; withAdmin adds the admin console, adminListener
// the routes of HandleAdmin.
func (s *Server) build(withAdmin, adminListener bool) http.Handler {
	app := http.NewServeMux()
	var paths []string               // each routed path, to answer other methods with 405
	allowed := map[string][]string{} // path → its methods, for Allow
	s.guards = routeGuards()
	s.langs = newLanguages(s.DefaultLang)
	guards := s.guards
	s.adminRouted = nil
	s.routed = nil
	route := func(method, path string, h handlerFunc) {
		if _, ok := guards[path]; method == http.MethodPost && !ok {
			panic("web: POST " + path + " has no entry in routeGuards")
		}
		app.Handle(method+" "+path, s.handle(h))
		s.routed = append(s.routed, method+" "+path)
		if strings.HasPrefix(path, pages.AdminPath) {
			s.adminRouted = append(s.adminRouted, method+" "+path)
		}
		allowed[path] = append(allowed[path], method)
		if method == http.MethodGet {
			allowed[path] = append(allowed[path], http.MethodHead)
		}
		if !slices.Contains(paths, path) && path != "/{$}" {
			paths = append(paths, path)
		}
	}
	route("GET", "/{$}", s.home)
	route("GET", "/signup", s.signupPage)
	route("POST", "/signup", s.signupPost)
	if s.Signups != nil {
		route("POST", pages.SignupVerifyPath, s.signupVerify)
		route("POST", pages.SignupResendPath, s.signupResend)
		route("GET", pages.SignupLinkPath, s.signupLinkPage)
		route("POST", pages.SignupLinkPath, s.signupLinkPost)
	}
	route("GET", "/login", s.loginPage)
	route("POST", "/login", s.loginPost)
	route("POST", "/logout", s.logoutPost)
	if s.Codes != nil || s.Phones != nil {
		route("GET", pages.CodeLoginPath, s.codeLoginPage)
		route("POST", pages.CodeLoginPath, s.codeLoginPost)
		route("POST", pages.CodeLoginVerifyPath, s.codeLoginVerify)
		route("GET", pages.LinkLoginPath, s.linkLoginPage)
		route("POST", pages.LinkLoginPath, s.linkLoginPost)
	}
	if s.Verifier != nil {
		route("GET", pages.VerifyEmailPath, s.verifyLinkPage)
		route("POST", pages.VerifyEmailPath, s.verifyLinkPost)
		route("POST", pages.AccountVerifyEmailPath, s.requireUser(s.verifyEmailCode))
		route("POST", pages.AccountVerifyResendPath, s.requireUser(s.resendVerification))
	}
	if s.Phones != nil {
		route("GET", pages.PhoneSignupPath, s.phoneSignupPage)
		route("POST", pages.PhoneSignupPath, s.phoneSignupPost)
		route("POST", pages.PhoneSignupVerifyPath, s.phoneSignupVerify)
		// A new number is a new way into the account: a fresh proof first.
		route("GET", pages.PhoneAddPath, s.requireUser(s.sensitive(pages.PhoneAddPath, s.phoneAddPage)))
		route("POST", pages.PhoneAddPath, s.requireUser(s.sensitive(pages.PhoneAddPath, s.phoneAddPost)))
		route("POST", pages.PhoneAddVerifyPath, s.requireUser(s.sensitive(pages.PhoneAddPath, s.phoneAddVerify)))
	}
	if s.Recovery != nil {
		route("GET", pages.RecoverPath, s.recoverPage)
		route("POST", pages.RecoverPath, s.recoverRequest)
		route("POST", pages.RecoverVerifyPath, s.recoverVerify)
		route("POST", pages.RecoverCodePath, s.recoverByCode)
		route("GET", pages.RecoveryStartedPath, s.recoveryStartedPage)
		route("GET", pages.RecoveryCancelPath, s.recoveryCancelPage)
		route("POST", pages.RecoveryCancelPath, s.recoveryCancelPost)
		route("GET", pages.RecoveryFinishPath, s.recoveryFinishPage)
		route("POST", pages.RecoveryFinishPath, s.recoveryFinishPost)
		route("POST", pages.RecoveryConfirmPath, s.recoveryConfirmPost)
		route("POST", pages.AccountRecoveryCancelPath, s.requireUser(s.accountRecoveryCancel))
	}
	if s.resetOn() {
		route("GET", pages.ForgotPath, s.forgotPage)
		route("POST", pages.ForgotPath, s.forgotPost)
		route("POST", pages.ResetCodePath, s.resetCodePost)
		route("GET", pages.ResetPath, s.resetPage)
		route("POST", pages.ResetPath, s.resetPost)
		route("POST", pages.ResetConfirmPath, s.resetConfirmPost)
	}
	if s.Passwords != nil {
		route("GET", pages.ChangePasswordPath, s.requireUser(s.changePasswordPage))
		route("POST", pages.ChangePasswordPath, s.requireUser(s.changePasswordPost))
	}
	if s.DevMailbox != nil {
		route("GET", devMailboxPath, s.devMailbox)
	}
	if s.TwoFactor != nil {
		route("GET", pages.SecondFactorPath, s.secondFactorPage)
		route("POST", pages.SecondFactorPath, s.secondFactorPost)
		route("GET", pages.TwoFactorPath, s.requireUser(s.twoFactorPage))
		route("POST", pages.TwoFactorPath, s.requireUser(s.twoFactorConfirm))
		route("POST", pages.TwoFactorRecoveryPath, s.requireUser(s.twoFactorRegenerate))
		route("POST", pages.TwoFactorDisablePath, s.requireUser(s.twoFactorDisable))
	}
	if s.providerOn() {
		route("POST", pages.ProviderStartPattern, s.providerStart)
		route("GET", pages.ProviderCallbackPattern, s.providerCallback)
		route("GET", pages.ProviderHeldPath, s.providerHeldPage)
		route("POST", pages.ProviderHeldPath, s.providerHeldDiscard)
		route("GET", pages.ProvidersPath, s.requireUser(s.providersPage))
		// A new way into the account: a fresh proof first, as for a phone.
		route("POST", pages.ProviderLinkPath, s.requireUser(s.sensitive(pages.ProvidersPath, s.providerLinkStart)))
		route("POST", pages.ProviderConfirmPath, s.requireUser(s.sensitive(pages.ProvidersPath, s.providerConfirm)))
		route("POST", pages.ProviderUnlinkPath, s.requireUser(s.sensitive(pages.ProvidersPath, s.providerUnlink)))
		route("POST", pages.ProviderReauthPath, s.requireUser(s.providerReauthStart))
	}
	if s.Passkeys != nil {
		// Signing in with a passkey, as the first factor or the second.
		// The options paths are POSTs: each keeps a challenge in the
		// session.
		route("POST", pages.PasskeyLoginOptionsPath, s.passkeyLoginOptions)
		route("POST", pages.PasskeyLoginPath, s.passkeyLogin)
		route("POST", pages.PasskeySecondOptionsPath, s.passkeySecondOptions)
		route("POST", pages.PasskeySecondFactorFinish, s.passkeySecond)
		// A passkey is a way in: adding, renaming and removing one needs
		// a fresh proof of identity, like the other sensitive settings.
		route("GET", pages.PasskeysPath, s.requireUser(s.sensitive(pages.PasskeysPath, s.passkeysPage)))
		route("POST", pages.PasskeyRegisterOptionsPath, s.requireUser(s.sensitive(pages.PasskeysPath, s.passkeyRegisterOptions)))
		route("POST", pages.PasskeyRegisterPath, s.requireUser(s.sensitive(pages.PasskeysPath, s.passkeyRegister)))
		route("POST", pages.PasskeyRenamePath, s.requireUser(s.sensitive(pages.PasskeysPath, s.passkeyRename)))
		route("POST", pages.PasskeyRemovePath, s.requireUser(s.sensitive(pages.PasskeysPath, s.passkeyRemove)))
	}
	route("POST", layout.LanguagePath, s.languagePost)
	route("GET", "/account", s.requireUser(s.accountPage))
	route("GET", "/account/devices", s.requireUser(s.devicesPage))
	// Signing out another device or an API client is a proof of identity
	// recent enough, like the bulk sign-outs: a stolen session must not
	// lock its owner's other sessions and apps out.
	route("POST", pages.DeviceSignOutPath, s.requireUser(s.sensitive(devicesPath, s.deviceSignOut)))
	route("POST", pages.APIClientSignOutPath, s.requireUser(s.sensitive(devicesPath, s.apiClientSignOut)))
	route("POST", pages.DevicesSignOutOthersPath, s.requireUser(s.sensitive(devicesPath, s.devicesSignOutOthers)))
	route("POST", pages.DevicesSignOutAllPath, s.requireUser(s.sensitive(devicesPath, s.devicesSignOutEverywhere)))
	if s.Settings != nil {
		// Sensitive changes need a proof of identity younger than
		// ReauthWindow: requireFresh sends anyone else to ReauthPath first.
		route("GET", pages.ReauthPath, s.requireUser(s.reauthPage))
		route("POST", pages.ReauthPath, s.requireUser(s.reauthPost))
		route("POST", pages.ReauthSendPath, s.requireUser(s.reauthSend))
		if s.Passkeys != nil {
			// A passkey is a proof itself: no fresh proof needed first.
			route("POST", pages.PasskeyReauthOptionsPath, s.requireUser(s.passkeyReauthOptions))
			route("POST", pages.PasskeyReauthPath, s.requireUser(s.passkeyReauth))
		}
		route("GET", pages.EmailChangePath, s.requireUser(s.requireFresh(pages.EmailChangePath, s.emailChangePage)))
		route("POST", pages.EmailChangePath, s.requireUser(s.requireFresh(pages.EmailChangePath, s.emailChangePost)))
		route("POST", pages.EmailChangeCodePath, s.requireUser(s.requireFresh(pages.EmailChangePath, s.emailChangeCode)))
		route("POST", pages.IdentityRemovePath, s.requireUser(s.requireFresh("/account", s.identityRemove)))
		route("GET", pages.DeletePath, s.requireUser(s.requireFresh(pages.DeletePath, s.deletePage)))
		route("POST", pages.DeletePath, s.requireUser(s.requireFresh(pages.DeletePath, s.deletePost)))
		route("GET", pages.ExportPath, s.requireUser(s.requireFresh(pages.ExportPath, s.exportPage)))
		route("POST", pages.ExportPath, s.requireUser(s.requireFresh(pages.ExportPath, s.exportPost)))
		route("GET", pages.ActivityPath, s.requireUser(s.activityPage))
	}
	if withAdmin && s.adminOn() {
		s.adminRoutes(route)
	}
	if s.Tokens != nil {
		// An access token for the signed-in browser session: cookie session
		// and cross-origin protection apply, like every route of this mux.
		app.Handle("POST /auth/token", s.api(s.sessionToken))
		app.Handle("/auth/token", s.api(apiMethodNotAllowed))
	}
	for _, pr := range s.product {
		app.Handle(pr.pattern, pr.h)
	}
	for _, path := range paths {
		allow := strings.Join(allowed[path], ", ")
		app.Handle(path, s.handle(func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", allow)
			return statusError(http.StatusMethodNotAllowed, messages.MethodNotAllowed)
		}))
	}
	app.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return statusError(http.StatusNotFound, messages.NotFound)
	}))

	csrf := http.NewCrossOriginProtection()
	if s.PublicOrigin != "" {
		// Behind a proxy that rewrites Host, the browser's Origin is still
		// the public one: trust exactly that origin.
		if err := csrf.AddTrustedOrigin(s.PublicOrigin); err != nil {
			s.Logger.Error("public origin not usable for cross-origin checks", "origin", s.PublicOrigin, "err", err)
		}
	}
	csrf.SetDenyHandler(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return statusError(http.StatusForbidden, messages.CrossOriginDenied)
	}))

	root := http.NewServeMux()
	root.Handle("GET /static/", s.Assets)
	root.HandleFunc("GET /healthz", s.healthz)
	root.HandleFunc("GET /readyz", s.readyz)
	if s.Proofs != nil {
		root.Handle("GET "+powChallengePath, s.api(s.powChallenge)) // no session: a challenge is stateless
	}
	if s.Tokens != nil {
		// The token API for non-browser clients. Its credentials travel in
		// the body or the Authorization header, never in a cookie, so it
		// needs neither the cookie session nor cross-origin protection.
		root.Handle("POST /api/v1/token", s.api(s.apiToken))
		root.Handle("POST /api/v1/logout", s.api(s.apiLogout))
		root.Handle("GET /api/v1/me", s.api(s.apiMe)) // bearer's checks, with the account read

		apiPaths := []string{"/api/v1/token", "/api/v1/logout", "/api/v1/me"}
		if s.Codes != nil {
			root.Handle("POST /api/v1/otp", s.api(s.apiRequestCode))
			apiPaths = append(apiPaths, "/api/v1/otp")
		}
		for _, path := range apiPaths {
			root.Handle(path, s.api(apiMethodNotAllowed))
		}
		root.Handle("/api/", s.api(apiNotFound))
	}
	if s.KeySet != nil {
		root.Handle("GET /.well-known/jwks.json", s.api(s.jwks))
	}
	if s.providerOn() {
		// A provider's answer posted from its own site (Apple's
		// form_post): a cross-site POST, so outside cross-origin
		// protection and the session; it only redirects to the callback.
		root.Handle("POST "+pages.ProviderCallbackPattern, s.handle(s.providerFormPost))
	}
	// Metrics are served where the console is: on the admin listener when
	// there is one, else on the public one behind their token.
	if s.MetricsHandler != nil && withAdmin {
		root.Handle("GET "+metricsPath, s.metricsEndpoint(s.MetricsHandler))
	}
	if adminListener {
		for _, pr := range s.adminExtra {
			root.Handle(pr.pattern, pr.h)
		}
	}
	root.Handle("/", csrf.Handler(s.devices(s.Sessions.Middleware(s.sessionApp(s.sessionClient(s.savedLanguage(recordPattern(app))))))))

	var h http.Handler = s.cors(recordPattern(root)) // the token API for SPAs on CORSOrigins
	h = s.language(h)
	h = limitBody(h, maxBodyBytes)
	var formActions []string
	for _, p := range s.IdentityProviders {
		if o := p.Config().AuthOrigin(); !slices.Contains(formActions, o) {
			formActions = append(formActions, o)
		}
	}
	h = securityHeaders(h, s.Secure, s.brand.ImageOrigins(), formActions...)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	h = s.withApp(h)
	h = s.clientInfo(h)
	return h
}

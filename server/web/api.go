package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/password"
	"github.com/latch-dev/latch/server/token"
)

// Tokens is what the token API needs from the token flows (auth.Tokens).
type Tokens interface {
	PasswordGrant(ctx context.Context, appID uuid.UUID, email, password string, sf auth.SecondFactor) (auth.Grant, error)
	RefreshGrant(ctx context.Context, appID uuid.UUID, refreshToken string) (auth.Grant, error)
	Logout(ctx context.Context, appID uuid.UUID, refreshToken string) error
	CodeGrant(ctx context.Context, appID uuid.UUID, email, code string, sf auth.SecondFactor) (auth.Grant, error)
	SessionGrant(ctx context.Context, appID, userID uuid.UUID, sessionToken string) (auth.Grant, error)
	AuthenticateMe(ctx context.Context, appID uuid.UUID, accessToken string) (auth.Principal, auth.Account, error)
}

// KeySet publishes the public keys that verify access tokens (token.Ring).
type KeySet interface {
	JWKS() token.JWKS
}

// The token API speaks OAuth 2.0 (RFC 6749 §5, RFC 6750 §3), whose error
// bodies are fixed: an error code and a description for the client's
// developer. The descriptions are written here, in plain ASCII as RFC 6749
// requires; they are protocol text, not page text, so they are not in the
// message catalog.
const (
	descBadContentType    = "Send the parameters in the request body as application/x-www-form-urlencoded or application/json."
	descQueryParams       = "Send the parameters in the request body, never in the URL."
	descDuplicate         = "A parameter appears more than once."
	descNotStrings        = "The JSON body must be one object whose values are all strings."
	descTooLarge          = "The request body is too large."
	descNoGrantType       = "grant_type is required."
	descUnsupportedGrant  = "Supported grant types are password, refresh_token and " + CodeGrantType + "."
	descNeedCode          = "username and code are required with grant_type=" + CodeGrantType + "."
	descBadCode           = "The code is wrong, expired or already used. Ask for a new one with POST /api/v1/otp."
	descCodeExhausted     = "Too many wrong codes: this code no longer works. Ask for a new one with POST /api/v1/otp."
	descNeedUsername      = "username (the email address) is required."
	descBadUsername       = "username must be an email address."
	descCodeLimited       = "A code was sent to this address a moment ago. Wait before asking for another."
	descNeedCredentials   = "username and password are required with grant_type=password."
	descNeedRefresh       = "refresh_token is required."
	descBadCredentials    = "The username or password is incorrect."
	descLoginThrottled    = "Too many failed attempts for this username or from this address. Wait a few minutes and try again."
	descBadRefresh        = "The refresh token is invalid, expired or revoked."
	descNoClientAuth      = "Client authentication is not supported: the token endpoint serves public clients and takes no client secret."
	descNeedAccessToken   = "This endpoint needs an access token in the Authorization header: Bearer <token>."
	descBadAccessToken    = "The access token is invalid, expired or revoked."
	descManyAuthorization = "Send one Authorization header."
	descLoginRequired     = "Log in first: this endpoint mints tokens for a signed-in browser session."
	descSameOriginOnly    = "This endpoint answers same-origin requests from the browser only; other clients use POST /api/v1/token."
	descNotFound          = "There is no API endpoint at this address."
	descMethodNotAllowed  = "This API endpoint does not accept that method."
	descBusy              = "The server is busy. Try again in a moment."
	descInternal          = "Something went wrong on our side. Try again in a moment."
	descMFARequired       = "This account has two-step verification on: send the grant again with totp (the 6-digit code from the authenticator app) or recovery_code."
	descBadSecondFactor   = "The totp or recovery_code is wrong or was already used."
	descSecondFactorLock  = "Too many wrong two-step verification codes: start again with the first factor."
	descOneSecondFactor   = "Send totp or recovery_code, not both."
)

// bearerRealm names the protection space in WWW-Authenticate challenges.
const bearerRealm = `Bearer realm="latch"`

// oauthError is a refused API request: an OAuth 2.0 error code with a
// written description, and the WWW-Authenticate challenge if one is due.
type oauthError struct {
	status      int
	code        string
	description string
	challenge   string
	cause       error // for the log only
}

func (e *oauthError) Error() string {
	if e.cause != nil {
		return e.code + ": " + e.cause.Error()
	}
	return e.code
}

func (e *oauthError) Unwrap() error { return e.cause }

func invalidRequest(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", description: desc}
}

// invalidToken is RFC 6750's answer to a bad access token.
func invalidToken(cause error) *oauthError {
	return &oauthError{
		status: http.StatusUnauthorized, code: "invalid_token", description: descBadAccessToken, cause: cause,
		challenge: bearerRealm + `, error="invalid_token", error_description="` + descBadAccessToken + `"`,
	}
}

// api adapts a handler of the token API: a returned error is written once
// as an RFC 6749 §5.2 JSON body. Errors that are not an *oauthError become
// server_error (cause logged with the request id) or, for a request that
// waited too long for a password hash, temporarily_unavailable.
func (s *Server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderAPIError(w, r, err)
		}
	})
}

func (s *Server) renderAPIError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		// The client went away; whatever failed (often the database call
		// its cancellation cut short), nobody is left to answer. A refresh
		// cut short was rolled back, or, if it committed, the grace window
		// gives the client's retry the same pair.
		s.Logger.DebugContext(r.Context(), "client gone", "err", err,
			"request_id", auth.ClientFrom(r.Context()).RequestID, "path", r.URL.Path)
		return
	}
	var oe *oauthError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &oe):
		if oe.cause != nil {
			s.Logger.DebugContext(r.Context(), "api request refused", "code", oe.code, "err", oe.cause,
				"request_id", auth.ClientFrom(r.Context()).RequestID)
		}
	case errors.As(err, &mbe):
		oe = &oauthError{status: http.StatusRequestEntityTooLarge, code: "invalid_request", description: descTooLarge}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, password.ErrBusy):
		w.Header().Set("Retry-After", "1")
		oe = &oauthError{status: http.StatusServiceUnavailable, code: "temporarily_unavailable", description: descBusy}
	default:
		s.Logger.ErrorContext(r.Context(), "request failed", "err", err,
			"request_id", auth.ClientFrom(r.Context()).RequestID, "path", r.URL.Path)
		oe = &oauthError{status: http.StatusInternalServerError, code: "server_error", description: descInternal}
	}
	if oe.challenge != "" {
		w.Header().Set("WWW-Authenticate", oe.challenge)
	}
	writeJSON(w, oe.status, map[string]string{"error": oe.code, "error_description": oe.description})
}

// writeJSON writes v with status and the headers RFC 6749 §5.1 asks of
// anything carrying tokens: never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // descriptions say <token>, not \u003ctoken\u003e
	_ = enc.Encode(v)
}

// tokenResponse is RFC 6749 §5.1's successful response, plus user_id.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	UserID       string `json:"user_id"`
}

func grantResponse(g auth.Grant) tokenResponse {
	return tokenResponse{
		AccessToken: g.AccessToken, TokenType: "Bearer", ExpiresIn: g.ExpiresIn,
		RefreshToken: g.RefreshToken, UserID: g.UserID.String(),
	}
}

// apiToken is the token endpoint, POST /api/v1/token (RFC 6749 §4.3 and
// §6): grant_type=password with username (the email) and password, or
// grant_type=refresh_token with refresh_token. Parameters come as a form
// or as a JSON object of strings.
func (s *Server) apiToken(w http.ResponseWriter, r *http.Request) error {
	if r.Header.Get("Authorization") != "" {
		// RFC 6749 §5.2: a client that tried the Authorization header gets
		// 401 and a challenge for the scheme it used.
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: descNoClientAuth,
			challenge: challengeScheme(scheme) + ` realm="latch"`}
	}
	p, err := readParams(r, "grant_type", "username", "password", "code", "refresh_token", "client_secret", "client_assertion", "totp", "recovery_code")
	if err != nil {
		return err
	}
	if p["client_secret"] != "" || p["client_assertion"] != "" {
		return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: descNoClientAuth}
	}
	sf := auth.SecondFactor{TOTP: p["totp"], RecoveryCode: p["recovery_code"]}
	if sf.TOTP != "" && sf.RecoveryCode != "" {
		return invalidRequest(descOneSecondFactor)
	}
	var g auth.Grant
	switch p["grant_type"] {
	case "":
		return invalidRequest(descNoGrantType)
	case "password":
		if p["username"] == "" || p["password"] == "" {
			return invalidRequest(descNeedCredentials)
		}
		g, err = s.Tokens.PasswordGrant(r.Context(), s.appID(r.Context()), p["username"], p["password"], sf)
		if oe := secondFactorError(err); oe != nil {
			return oe
		}
		var ae *auth.Error
		if errors.As(err, &ae) && ae.Code == messages.LoginThrottled {
			return &oauthError{status: http.StatusTooManyRequests, code: "slow_down", description: descLoginThrottled, cause: err}
		}
		if errors.As(err, &ae) {
			return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: descBadCredentials, cause: err}
		}
	case CodeGrantType:
		if p["username"] == "" || p["code"] == "" {
			return invalidRequest(descNeedCode)
		}
		g, err = s.Tokens.CodeGrant(r.Context(), s.appID(r.Context()), p["username"], p["code"], sf)
		if oe := secondFactorError(err); oe != nil {
			return oe
		}
		var ae *auth.Error
		switch {
		case errors.Is(err, auth.ErrGrantUnavailable):
			return &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type", description: descUnsupportedGrant}
		case errors.As(err, &ae) && ae.Code == messages.CodeExhausted:
			return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: descCodeExhausted, cause: err}
		case errors.As(err, &ae):
			return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: descBadCode, cause: err}
		}
	case "refresh_token":
		if p["refresh_token"] == "" {
			return invalidRequest(descNeedRefresh)
		}
		g, err = s.Tokens.RefreshGrant(r.Context(), s.appID(r.Context()), p["refresh_token"])
		if s.Metrics != nil {
			s.Metrics.TokenRefresh(outcomeOf(err))
		}
		if errors.Is(err, auth.ErrInvalidGrant) {
			return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: descBadRefresh, cause: err}
		}
	default:
		return &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type", description: descUnsupportedGrant}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, grantResponse(g))
	return nil
}

// secondFactorError is the answer to a grant whose first factor passed
// but whose second did not, or nil for any other outcome. mfa_required is
// an extension error code (RFC 6749 §8.5).
func secondFactorError(err error) *oauthError {
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && auth.Refused(err):
		// Any budget the guard keeps: passwords, codes, second factors.
		return &oauthError{status: http.StatusTooManyRequests, code: "slow_down", description: messages.Text(ae.Code), cause: err}
	case errors.Is(err, auth.ErrSecondFactorRequired):
		return &oauthError{status: http.StatusBadRequest, code: "mfa_required", description: descMFARequired, cause: err}
	case errors.As(err, &ae) && ae.Code == messages.TwoFactorLocked:
		return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: descSecondFactorLock, cause: err}
	case errors.As(err, &ae) && (ae.Code == messages.TwoFactorCodeInvalid || ae.Code == messages.FormInvalid):
		return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: descBadSecondFactor, cause: err}
	}
	return nil
}

// challengeScheme returns the auth scheme a client used, in a form safe to
// echo in a header: Basic when it is anything unusual.
func challengeScheme(s string) string {
	for _, known := range []string{"Basic", "Bearer", "Digest"} {
		if strings.EqualFold(s, known) {
			return known
		}
	}
	return "Basic"
}

// apiLogout is POST /api/v1/logout: it revokes the family of the
// refresh_token given. As in RFC 7009, an unknown token gets the same 200:
// the answer reveals nothing, and there is nothing left to end.
func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, "refresh_token")
	if err != nil {
		return err
	}
	if p["refresh_token"] == "" {
		return invalidRequest(descNeedRefresh)
	}
	if err := s.Tokens.Logout(r.Context(), s.appID(r.Context()), p["refresh_token"]); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// bearerToken reads the access token of an Authorization: Bearer header
// (RFC 6750 §2.1), or says what is wrong with the header: without a token,
// 401 with a bare challenge; several headers, 400. A bad token is the
// caller's to refuse, with invalidToken (401 and error="invalid_token",
// RFC 6750 §3.1), after checking the signature, the claims and, in the
// database, that the token's family has not been revoked.
func bearerToken(r *http.Request) (string, *oauthError) {
	values := r.Header.Values("Authorization")
	if len(values) > 1 {
		e := invalidRequest(descManyAuthorization)
		e.challenge = bearerRealm + `, error="invalid_request"`
		return "", e
	}
	scheme, raw, _ := strings.Cut(strings.TrimSpace(strings.Join(values, "")), " ")
	if len(values) == 0 || !strings.EqualFold(scheme, "Bearer") {
		return "", &oauthError{status: http.StatusUnauthorized, code: "invalid_token", description: descNeedAccessToken, challenge: bearerRealm}
	}
	return strings.TrimSpace(raw), nil
}

// meResponse is the user as GET /api/v1/me shows it.
type meResponse struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
}

// apiMe is GET /api/v1/me: the user the access token speaks for.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	// bearer's checks and the account read in one store round trip.
	raw, oe := bearerToken(r)
	if oe != nil {
		return oe
	}
	_, acct, err := s.Tokens.AuthenticateMe(r.Context(), s.appID(r.Context()), raw)
	if errors.Is(err, auth.ErrInvalidAccessToken) {
		return invalidToken(err)
	}
	if err != nil {
		return err
	}
	me := meResponse{ID: acct.User.ID.String(), Email: acct.Email(), CreatedAt: acct.User.CreatedAt.UTC()}
	for _, id := range acct.Identities {
		if id.Kind == auth.IdentityEmail && id.VerifiedAt != nil {
			me.EmailVerified = true
		}
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

// jwks is GET /.well-known/jwks.json: the public keys third parties verify
// access tokens with. It is public, cacheable for token.JWKSMaxAge, and
// readable from any origin.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(token.JWKSMaxAge/time.Second)))
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	return json.NewEncoder(w).Encode(s.KeySet.JWKS())
}

// sessionToken is POST /auth/token: a short-lived access token, and never
// a refresh token, for the signed-in browser session, so Latch's own pages
// (the WebAssembly client) can call the API. It sits behind the cookie
// session and cross-origin protection, and also insists on a browser's
// same-origin request: cross-origin protection lets requests without
// Origin or Sec-Fetch-Site through, and a cookie alone must not mint
// tokens for some other client.
func (s *Server) sessionToken(w http.ResponseWriter, r *http.Request) error {
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "same-origin" && (site != "" || r.Header.Get("Origin") == "") {
		return &oauthError{status: http.StatusForbidden, code: "invalid_request", description: descSameOriginOnly}
	}
	loginRequired := &oauthError{status: http.StatusUnauthorized, code: "login_required", description: descLoginRequired}
	userID, ok := s.Sessions.UserID(r.Context())
	if !ok {
		return loginRequired
	}
	g, err := s.Tokens.SessionGrant(r.Context(), s.appID(r.Context()), userID, s.Sessions.CookieToken(r.Context()))
	if errors.Is(err, auth.ErrInvalidGrant) {
		loginRequired.cause = err
		return loginRequired
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, grantResponse(g))
	return nil
}

func apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return &oauthError{status: http.StatusNotFound, code: "not_found", description: descNotFound}
}

func apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	allow := http.MethodPost
	if r.URL.Path == "/api/v1/me" || r.URL.Path == "/.well-known/jwks.json" {
		allow = "GET, HEAD"
	}
	w.Header().Set("Allow", allow)
	return &oauthError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", description: descMethodNotAllowed}
}

// readParams reads the named parameters of a token API request from its
// body: a urlencoded form, or a JSON object whose values are all strings.
// A missing parameter reads as "".
//
// Errors (all invalid_request): parameters in the URL, another content
// type, a body that does not parse, a repeated parameter; 413 for a body
// over the limit.
func readParams(r *http.Request, names ...string) (map[string]string, error) {
	if r.URL.RawQuery != "" {
		return nil, invalidRequest(descQueryParams)
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, invalidRequest(descBadContentType)
	}
	var values url.Values
	switch mt {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			e := invalidRequest(descBadContentType)
			e.cause = err
			return nil, e
		}
		values = r.PostForm
	case "application/json":
		if values, err = readJSONStrings(r.Body); err != nil {
			return nil, err
		}
	default:
		return nil, invalidRequest(descBadContentType)
	}
	out := make(map[string]string, len(names))
	for _, name := range names {
		switch vs := values[name]; len(vs) {
		case 0:
		case 1:
			out[name] = vs[0]
		default:
			return nil, invalidRequest(descDuplicate)
		}
	}
	return out, nil
}

// readJSONStrings reads one JSON object of string values. A key given
// twice is kept twice, so readParams refuses it as it refuses a repeated
// form field, rather than silently taking the last.
func readJSONStrings(body io.Reader) (url.Values, error) {
	dec := json.NewDecoder(body)
	bad := func(err error) error {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		e := invalidRequest(descNotStrings)
		e.cause = err
		return e
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, bad(err)
	}
	values := url.Values{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		val, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		v, ok := val.(string)
		if !ok {
			return nil, bad(nil)
		}
		values.Add(key.(string), v)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, bad(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad(err)
	}
	return values, nil
}

// CodeGrantType is the grant_type of the one-time code grant: an extension
// grant, named by a URI as RFC 6749 §4.5 asks.
const CodeGrantType = "urn:latch:params:oauth:grant-type:otp"

// CodeRequester sends and checks one-time login codes and magic links
// (auth.Codes).
type CodeRequester interface {
	RequestLogin(ctx context.Context, appID uuid.UUID, email string) error
	VerifyLogin(ctx context.Context, appID uuid.UUID, email, code string) (auth.User, error)
	RequestLoginLink(ctx context.Context, appID uuid.UUID, email, next string) (selector string, err error)
	ConsumeLoginLink(ctx context.Context, appID uuid.UUID, token string) (auth.User, error)
	// Cooldown is how long an address waits between two login codes.
	Cooldown() time.Duration
}

// apiRequestCode sends a login code to the email in username, for the
// one-time code grant. The answer is the same whether or not an account
// holds the address: 202 and a "sent" status.
func (s *Server) apiRequestCode(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, "username")
	if err != nil {
		return err
	}
	if p["username"] == "" {
		return invalidRequest(descNeedUsername)
	}
	err = s.Codes.RequestLogin(r.Context(), s.appID(r.Context()), p["username"])
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		return &oauthError{status: http.StatusTooManyRequests, code: "slow_down", description: descCodeLimited, cause: err}
	case errors.As(err, &ae):
		return invalidRequest(descBadUsername)
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent", "message": i18n.T(r.Context(), messages.CodeSent)})
	return nil
}

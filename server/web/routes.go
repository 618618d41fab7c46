package web

import (
	"net/http"

	"github.com/latch-dev/latch/client/messages"
)

// Handler returns the whole URL map wrapped in the middleware chain.
//
// Every state-changing route is a POST behind cross-origin protection; no
// GET changes anything. Static files and health checks skip the session
// store, so they cost no database round trip.
func (s *Server) Handler() http.Handler {
	app := http.NewServeMux()
	route := func(method, path string, h handlerFunc) {
		app.Handle(method+" "+path, s.handle(h))
	}
	route("GET", "/{$}", s.home)
	route("GET", "/signup", s.signupPage)
	route("POST", "/signup", s.signupPost)
	route("GET", "/login", s.loginPage)
	route("POST", "/login", s.loginPost)
	route("POST", "/logout", s.logoutPost)
	route("GET", "/account", s.requireUser(s.accountPage))
	for _, path := range []string{"/signup", "/login", "/logout", "/account"} {
		app.Handle(path, s.handle(func(w http.ResponseWriter, r *http.Request) error {
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
	root.Handle("/", csrf.Handler(s.Sessions.Middleware(app)))

	var h http.Handler = root
	h = limitBody(h, maxBodyBytes)
	h = securityHeaders(h, s.Secure)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	h = s.clientInfo(h)
	return h
}

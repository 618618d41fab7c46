package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// corsMethods are the token API's routes that a page on another origin
// may call (Deps.CORSOrigins), each with its one method. Nothing else of
// Latch answers CORS: its pages and /auth/token are same-origin only.
var corsMethods = map[string]string{
	"/api/v1/token":  http.MethodPost,
	"/api/v1/logout": http.MethodPost,
	"/api/v1/me":     http.MethodGet,
	"/api/v1/otp":    http.MethodPost,
}

// corsMaxAge is how long a browser may cache a preflight's answer.
const corsMaxAge = 10 * time.Minute

// corsAllowHeaders are the request headers a cross-origin call may send:
// the access token, and a JSON or form body.
const corsAllowHeaders = "Authorization, Content-Type"

// corsExposeHeaders are the response headers its script may read.
const corsExposeHeaders = "Retry-After, WWW-Authenticate, X-Request-Id"

// cors answers the token API's CORS (Fetch standard): an origin listed in
// CORSOrigins or in the request's app's redirect origins, exactly, gets Access-Control-Allow-Origin naming it, and
// its preflight (OPTIONS with Access-Control-Request-Method) gets 204 with
// the route's method, the allowed headers and Max-Age. Any other origin
// gets no CORS header at all (its preflight a 403), so the browser keeps
// the answer from its script. Credentials are never allowed: the token
// API takes no cookie.
func (s *Server) cors(next http.Handler) http.Handler {
	if (len(s.CORSOrigins) == 0 && s.Apps == nil) || s.Tokens == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method, ok := corsMethods[r.URL.Path]
		if !ok || (r.URL.Path == "/api/v1/otp" && s.Codes == nil) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		origins := r.Header.Values("Origin")
		allowed := len(origins) == 1 && (slices.Contains(s.CORSOrigins, origins[0]) ||
			slices.Contains(s.appOf(r.Context()).RedirectOrigins, origins[0]))
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed || r.Header.Get("Access-Control-Request-Method") != method || !corsHeadersAllowed(r.Header.Values("Access-Control-Request-Headers")) {
				writeJSON(w, http.StatusForbidden, map[string]string{"error": "cors_refused", "error_description": "This origin, method or header may not call the API."})
				return
			}
			h.Set("Access-Control-Allow-Origin", origins[0])
			h.Set("Access-Control-Allow-Methods", method)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", strconv.Itoa(int(corsMaxAge/time.Second)))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h.Set("Access-Control-Allow-Origin", origins[0])
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		next.ServeHTTP(w, r)
	})
}

// corsHeadersAllowed reports whether every header a preflight asks for is
// one corsAllowHeaders lists.
func corsHeadersAllowed(values []string) bool {
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "", "authorization", "content-type":
			default:
				return false
			}
		}
	}
	return true
}

package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
)

// maxBodyBytes caps every request body. Latch's forms are a few hundred
// bytes; anything larger is refused before it is read.
const maxBodyBytes = 16 << 10

// contentSecurityPolicy allows only Latch's own files. Datastar evaluates
// its expressions with Function(), hence 'unsafe-eval'; there is no inline
// script or style anywhere, so 'unsafe-inline' is never needed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-eval'; " +
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders sets the headers every response carries. HSTS is sent
// only on a TLS origin. Responses are not cached unless a handler (static
// files) says otherwise. formActions are origins forms may also lead to:
// a sign-in provider's, where its start redirects (a browser holds a
// form's redirects to form-action too). imageOrigins are origins images
// may also come from: the brand's logo and favicon when hosted elsewhere.
func securityHeaders(next http.Handler, secure bool, imageOrigins []string, formActions ...string) http.Handler {
	csp := contentSecurityPolicy
	for _, o := range imageOrigins {
		if o != "" && !strings.ContainsAny(o, " ;,'") {
			csp = strings.Replace(csp, "img-src 'self' data:", "img-src 'self' data: "+o, 1)
		}
	}
	for _, o := range formActions {
		if o != "" && !strings.ContainsAny(o, " ;,'") {
			csp += " " + o
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cache-Control", "no-store")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies larger than n bytes as they are read.
func limitBody(next http.Handler, n int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

// clientInfo gives each request an id (echoed in X-Request-Id) and puts
// the client's IP, user agent and that id in the context for audit events,
// the session list and logs.
func (s *Server) clientInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		c := auth.Client{IP: clientIP(r, s.TrustProxyHeaders), UserAgent: r.UserAgent(), RequestID: id}
		next.ServeHTTP(w, r.WithContext(auth.WithClient(r.Context(), c)))
	})
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// clientIP is the peer address, or with trustProxy the last hop a trusted
// reverse proxy appended to X-Forwarded-For (earlier entries are
// client-supplied and could be forged).
func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// statusRecorder remembers the status a handler wrote, for the access log.
// A 429 always carries Retry-After: the guard's wait when it refused in
// this request, else a minute.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	tracker *guard.Tracker
	// meant is the status an answer stands for when the protocol made
	// it send another (a Datastar patch travels as 200).
	meant int
	// route is the ServeMux pattern that served the request
	// (recordPattern), for the metrics.
	route string
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		if code == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", retryAfter(w.tracker))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// retryAfter is the Retry-After value, in whole seconds rounded up, of the
// guard's refusal in the request, or 60 without one.
func retryAfter(t *guard.Tracker) string {
	if t != nil {
		if r := t.Refusal(); r != nil && r.RetryAfter > 0 {
			return strconv.Itoa(int((r.RetryAfter + time.Second - 1) / time.Second))
		}
	}
	return "60"
}

type exchangeKey struct{}

// exchangeOf returns the request's statusRecorder, or nil outside
// logRequests.
func exchangeOf(r *http.Request) *statusRecorder {
	rec, _ := r.Context().Value(exchangeKey{}).(*statusRecorder)
	return rec
}

// meanStatus records the status an answer stands for, when the response
// itself must be another (Datastar patches are 200s): the log and the
// metrics count what happened, not how it travelled.
func meanStatus(r *http.Request, status int) {
	if rec := exchangeOf(r); rec != nil && rec.meant == 0 {
		rec.meant = status
	}
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one line per request: method, path (never the query
// string, which may carry tokens), status, duration and request id.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, tracker := guard.WithTracker(r.Context())
		rec := &statusRecorder{ResponseWriter: w, tracker: tracker}
		r = r.WithContext(context.WithValue(ctx, exchangeKey{}, rec))
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		if status == http.StatusOK && rec.meant != 0 {
			status = rec.meant
		}
		if s.Metrics != nil {
			s.Metrics.Request(rec.route, status, time.Since(start))
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Duration("duration", time.Since(start)),
			slog.String("request_id", auth.ClientFrom(r.Context()).RequestID)}
		problems := tracker.Problems()
		if declared, ok := s.guards[r.URL.Path]; ok && r.Method == http.MethodPost {
			for _, name := range tracker.Reserved() {
				if !slices.Contains(declared, name) {
					problems = append(problems, "policy "+string(name)+" reserved but not listed in routeGuards")
				}
			}
		}
		if len(problems) > 0 {
			// A secret checked, a message sent or a hash run before any
			// guard reservation: a flow without a policy.
			attrs = append(attrs, slog.Any("unguarded", problems))
			s.Logger.LogAttrs(r.Context(), slog.LevelError, "unguarded work", attrs...)
			if s.OnUnguarded != nil {
				s.OnUnguarded(r, problems)
			}
		}
		s.Logger.LogAttrs(r.Context(), levelFor(status), "request", attrs...)
	})
}

// recoverPanics turns a panic into the generic error page and a log line.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.ErrorContext(r.Context(), "panic", "panic", v,
					"request_id", auth.ClientFrom(r.Context()).RequestID)
				s.renderError(w, r, errPanic)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func levelFor(status int) slog.Level {
	if status == http.StatusServiceUnavailable {
		return slog.LevelWarn // load shed on purpose (a full hash queue), not a fault
	}
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

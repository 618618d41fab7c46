package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
)

// AppResolver finds a request's app by its host (apps.Resolver).
type AppResolver interface {
	ForHost(ctx context.Context, host string) apps.App
	Default() apps.App
}

// withApp puts the request's app in its context: the app whose public
// host is the request's Host, else the default app. X-Forwarded-Host is
// read only with TrustForwardedHost (a proxy that sets it). The Host
// only picks among configured apps: links, origins and passkeys come
// from the app's stored public URL, never from the header.
func (s *Server) withApp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := s.appFor(r)
		// Pages carry the app's name through brandFor.
		next.ServeHTTP(w, r.WithContext(apps.WithApp(r.Context(), a)))
	})
}

func (s *Server) appFor(r *http.Request) apps.App {
	if s.Apps == nil {
		return s.defaultApp()
	}
	host := r.Host
	if s.TrustForwardedHost {
		if fh := r.Header.Values("X-Forwarded-Host"); len(fh) > 0 {
			// The last value is the one the trusted proxy set.
			last := fh[len(fh)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			host = strings.TrimSpace(last)
		}
	}
	return s.Apps.ForHost(r.Context(), host)
}

// defaultApp is the app of a server without an AppResolver: AppID,
// reached at PublicOrigin. It is the deployment's own app: its pages
// carry the configured brand (brandFor), never an empty name.
func (s *Server) defaultApp() apps.App {
	return apps.App{ID: s.AppID, PublicURL: s.PublicOrigin, Default: true}
}

// appID is the id of the request's app (withApp); outside a request,
// the default app's.
func (s *Server) appID(ctx context.Context) uuid.UUID {
	if a, ok := apps.FromContext(ctx); ok {
		return a.ID
	}
	return s.AppID
}

// appOf is the request's app (withApp); outside a request, the default.
func (s *Server) appOf(ctx context.Context) apps.App {
	if a, ok := apps.FromContext(ctx); ok {
		return a
	}
	return s.defaultApp()
}

// appBrand is the brand and the public origin of messages sent for the
// request's app in ctx: its brand name and public URL (also what a logo
// path is read against), where it has them, else brand and origin as
// configured. Never the request's Host.
func appBrand(ctx context.Context, brand email.Brand, origin string) (email.Brand, string) {
	if a, ok := apps.FromContext(ctx); ok {
		if n := a.BrandFor(brand.AppName); n != "" {
			brand.AppName = n
		}
		if a.PublicURL != "" && origin != "" {
			origin = a.PublicURL
		}
		if a.PublicURL != "" {
			brand.BaseURL = a.PublicURL // the logo's path is on the app's own host
		}
	}
	return brand, origin
}

// appName is the app name text messages carry for the request's app.
func appName(ctx context.Context, name string) string {
	b, _ := appBrand(ctx, email.Brand{AppName: name}, "")
	return b.AppName
}

// AppRelyingParty is the passkey relying party of the request's app in
// ctx (auth.PasskeyOptions.RelyingPartyOf): its public host as the RP ID
// and its public URL as the one origin. false for the default app, whose
// relying party is configured (LATCH_WEBAUTHN_*).
func AppRelyingParty(ctx context.Context) (auth.RelyingParty, bool) {
	a, ok := apps.FromContext(ctx)
	if !ok || a.Host == "" || a.PublicURL == "" {
		return auth.RelyingParty{}, false
	}
	u, err := url.Parse(a.PublicURL)
	if err != nil {
		return auth.RelyingParty{}, false
	}
	return auth.RelyingParty{ID: u.Hostname(), Name: a.Brand(), Origins: []string{a.PublicURL}}, true
}

// sessionApp ends a signed-in session presented to another app than the
// one it signed in to: a session belongs to one app's account, and a
// cookie copied to another app's host (browsers keep them apart) is not
// a way to act there. A session that names no app is the default app's.
func (s *Server) sessionApp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if _, ok := s.Sessions.UserID(ctx); ok {
			bound := cmp.Or(s.Sessions.App(ctx), s.AppID.String())
			if bound != s.appID(ctx).String() {
				s.Logger.WarnContext(ctx, "session used at another app's host: ended", "request_id", auth.ClientFrom(ctx).RequestID)
				if err := s.Sessions.Logout(ctx); err != nil {
					s.renderError(w, r, err)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// SessionApp is the app a session signs in to (session.Options.AppOf):
// the request's app's id.
func SessionApp(ctx context.Context) string {
	if a, ok := apps.FromContext(ctx); ok {
		return a.ID.String()
	}
	return ""
}

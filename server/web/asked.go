package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// A browser that asks for a link (a magic link, a reset link) remembers
// the link's selector, the public half of its token that signs nobody in,
// in a short-lived cookie, so the link's confirm page can warn when it is
// opened in another browser. A cookie rather than the session: asking for
// a link must not store a session for a visitor who is signed in to
// nothing.
const (
	askedCookieBase = "latch_asked"
	askedMax        = 4                // selectors kept, newest first
	askedAge        = 30 * time.Minute // longer than any link lives
	maxSelectorLen  = 64
)

func (s *Server) askedCookieName() string {
	if s.Secure {
		return "__Host-" + askedCookieBase
	}
	return askedCookieBase
}

// askedSelectors returns the selectors the browser's cookie holds.
func (s *Server) askedSelectors(r *http.Request) []string {
	c, err := r.Cookie(s.askedCookieName())
	if err != nil {
		return nil
	}
	var out []string
	for _, sel := range strings.Split(c.Value, ".") {
		if sel != "" && len(sel) <= maxSelectorLen && len(out) < askedMax {
			out = append(out, sel)
		}
	}
	return out
}

// noteAsked remembers that this browser asked for the link with selector.
func (s *Server) noteAsked(w http.ResponseWriter, r *http.Request, selector string) {
	if selector == "" || len(selector) > maxSelectorLen || strings.Contains(selector, ".") {
		return
	}
	kept := append([]string{selector}, s.askedSelectors(r)...)
	if len(kept) > askedMax {
		kept = kept[:askedMax]
	}
	http.SetCookie(w, &http.Cookie{Name: s.askedCookieName(), Value: strings.Join(kept, "."), Path: "/",
		MaxAge: int(askedAge / time.Second), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// asked reports whether this browser asked for the link with selector. It
// changes nothing.
func (s *Server) asked(r *http.Request, selector string) bool {
	for _, kept := range s.askedSelectors(r) {
		if subtle.ConstantTimeCompare([]byte(kept), []byte(selector)) == 1 {
			return true
		}
	}
	return false
}

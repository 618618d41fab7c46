package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/auth"
)

// Device cookies (OWASP "Slow Brute Force / Device Cookies"). Every
// browser gets a random device id in a long-lived cookie; once it signs
// in to an account, the cookie also carries a tag for that account: an
// HMAC, under DeviceKey, of the app, the user and the device id. A browser
// holding a tag for an account is a known device of it: the guard lets it
// past the account-wide limits strangers share (it has its own), so
// nobody who only knows an address can lock its owner out. A tag cannot
// be forged without the key or moved to another device id, and says
// nothing about the account to whoever reads the cookie.
const (
	deviceCookieBase = "latch_device"
	deviceIDLen      = 16 // random bytes
	deviceTagLen     = 12 // bytes of HMAC kept per account
	maxDeviceTags    = 5  // accounts remembered per browser, newest first
	deviceCookieAge  = 400 * 24 * time.Hour
)

// device is a browser's device cookie, parsed.
type device struct {
	id   string   // base64url of deviceIDLen random bytes
	tags []string // base64url tags, newest first
	set  bool     // the cookie must be (re)written
}

func (s *Server) deviceCookieName() string {
	if s.Secure {
		return "__Host-" + deviceCookieBase
	}
	return deviceCookieBase
}

// readDevice returns the request's device cookie, or a new device id
// when it has none or an unusable one.
func (s *Server) readDevice(r *http.Request) device {
	if c, err := r.Cookie(s.deviceCookieName()); err == nil {
		parts := strings.Split(c.Value, ".")
		if id, err := base64.RawURLEncoding.DecodeString(parts[0]); err == nil && len(id) == deviceIDLen {
			d := device{id: parts[0]}
			for _, t := range parts[1:] {
				if b, err := base64.RawURLEncoding.DecodeString(t); err == nil && len(b) == deviceTagLen && len(d.tags) < maxDeviceTags {
					d.tags = append(d.tags, t)
				}
			}
			return d
		}
	}
	var b [deviceIDLen]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return device{id: base64.RawURLEncoding.EncodeToString(b[:]), set: true}
}

// tag is the device's tag for userID.
func (s *Server) deviceTag(deviceID string, userID uuid.UUID) string {
	m := hmac.New(sha256.New, s.DeviceKey)
	m.Write([]byte("latch-known-device\x00"))
	m.Write(s.AppID[:])
	m.Write(userID[:])
	m.Write([]byte(deviceID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:deviceTagLen])
}

// knows reports whether d carries a tag for userID.
func (s *Server) knows(d device, userID uuid.UUID) bool {
	if len(s.DeviceKey) == 0 {
		return false
	}
	want := s.deviceTag(d.id, userID)
	for _, t := range d.tags {
		if hmac.Equal([]byte(t), []byte(want)) {
			return true
		}
	}
	return false
}

// writeDevice sets the device cookie. It is HttpOnly (no script needs it),
// SameSite=Lax and, on TLS, __Host- and Secure.
func (s *Server) writeDevice(w http.ResponseWriter, d device) {
	http.SetCookie(w, &http.Cookie{
		Name: s.deviceCookieName(), Value: strings.Join(append([]string{d.id}, d.tags...), "."), Path: "/",
		MaxAge: int(deviceCookieAge / time.Second), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// devices gives every browser request its device: the id and a KnownTo
// in the auth.Client of the context, and the cookie written when new.
func (s *Server) devices(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := s.readDevice(r)
		if d.set {
			s.writeDevice(w, d)
		}
		c := auth.ClientFrom(r.Context())
		c.Device = d.id
		c.KnownTo = func(userID uuid.UUID) bool { return s.knows(d, userID) }
		next.ServeHTTP(w, r.WithContext(auth.WithClient(r.Context(), c)))
	})
}

// rememberDevice makes the request's browser a known device of userID,
// after a complete sign-in, and reports whether it was one already.
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, userID uuid.UUID) bool {
	if len(s.DeviceKey) == 0 {
		return false
	}
	d := s.readDevice(r)
	if c := auth.ClientFrom(r.Context()); c.Device != "" && c.Device != d.id {
		d = device{id: c.Device} // the cookie was new in this very request
	}
	if s.knows(d, userID) {
		return true
	}
	tag := s.deviceTag(d.id, userID)
	d.tags = append([]string{tag}, d.tags...)
	if len(d.tags) > maxDeviceTags {
		d.tags = d.tags[:maxDeviceTags]
	}
	s.writeDevice(w, d)
	return false
}

// sessionClient adds the session's public id, when there is a session, to
// the auth.Client of the context: the guard budgets sends per session.
func (s *Server) sessionClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := s.Sessions.PublicID(r.Context()); id != "" {
			c := auth.ClientFrom(r.Context())
			c.Session = id
			r = r.WithContext(auth.WithClient(r.Context(), c))
		}
		next.ServeHTTP(w, r)
	})
}

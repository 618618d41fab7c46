package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/server/phone"
)

// readForm parses a urlencoded POST body (at most maxBodyBytes) and returns
// the named fields. Each field may appear at most once: a duplicated field
// is refused rather than guessed at.
//
// Errors: 415 messages.FormMalformed for another content type, 413
// messages.FormTooLarge for an oversized body, 400 messages.FormMalformed
// for a body that does not parse or repeats a field.
func readForm(r *http.Request, fields ...string) (map[string]string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, statusError(http.StatusUnsupportedMediaType, messages.FormMalformed)
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, statusError(http.StatusRequestEntityTooLarge, messages.FormTooLarge)
		}
		return nil, &httpError{status: http.StatusBadRequest, code: messages.FormMalformed, cause: err}
	}
	return pick(r.PostForm, fields)
}

func pick(form url.Values, fields []string) (map[string]string, error) {
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		switch vs := form[f]; len(vs) {
		case 0:
			out[f] = ""
		case 1:
			out[f] = vs[0]
		default:
			return nil, statusError(http.StatusBadRequest, messages.FormMalformed)
		}
	}
	return out, nil
}

// sessionTokenPath is the token endpoint of signed-in browser sessions
// (POST /auth/token, see routes.go).
const sessionTokenPath = "/auth/token"

// page returns the layout data every page needs. A signed-in page (one
// with userEmail) also names the session's token endpoint, when the token
// API is on, so the browser module can call the API; other pages never do.
func (s *Server) page(title messages.Key, userEmail string) layout.Page {
	p := layout.Page{TitleKey: title, CSS: s.css, Scripts: s.scripts, Wasm: s.wasm, UserEmail: userEmail}
	if strings.HasPrefix(userEmail, "+") { // a phone-only account: its number as people write it
		p.UserEmail = phone.Display(userEmail, s.PhoneRegions.Default)
	}
	if s.DevMailbox != nil {
		p.DevMailbox = devMailboxPath
	}
	if userEmail != "" && s.Tokens != nil && p.Wasm.Loader != "" {
		p.Wasm.Tokens = sessionTokenPath
	}
	return p
}

package web

import (
	"errors"
	"net/http"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// Login by magic link. The emailed link opens GET /login/link?token=…,
// which only shows a confirmation: mail scanners and link previews fetch
// URLs, and a GET that signed in would spend the link for them (or sign
// their browser in). The confirmation's POST spends the link and answers
// 303, so the token leaves the address bar at once.
//
// Different browsers: holding the link proves the mailbox, so it works in
// any browser. The browser that asked for it keeps the link's selector in
// its session (codeLoginPost); opened anywhere else, the page warns in
// writing before the button, because a link someone else sent you may sign
// you in to their account.

// noReferrer keeps the page's URL, which holds the token, out of the
// Referer of anything the page loads or links to.
func noReferrer(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// linkLoginPage shows the confirmation for the link's token. It reads
// nothing from the store and changes nothing: no attempt is counted. A
// missing, repeated or malformed token gets a written error (400).
func (s *Server) linkLoginPage(w http.ResponseWriter, r *http.Request) error {
	noReferrer(w)
	f := pages.LinkLogin{Next: s.safeNext(r, queryValue(r, pages.NextField))}
	token := queryValue(r, pages.LinkTokenField)
	selector, ok := auth.LinkSelector(token)
	if !ok {
		f.Message = messages.LinkMalformed
		s.render(w, r, http.StatusBadRequest, pages.LinkLoginPage(s.page(messages.LinkLoginTitle, ""), f))
		return nil
	}
	f.Token = token
	f.Elsewhere = !s.asked(r, selector)
	s.render(w, r, http.StatusOK, pages.LinkLoginPage(s.page(messages.LinkLoginTitle, ""), f))
	return nil
}

// linkLoginPost spends the link and signs the browser in, then sends it to
// the checked next target (the account page without one). A wrong,
// expired, used or voided link reads the same (410); a malformed token,
// refused before the store is asked, says so (400). Both offer a new code.
func (s *Server) linkLoginPost(w http.ResponseWriter, r *http.Request) error {
	noReferrer(w)
	form, err := readForm(r, pages.LinkTokenField, pages.NextField)
	if err != nil {
		return err
	}
	next := s.safeNext(r, form[pages.NextField])
	u, err := s.Codes.ConsumeLoginLink(r.Context(), s.appID(r.Context()), form[pages.LinkTokenField])
	var ae *auth.Error
	if errors.As(err, &ae) {
		status := http.StatusGone
		if ae.Code == messages.LinkMalformed {
			status = http.StatusBadRequest
		}
		f := pages.LinkLogin{Next: next, Message: ae.Code}
		s.render(w, r, status, pages.LinkLoginPage(s.page(messages.LinkLoginTitle, ""), f))
		return nil
	}
	if err != nil {
		return err
	}
	return s.signIn(w, r, u, false, next, byLoginLink)
}

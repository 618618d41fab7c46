package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/brand"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/password"
)

// handlerFunc is a handler that returns its failure instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: a returned error is rendered once, for the
// kind of request (page, Datastar patch or JSON), by renderError.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// httpError is a failure with a status and a written message.
type httpError struct {
	status int
	code   messages.Key
	cause  error
}

func (e *httpError) Error() string {
	if e.cause != nil {
		return string(e.code) + ": " + e.cause.Error()
	}
	return string(e.code)
}

func (e *httpError) Unwrap() error { return e.cause }

func statusError(status int, code messages.Key) error {
	return &httpError{status: status, code: code}
}

var errPanic = errors.New("web: handler panicked")

// classify maps an error to a status and the message a user may read.
// Anything unrecognised is a 500 with the generic message.
func classify(err error) (int, messages.Key) {
	var he *httpError
	var ae *auth.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he.status, he.code
	case errors.Is(err, password.ErrBusy):
		return http.StatusServiceUnavailable, messages.Busy
	case errors.As(err, &ae) && auth.Refused(err):
		return http.StatusTooManyRequests, ae.Code
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, messages.FormTooLarge
	case errors.As(err, &ae):
		return http.StatusUnprocessableEntity, ae.Code
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, messages.Busy
	}
	return http.StatusInternalServerError, messages.InternalError
}

// renderError writes err for the kind of request. Users only ever read a
// message from the catalog; the cause goes to the log with the request id.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away; nobody is left to answer
	}
	status, code := classify(err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	meanStatus(r, status)
	if status >= 500 && status != http.StatusServiceUnavailable {
		s.Logger.ErrorContext(r.Context(), "request failed", "err", err,
			"request_id", auth.ClientFrom(r.Context()).RequestID, "path", r.URL.Path)
	}
	switch {
	case isDatastar(r):
		// Datastar only applies 200 responses, so the error travels as a
		// patch that puts the message at the top of the page.
		sse := datastar.NewSSE(w, r)
		_ = sse.RemoveElement("#page-error")
		_ = sse.PatchElementTempl(pages.ErrorAlert(i18n.T(r.Context(), code)),
			datastar.WithSelector("main"), datastar.WithModePrepend())
	case wantsJSON(r):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": string(code), "message": i18n.T(r.Context(), code)})
	default:
		s.render(w, r, status, pages.Error(s.page(messages.ErrorTitle, ""), i18n.T(r.Context(), code)))
	}
}

// refusedStatus is status, or 429 when it is a refusal (4xx) of a request
// the guard refused: the page explains, the status says to slow down.
func refusedStatus(r *http.Request, status int) int {
	if rec := exchangeOf(r); rec != nil && rec.tracker.Refusal() != nil && status >= 400 && status < 500 {
		return http.StatusTooManyRequests
	}
	return status
}

// render writes a full page with status (429 for a request the guard
// refused).
//
// The page is rendered into a buffer first and sent in one write with its
// Content-Length: one system call instead of one per 4 KiB with chunked
// encoding, and a page that fails half-way is answered with the error page
// (the catalog's internal-error words) rather than cut off.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	status = refusedStatus(r, status)
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := c.Render(s.renderContext(r), buf); err != nil {
		s.Logger.ErrorContext(r.Context(), "render failed", "err", err,
			"request_id", auth.ClientFrom(r.Context()).RequestID, "path", r.URL.Path)
		status = http.StatusInternalServerError
		buf.Reset()
		failed := pages.Error(s.page(messages.ErrorTitle, ""), i18n.T(r.Context(), messages.InternalError))
		if err := failed.Render(s.renderContext(r), buf); err != nil {
			// Not even the error page renders: plain words, still no detail.
			http.Error(w, i18n.T(r.Context(), messages.InternalError), status)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pageBuffers holds the buffers pages are rendered into; one grown past
// maxPooledPage is left to the garbage collector so a rare huge page
// (an admin export, say) does not pin its memory.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledPage = 256 << 10

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledPage {
		b.Reset()
		pageBuffers.Put(b)
	}
}

// renderContext is the request's context with what every page frame reads
// from it: the brand and the path (for aria-current in the navigation).
func (s *Server) renderContext(r *http.Request) context.Context {
	return layout.WithPath(brand.With(r.Context(), s.brandFor(r)), r.URL.Path)
}

// brandFor is the brand of r: the configured brand, named for the
// request's app when that app has a brand of its own (apps.App.BrandFor).
func (s *Server) brandFor(r *http.Request) brand.Brand {
	b := s.brand
	if a, ok := apps.FromContext(r.Context()); ok {
		b.Name = a.BrandFor(b.Name)
	}
	return b
}

// isDatastar reports whether the request came from Datastar's fetch, which
// expects server-sent events rather than a page.
// answer sends a form's outcome: for a Datastar request, a patch of panel
// (matched by its id); otherwise the whole page, with status. Only the one
// sent is rendered.
//
// An answer to an attempt the guard refused in this request is a 429, with
// Retry-After, whatever status the form would otherwise have.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, panel, page templ.Component, opts ...datastar.PatchElementOption) error {
	status = refusedStatus(r, status)
	meanStatus(r, status)
	if isDatastar(r) {
		return datastar.NewSSE(w, r).PatchElementTempl(panel, opts...)
	}
	s.render(w, r, status, page)
	return nil
}

func isDatastar(r *http.Request) bool { return r.Header.Get("Datastar-Request") == "true" }

func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

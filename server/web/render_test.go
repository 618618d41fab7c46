package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
)

// TestRenderSendsThePageInOneAnswer: a page goes out whole with its
// Content-Length, and a page that fails half-way is answered with the
// error page in the catalog's words: no half page, no error detail.
func TestRenderSendsThePageInOneAnswer(t *testing.T) {
	s := &Server{Deps: Deps{Logger: slog.New(slog.DiscardHandler)}}
	r := httptest.NewRequest(http.MethodGet, "/account", nil)

	w := httptest.NewRecorder()
	s.render(w, r, http.StatusOK, templ.Raw("<p>whole page</p>"))
	if w.Code != http.StatusOK || w.Body.String() != "<p>whole page</p>" ||
		w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
		t.Fatalf("page: %d %q, Content-Length %q", w.Code, w.Body.String(), w.Header().Get("Content-Length"))
	}

	broken := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "<p>half a secret-detail page")
		return errors.New("secret-detail: template failed")
	})
	w = httptest.NewRecorder()
	s.render(w, r, http.StatusOK, broken)
	body := w.Body.String()
	if w.Code != http.StatusInternalServerError || strings.Contains(body, "secret-detail") ||
		!strings.Contains(body, messages.Text(messages.InternalError)) ||
		w.Header().Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Fatalf("broken page: %d, Content-Length %q, body %q", w.Code, w.Header().Get("Content-Length"), body)
	}
}

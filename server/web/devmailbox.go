package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/outbox"
)

// DevMailbox reads the messages development mode stores instead of
// sending them (outbox.Mailbox). Only main decides to provide one, and
// only in dev without SMTP: its bodies carry live codes.
type DevMailbox interface {
	List(ctx context.Context, limit int) ([]outbox.Stored, error)
}

const (
	devMailboxPath  = "/dev/mailbox"
	devMailboxLimit = 20
)

// devMailbox lists the latest stored emails and text messages, newest first. It changes
// nothing and is never cached.
func (s *Server) devMailbox(w http.ResponseWriter, r *http.Request) error {
	msgs, err := s.DevMailbox.List(r.Context(), devMailboxLimit)
	if err != nil {
		return err
	}
	entries := make([]pages.MailboxEntry, 0, len(msgs))
	for _, m := range msgs {
		if m.Kind != outbox.Email && m.Kind != outbox.SMS {
			continue
		}
		entries = append(entries, pages.MailboxEntry{Kind: string(m.Kind), To: m.To, Subject: m.Subject, Text: m.Text,
			Sent: m.CreatedAt.UTC().Format(time.DateTime + " UTC"), Links: links(m.Text)})
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, pages.DevMailbox(s.page(messages.DevMailboxTitle, ""), entries))
	return nil
}

// links returns the http and https addresses in an email's text body, one
// per whitespace-separated word, in order.
func links(text string) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") {
			out = append(out, w)
		}
	}
	return out
}

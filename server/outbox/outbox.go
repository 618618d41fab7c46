// Package outbox delivers email and SMS durably. A message is enqueued as a
// River job inside the caller's bun transaction, so it commits or rolls
// back with whatever produced it (a one-time code, a magic link). A Worker
// then hands each job to a Sender, retrying temporary failures with River's
// backoff until an attempt limit, after which the job is discarded and
// listed by Queue.Failed.
//
// Message bodies carry codes and links: nothing in this package logs them,
// errors never quote them, and Failed does not return them.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Kind says how a message travels.
type Kind string

const (
	Email Kind = "email"
	SMS   Kind = "sms"
)

// Message is one email or SMS to deliver.
type Message struct {
	Kind    Kind   `json:"kind"`
	To      string `json:"to"`                // an email address or an E.164 phone number
	Subject string `json:"subject,omitempty"` // email only
	Text    string `json:"text"`              // the plain-text body; the whole SMS
	HTML    string `json:"html,omitempty"`    // email only; optional
	// Purpose tags the message for audit and for operators ("login_code",
	// "magic_link", "password_reset"). It is not shown to the recipient.
	Purpose string `json:"purpose"`
	// Expires, when set, is the moment after which delivering the message
	// is pointless (the code in it has expired): the worker then cancels
	// the job instead of sending it late.
	Expires time.Time `json:"expires,omitzero"`
	// Decoy messages are queued, sealed and completed like any other, but
	// never sent: a request for an address with no account does the same
	// work as one for a real address, so its timing does not tell them
	// apart.
	Decoy bool `json:"decoy,omitempty"`
}

// Validation errors returned by Message.Validate (wrapped, test with errors.Is).
var (
	ErrKind      = errors.New("outbox: kind must be email or sms")
	ErrNoTo      = errors.New("outbox: no recipient")
	ErrNoBody    = errors.New("outbox: no text body")
	ErrNoPurpose = errors.New("outbox: no purpose")
	ErrHeader    = errors.New("outbox: line break in recipient or subject")
	ErrSMSFields = errors.New("outbox: an SMS has no subject or HTML body")
)

// Validate reports the first thing that makes m undeliverable by any
// sender. It does not check that the address or number exists.
func (m Message) Validate() error {
	switch {
	case m.Kind != Email && m.Kind != SMS:
		return ErrKind
	case strings.TrimSpace(m.To) == "":
		return ErrNoTo
	case strings.TrimSpace(m.Text) == "":
		return ErrNoBody
	case strings.TrimSpace(m.Purpose) == "":
		return ErrNoPurpose
	case strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n"):
		return ErrHeader
	case m.Kind == SMS && (m.Subject != "" || m.HTML != ""):
		return ErrSMSFields
	}
	return nil
}

// LogValue keeps bodies and subjects out of logs: a Message logged with
// slog shows only its kind, purpose and a masked recipient.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", string(m.Kind)),
		slog.String("purpose", m.Purpose),
		slog.String("to", Mask(m.To)),
	)
}

// Mask hides most of an address or number: "a***@example.com", "***4567".
func Mask(to string) string {
	if local, domain, ok := strings.Cut(to, "@"); ok {
		if local == "" {
			return "***@" + domain
		}
		return local[:1] + "***@" + domain
	}
	if len(to) <= 4 {
		return "***"
	}
	return "***" + to[len(to)-4:]
}

// Sender delivers one message. An error is taken as temporary (the worker
// retries later) unless it is wrapped with Permanent. Senders must not put
// the message body in their errors.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix (a rejected
// recipient, bad credentials, a malformed number): the worker cancels the
// job at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked by
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// ErrExpired is the cause recorded for a job whose Message expired before
// it could be delivered.
var ErrExpired = errors.New("outbox: message expired before delivery")

func errf(format string, args ...any) error { return fmt.Errorf("outbox: "+format, args...) }

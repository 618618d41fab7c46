// Package smtp sends outbox email through an SMTP server with go-mail, as
// a multipart/alternative message with a plain-text and an HTML part.
package smtp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/latch-dev/latch/server/outbox"
)

// TLS policies for Config.TLS.
const (
	TLSMandatory     = "mandatory"     // STARTTLS or fail (the default)
	TLSOpportunistic = "opportunistic" // STARTTLS when offered
	TLSNone          = "none"          // plain text: local relays and tests only
	TLSImplicit      = "implicit"      // TLS from the first byte (SMTPS, usually port 465)
)

// Config says where and how to send.
type Config struct {
	Host     string
	Port     int    // default 587 (465 with TLSImplicit)
	Username string // empty: no authentication
	Password string
	From     string // "Latch <no-reply@example.com>"
	TLS      string // one of the TLS* policies; default TLSMandatory
	Timeout  time.Duration
}

// Sender is an outbox.Sender over SMTP.
type Sender struct {
	cfg  Config
	opts []mail.Option
}

var _ outbox.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender. It fails on a missing host or
// sender address, an unparsable From, or an unknown TLS policy.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, errors.New("smtp: host and from are required")
	}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: from address: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	opts := []mail.Option{mail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case "", TLSMandatory:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
		if cfg.Port == 0 {
			cfg.Port = 465
		}
	default:
		return nil, fmt.Errorf("smtp: unknown TLS policy %q", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	opts = append(opts, mail.WithPort(cfg.Port))
	if cfg.Username != "" {
		// PLAIN, which go-mail only sends over TLS.
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return &Sender{cfg: cfg, opts: opts}, nil
}

// Send delivers m, an outbox.Email, over a new connection. A 5xx reply
// (unknown recipient, rejected content) and a malformed address are
// permanent (outbox.Permanent); a 4xx reply, a refused or dropped
// connection and a timeout are temporary. Errors quote the server's reply
// but never the body.
func (s *Sender) Send(ctx context.Context, m outbox.Message) error {
	if m.Kind != outbox.Email {
		return outbox.Permanent(fmt.Errorf("smtp: cannot send a %s", m.Kind))
	}
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return outbox.Permanent(fmt.Errorf("smtp: from address: %w", err))
	}
	if err := msg.To(m.To); err != nil {
		return outbox.Permanent(errors.New("smtp: malformed recipient address"))
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}

	c, err := mail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return outbox.Permanent(fmt.Errorf("smtp: client: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

// classify marks 5xx replies permanent; everything else may pass.
func classify(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return outbox.Permanent(fmt.Errorf("smtp: %w", err))
	}
	return fmt.Errorf("smtp: %w", err)
}

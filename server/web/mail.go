package web

import (
	"context"
	"time"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/server/auth"
)

// CodeMessages writes the emails that carry one-time codes from the templ
// components in components/email (auth.CodeMessages).
type CodeMessages struct {
	Brand email.Brand
}

// LoginCode is the email carrying a login code.
func (m CodeMessages) LoginCode(ctx context.Context, to, code string, ttl time.Duration) (auth.Message, error) {
	r, err := email.Render(ctx, email.LoginCode{Brand: m.Brand, Code: code, ExpiresIn: ttl})
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: "login_code"}, nil
}

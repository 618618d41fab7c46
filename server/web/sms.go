package web

import (
	"context"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
)

// SMSMessages writes the text messages that carry one-time codes
// (auth.SMSMessages). They are plain text from the message catalog, the
// code first so it shows in a phone's notification.
type SMSMessages struct {
	AppName string
}

// SMSCode is the text message carrying a code for purpose.
func (m SMSMessages) SMSCode(ctx context.Context, purpose otp.Purpose, to, code string, ttl time.Duration) (auth.Message, error) {
	m.AppName = appName(ctx, m.AppName)
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	key := messages.SMSLoginCode
	switch purpose {
	case otp.PurposeSignup:
		key = messages.SMSSignupCode
	case otp.PurposeVerifyPhone:
		key = messages.SMSVerifyCode
	case otp.PurposeRecover:
		key = messages.SMSRecoverCode
	case otp.PurposeReauth:
		key = messages.SMSReauthCode
	}
	text := l.Fill(key, "{code}", code, "{app}", m.AppName, "{minutes}", i18n.Number(l, int(ttl.Minutes())))
	return auth.Message{SMS: true, To: to, Text: text, Purpose: string(purpose) + "_sms_code"}, nil
}

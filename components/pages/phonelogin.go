package pages

import (
	"context"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// The code login screen's words when mobile numbers are accepted too.
func codeLabel(c CodeLogin) messages.Key {
	switch {
	case c.Phone && c.NoEmail:
		return messages.LabelPhone
	case c.Phone:
		return messages.LabelEmailOrPhone
	}
	return messages.LabelEmail
}

func codeIntro(c CodeLogin) messages.Key {
	if c.Phone {
		return messages.CodeLoginIntroPhone
	}
	return messages.CodeLoginIntro
}

func codeRequest(c CodeLogin) messages.Key {
	if c.Phone {
		return messages.CodeLoginRequestPhone
	}
	return messages.CodeLoginRequest
}

// codeInputType is "email" unless numbers are accepted: a browser refuses
// to submit a number in an email input.
func codeInputType(c CodeLogin) string {
	if c.Phone {
		return "text"
	}
	return "email"
}

func codeHint(ctx context.Context, c CodeLogin) string {
	if c.SMS {
		return i18n.F(ctx, messages.HintSMSCode, "{phone}", c.Email)
	}
	return i18n.F(ctx, messages.HintCode, "{email}", c.Email)
}

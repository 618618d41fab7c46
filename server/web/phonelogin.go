package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/phone"
)

// PhoneFlows sends and checks codes by SMS (auth.Phones). The Request
// methods return the number in E.164, also with a send-limit error.
type PhoneFlows interface {
	RequestLogin(ctx context.Context, appID uuid.UUID, input string) (string, error)
	VerifyLogin(ctx context.Context, appID uuid.UUID, number, code string) (auth.User, error)
	RequestSignup(ctx context.Context, appID uuid.UUID, input string) (string, error)
	VerifySignup(ctx context.Context, appID uuid.UUID, number, code string) (auth.User, bool, error)
	RequestAdd(ctx context.Context, appID, userID uuid.UUID, input string) (string, error)
	VerifyAdd(ctx context.Context, appID, userID uuid.UUID, number, code string) (bool, error)
	Cooldown() time.Duration
}

// usePhone reports whether the code login's one field holds a phone
// number: anything without an @ that starts like a number, when SMS
// codes are on; everything, when email codes are off. Everything else
// takes the email path, unchanged.
func (s *Server) usePhone(identifier string) bool {
	return s.Phones != nil && (s.Codes == nil || phone.Looks(identifier))
}

// codeLoginForm fills in which identifiers the code login accepts.
func (s *Server) codeLoginForm(f pages.CodeLogin) pages.CodeLogin {
	f.Phone, f.NoEmail = s.Phones != nil, s.Codes == nil
	return f
}

// phoneLoginPost sends a login code by SMS and moves to the code step,
// which carries the number in E.164. Like the email path, the step reads
// the same whether or not an account holds the number.
func (s *Server) phoneLoginPost(w http.ResponseWriter, r *http.Request, input, next string) error {
	number, err := s.Phones.RequestLogin(r.Context(), s.appID(r.Context()), input)
	f := pages.CodeLogin{Email: number, Next: next, Sent: true, SMS: true, Notice: messages.PhoneCodeSent, Interactive: isDatastar(r),
		ResendIn: resendIn(err, s.Phones.Cooldown())}
	status := http.StatusOK
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		f.Notice, f.Message, status = "", ae.Code, http.StatusTooManyRequests
	case errors.As(err, &ae) && ae.Fields[auth.FieldPhone] != "":
		f = pages.CodeLogin{Email: input, Next: next, EmailError: ae.Fields[auth.FieldPhone], Interactive: isDatastar(r)}
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	return s.codeLoginStep(w, r, status, f)
}

// phoneLoginVerify spends a login code sent by SMS and signs the browser
// in, sending it to next (checked; the account page without one); a
// refused code returns to the code step with its message.
func (s *Server) phoneLoginVerify(w http.ResponseWriter, r *http.Request, number, code, next string) error {
	u, err := s.Phones.VerifyLogin(r.Context(), s.appID(r.Context()), number, code)
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.CodeLogin{Email: number, Next: next, Sent: true, SMS: true, Message: ae.Code, Interactive: isDatastar(r)}
		return s.codeLoginStep(w, r, http.StatusUnauthorized, f)
	}
	if err != nil {
		return err
	}
	return s.signIn(w, r, u, false, next, bySMSCode)
}

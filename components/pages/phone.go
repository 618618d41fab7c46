package pages

import (
	"context"
	"strings"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths, ids and field names of the phone screens.
const (
	PhoneSignupPath       = "/signup/phone"
	PhoneSignupVerifyPath = "/signup/phone/verify"
	PhoneAddPath          = "/account/phone"
	PhoneAddVerifyPath    = "/account/phone/verify"
	PhoneSignupPanelID    = "phone-signup-panel"
	PhoneAddPanelID       = "phone-add-panel"
	PhoneFieldName        = "phone"
)

// PhoneCode is the state of a two-step phone screen (signup by phone, or
// adding a number): the first step asks for a number; once a code is sent
// (Sent), the second asks for the code, carrying the number, in E.164, in
// a hidden field.
type PhoneCode struct {
	Number      string       // as typed on the first step; E.164 on the second
	Sent        bool         // the code step
	NumberError messages.Key // a problem with the number, on the first step
	Message     messages.Key // a form-level error (a wrong code, a send limit, a number taken)
	Notice      messages.Key // a form-level, non-error notice
	Regions     Regions      // where numbers may be from, for the hint
	Interactive bool         // answering a Datastar request: focus moves by script
	ResendIn    int          // seconds until another code may be asked for, on the code step
}

// Regions is the phone configuration shown in the number's hint.
type Regions struct {
	Default string   // region of numbers typed without a country code
	Allowed []string // ISO 3166-1 alpha-2 codes
}

// Hint is the number field's hint.
func (r Regions) Hint(ctx context.Context) string {
	return i18n.F(ctx, messages.HintPhone, "{region}", r.Default, "{regions}", strings.Join(r.Allowed, ", "))
}

// Summary lists the messages for the error summary.
func (c PhoneCode) Summary(ctx context.Context) []string {
	var out []string
	for _, k := range []messages.Key{c.Message, c.NumberError} {
		if k != "" {
			out = append(out, i18n.T(ctx, k))
		}
	}
	return out
}

// phoneScreen is what differs between the phone screens.
type phoneScreen struct {
	PanelID    string
	TestID     string // prefix of data-testid values
	Intro      messages.Key
	RequestKey messages.Key
	SubmitKey  messages.Key
	RestartKey messages.Key
	Path       string
	VerifyPath string
}

var (
	phoneSignupScreen = phoneScreen{PanelID: PhoneSignupPanelID, TestID: "phone-signup", Intro: messages.PhoneSignupIntro,
		RequestKey: messages.PhoneSignupRequest, SubmitKey: messages.PhoneSignupSubmit, RestartKey: messages.PhoneSignupRestart,
		Path: PhoneSignupPath, VerifyPath: PhoneSignupVerifyPath}
	phoneAddScreen = phoneScreen{PanelID: PhoneAddPanelID, TestID: "phone-add", Intro: messages.PhoneAddIntro,
		RequestKey: messages.PhoneAddRequest, SubmitKey: messages.PhoneAddSubmit, RestartKey: messages.PhoneAddRestart,
		Path: PhoneAddPath, VerifyPath: PhoneAddVerifyPath}
)

// phoneInputAttrs focuses the number input after a patch that refused it.
func phoneInputAttrs(s phoneScreen, c PhoneCode) templ.Attributes {
	attrs := templ.Attributes{"data-testid": s.TestID + "-number", "spellcheck": "false"}
	if c.Interactive && c.NumberError != "" {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// phoneCodeAttrs focuses the code input once a Datastar patch lands.
func phoneCodeAttrs(s phoneScreen, c PhoneCode) templ.Attributes {
	attrs := templ.Attributes{"data-testid": s.TestID + "-code", "autocapitalize": "off", "spellcheck": "false"}
	if c.Interactive {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// phoneMaxLength is the number input's maxlength: the most the server
// parses (server/phone.MaxInputBytes).
const phoneMaxLength = 64

//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"

	"github.com/latch-dev/latch/client/messages"
)

// phaseAttr records a field's phase on the input itself, so when the server
// re-renders a field (a Datastar patch after a submit) its phase starts over
// with the server's message in place.
const phaseAttr = "data-latch-phase"

// newPasswordSelector matches the inputs checked as passwords being chosen:
// the templates mark them with data-password-target (the meter's target
// length) and autocomplete="new-password".
const newPasswordSelector = `input[type="password"][data-password-target], input[type="password"][autocomplete="new-password"]`

// validator checks the fields of one document. For an input with id ID it
// writes messages into the element ID-error (components/ui.Field renders it,
// empty, for every field) and sets aria-invalid on the input; for a new
// password it also drives the length meter ID-strength
// (components/ui.PasswordStrength): ID-strength-meter and ID-strength-text.
type validator struct {
	doc       js.Value
	lang      messages.Lang // the page's language, from <html lang>
	normalize js.Value      // String.prototype.normalize
}

// liveValidation starts checking email and password fields as they are
// typed and left. It listens on the document rather than on each input, so
// forms that Datastar patches in later are checked too. It never blocks a
// submit: the server decides, and may accept what the module would not (or
// refuse a password as too common, which only the server knows).
func liveValidation(doc js.Value) {
	v := &validator{doc: doc, lang: pageLang(doc), normalize: js.Global().Get("String").Get("prototype").Get("normalize")}
	doc.Call("addEventListener", "input", js.FuncOf(v.onInput))
	doc.Call("addEventListener", "focusout", js.FuncOf(v.onLeave))
	doc.Call("addEventListener", "focusin", js.FuncOf(v.onEnter))
	// The browser may have filled in a password before the module ran; and
	// when Datastar patches a form after a submit, the new meter starts at
	// zero while the browser keeps what was typed. Bring them into step now
	// and after every change to the page's elements.
	v.meters()
	observer := js.Global().Get("MutationObserver").New(js.FuncOf(func(js.Value, []js.Value) any {
		v.meters()
		return nil
	}))
	observer.Call("observe", doc.Get("body"), map[string]any{"childList": true, "subtree": true})
}

// pageLang is the language of the page, from <html lang> ("fr", "fr-CA"):
// its primary subtag, in lower case. A language the catalog lacks reads
// English through BrowserText.
func pageLang(doc js.Value) messages.Lang {
	tag := stringOrEmpty(doc.Get("documentElement").Call("getAttribute", "lang"))
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		tag = tag[:i]
	}
	return messages.Lang(strings.ToLower(tag))
}

// meters moves every length meter on the page to its password.
func (v *validator) meters() {
	list := v.doc.Call("querySelectorAll", newPasswordSelector)
	for i := 0; i < list.Length(); i++ {
		v.meter(list.Index(i))
	}
}

// onInput runs on every edit: the field is now being typed into.
func (v *validator) onInput(_ js.Value, args []js.Value) any {
	in := args[0].Get("target")
	kind := kindOf(in)
	if kind == kindNone {
		return nil
	}
	if phaseOf(in) == untouched {
		in.Call("setAttribute", phaseAttr, "typing")
	}
	v.update(in, kind)
	switch kind {
	case kindNewPassword:
		v.meter(in)
	case kindEmail:
		v.recheckPasswords(in)
	}
	return nil
}

// onLeave runs when focus leaves a field. A field that was only passed
// through (never edited) gets no message: tabbing is not a mistake.
func (v *validator) onLeave(_ js.Value, args []js.Value) any {
	in := args[0].Get("target")
	kind := kindOf(in)
	if kind == kindNone || phaseOf(in) == untouched {
		return nil
	}
	in.Call("setAttribute", phaseAttr, "left")
	v.update(in, kind)
	switch kind {
	case kindNewPassword:
		v.meter(in) // a message under the field silences the verdict
	case kindEmail:
		v.recheckPasswords(in)
	}
	return nil
}

// onEnter makes the field's empty error line a polite live region before
// anything is typed, so a message that appears later is announced by
// screen readers. A line that holds the server's message is left plain:
// the form's error summary (role="alert") announces that message, and each
// message is announced by one live region only. show hands it over when
// the module first writes there.
func (v *validator) onEnter(_ js.Value, args []js.Value) any {
	in := args[0].Get("target")
	if kindOf(in) == kindNone {
		return nil
	}
	if el := v.byID(in.Get("id").String() + "-error"); el.Truthy() && el.Get("textContent").String() == "" {
		v.makeLive(el)
	}
	return nil
}

// makeLive makes a field's error line a polite live region, once.
func (v *validator) makeLive(line js.Value) {
	if !line.Call("hasAttribute", "aria-live").Bool() {
		line.Call("setAttribute", "aria-live", "polite")
	}
}

// handOver moves the announcing of a field's messages from the error
// summary to the field's error line, which the module is about to change:
// a summary (role="alert") that holds the line's old or new words stops
// being a live region (it stays on the page as a list, and the server's
// next answer renders it live again), so no message sits in two live
// regions at once.
func (v *validator) handOver(line js.Value, old, text string) {
	v.makeLive(line)
	list := v.doc.Call("querySelectorAll", `.error-summary[role="alert"]`)
	for i := 0; i < list.Length(); i++ {
		s := list.Index(i)
		words := s.Get("textContent").String()
		if (old != "" && strings.Contains(words, old)) || (text != "" && strings.Contains(words, text)) {
			s.Call("removeAttribute", "role")
		}
	}
}

// update checks an edited field and shows what its phase allows. An
// untouched field is left alone, so a message the server rendered stays
// until the person edits that field.
func (v *validator) update(in js.Value, kind fieldKind) {
	p := phaseOf(in)
	if p == untouched {
		return
	}
	problem := check(kind, in.Get("value").String(), v.emailOf(in), v.nfkc)
	v.show(in, visible(problem, p))
}

// recheckPasswords re-checks the edited new-password fields of email's
// form: whether a password contains the address depends on both.
func (v *validator) recheckPasswords(email js.Value) {
	form := email.Get("form")
	if !form.Truthy() {
		return
	}
	list := form.Call("querySelectorAll", newPasswordSelector)
	for i := 0; i < list.Length(); i++ {
		v.update(list.Index(i), kindNewPassword)
	}
}

// show writes the catalog text for problem ("" clears it) into the field's
// error line and mirrors it in aria-invalid. The DOM is touched only when
// something changes, so a live region is not re-announced on each key.
func (v *validator) show(in js.Value, problem messages.Key) {
	text := ""
	if problem != "" {
		text = v.lang.BrowserText(problem)
	}
	if el := v.byID(in.Get("id").String() + "-error"); el.Truthy() {
		if old := el.Get("textContent").String(); old != text {
			v.handOver(el, old, text)
			el.Set("textContent", text)
		}
	}
	switch invalid := in.Call("hasAttribute", "aria-invalid").Bool(); {
	case problem != "" && !invalid:
		in.Call("setAttribute", "aria-invalid", "true")
	case problem == "" && invalid:
		in.Call("removeAttribute", "aria-invalid")
	}
}

// meter moves the length meter of a new-password field, if it has one.
func (v *validator) meter(in js.Value) {
	id := in.Get("id").String() + "-strength"
	if !v.byID(id).Truthy() {
		return
	}
	target := atoi(in.Call("getAttribute", "data-password-target").String())
	runes, limit, verdict := strength(v.nfkc(in.Get("value").String()), target)
	if m := v.byID(id + "-meter"); m.Truthy() && (m.Get("value").Int() != runes || m.Get("max").Int() != limit) {
		m.Set("max", limit)
		m.Set("value", runes)
	}
	text := ""
	if verdict != "" {
		text = v.lang.BrowserText(verdict)
	}
	// While the field's error line says what is wrong, the verdict (a live
	// region too) stays silent: one message, one announcement.
	if line := v.byID(in.Get("id").String() + "-error"); line.Truthy() && line.Get("textContent").String() != "" {
		text = ""
	}
	if el := v.byID(id + "-text"); el.Truthy() && el.Get("textContent").String() != text {
		el.Set("textContent", text)
	}
}

// emailOf is the raw value of the email field in in's form, or "".
func (v *validator) emailOf(in js.Value) string {
	form := in.Get("form")
	if !form.Truthy() {
		return ""
	}
	el := form.Call("querySelector", `input[type="email"]`)
	if !el.Truthy() {
		return ""
	}
	return el.Get("value").String()
}

// nfkc normalises s as the server does, with the browser's own
// String.prototype.normalize (Go's tables would double the module's size).
func (v *validator) nfkc(s string) string {
	if s == "" {
		return s
	}
	return v.normalize.Call("call", s, "NFKC").String()
}

func (v *validator) byID(id string) js.Value {
	return v.doc.Call("getElementById", id)
}

// kindOf says which rules apply to the event target el.
func kindOf(el js.Value) fieldKind {
	if !el.Truthy() || el.Get("tagName").String() != "INPUT" {
		return kindNone
	}
	switch el.Get("type").String() {
	case "email":
		return kindEmail
	case "password":
		if el.Call("hasAttribute", "data-password-target").Bool() || el.Get("autocomplete").String() == "new-password" {
			return kindNewPassword
		}
		return kindPassword
	}
	return kindNone
}

// phaseOf reads the phase recorded on an input.
func phaseOf(in js.Value) phase {
	switch a := in.Call("getAttribute", phaseAttr); {
	case a.IsNull():
		return untouched
	case a.String() == "left":
		return left
	}
	return typing
}

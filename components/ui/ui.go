// Package ui holds Latch's small set of form and feedback components: Button,
// Field, Checkbox, Alert, Card, Form and ErrorSummary.
//
// Every component takes a Props (directly or embedded). Props.Class is
// appended to the component's own classes, and Props.Attributes are rendered
// on its outermost element (for Field, InputAttributes go on the input), so a
// page can add data-testid, data-* Datastar attributes or ARIA without
// forking the component. Put classes in Class, not in Attributes: a "class"
// key in Attributes would render a second class attribute.
//
// The components carry no colours or sizes of their own; their look comes
// from static/css/app.css, which reads the semantic variables in
// static/css/theme.css (see package theme).
package ui

import (
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// Props are the options every component accepts.
type Props struct {
	// ID is rendered as the element's id when set.
	ID string
	// Class is appended to the component's own classes.
	Class string
	// Attributes are rendered on the component's outermost element.
	Attributes templ.Attributes
}

// Button variants.
const (
	ButtonPrimary   = "primary"
	ButtonSecondary = "secondary"
	ButtonDanger    = "danger"
	ButtonLink      = "link"
)

// ButtonProps configure Button.
type ButtonProps struct {
	Props
	// Variant is "primary" (the default), "secondary", "danger" or "link".
	// An unknown variant renders as primary.
	Variant string
	// Type is the button's type: "submit" (the default), "button" or "reset".
	Type string
	// Name and Value are sent with the form when this button submits it.
	Name, Value string
	Disabled    bool
}

// FieldProps configure Field, a labelled input with an optional hint and an
// error line.
type FieldProps struct {
	// Props.ID is the input's id and is required: the label, hint and error
	// ids derive from it ("ID-hint", "ID-error"). When it is empty, Name is
	// used instead. Props.Class and Props.Attributes apply to the wrapper.
	Props
	Label string
	Name  string
	// Type is the input type; "text" when empty. A "password" input never
	// renders Value: passwords are not echoed back to the browser.
	Type         string
	Value        string
	Autocomplete string
	// Hint is help text shown under the label, linked with aria-describedby.
	Hint string
	// Error is the message shown in the error line; it also sets
	// aria-invalid="true" on the input.
	Error     string
	InputMode string
	Required  bool
	Autofocus bool
	// MaxLength and MinLength are rendered only when greater than zero.
	MaxLength, MinLength int
	// InputAttributes are rendered on the input itself.
	InputAttributes templ.Attributes
}

// Alert variants.
const (
	AlertInfo    = "info"
	AlertSuccess = "success"
	AlertDanger  = "danger"
)

// AlertProps configure Alert.
type AlertProps struct {
	Props
	// Variant is "info" (the default), "success" or "danger". Danger is
	// announced at once (role="alert"); the others politely (role="status").
	Variant string
}

// FormProps configure Form.
type FormProps struct {
	Props
	// Action is the path the form posts to. It must be a constant path chosen
	// by the server, never text that came from a request.
	Action string
	// Datastar makes the form submit with Datastar (no page reload) when the
	// Datastar script is loaded. Without JavaScript it still posts normally.
	Datastar bool
}

// classNames joins the non-empty class names with single spaces.
func classNames(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}

func buttonClass(p ButtonProps) string {
	variant := ButtonPrimary
	switch p.Variant {
	case ButtonSecondary, ButtonDanger, ButtonLink:
		variant = p.Variant
	}
	return classNames("btn", "btn-"+variant, p.Class)
}

func buttonType(t string) string {
	switch t {
	case "button", "reset":
		return t
	}
	return "submit"
}

func alertVariant(v string) string {
	switch v {
	case AlertSuccess, AlertDanger:
		return v
	}
	return AlertInfo
}

func alertRole(v string) string {
	if alertVariant(v) == AlertDanger {
		return "alert"
	}
	return "status"
}

func fieldID(p FieldProps) string {
	if p.ID != "" {
		return p.ID
	}
	return p.Name
}

func fieldType(p FieldProps) string {
	if p.Type == "" {
		return "text"
	}
	return p.Type
}

func isPassword(p FieldProps) bool { return strings.EqualFold(fieldType(p), "password") }

func isCode(p FieldProps) bool { return p.Autocomplete == "one-time-code" }

// fieldInputMode is p.InputMode, numeric for a one-time code by default.
func fieldInputMode(p FieldProps) string {
	if p.InputMode == "" && isCode(p) {
		return "numeric"
	}
	return p.InputMode
}

// fieldValue is the value to render, or "" for none. Password inputs never
// carry a value.
func fieldValue(p FieldProps) string {
	if strings.EqualFold(fieldType(p), "password") {
		return ""
	}
	return p.Value
}

// fieldDescribedBy lists the hint (when there is one) and the error line,
// which is always present so a script can fill it.
func fieldDescribedBy(p FieldProps) string {
	id := fieldID(p)
	if p.Hint != "" {
		return id + "-hint " + id + "-error"
	}
	return id + "-error"
}

func itoa(n int) string { return strconv.Itoa(n) }

// datastarPost is the Datastar expression that posts the form to action as
// form data. The action is quoted with ExprString, so it can never end the
// string and run as code, even holding "@get(" or "$x".
func datastarPost(action string) string {
	return "@post(" + ExprString(action) + ", {contentType: 'form'})"
}

package pages

import (
	"encoding/json"

	"github.com/a-h/templ"
)

// focusAttrs returns the input attributes for field: when answering a
// Datastar request, the first field with a problem takes focus once the
// patch lands (autofocus only acts on page load). Extra attribute sets are
// merged in.
func focusAttrs(f Credentials, field string, extra ...templ.Attributes) templ.Attributes {
	attrs := templ.Attributes{}
	for _, e := range extra {
		for k, v := range e {
			attrs[k] = v
		}
	}
	if f.Interactive && f.HasErrors() && f.FocusField() == field {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// navigateExpr is the Datastar expression that loads url. The URL reaches
// the expression JSON-encoded, never spliced in as raw text.
func navigateExpr(url string) string {
	b, err := json.Marshal(url)
	if err != nil { // a string always marshals; keep the page safe regardless
		b = []byte(`"/"`)
	}
	return "window.location.assign(" + string(b) + ")"
}

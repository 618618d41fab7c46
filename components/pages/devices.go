package pages

import "github.com/a-h/templ"

// devicesAlertAttrs returns the attributes of a devices-page alert: its
// test id, and when answering a Datastar request, focus (the button that
// was pressed may be gone with its row).
func devicesAlertAttrs(v DevicesView, id string) templ.Attributes {
	attrs := templ.Attributes{"data-testid": id, "tabindex": "-1"}
	if v.Interactive {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/latch-dev/latch/client/messages"
)

// apiMePath is the API endpoint that names the token's user.
const apiMePath = "/api/v1/me"

// apiCheck runs the account page's API check (components/pages.Account,
// element api-check): a panel, hidden until the module can call the API,
// that calls GET /api/v1/me through the token manager and shows the account
// id the API answered for, compared with the page's own (data-user-id).
// Its button runs the check again. Every word comes from client/messages.
func apiCheck(doc js.Value, m *tokenManager) {
	panel := doc.Call("getElementById", "api-check")
	status := doc.Call("getElementById", "api-check-status")
	userID := doc.Call("getElementById", "api-check-user-id")
	again := doc.Call("getElementById", "api-check-again")
	if !panel.Truthy() || !status.Truthy() || !userID.Truthy() || !again.Truthy() {
		return
	}
	want := stringOrEmpty(panel.Call("getAttribute", "data-user-id"))
	lang := pageLang(doc)
	running := false
	check := func() {
		again.Set("disabled", true)
		status.Set("textContent", lang.BrowserText(messages.APICheckRunning))
		id, result := m.whoAmI()
		if result == messages.APICheckOK && id != want {
			result = messages.APICheckOtherAccount
		}
		userID.Set("textContent", id)
		status.Set("textContent", lang.BrowserText(result))
		again.Set("disabled", false)
		running = false
	}
	again.Call("addEventListener", "click", js.FuncOf(func(js.Value, []js.Value) any {
		if !running {
			running = true
			go check()
		}
		return nil
	}))
	panel.Call("removeAttribute", "hidden")
	running = true
	go check()
}

// whoAmI calls GET /api/v1/me and returns the user id it answered with and
// messages.APICheckOK, or "" and the message that says what went wrong.
func (m *tokenManager) whoAmI() (string, messages.Key) {
	resp, failure := m.call(js.ValueOf(apiMePath), js.Undefined())
	switch {
	case !failure.IsUndefined():
		if failure.Type() == js.TypeObject && stringField(failure, "code") == "login_required" {
			return "", messages.APICheckSignedOut
		}
		return "", messages.APICheckFailed
	case resp.Get("status").Int() == 401:
		return "", messages.APICheckSignedOut
	case !resp.Get("ok").Bool():
		return "", messages.APICheckFailed
	}
	body, ok := await(resp.Call("json"))
	if !ok || body.Type() != js.TypeObject {
		return "", messages.APICheckFailed
	}
	id := stringField(body, "id")
	if id == "" {
		return "", messages.APICheckFailed
	}
	return id, messages.APICheckOK
}

// stringOrEmpty is v as a string, or "" when it is not one (null).
func stringOrEmpty(v js.Value) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

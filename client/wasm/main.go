//go:build js && wasm

// Command wasm is Latch's browser module, built with GOOS=js GOARCH=wasm
// into static/wasm/latch.wasm and loaded by static/js/latch.js once the page
// has painted. It only improves pages that already work without it: live
// validation checks the signup and login fields as they are typed, with the
// same rules (client/validate) and the same words (client/messages) as the
// server, which still checks every submit. On signed-in pages a token
// manager keeps an access token for the page's session in memory and lets
// page scripts call Latch's API through window.latch.fetch (tokens.go).
//
// Each feature lives in its own file and is started from main; when one is
// running, main marks <html data-wasm-ready> and records the performance mark
// "latch:wasm-ready". The module keeps to syscall/js, strings, unicode/utf8
// and client/: fmt, regexp, encoding/json and server code would swell the
// download or leak server logic (module_test.go checks the import graph).
package main

import "syscall/js"

func main() {
	doc := js.Global().Get("document")
	liveValidation(doc)
	apiTokens(doc)
	proofOfWork(doc)
	markReady(doc)
	select {} // serve event callbacks for the life of the page
}

// markReady tells the page, and tests, that the module has taken over.
func markReady(doc js.Value) {
	doc.Get("documentElement").Call("setAttribute", "data-wasm-ready", "")
	if perf := js.Global().Get("performance"); perf.Truthy() && perf.Get("mark").Truthy() {
		perf.Call("mark", "latch:wasm-ready")
	}
}

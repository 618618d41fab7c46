package layout

// Wasm names the files that load Latch's browser module (client/wasm). Base
// renders Loader as a module script carrying the other two URLs in
// data-latch-runtime and data-latch-module, where static/js/latch.js reads
// them; it writes no inline script. All three are content-hashed URLs. The
// module only improves pages: they work the same before it loads, and
// without it.
//
// Tokens, set on signed-in pages only, is the path of the session's token
// endpoint (POST /auth/token), rendered as data-latch-tokens: the module's
// token manager starts only where it is present, so signup and login pages
// never ask for a token.
type Wasm struct {
	Loader  string // static/js/latch.js
	Runtime string // Go's wasm_exec.js
	Module  string // static/wasm/latch.wasm
	Tokens  string // "/auth/token" on signed-in pages, else ""
}

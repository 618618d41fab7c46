package layout

import "testing"

func TestBaseLoadsWasmModuleFromItsOwnTag(t *testing.T) {
	p := page
	p.Wasm = Wasm{
		Loader:  "/static/js/latch.1a2b.js",
		Runtime: "/static/vendor/wasm_exec.3c4d.js",
		Module:  "/static/wasm/latch.5e6f.wasm",
	}
	_, doc := render(t, AuthCard(p, "Heading"), "<p>x</p>")
	loader := find(doc, withAttr("src", p.Wasm.Loader))
	if loader == nil || loader.Data != "script" {
		t.Fatal("no script for the module loader")
	}
	for key, want := range map[string]string{
		"type":               "module",
		"data-latch-runtime": p.Wasm.Runtime,
		"data-latch-module":  p.Wasm.Module,
	} {
		if v, ok := attr(loader, key); !ok || v != want {
			t.Errorf("loader %s=%q, want %q", key, v, want)
		}
	}
	if textOf(loader) != "" {
		t.Errorf("loader script has inline content %q", textOf(loader))
	}
	if loader.Parent == nil || loader.Parent.Data != "head" {
		t.Error("loader script is not in <head>")
	}
}

func TestBaseWithoutWasmLoadsNoModule(t *testing.T) {
	_, doc := render(t, AuthCard(page, "Heading"), "<p>x</p>")
	for _, s := range findAll(doc, tag("script")) {
		if _, ok := attr(s, "data-latch-module"); ok {
			t.Error("a page without Wasm renders the module loader")
		}
	}
}

// TestBaseNamesTheTokenEndpointOnlyWhenSet: the module's token manager
// starts only on pages that name the endpoint (signed-in pages).
func TestBaseNamesTheTokenEndpointOnlyWhenSet(t *testing.T) {
	for _, tokens := range []string{"", "/auth/token"} {
		p := page
		p.Wasm = Wasm{Loader: "/static/js/latch.1a2b.js", Runtime: "/static/vendor/wasm_exec.3c4d.js", Module: "/static/wasm/latch.5e6f.wasm", Tokens: tokens}
		_, doc := render(t, AppShell(p, "Heading"), "<p>x</p>")
		loader := find(doc, withAttr("src", p.Wasm.Loader))
		if loader == nil {
			t.Fatal("no script for the module loader")
		}
		v, ok := attr(loader, "data-latch-tokens")
		if ok != (tokens != "") || v != tokens {
			t.Errorf("Tokens %q: data-latch-tokens=%q (present %v)", tokens, v, ok)
		}
	}
}

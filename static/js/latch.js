// Latch's browser module loader.
//
// Every page works without it: the module only adds instant checks to the
// forms, and the server checks every submit anyway. So it waits until the
// page has loaded and been painted and the browser is idle, then loads Go's
// wasm_exec.js and the WebAssembly module whose hashed URLs the server wrote
// on this script's own tag (data-latch-runtime, data-latch-module). The
// module marks <html> with data-wasm-ready when it runs; if anything fails,
// this loader marks it with data-wasm-failed and the page carries on as
// before.
//
// On signed-in pages the tag also carries data-latch-tokens (the session's
// token endpoint); there the module defines window.latch.fetch, a fetch that
// adds an in-memory access token for Latch's API, marks <html> with
// data-latch-api and fires latch:ready on document (client/wasm/tokens.go).
// Page scripts that use it wait for either, and do without it when the
// module never arrives.
//
// No inline script is needed, so the Content-Security-Policy stays strict;
// compiling WebAssembly needs script-src 'unsafe-eval' (or
// 'wasm-unsafe-eval'), which Latch's policy has for Datastar.

const tag = document.querySelector("script[data-latch-module]");

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error("could not load " + src));
    document.head.append(s);
  });
}

function fail(err) {
  document.documentElement.setAttribute("data-wasm-failed", "");
  console.warn("Latch: the browser module did not start; forms are checked when sent.", err);
}

async function start() {
  try {
    if (typeof globalThis.Go !== "function") {
      await loadScript(tag.dataset.latchRuntime);
    }
    const go = new globalThis.Go();
    const { instance } = await WebAssembly.instantiateStreaming(
      fetch(tag.dataset.latchModule, { credentials: "same-origin" }),
      go.importObject,
    );
    go.run(instance).catch(fail); // settles only if the module exits or fails
  } catch (err) {
    fail(err);
  }
}

// afterPaint starts the module once the loaded page has been painted (the
// frame after the next animation frame) and the browser is idle. A hidden
// tab gets no animation frames, so it loads the module when it is shown.
function afterPaint() {
  requestAnimationFrame(() => {
    if (typeof requestIdleCallback === "function") {
      requestIdleCallback(start, { timeout: 2000 });
    } else {
      setTimeout(start, 0);
    }
  });
}

if (tag && typeof WebAssembly === "object" && typeof WebAssembly.instantiateStreaming === "function") {
  if (document.readyState === "complete") {
    afterPaint();
  } else {
    addEventListener("load", afterPaint, { once: true });
  }
}

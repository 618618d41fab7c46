// Passkeys (WebAuthn) for Latch: registration on the account's passkeys
// page, sign-in from the login page (a button, and the browser's autofill
// under the login field: conditional mediation), a passkey as the second
// sign-in step, and confirming it is you before a sensitive change
// (re-authentication). Served from static/ under the strict CSP; no inline
// script, no dependency on the WebAssembly module. Every message it shows
// is written by the server into data-msg-* attributes of the control.
//
// Each control ([data-passkey]) names its ceremony, the path that begins it
// (options, kept server-side as a one-time challenge in the session) and
// the path its answer is posted to as JSON, same-origin. The answer is
// {"redirect": path} on success, or {"error", "message"} with a 4xx.

const b64urlToBuffer = (s) => {
  const pad = "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
};

const bufferToB64url = (buf) => {
  const bytes = new Uint8Array(buf);
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

// creationOptions turns the server's options into what create() takes.
const creationOptions = (o) => {
  const pk = { ...o.publicKey };
  pk.challenge = b64urlToBuffer(pk.challenge);
  pk.user = { ...pk.user, id: b64urlToBuffer(pk.user.id) };
  pk.excludeCredentials = (pk.excludeCredentials || []).map((c) => ({ ...c, id: b64urlToBuffer(c.id) }));
  return { publicKey: pk };
};

// requestOptions turns the server's options into what get() takes.
const requestOptions = (o) => {
  const pk = { ...o.publicKey };
  pk.challenge = b64urlToBuffer(pk.challenge);
  if (pk.allowCredentials) {
    pk.allowCredentials = pk.allowCredentials.map((c) => ({ ...c, id: b64urlToBuffer(c.id) }));
  }
  return { publicKey: pk };
};

// credentialJSON is a PublicKeyCredential as the server reads it.
const credentialJSON = (cred) => {
  const r = cred.response;
  const out = {
    id: cred.id,
    rawId: bufferToB64url(cred.rawId),
    type: cred.type,
    clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    response: { clientDataJSON: bufferToB64url(r.clientDataJSON) },
  };
  if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
  if (r.attestationObject) {
    out.response.attestationObject = bufferToB64url(r.attestationObject);
    if (r.getTransports) out.response.transports = r.getTransports();
  } else {
    out.response.authenticatorData = bufferToB64url(r.authenticatorData);
    out.response.signature = bufferToB64url(r.signature);
    if (r.userHandle) out.response.userHandle = bufferToB64url(r.userHandle);
  }
  return out;
};

// post sends body as JSON to path on this origin and returns the parsed
// answer with its status.
const post = async (path, body) => {
  const resp = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await resp.json();
  } catch {
    data = {};
  }
  return { ok: resp.ok, data };
};

// localPath reports whether the server's redirect is a path on this site.
const localPath = (p) => typeof p === "string" && p.startsWith("/") && !p.startsWith("//") && !p.startsWith("/\\");

const supported = () =>
  typeof window.PublicKeyCredential === "function" && navigator.credentials && typeof navigator.credentials.get === "function";

const setup = (el) => {
  const ceremony = el.dataset.passkey;
  const start = el.querySelector("[data-passkey-start]");
  const status = el.querySelector("[data-passkey-status]");
  const error = el.querySelector("[data-passkey-error]");
  el.hidden = false;
  const show = (msg) => {
    error.textContent = msg || "";
  };
  if (!supported()) {
    start.hidden = true;
    show(el.dataset.msgUnsupported);
    return;
  }
  let busy = false;
  let conditional = null; // the autofill request's AbortController

  const finish = async (cred, extra) => {
    const answer = await post(el.dataset.passkeyFinish, { ...extra, credential: credentialJSON(cred) });
    if (answer.ok && localPath(answer.data.redirect)) {
      window.location.assign(answer.data.redirect);
      return;
    }
    show(answer.data.message || el.dataset.msgFailed);
  };

  const options = async () => {
    const answer = await post(el.dataset.passkeyOptions, {});
    if (answer.ok && answer.data.publicKey) return answer.data;
    if (answer.ok && localPath(answer.data.redirect)) {
      window.location.assign(answer.data.redirect); // a fresh proof is needed first
      return null;
    }
    show(answer.data.message || el.dataset.msgFailed);
    return null;
  };

  const extra = () => {
    const out = {};
    if (el.dataset.passkeyName) {
      const input = document.getElementById(el.dataset.passkeyName);
      out.name = input ? input.value : "";
    }
    if (el.dataset.passkeyNext) out.next = el.dataset.passkeyNext;
    if (el.dataset.passkeyForm) {
      const form = document.getElementById(el.dataset.passkeyForm);
      const remember = form && form.querySelector('input[name="remember"]');
      out.remember = !!(remember && remember.checked);
    }
    return out;
  };

  const failed = (err) => {
    if (err && (err.name === "NotAllowedError" || err.name === "AbortError")) {
      show(el.dataset.msgCancelled);
    } else if (err && err.name === "InvalidStateError" && ceremony === "register") {
      show(el.dataset.msgRegistered); // this authenticator holds one of the account's passkeys already
    } else if (err && err.name === "NotSupportedError") {
      show(el.dataset.msgUnsupported);
    } else {
      show(el.dataset.msgFailed);
    }
  };

  start.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    show("");
    status.textContent = el.dataset.msgWorking;
    if (conditional) conditional.abort();
    try {
      const o = await options();
      if (!o) return;
      const cred =
        ceremony === "register"
          ? await navigator.credentials.create(creationOptions(o))
          : await navigator.credentials.get(requestOptions(o));
      if (cred) await finish(cred, extra());
    } catch (err) {
      failed(err);
    } finally {
      busy = false;
      status.textContent = "";
    }
  });

  // Autofill: the login field carries autocomplete="username webauthn";
  // a conditional request waits, without any dialog, until the person
  // picks a passkey from the field's suggestions.
  const startConditional = async () => {
    if (!window.PublicKeyCredential.isConditionalMediationAvailable) return;
    if (!(await window.PublicKeyCredential.isConditionalMediationAvailable())) return;
    const o = await options();
    if (!o) return;
    conditional = new AbortController();
    el.dataset.passkeyConditionalStarted = "true";
    try {
      const cred = await navigator.credentials.get({ ...requestOptions(o), mediation: "conditional", signal: conditional.signal });
      if (cred) await finish(cred, extra());
    } catch (err) {
      if (err && err.name !== "AbortError") failed(err);
    }
  };
  if (el.dataset.passkeyConditional === "true") {
    startConditional().catch(() => {});
  }
};

const init = () => {
  document.querySelectorAll("[data-passkey]").forEach(setup);
};

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}

// Latch's page controls: small improvements to server-rendered pages, every
// one optional. With JavaScript off the pages work as they are: a password
// field is a plain field, a code is typed or pasted as it is (the server
// drops spaces and dashes), recovery codes are on the page to write down.
//
// It marks <html data-latch-controls>, which the stylesheet reads to show the
// buttons that need this script; everything else is event delegation on the
// document, so parts Datastar patches in later work without a new start.
// Its words come from the page (data-latch-* attributes the server filled
// from the message catalog), never from this file. The attributes carry the
// latch- prefix so Datastar, which reads data-* names such as data-show,
// never takes them for its own.

document.documentElement.setAttribute("data-latch-controls", "");

// Show/hide for password fields (components/ui.Field): the button flips the
// input between password and text, and its own words to match.
function reveal(button) {
  const input = document.getElementById(button.dataset.latchReveal);
  if (!input) return;
  const show = input.type === "password";
  input.type = show ? "text" : "password";
  button.textContent = show ? button.dataset.latchHide : button.dataset.latchShow;
  button.setAttribute("aria-label", show ? button.dataset.latchHideLabel : button.dataset.latchShowLabel);
}

// A form is never sent (or remembered by the browser) with its password
// shown as text.
document.addEventListener("submit", (event) => {
  for (const button of event.target.querySelectorAll("[data-latch-reveal]")) {
    const input = document.getElementById(button.dataset.latchReveal);
    if (input && input.type === "text") reveal(button);
  }
}, true);

// A pasted one-time code loses the spaces and dashes people group digits
// with, so "123 456" or "123-456" fills the field as 123456.
document.addEventListener("paste", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.classList.contains("field-input-code")) return;
  const text = (event.clipboardData || window.clipboardData)?.getData("text") ?? "";
  const code = text.replace(/[\s-]+/g, "");
  if (code === text) return;
  event.preventDefault();
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  input.setRangeText(code, start, end, "end");
  input.dispatchEvent(new Event("input", { bubbles: true }));
});

// textOf is what a copy or a download holds: the text of the element
// data-latch-copy (or data-latch-download) names, one line per list item.
function textOf(id) {
  const el = document.getElementById(id);
  if (!el) return "";
  const items = el.querySelectorAll("li");
  if (items.length > 0) return [...items].map((li) => li.textContent.trim()).join("\n") + "\n";
  return el.textContent.trim();
}

// say puts a short result in the status line next to a control (one live
// region per control group, so each result is announced once).
function say(button, text) {
  const status = button.dataset.latchStatus && document.getElementById(button.dataset.latchStatus);
  if (status) status.textContent = text;
}

async function copy(button) {
  const text = textOf(button.dataset.latchCopy);
  try {
    await navigator.clipboard.writeText(text);
    say(button, button.dataset.latchDone);
  } catch {
    say(button, button.dataset.latchFailed);
  }
}

// download saves the codes shown on this page as a text file, built here
// from the page: nothing is fetched, so no later request can show them again.
function download(button) {
  const blob = new Blob([textOf(button.dataset.latchDownload)], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = button.dataset.latchFilename || "codes.txt";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button") : null;
  if (!button) return;
  if (button.dataset.latchReveal) reveal(button);
  else if (button.dataset.latchCopy) copy(button);
  else if (button.dataset.latchDownload) download(button);
  else if (button.hasAttribute("data-latch-print")) window.print();
});

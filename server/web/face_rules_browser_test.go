package web_test

import (
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// waitWasmIfLoaded waits for the browser module on a page that loads it
// (layout.Page.Wasm), so its live validation is running.
func (b *browser) waitWasmIfLoaded() {
	b.t.Helper()
	if run(b, "look for the module loader", chromedp.Evaluate[bool](`document.querySelector("script[data-latch-module]") !== null`)) {
		b.waitWasm()
	}
}

// emulateFocus makes the headless tab behave as the focused window, so
// moving focus fires focus events as it does for a person.
func (b *browser) emulateFocus() {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		b.t.Fatalf("emulate a focused window: %v", err)
	}
}

// visitFields moves focus through every field of the form with id form,
// as a person tabbing through it before pressing its button, and then off
// it, typing nothing.
func (b *browser) visitFields(form string) {
	b.t.Helper()
	b.do("tab through #"+form, chromedp.Evaluate[chromedp.Void](`(() => {
		for (const el of document.getElementById(`+jsString(form)+`).querySelectorAll('input:not([type="hidden"]), select, textarea')) {
			if (el.getClientRects().length > 0) el.focus();
		}
		if (document.activeElement) document.activeElement.blur();
	})()`))
}

// settleFocus gives a refused submit's answer a moment to move focus (to
// the first invalid field or the summary), so what focus sets off (the
// browser module marks a field's error line live) has happened before the
// page is checked. A page that moves focus nowhere is checked as it is.
func (b *browser) settleFocus() {
	b.t.Helper()
	_, _ = chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement !== document.body`,
		chromedp.WithPollingTimeout(time.Second)))
	_, _ = chromedp.Run(b.ctx, chromedp.Sleep(100*time.Millisecond))
}

// visiblePrimaries lists the primary buttons a person can see on the page
// (button or link styled .btn-primary, rendered and not hidden), each by
// its data-testid or its words.
const visiblePrimaries = `(() => {
	const out = [];
	for (const el of document.querySelectorAll('.btn-primary')) {
		if (el.getClientRects().length === 0) continue;
		if (getComputedStyle(el).visibility === 'hidden') continue;
		out.push(el.getAttribute('data-testid') || el.textContent.replace(/\s+/g, ' ').trim());
	}
	return out;
})()`

// wantOnePrimaryAtMost fails when the page shows more than one primary
// button: each view has one thing it is for; every other action is
// secondary, a link, or (destructive) the danger style.
func (b *browser) wantOnePrimaryAtMost(what string) {
	b.t.Helper()
	if got := run(b, "list the primary buttons on "+what, chromedp.Evaluate[[]string](visiblePrimaries)); len(got) > 1 {
		b.t.Errorf("%s shows %d primary buttons, want at most one: %s", what, len(got), strings.Join(got, ", "))
	}
}

// liveDuplicates lists every message that sits in two live regions at
// once. A live region is an element with aria-live (not "off") or a live
// role (alert, status, log), or <output>; one nested in another is part of
// it. A region's messages are its list items, or else its whole text; a
// message is in another region when that region's text contains it.
const liveDuplicates = `(() => {
	const sel = '[aria-live]:not([aria-live="off"]), [role="alert"], [role="status"], [role="log"], output';
	const norm = s => s.replace(/\s+/g, ' ').trim();
	const name = el => el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '');
	const regions = [...document.querySelectorAll(sel)].filter(el => !el.parentElement || !el.parentElement.closest(sel));
	const out = [];
	regions.forEach((r, i) => {
		const items = r.querySelectorAll('li').length > 0 ? [...r.querySelectorAll('li')].map(li => norm(li.textContent)) : [norm(r.textContent)];
		for (const m of new Set(items)) {
			if (m.length < 2) continue;
			regions.forEach((o, j) => {
				if (j !== i && norm(o.textContent).includes(m)) out.push('"' + m + '" in ' + name(r) + ' and ' + name(o));
			});
		}
	});
	return out;
})()`

// wantEachMessageInOneLiveRegion fails when a message sits in two live
// regions (an error summary and a field's error line, say): a screen
// reader would announce it twice.
func (b *browser) wantEachMessageInOneLiveRegion(what string) {
	b.t.Helper()
	if got := run(b, "look for messages in two live regions on "+what, chromedp.Evaluate[[]string](liveDuplicates)); len(got) > 0 {
		b.t.Errorf("%s announces a message twice: %s", what, strings.Join(got, "; "))
	}
}

// settingsFrame describes what breaks the settings frame on the page: no
// frame, no way back to the account overview, no current item in the
// navigation, or (with wide) a button stretched across its card.
const settingsFrame = `((wide) => {
	const out = [];
	const frame = document.querySelector('[data-testid="settings-page"]');
	if (!frame) return ['no settings frame (layout.SettingsPage)'];
	const back = frame.querySelector(':scope > a.page-back');
	if (!back || back.getAttribute('href') !== '/account') out.push('no way back to /account above the heading');
	if (!document.querySelector('.site-nav [aria-current="page"]')) out.push('no navigation item marked aria-current="page"');
	if (wide) {
		for (const el of frame.querySelectorAll('.btn')) {
			const r = el.getBoundingClientRect();
			if (r.width === 0) continue;
			const box = el.closest('.card') || frame;
			if (r.width > 0.8 * box.clientWidth) out.push('button "' + el.textContent.replace(/\s+/g, ' ').trim() + '" spans its card (' + Math.round(r.width) + ' of ' + box.clientWidth + ' px)');
		}
	}
	return out;
})`

// wantSettingsFrame fails when a settings page is not in the settings
// frame (layout.SettingsPage); at desktop width (wide) also when one of
// its buttons is stretched across its card instead of keeping its width.
func (b *browser) wantSettingsFrame(what string, wide bool) {
	b.t.Helper()
	arg := "false"
	if wide {
		arg = "true"
	}
	if got := run(b, "check the settings frame on "+what, chromedp.Evaluate[[]string](settingsFrame+"("+arg+")")); len(got) > 0 {
		b.t.Errorf("%s: %s", what, strings.Join(got, "; "))
	}
}

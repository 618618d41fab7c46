package web_test

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/server/pow"
	"github.com/latch-dev/latch/server/web"
)

// TestBrowserProofOfWork: on the signup page the browser module fetches a
// challenge at the default difficulty, solves it without freezing the
// page, and the form Datastar posts carries the proof, which the server's
// bot check (the one the handlers call) accepts. With JavaScript off the
// same form posts without a proof, and still signs up.
//
// It logs the solve times of a few more challenges. With LATCH_AXE_JS set
// to axe-core's axe.min.js, it also runs axe on the page (the honeypot must
// add no violation).
func TestBrowserProofOfWork(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	proofs := newProofs(t, pow.DefaultBits)
	var seen botChecks
	h := newHarnessWith(t, harnessOptions{proofs: proofs, wrap: seen.wrap(t, pow.DefaultBits, "/signup")})
	b := newBrowser(t, chromium, h, true)

	b.open("/signup")
	b.waitWasm()
	b.waitPageScripts()
	b.waitFor("wait for the proof", `document.getElementById("signup-bot-pow").value !== ""`)
	solved := run(b, "read the solve time", chromedp.Evaluate[float64](
		`performance.getEntriesByName("latch:pow-solved")[0].startTime - performance.getEntriesByName("latch:pow-start")[0].startTime`))
	t.Logf("first proof at %d bits: %.0f ms from fetch to answer", pow.DefaultBits, solved)

	if axe := os.Getenv("LATCH_AXE_JS"); axe != "" {
		src, err := os.ReadFile(axe)
		if err != nil {
			t.Fatal(err)
		}
		b.do("load axe", chromedp.Evaluate[chromedp.Void](string(src)))
		violations := run(b, "run axe", chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"]}})
			.then(r => r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")))`, chromedp.EvalAwaitPromise))
		if len(violations) > 0 {
			t.Errorf("axe violations on /signup: %s", strings.Join(violations, "; "))
		}
	} else {
		t.Log("LATCH_AXE_JS not set: axe not run")
	}

	// The page stays responsive while more challenges are solved: each new
	// proof input is solved in turn.
	const more = 6
	b.do("add proof inputs", chromedp.Evaluate[chromedp.Void](`for (let i = 0; i < `+strconv.Itoa(more)+`; i++) {
		const el = document.createElement("input"); el.type = "hidden"; el.setAttribute("data-pow", ""); el.className = "extra-pow";
		document.body.append(el);
	}
	window.__longest = 0; window.__ticks = 0;
	(function tick(last) { requestAnimationFrame(now => { window.__longest = Math.max(window.__longest, now - last); window.__ticks++; if (document.querySelector(".extra-pow[value=''], .extra-pow:not([data-pow-state=solved])")) tick(now); })})(performance.now());`))
	b.waitFor("wait for the extra proofs", `[...document.querySelectorAll(".extra-pow")].every(el => el.value !== "")`)
	times := run(b, "read solve times", chromedp.Evaluate[[]float64](`(() => {
		const s = performance.getEntriesByName("latch:pow-start"), d = performance.getEntriesByName("latch:pow-solved");
		return d.map((m, i) => m.startTime - s[i].startTime);
	})()`))
	longest := run(b, "read the longest frame", chromedp.Evaluate[float64](`window.__longest`))
	if len(times) != more+1 {
		t.Fatalf("%d solves timed, want %d", len(times), more+1)
	}
	sum := 0.0
	for _, d := range times {
		sum += d
	}
	sorted := slices.Sorted(slices.Values(times))
	t.Logf("%d proofs at %d bits: mean %.0f ms, median %.0f ms, max %.0f ms; longest frame while solving %.0f ms",
		len(times), pow.DefaultBits, sum/float64(len(times)), sorted[len(sorted)/2], sorted[len(sorted)-1], longest)
	if longest > 250 {
		t.Errorf("a frame took %.0f ms while solving: the solver does not hand the event loop back", longest)
	}

	// Sign up: Datastar posts the form, proof included.
	b.navigateBy("sign up", chromedp.Steps(
		typeInto("signup-email", "proof@example.com"),
		typeInto("signup-password", journeyPassword),
		click(`[data-testid="signup-submit"]`)))
	b.wantLocation("/account")
	checks := seen.all()
	if len(checks) != 1 || checks[0] != (web.BotCheck{Proof: true, Bits: pow.DefaultBits}) {
		t.Fatalf("bot checks of the signup post: %+v, want one with a %d-bit proof", checks, pow.DefaultBits)
	}

	// Without JavaScript: the same form, no proof, still a signup.
	nojs := b.otherProfile(false)
	nojs.open("/signup")
	if v := nojs.value("signup-bot-pow"); v != "" {
		t.Fatalf("the proof input holds %q without JavaScript", v)
	}
	nojs.navigateBy("sign up without JavaScript", chromedp.Steps(
		typeInto("signup-email", "noscript@example.com"),
		typeInto("signup-password", journeyPassword),
		click(`[data-testid="signup-submit"]`)))
	nojs.wantLocation("/account")
	checks = seen.all()
	if len(checks) != 2 || checks[1] != (web.BotCheck{}) {
		t.Fatalf("bot checks: %+v, want the second without a proof or honeypot", checks)
	}
	b.wantCleanConsole()
	nojs.wantCleanConsole()
}

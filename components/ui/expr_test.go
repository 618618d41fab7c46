package ui

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// datastarRewrites matches what Datastar rewrites in an expression before
// it runs it, string literals included: actions, signals, its escape
// markers, and what ends a string or a statement.
var datastarRewrites = regexp.MustCompile(`@[A-Za-z_$][\w$]*\(|\$[A-Za-z_\d{\[]|🖕|🚀|;|` + "`")

func TestExprStringNeverCarriesRawText(t *testing.T) {
	for _, s := range []string{
		"/account", "/a?@in(1)", "/a?$x=1", "/a#@post('/logout')", "/%40get(1)", `/a"+alert(1)+"`, `/a\u2028b`,
		"/a?x=${1}", "🖕JS_@get(1)_DS🚀", `\`, "/a;alert(1)", "/a`x`", "</script><script>", "\x00\xff",
		"Send a new code in {seconds} s", "/emoji/😀",
	} {
		got := ExprString(s)
		inner := strings.TrimSuffix(strings.TrimPrefix(got, `"`), `"`)
		if m := datastarRewrites.FindString(got); m != "" {
			t.Errorf("ExprString(%q) = %s holds %q", s, got, m)
		}
		if strings.ContainsAny(inner, "\"'<>{}()[]") {
			t.Errorf("ExprString(%q) = %s holds a quote, bracket or tag", s, got)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("ExprString(%q) = %s is not a string literal: %v", s, got, err)
		} else if want := strings.ToValidUTF8(s, "\uFFFD"); back != want {
			t.Errorf("ExprString(%q) reads back as %q", s, back)
		}
	}
	if got := ExprString("/login?next=/a&b=c#f"); got != `"/login?next=/a&b=c#f"` {
		t.Errorf("a plain path is escaped needlessly: %s", got)
	}
}

func TestDatastarPostQuotesTheAction(t *testing.T) {
	got := datastarPost("/x?next=/a?@in(1)&$y")
	if datastarRewrites.MatchString(strings.TrimPrefix(got, "@post(")) {
		t.Fatalf("datastarPost = %s", got)
	}
}

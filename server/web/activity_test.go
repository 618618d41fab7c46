package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/auth"
)

// TestEveryAuditedEventHasWording reads every event name the account
// domain records and checks the security activity page words each one,
// in success and failure, with text of its own.
func TestEveryAuditedEventHasWording(t *testing.T) {
	files, err := filepath.Glob("../auth/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no domain sources: %v", err)
	}
	// Event names appear as Name: "x", and as dotted literals handed to
	// helpers that record them (name := "passkey.use", refusePassword(…,
	// "password.change", …)); codes and links are recorded as kind+".use".
	name := regexp.MustCompile(`Name:\s*"([a-z_.]+)"`)
	dotted := regexp.MustCompile(`"([a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*)"`)
	seen := map[string]bool{"code.use": true, "link.use": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = regexp.MustCompile(`(?m)^\s*//.*$`).ReplaceAll(src, nil)
		for _, re := range []*regexp.Regexp{name, dotted} {
			for _, m := range re.FindAllSubmatch(src, -1) {
				seen[string(m[1])] = true
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("found only %d event names: %v", len(seen), seen)
	}
	for n := range seen {
		for _, outcome := range []auth.Outcome{auth.Success, auth.Failure} {
			k := activityKey(auth.SecurityEvent{Name: n, Outcome: outcome, Detail: map[string]string{}})
			if k == messages.ActivityOther {
				t.Errorf("%s (%s) reads %q", n, outcome, messages.Text(k))
			}
		}
	}
}

// A sign-in's words name how it was made: a passkey is not a password.
func TestSignInActivityNamesTheMethod(t *testing.T) {
	for method, want := range map[string]messages.Key{"": messages.ActivityLoginPassword, auth.MethodPasskey: messages.ActivityLoginPasskey} {
		e := auth.SecurityEvent{Name: "login", Outcome: auth.Success, Detail: map[string]string{}}
		if method != "" {
			e.Detail["method"] = method
		}
		if got := activityKey(e); got != want {
			t.Errorf("login by %q reads %q, want %q", method, messages.Text(got), messages.Text(want))
		}
	}
}

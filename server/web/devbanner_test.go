package web_test

import (
	"strings"
	"testing"
)

func TestDevBannerLinksTheMailboxInDevOnly(t *testing.T) {
	t.Parallel()
	dev := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
	for _, path := range []string{"/login", "/signup"} {
		r := dev.get(dev.browser(), path)
		if !strings.Contains(r.body, `data-testid="dev-banner"`) || !strings.Contains(r.body, `href="/dev/mailbox"`) {
			t.Errorf("dev %s has no banner linking the mailbox", path)
		}
	}
	prod := newHarnessWith(t, harnessOptions{codes: true})
	if r := prod.get(prod.browser(), "/login"); strings.Contains(r.body, "dev-banner") || strings.Contains(r.body, "/dev/mailbox") {
		t.Fatal("a server without the dev mailbox shows the banner")
	}
}

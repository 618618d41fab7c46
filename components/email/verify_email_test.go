package email_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/latch-dev/latch/components/email"
)

func TestVerifyEmailRendersCodeAndLink(t *testing.T) {
	t.Parallel()
	e := email.VerifyEmail{
		Brand:     email.Brand{AppName: "Latch"},
		Code:      "004217",
		Link:      "https://latch.test/verify-email?token=abc_DEF-123",
		ExpiresIn: 10 * time.Minute,
	}
	r, err := email.Render(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Verify your email for Latch: 004217" {
		t.Errorf("Subject = %q", r.Subject)
	}
	for _, want := range []string{"    004217\n", "\n" + e.Link + "\n", "expire in 10 minutes"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, r.Text)
		}
	}
	doc, err := html.Parse(strings.NewReader(r.HTML))
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := byTestID(t, doc, "email-code"); code != "004217" {
		t.Errorf("code element says %q", code)
	}
	if _, link := byTestID(t, doc, "email-link"); link["href"] != e.Link {
		t.Errorf("link href %q", link["href"])
	}
	if txt, _ := byTestID(t, doc, "email-link-text"); txt != e.Link {
		t.Errorf("fallback link text %q", txt)
	}
}

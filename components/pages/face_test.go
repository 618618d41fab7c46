package pages

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/layout"
)

// primaryButton matches a primary button or link's class attribute.
var primaryButton = regexp.MustCompile(`class="[^"]*\bbtn-primary\b[^"]*"`)

// TestEveryViewHasOnePrimaryAction renders the page states the browser
// walk (TestBrowserAxeOnEveryPage) does not reach, those that take a
// finished enrolment or a second account to get to, and wants at most
// one primary button in each, and every settings page in the settings
// frame.
func TestEveryViewHasOnePrimaryAction(t *testing.T) {
	t.Parallel()
	key := PasskeyItem{ID: "k1", Name: "Laptop", Created: "1 December 2026"}
	other := PasskeyItem{ID: "k2", Name: "Phone", Created: "2 December 2026", LastUsed: "2 December 2026"}
	confirm := &ProviderConfirm{Provider: "GitHub", As: "sam"}
	for _, c := range []struct {
		name     string
		page     templ.Component
		settings bool
	}{
		{"two-step verification on", TwoFactorPage(layout.Page{}, TwoFactorView{Enabled: true, RecoveryLeft: 10}), true},
		{"recovery codes shown", TwoFactorPage(layout.Page{}, TwoFactorView{Enabled: true, Codes: []string{"a", "b"}}), true},
		{"passkeys, two", PasskeysPage(layout.Page{}, PasskeysView{Keys: []PasskeyItem{key, other}, Removable: true}), true},
		{"passkeys, none", PasskeysPage(layout.Page{}, PasskeysView{}), true},
		{"providers, one to confirm", ProvidersPage(layout.Page{}, ProvidersView{Confirm: confirm,
			Rows: []ProviderRow{{ID: "github", Name: "GitHub"}, {ID: "google", Name: "Google", Linked: true}}}), true},
		{"email change, code sent", EmailChangePage(layout.Page{}, EmailChange{Current: "a@example.com", Email: "b@example.com", Sent: true}), true},
		{"phone add, code sent", PhoneAddPage(layout.Page{}, PhoneCode{Number: "+447700900123", Sent: true}), true},
		{"confirm by password, with a passkey", ReauthPage(layout.Page{}, Reauth{Password: true, Passkey: true, Others: []ReauthOther{{Name: "app", Label: "Code"}}}), true},
		{"confirm by code, not sent", ReauthPage(layout.Page{}, Reauth{CodeTo: "a***@example.com"}), true},
		{"confirm by code, sent", ReauthPage(layout.Page{}, Reauth{CodeTo: "a***@example.com", CodeSent: true}), true},
		{"confirm by passkey only", ReauthPage(layout.Page{}, Reauth{Passkey: true}), true},
		{"devices, others signed in", Devices(layout.Page{}, DevicesView{Devices: []DeviceView{{PublicID: "a", Current: true}, {PublicID: "b"}},
			APIClients: []APIClientView{{PublicID: "c"}}}), true},
		{"delete", DeletePage(layout.Page{}, DeleteAccount{GraceDays: 14}), true},
		{"export", ExportPage(layout.Page{}), true},
		{"activity, empty", ActivityPage(layout.Page{}, Activity{First: true}), true},
		{"password change", ChangePasswordPage(layout.Page{}, PasswordChange{HasCurrent: true}), true},
		{"account asking for the email's code, a provider to confirm", Account(layout.Page{}, AccountView{
			Verify: &VerifyEmailPrompt{Email: "a@example.com"}, ProviderConfirm: confirm, Settings: true}), false},
		{"recover, by phone and by code", RecoverPage(layout.Page{}, RecoverStart{BySMS: true, ByCode: true}), false},
		{"recover, phone code sent", RecoverPage(layout.Page{}, RecoverStart{BySMS: true, ByCode: true, Sent: true, Phone: "+447700900123"}), false},
		{"provider account held", ProviderHeldPage(layout.Page{}, ProviderHeld{Provider: "GitHub", Reason: messages.ProviderHeldTitle, Signup: true}), false},
	} {
		var b strings.Builder
		if err := c.page.Render(context.Background(), &b); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		html := b.String()
		if n := len(primaryButton.FindAllString(html, -1)); n > 1 {
			t.Errorf("%s: %d primary buttons, want at most one", c.name, n)
		}
		if framed := strings.Contains(html, `data-testid="settings-page"`); framed != c.settings {
			t.Errorf("%s: in the settings frame %v, want %v", c.name, framed, c.settings)
		}
	}
}

package i18n_test

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// TestFormatPerLanguage: dates, times, numbers and durations in each
// language, from the catalog's month names and x/text's number formats.
func TestFormatPerLanguage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, time.February, 3, 14, 5, 0, 0, time.FixedZone("CET", 3600))
	en, fr := messages.English, messages.French
	for _, tt := range []struct{ got, want string }{
		{i18n.Date(en, at), "3 February 2026"},
		{i18n.Date(fr, at), "3 février 2026"},
		{i18n.DateShort(en, at), "3 Feb 2026"},
		{i18n.DateShort(fr, at), "3 févr. 2026"},
		{i18n.DateTime(en, at), "3 February 2026, 13:05 UTC"},
		{i18n.DateTime(fr, at), "3 février 2026 à 13:05 UTC"},
		{i18n.DateAt(en, at), "3 February 2026 at 13:05 UTC"},
		{i18n.Duration(en, 10*time.Minute), "10 minutes"},
		{i18n.Duration(fr, time.Hour), "1 heure"},
		{i18n.Duration(fr, 48*time.Hour), "48 heures"},
		{i18n.Duration(en, 30*time.Second), "1 minute"},
		{i18n.Number(en, 12345), "12,345"},
		{i18n.Number(fr, 12345), "12\u00a0345"},
		{i18n.Number(messages.Lang("not a tag!"), 1000), "1,000"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	ctx := i18n.WithLang(context.Background(), fr)
	if got := i18n.T(ctx, messages.LoginSubmit); got != "Se connecter" {
		t.Errorf("T in French: %q", got)
	}
	if got := i18n.LangOf(context.Background()); got != en {
		t.Errorf("LangOf without a language: %q", got)
	}
}

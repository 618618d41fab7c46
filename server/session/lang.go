package session

import (
	"context"
	"strings"

	"github.com/google/uuid"
)

// langKey holds the signed-in user's saved language as "<user id> <tag>"
// ("<user id> " for none saved), so the web server reads the account's
// choice once per session rather than on every request, and a session
// signed in to another user never reads the first user's choice.
const langKey = "lang"

// SavedLang returns the language saved on userID's account as this
// session recorded it ("" for none), and whether the session recorded it
// for userID at all.
func (m *Manager) SavedLang(ctx context.Context, userID uuid.UUID) (string, bool) {
	id, lang, ok := strings.Cut(m.sm.GetString(ctx, langKey), " ")
	if !ok || id != userID.String() {
		return "", false
	}
	return lang, true
}

// SetSavedLang records lang ("" for none) as the language saved on
// userID's account.
func (m *Manager) SetSavedLang(ctx context.Context, userID uuid.UUID, lang string) {
	m.sm.Put(ctx, langKey, userID.String()+" "+lang)
}

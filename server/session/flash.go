package session

import "context"

// flashKey holds a notice for the next page the session shows.
const flashKey = "flash"

// Flash keeps a short notice (a message key, never a secret) for the next
// page this session shows, as after a redirect that follows a form post.
func (m *Manager) Flash(ctx context.Context, notice string) {
	m.sm.Put(ctx, flashKey, notice)
}

// PopFlash returns the notice Flash kept and forgets it, or "".
func (m *Manager) PopFlash(ctx context.Context) string {
	return m.sm.PopString(ctx, flashKey)
}

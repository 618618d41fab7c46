package session

import "context"

// CookieToken returns the token of the request's session, the value its
// cookie carries, or "" when the request has no stored session. It is a
// bearer secret: callers hash it before storing it and never log it. The
// session store keys its rows by the same hash, so another table can refer
// to a session without holding its cookie.
func (m *Manager) CookieToken(ctx context.Context) string { return m.sm.Token(ctx) }

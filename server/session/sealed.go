package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"

	"github.com/latch-dev/latch/server/token"
)

// sealedPurpose derives the sealing key of held tokens from the
// key-encryption key (token.NewSealer).
const sealedPurpose = "latch session held tokens"

// NewSealer is the Sealer of held tokens under kek, the same on every
// instance given the same key.
func NewSealer(kek []byte) (Sealer, error) {
	return token.NewSealer(kek, sealedPurpose)
}

// processSealer seals under a random key of this process (Options.Sealer
// nil).
func processSealer() Sealer {
	kek := make([]byte, token.KEKSize)
	_, _ = rand.Read(kek) // crypto/rand.Read never fails on supported platforms
	s, err := NewSealer(kek)
	if err != nil {
		panic(err) // the key has the right size
	}
	return s
}

// putSealed keeps value under key, sealed and bound to key.
func (m *Manager) putSealed(ctx context.Context, key, value string) {
	sealed, err := m.sealer.Seal([]byte(value), []byte(key))
	if err != nil {
		m.log.ErrorContext(ctx, "session: seal a held token", "key", key, "err", err)
		m.sm.Remove(ctx, key)
		return
	}
	m.sm.Put(ctx, key, base64.RawURLEncoding.EncodeToString(sealed))
}

// sealed returns what putSealed kept under key, or "" when nothing is
// kept or it does not open (another key, or tampered with).
func (m *Manager) sealed(ctx context.Context, key string) string {
	v := m.sm.GetString(ctx, key)
	if v == "" {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return ""
	}
	plain, err := m.sealer.Open(b, []byte(key))
	if err != nil {
		return ""
	}
	return string(plain)
}

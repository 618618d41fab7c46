package session

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Keys of provider sign-ins in the session data.
const (
	providerFlowKey = "provider_flow" // a sign-in sent to a provider, waiting for its answer
	providerHeldKey = "provider_held" // a provider account waiting to be linked
)

// DefaultProviderTTL bounds both a sign-in at a provider (from leaving to
// coming back) and how long a provider account is held for linking, unless
// configured (Options.ProviderTTL, LATCH_PROVIDER_TTL).
const DefaultProviderTTL = 10 * time.Minute

// ProviderFlow is a sign-in sent to a provider: what must come back with
// its answer, and what to do then. It lives only in this browser's
// session and is spent by the first answer, right or wrong.
type ProviderFlow struct {
	Provider string    `json:"p"`
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Link     uuid.UUID `json:"l,omitempty"` // linking to this signed-in user; uuid.Nil: signing in
	Reauth   bool      `json:"a,omitempty"` // with Link: a proof of who that user is, not a link
	Next     string    `json:"x,omitempty"` // a checked local target
	At       int64     `json:"t"`           // unix seconds it started
}

// BeginProviderFlow records f, replacing any sign-in at a provider this
// browser started before (whose answer will then be refused).
func (m *Manager) BeginProviderFlow(ctx context.Context, f ProviderFlow) {
	f.At = m.clock().Unix()
	b, _ := json.Marshal(f)
	m.sm.Put(ctx, providerFlowKey, string(b))
}

// TakeProviderFlow returns the sign-in sent to a provider and forgets it,
// so an answer can be checked once only. false when there is none, or it
// is older than the provider TTL.
func (m *Manager) TakeProviderFlow(ctx context.Context) (ProviderFlow, bool) {
	raw := m.sm.PopString(ctx, providerFlowKey)
	var f ProviderFlow
	if raw == "" || json.Unmarshal([]byte(raw), &f) != nil || f.State == "" {
		return ProviderFlow{}, false
	}
	if m.clock().Sub(time.Unix(f.At, 0)) > m.providerTTL {
		return ProviderFlow{}, false
	}
	return f, true
}

// HeldProvider is a provider account waiting in this browser to be
// linked: one that signed in to no account, for its holder to sign in (or
// sign up) and confirm; or, with For, one whose link to For's account
// waits for that sign-in's second factor.
type HeldProvider struct {
	Provider string    `json:"p"`
	Subject  string    `json:"s"`
	Email    string    `json:"e,omitempty"`
	Name     string    `json:"n,omitempty"`
	Reason   string    `json:"r,omitempty"`
	For      uuid.UUID `json:"f,omitempty"`
	At       int64     `json:"t"`
}

// HoldProvider keeps h for the provider TTL, replacing any held before.
func (m *Manager) HoldProvider(ctx context.Context, h HeldProvider) {
	h.At = m.clock().Unix()
	b, _ := json.Marshal(h)
	m.sm.Put(ctx, providerHeldKey, string(b))
}

// HeldProvider returns the provider account held in this browser, if one
// younger than the provider TTL is.
func (m *Manager) HeldProvider(ctx context.Context) (HeldProvider, bool) {
	raw := m.sm.GetString(ctx, providerHeldKey)
	var h HeldProvider
	if raw == "" || json.Unmarshal([]byte(raw), &h) != nil || h.Subject == "" {
		return HeldProvider{}, false
	}
	if m.clock().Sub(time.Unix(h.At, 0)) > m.providerTTL {
		return HeldProvider{}, false
	}
	return h, true
}

// DropHeldProvider forgets the held provider account (linked, or declined).
func (m *Manager) DropHeldProvider(ctx context.Context) {
	m.sm.Remove(ctx, providerHeldKey)
}

package auth

import (
	"strings"
	"testing"
	"time"
)

func TestRecoveryRequestState(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := start.Add(d); return &x }
	r := RecoveryRequest{CreatedAt: start, ReadyAt: start.Add(48 * time.Hour), ExpiresAt: start.Add(9 * 24 * time.Hour)}
	for _, tc := range []struct {
		req  RecoveryRequest
		now  time.Duration
		want string
	}{
		{r, time.Minute, RecoveryWaiting},
		{r, 48*time.Hour - time.Nanosecond, RecoveryWaiting},
		{r, 48 * time.Hour, RecoveryReady},
		{r, 9 * 24 * time.Hour, RecoveryExpired},
		{func() RecoveryRequest { c := r; c.CancelledAt = at(time.Hour); return c }(), 50 * time.Hour, RecoveryCancelled},
		{func() RecoveryRequest { c := r; c.CompletedAt = at(49 * time.Hour); return c }(), 50 * time.Hour, RecoveryCompleted},
	} {
		if got := tc.req.State(start.Add(tc.now)); got != tc.want {
			t.Errorf("State at +%v = %s, want %s", tc.now, got, tc.want)
		}
	}
}

func TestRecoveryTokens(t *testing.T) {
	t.Parallel()
	token, hash := newRecoveryToken()
	other, _ := newRecoveryToken()
	if token == other || len(token) != 43 {
		t.Fatalf("tokens %q and %q", token, other)
	}
	got, ok := hashRecoveryToken(token)
	if !ok || string(got) != string(hash) {
		t.Fatal("a token does not hash to its stored hash")
	}
	for _, bad := range []string{"", token[:42], token + "A", strings.Repeat("=", 43), token[:42] + "!", strings.ToUpper(token[:0]) + "é" + token[2:]} {
		if ValidRecoveryToken(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

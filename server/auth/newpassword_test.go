package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/messages"
)

// recordingBlocklist refuses one password with one reason and records what
// it was asked.
type recordingBlocklist struct {
	refuse string
	reason messages.Key
	asked  []string
}

func (b *recordingBlocklist) Check(_ context.Context, password, email string) messages.Key {
	b.asked = append(b.asked, password+"|"+email)
	if password == b.refuse {
		return b.reason
	}
	return ""
}

func TestCheckNewPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bl := &recordingBlocklist{refuse: "qwertyuiop", reason: messages.PasswordCommon}
	for _, tc := range []struct {
		plain, email string
		want         messages.Key
	}{
		{"qwertyuiop", "ada@example.com", messages.PasswordCommon},
		{"ｑｗｅｒｔｙｕｉｏｐ", "ada@example.com", messages.PasswordCommon}, // normalised before the blocklist sees it
		{"violet otter harbour", "ada@example.com", ""},
		{"short", "ada@example.com", messages.PasswordTooShort},
		{"my email is ada@example.com", "ada@example.com", messages.PasswordHasEmail},
		{strings.Repeat("a", 2000), "", messages.PasswordTooLong},
	} {
		if _, got := checkNewPassword(ctx, tc.plain, tc.email, bl); got != tc.want {
			t.Errorf("checkNewPassword(%.20q) = %q, want %q", tc.plain, got, tc.want)
		}
	}
	// Only passwords the rules accept reach the blocklist, normalised, with
	// the account's email.
	want := []string{"qwertyuiop|ada@example.com", "qwertyuiop|ada@example.com", "violet otter harbour|ada@example.com"}
	if strings.Join(bl.asked, ",") != strings.Join(want, ",") {
		t.Errorf("blocklist asked %q, want %q", bl.asked, want)
	}
	if _, got := checkNewPassword(ctx, "qwertyuiop", "", nil); got != "" {
		t.Errorf("nil blocklist refused: %q", got)
	}
}

func TestBlocklistsFirstRefusalWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	first := &recordingBlocklist{refuse: "qwertyuiop", reason: messages.PasswordCommon}
	second := &recordingBlocklist{refuse: "hunter2hunter2", reason: messages.PasswordBreached}
	bs := Blocklists{first, second}
	if got := bs.Check(ctx, "qwertyuiop", ""); got != messages.PasswordCommon {
		t.Errorf("Check(common) = %q", got)
	}
	if len(second.asked) != 0 {
		t.Errorf("the second blocklist was asked after the first refused: %q", second.asked)
	}
	if got := bs.Check(ctx, "hunter2hunter2", ""); got != messages.PasswordBreached {
		t.Errorf("Check(breached) = %q", got)
	}
	if got := bs.Check(ctx, "violet otter harbour", ""); got != "" {
		t.Errorf("Check(fine) = %q", got)
	}
}

package outbox

import (
	"crypto/rand"
	"errors"
	"testing"

	"github.com/latch-dev/latch/server/token"
)

func testSealer(t *testing.T) Sealer {
	t.Helper()
	kek := make([]byte, token.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	s, err := token.NewSealer(kek, token.PurposeOutbox)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTripAndBinding(t *testing.T) {
	s := testSealer(t)
	m := Message{Kind: Email, To: "a@example.com", Subject: "Code 123456", Text: "code 123456", HTML: "<b>123456</b>", Purpose: "login_code"}
	args, err := seal(s, m)
	if err != nil {
		t.Fatal(err)
	}
	if args.Subject != "" || args.Text != "" || args.HTML != "" || len(args.Sealed) == 0 {
		t.Fatalf("bodies left in the job: %+v", args.Message)
	}
	got, err := open(s, args)
	if err != nil || got != m {
		t.Fatalf("open = %+v, %v", got, err)
	}
	moved := args
	moved.To = "mallory@example.com"
	if _, err := open(s, moved); err == nil {
		t.Fatal("a sealed body opened for another recipient")
	}
	if _, err := open(nil, args); !errors.Is(err, ErrSealed) {
		t.Fatalf("open without a sealer: %v", err)
	}
	if _, err := open(testSealer(t), args); err == nil {
		t.Fatal("a sealed body opened under another key")
	}
	plain := deliverArgs{Message: m}
	if got, err := open(nil, plain); err != nil || got != m {
		t.Fatal("an unsealed job did not pass through")
	}
}

package outbox

import (
	"encoding/json"
	"errors"
)

// Sealer encrypts message subjects and bodies while they wait in river_job, so a copy of
// the queue holds no codes or links (token.Sealer, AES-256-GCM under the
// key-encryption key).
type Sealer interface {
	Seal(plain, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// ErrSealed is the cause of cancelling a sealed message no sealer can open.
var ErrSealed = errors.New("outbox: sealed message and no sealer to open it")

type sealedBody struct {
	Subject string `json:"s,omitempty"` // subjects may name the code too
	Text    string `json:"t"`
	HTML    string `json:"h,omitempty"`
}

// aad binds a sealed body to its message's recipient and purpose, so a body
// moved to another job does not open.
func aad(m Message) []byte { return []byte(string(m.Kind) + "\x00" + m.To + "\x00" + m.Purpose) }

// seal moves m's bodies into args.Sealed.
func seal(s Sealer, m Message) (deliverArgs, error) {
	body, err := json.Marshal(sealedBody{Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	if err != nil {
		return deliverArgs{}, err
	}
	sealed, err := s.Seal(body, aad(m))
	if err != nil {
		return deliverArgs{}, errf("seal: %w", err)
	}
	m.Subject, m.Text, m.HTML = "", "", ""
	return deliverArgs{Message: m, Sealed: sealed}, nil
}

// open puts a sealed body back into the message.
func open(s Sealer, a deliverArgs) (Message, error) {
	m := a.Message
	if len(a.Sealed) == 0 {
		return m, nil
	}
	if s == nil {
		return m, ErrSealed
	}
	body, err := s.Open(a.Sealed, aad(m))
	if err != nil {
		return m, errf("open: %w", err)
	}
	var b sealedBody
	if err := json.Unmarshal(body, &b); err != nil {
		return m, errf("open: %w", err)
	}
	m.Subject, m.Text, m.HTML = b.Subject, b.Text, b.HTML
	return m, nil
}

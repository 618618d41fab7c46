package outbox

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type mailboxRow struct {
	bun.BaseModel `bun:"table:outbox_dev_mailbox"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Kind      string    `bun:"kind"`
	Recipient string    `bun:"recipient"`
	Subject   string    `bun:"subject"`
	TextBody  string    `bun:"text_body"`
	HTMLBody  string    `bun:"html_body"`
	Purpose   string    `bun:"purpose"`
	CreatedAt time.Time `bun:"created_at"`
}

// Mailbox is a Sender for development: it stores every message, bodies
// included, in the outbox_dev_mailbox table instead of sending it. Never
// use it in production: the table keeps live codes in clear.
type Mailbox struct {
	db    bun.IDB
	clock func() time.Time
}

// NewMailbox returns a mailbox over db; clock nil means time.Now.
func NewMailbox(db bun.IDB, clock func() time.Time) *Mailbox {
	if clock == nil {
		clock = time.Now
	}
	return &Mailbox{db: db, clock: clock}
}

var _ Sender = (*Mailbox)(nil)

// Send stores m. It returns the database's error, which the worker retries.
func (b *Mailbox) Send(ctx context.Context, m Message) error {
	row := mailboxRow{Kind: string(m.Kind), Recipient: m.To, Subject: m.Subject, TextBody: m.Text,
		HTMLBody: m.HTML, Purpose: m.Purpose, CreatedAt: b.clock().UTC()}
	if _, err := b.db.NewInsert().Model(&row).ExcludeColumn("id").Exec(ctx); err != nil {
		return errf("mailbox: store %s %s: %w", m.Kind, m.Purpose, err)
	}
	return nil
}

// Stored is one message in the mailbox.
type Stored struct {
	ID int64
	Message
	CreatedAt time.Time
}

// List returns up to limit stored messages (100 when limit ≤ 0), newest
// first. It returns the database's error, wrapped.
func (b *Mailbox) List(ctx context.Context, limit int) ([]Stored, error) {
	if limit <= 0 {
		limit = 100
	}
	var rows []mailboxRow
	if err := b.db.NewSelect().Model(&rows).OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, errf("mailbox: list: %w", err)
	}
	out := make([]Stored, len(rows))
	for i, r := range rows {
		out[i] = Stored{ID: r.ID, CreatedAt: r.CreatedAt, Message: Message{Kind: Kind(r.Kind), To: r.Recipient,
			Subject: r.Subject, Text: r.TextBody, HTML: r.HTMLBody, Purpose: r.Purpose}}
	}
	return out, nil
}

package db

import (
	"time"

	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/outbox"
)

// Enqueuer queues a message inside a transaction (outbox.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, tx bun.Tx, m outbox.Message) error
}

// Codes implements auth.CodeStore: one-time codes in OneTime, and their
// messages queued in the outbox in the same transaction.
type Codes struct {
	onetime *OneTime
	queue   Enqueuer
}

// NewCodes returns a code store over onetime that queues messages on queue.
func NewCodes(onetime *OneTime, queue Enqueuer) *Codes {
	return &Codes{onetime: onetime, queue: queue}
}

var _ auth.CodeStore = (*Codes)(nil)

// Issue stores the code and queues m, when not nil, in one transaction.
func (c *Codes) Issue(ctx context.Context, in otp.Issue, m *auth.Message) error {
	var also []func(context.Context, bun.Tx) error
	if m != nil {
		msg := outboxMessage(*m)
		also = append(also, func(ctx context.Context, tx bun.Tx) error { return c.queue.Enqueue(ctx, tx, msg) })
	}
	_, err := c.onetime.Create(ctx, in, also...)
	return err
}

// Verify spends a code; see OneTime.Verify.
func (c *Codes) Verify(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error) {
	return c.onetime.Verify(ctx, appID, purpose, identity, codeHash)
}

// ConsumeLink spends a magic link; see OneTime.ConsumeLink.
func (c *Codes) ConsumeLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error) {
	return c.onetime.ConsumeLink(ctx, appID, purpose, selector, verifierHash)
}

// Cooldown is how long an identity waits between two codes.
func (c *Codes) Cooldown() time.Duration { return c.onetime.limits.Cooldown }

package admin

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/outbox"
)

// Outbox lists, retries and cancels queued messages (outbox.Queue).
type Outbox interface {
	Jobs(ctx context.Context, states []string, limit int) ([]outbox.Job, error)
	Retry(ctx context.Context, id int64) error
	Cancel(ctx context.Context, id int64) error
}

// OutboxLimit bounds the messages one outbox page lists.
const OutboxLimit = 100

// ErrNoOutbox is returned when no message delivery is configured.
var ErrNoOutbox = errors.New("admin: no message delivery is configured")

// OutboxOn reports whether there is a queue to show.
func (c *Console) OutboxOn() bool { return c.d.Outbox != nil }

// Messages lists queued messages: failed ones (discarded or cancelled)
// when failed, else those waiting to be sent.
func (c *Console) Messages(ctx context.Context, failed bool) ([]outbox.Job, error) {
	if c.d.Outbox == nil {
		return nil, ErrNoOutbox
	}
	states := outbox.Waiting
	if failed {
		states = outbox.Failed
	}
	return c.d.Outbox.Jobs(ctx, states, OutboxLimit)
}

// RetryMessage sends a failed message again, recording
// "admin.outbox_retry". Errors: ErrNoOutbox, outbox.ErrNoJob,
// outbox.ErrNotRetryable.
func (c *Console) RetryMessage(ctx context.Context, appID, actor uuid.UUID, id int64) error {
	return c.outboxAction(ctx, appID, actor, id, "admin.outbox_retry", c.d.Outbox.Retry)
}

// CancelMessage stops a waiting message, recording "admin.outbox_cancel".
// Errors: ErrNoOutbox, outbox.ErrNoJob, outbox.ErrNotRetryable.
func (c *Console) CancelMessage(ctx context.Context, appID, actor uuid.UUID, id int64) error {
	return c.outboxAction(ctx, appID, actor, id, "admin.outbox_cancel", c.d.Outbox.Cancel)
}

func (c *Console) outboxAction(ctx context.Context, appID, actor uuid.UUID, id int64, event string, do func(context.Context, int64) error) error {
	if c.d.Outbox == nil {
		return ErrNoOutbox
	}
	if err := do(ctx, id); err != nil {
		return err
	}
	return c.d.Audit.Record(auth.WithActor(ctx, actor.String()), auth.Event{AppID: appID, Name: event, Outcome: auth.Success,
		Detail: map[string]string{"job": strconv.FormatInt(id, 10)}})
}

// Limit is one guard limit that was full (at its budget, refusing) within
// the period asked for.
type Limit struct {
	Policy    string
	Scope     string
	Value     string // what it counts, masked for an address or number
	Budget    int
	Window    time.Duration
	FullUntil time.Time // when it stops refusing (or stopped)
}

// LimitsSince is how far back the limits page looks.
const LimitsSince = time.Hour

// Limits lists the guard limits that were full in the last LimitsSince,
// the most recent first.
func (c *Console) Limits(ctx context.Context, appID uuid.UUID) ([]Limit, error) {
	return c.d.Store.Limits(ctx, appID, c.d.Clock().Add(-LimitsSince), 100)
}

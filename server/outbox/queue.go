package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
)

// QueueName is the River queue outbox jobs run on.
const QueueName = "outbox"

// jobKind names outbox jobs in river_job.kind.
const jobKind = "outbox_deliver"

// DefaultMaxAttempts is how many times a message is tried before its job is
// discarded. With River's backoff (about attempt⁴ seconds) the last of six
// tries comes some 16 minutes after the first, past the life of a code.
const DefaultMaxAttempts = 6

// deliverArgs is the job, stored in river_job.args: the message, its bodies
// moved into Sealed when the queue has a Sealer.
type deliverArgs struct {
	Message
	Sealed []byte `json:"sealed,omitempty"`
}

func (deliverArgs) Kind() string { return jobKind }

// QueueConfig tunes a Queue. The zero value is usable.
type QueueConfig struct {
	MaxAttempts int    // tries before the job is discarded; default DefaultMaxAttempts
	Sealer      Sealer // encrypts bodies at rest in the queue; nil stores them as they are
}

// Queue enqueues messages inside bun transactions and lists failed ones.
// It is safe for concurrent use.
type Queue struct {
	client      *river.Client[*sql.Tx]
	maxAttempts int
	sealer      Sealer
}

// NewQueue returns a Queue over sqldb, the *sql.DB under the application's
// bun.DB (bdb.DB). It fails only on an invalid River configuration.
func NewQueue(sqldb *sql.DB, cfg QueueConfig) (*Queue, error) {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	// An insert-only client: no queues, no workers, nothing started.
	c, err := river.NewClient(riverdatabasesql.New(sqldb), &river.Config{MaxAttempts: cfg.MaxAttempts})
	if err != nil {
		return nil, errf("new queue: %w", err)
	}
	return &Queue{client: c, maxAttempts: cfg.MaxAttempts, sealer: cfg.Sealer}, nil
}

// Enqueue inserts m as a job in tx: it is delivered only if tx commits, and
// not before. It returns an error wrapping one of Validate's if m is not
// deliverable, or the database's error; either way tx should be rolled back.
func (q *Queue) Enqueue(ctx context.Context, tx bun.Tx, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	args := deliverArgs{Message: m}
	if q.sealer != nil {
		var err error
		if args, err = seal(q.sealer, m); err != nil {
			return err
		}
	}
	_, err := q.client.InsertTx(ctx, tx.Tx, args, &river.InsertOpts{
		Queue:       QueueName,
		MaxAttempts: q.maxAttempts,
		Tags:        []string{string(m.Kind), m.Purpose},
	})
	if err != nil {
		return errf("enqueue %s %s: %w", m.Kind, m.Purpose, err)
	}
	return nil
}

// Failure is a message that will not be delivered: its job was discarded
// after the last attempt, or cancelled by a permanent failure or expiry.
// It carries no body.
type Failure struct {
	JobID     int64
	Kind      Kind
	To        string
	Purpose   string
	State     string // "discarded" or "cancelled"
	Attempts  int
	LastError string
	CreatedAt time.Time
	EndedAt   time.Time
}

// Failed lists up to limit failed deliveries, newest first. They stay in
// river_job for River's retention period (7 days by default for discarded
// and cancelled jobs). It returns the database's error, wrapped.
func (q *Queue) Failed(ctx context.Context, limit int) ([]Failure, error) {
	if limit <= 0 {
		limit = 100
	}
	res, err := q.client.JobList(ctx, river.NewJobListParams().
		Kinds(jobKind).
		States(rivertype.JobStateDiscarded, rivertype.JobStateCancelled).
		OrderBy(river.JobListOrderByFinalizedAt, river.SortOrderDesc).
		First(limit))
	if err != nil {
		return nil, errf("list failed: %w", err)
	}
	out := make([]Failure, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		var a struct {
			Kind    Kind   `json:"kind"`
			To      string `json:"to"`
			Purpose string `json:"purpose"`
		}
		_ = json.Unmarshal(j.EncodedArgs, &a) // a job we wrote; a bad row still lists
		f := Failure{JobID: j.ID, Kind: a.Kind, To: a.To, Purpose: a.Purpose, State: string(j.State),
			Attempts: j.Attempt, CreatedAt: j.CreatedAt}
		if j.FinalizedAt != nil {
			f.EndedAt = *j.FinalizedAt
		}
		if n := len(j.Errors); n > 0 {
			f.LastError = j.Errors[n-1].Error
		}
		out = append(out, f)
	}
	return out, nil
}

// Backlog reads the queue's undelivered messages in one indexed query:
// depth counts jobs waiting, scheduled for a retry or being sent; oldest is
// the age of the oldest one not yet sent (available or retryable), 0 when
// none. A growing oldest age means delivery is stuck.
func Backlog(ctx context.Context, sqldb *sql.DB) (depth int64, oldest time.Duration, err error) {
	var age float64
	err = sqldb.QueryRowContext(ctx, `SELECT count(*),
		COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE state IN ('available', 'retryable'))), 0)
		FROM river_job WHERE queue = $1 AND state IN ('available', 'retryable', 'scheduled', 'running')`, QueueName).Scan(&depth, &age)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42P01" {
		return 0, 0, nil // no River tables: no message delivery configured, nothing queued
	}
	if err != nil {
		return 0, 0, errf("backlog: %w", err)
	}
	return depth, time.Duration(age * float64(time.Second)), nil
}

package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// Senders are the adapters a Worker delivers through, one per Kind. A nil
// one makes messages of its kind fail permanently.
type Senders struct {
	Email Sender
	SMS   Sender
}

// WorkerConfig tunes a Worker. The zero value is usable.
type WorkerConfig struct {
	Concurrency int           // messages sent at once; default 10
	JobTimeout  time.Duration // limit on one Send; default 30s
	// RescueStuckJobsAfter is how long a job may stay running before it is
	// taken to belong to a worker that died, and is retried; default 5m.
	RescueStuckJobsAfter time.Duration
	// RetryPolicy schedules retries; nil means River's default (about
	// attempt⁴ seconds, with jitter).
	RetryPolicy river.ClientRetryPolicy
	// FetchPollInterval is how often the worker looks for jobs when no
	// notification arrives; 0 means River's default (1s).
	FetchPollInterval time.Duration
	// CompletedRetention is how long a delivered message's job, whose
	// args hold the body (and so the code), stays in river_job; default
	// 1h. Discarded and cancelled jobs keep River's 7 days, for Failed.
	CompletedRetention time.Duration
	Logger             *slog.Logger     // default slog.Default()
	Clock              func() time.Time // default time.Now; used for Message.Expires
	Sealer             Sealer           // opens bodies the Queue sealed; must match the Queue's
	Metrics            Metrics          // counts deliveries; nil counts nothing
}

// Metrics hears of each delivery attempt: channel is the message's Kind
// ("email", "sms"), outcome "sent", "retry", "failed" (given up on) or
// "expired" (its code expired before it could be sent).
type Metrics interface {
	Delivered(channel, outcome string)
}

// Worker delivers enqueued messages: a River client on a pgx pool working
// the outbox queue.
type Worker struct {
	client *river.Client[pgx.Tx]
}

// NewWorker returns a stopped worker delivering through senders. It fails
// only on an invalid configuration.
func NewWorker(pool *pgxpool.Pool, senders Senders, cfg WorkerConfig) (*Worker, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 30 * time.Second
	}
	if cfg.RescueStuckJobsAfter <= 0 {
		cfg.RescueStuckJobsAfter = 5 * time.Minute
	}
	if cfg.CompletedRetention <= 0 {
		cfg.CompletedRetention = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &deliverWorker{senders: senders, clock: cfg.Clock, log: cfg.Logger, sealer: cfg.Sealer, metrics: cfg.Metrics}); err != nil {
		return nil, errf("new worker: %w", err)
	}
	rc := &river.Config{
		Queues:                      map[string]river.QueueConfig{QueueName: {MaxWorkers: cfg.Concurrency}},
		Workers:                     workers,
		JobTimeout:                  cfg.JobTimeout,
		RescueStuckJobsAfter:        cfg.RescueStuckJobsAfter,
		RetryPolicy:                 cfg.RetryPolicy,
		CompletedJobRetentionPeriod: cfg.CompletedRetention,
		FetchPollInterval:           cfg.FetchPollInterval,
		Logger:                      cfg.Logger,
	}
	if rc.FetchPollInterval > 0 && rc.FetchPollInterval < 100*time.Millisecond {
		rc.FetchCooldown = rc.FetchPollInterval / 2 // River requires cooldown ≤ poll interval
	}
	c, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, errf("new worker: %w", err)
	}
	return &Worker{client: c}, nil
}

// Start begins delivering. It returns River's error if the client cannot
// start (for one, if River's tables are missing: run MigrateRiver first).
// Delivery goes on until Stop or until ctx is cancelled.
func (w *Worker) Start(ctx context.Context) error {
	if err := w.client.Start(ctx); err != nil {
		return errf("start worker: %w", err)
	}
	return nil
}

// Stop stops fetching and waits for messages being sent to finish. If ctx
// ends first, it cancels the sends still running (their jobs are retried
// later, by this or another process) and waits a further 5 seconds at most.
func (w *Worker) Stop(ctx context.Context) error {
	err := w.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = w.client.StopAndCancel(cctx)
	}
	if err != nil {
		return errf("stop worker: %w", err)
	}
	return nil
}

type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	senders Senders
	clock   func() time.Time
	log     *slog.Logger
	sealer  Sealer
	metrics Metrics
}

func (d *deliverWorker) count(kind Kind, outcome string) {
	if d.metrics != nil {
		d.metrics.Delivered(string(kind), outcome)
	}
}

// Work sends one message. A permanent failure, a missing sender or an
// expired message cancels the job; any other error is retried by River.
func (d *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	if job.Args.Decoy {
		return nil // done: it only had to cost what a real message costs
	}
	m, err := open(d.sealer, job.Args)
	if err != nil {
		return river.JobCancel(err) // retrying cannot make it open
	}
	if !m.Expires.IsZero() && !d.clock().Before(m.Expires) {
		d.count(m.Kind, "expired")
		return river.JobCancel(ErrExpired)
	}
	var s Sender
	switch m.Kind {
	case Email:
		s = d.senders.Email
	case SMS:
		s = d.senders.SMS
	}
	if s == nil {
		d.count(m.Kind, "failed")
		return river.JobCancel(errf("no sender for %q", m.Kind))
	}
	if err := s.Send(ctx, m); err != nil {
		if IsPermanent(err) || job.Attempt >= job.MaxAttempts {
			d.count(m.Kind, "failed")
		} else {
			d.count(m.Kind, "retry")
		}
		if IsPermanent(err) {
			return river.JobCancel(err)
		}
		return err
	}
	d.count(m.Kind, "sent")
	d.log.InfoContext(ctx, "outbox: delivered", slog.Int64("job_id", job.ID), slog.Int("attempt", job.Attempt), slog.Any("message", m))
	return nil
}

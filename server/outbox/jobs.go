package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job is one queued message as operators see it: never a body, the
// recipient masked.
type Job struct {
	ID        int64
	Kind      Kind
	To        string // masked (Mask)
	Purpose   string
	State     string // River's: available, scheduled, retryable, running, completed, discarded, cancelled
	Attempts  int
	LastError string
	CreatedAt time.Time
}

// Job states an operator can list.
var (
	Waiting = []string{"available", "scheduled", "retryable", "running"}
	Failed  = []string{"discarded", "cancelled"}
)

// ErrNotRetryable is Retry's answer for a job that is not failed (a
// message waiting or sent is never sent again), and Cancel's for one that
// is not waiting.
var ErrNotRetryable = errors.New("outbox: that message is not in a state for that")

// ErrNoJob is returned for an id that is not an outbox job.
var ErrNoJob = errors.New("outbox: no such message")

// Jobs lists up to limit outbox jobs in the states, newest first.
func (q *Queue) Jobs(ctx context.Context, states []string, limit int) ([]Job, error) {
	st := make([]rivertype.JobState, len(states))
	for i, s := range states {
		st[i] = rivertype.JobState(s)
	}
	res, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(jobKind).States(st...).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, errf("list jobs: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		out = append(out, jobOf(j))
	}
	return out, nil
}

func jobOf(j *rivertype.JobRow) Job {
	var a struct {
		Kind    Kind   `json:"kind"`
		To      string `json:"to"`
		Purpose string `json:"purpose"`
	}
	_ = json.Unmarshal(j.EncodedArgs, &a) // a job we wrote; a bad row still lists
	out := Job{ID: j.ID, Kind: a.Kind, To: Mask(a.To), Purpose: a.Purpose, State: string(j.State), Attempts: j.Attempt, CreatedAt: j.CreatedAt}
	if n := len(j.Errors); n > 0 {
		out.LastError = j.Errors[n-1].Error
	}
	return out
}

// get returns the outbox job id.
func (q *Queue) get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	j, err := q.client.JobGet(ctx, id)
	if errors.Is(err, river.ErrNotFound) || (err == nil && j.Kind != jobKind) {
		return nil, ErrNoJob
	}
	if err != nil {
		return nil, errf("get job: %w", err)
	}
	return j, nil
}

// Retry makes a failed (discarded or cancelled) message available to be
// sent again at once. A message that expired is cancelled again by the
// worker rather than sent late.
//
// Errors: ErrNoJob; ErrNotRetryable for a message that did not fail.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	j, err := q.get(ctx, id)
	if err != nil {
		return err
	}
	if j.State != rivertype.JobStateDiscarded && j.State != rivertype.JobStateCancelled {
		return ErrNotRetryable
	}
	if _, err := q.client.JobRetry(ctx, id); err != nil {
		return errf("retry: %w", err)
	}
	return nil
}

// Cancel stops a waiting message from being sent.
//
// Errors: ErrNoJob; ErrNotRetryable for a message no longer waiting.
func (q *Queue) Cancel(ctx context.Context, id int64) error {
	j, err := q.get(ctx, id)
	if err != nil {
		return err
	}
	switch j.State {
	case rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable:
	default:
		return ErrNotRetryable
	}
	if _, err := q.client.JobCancel(ctx, id); err != nil {
		return errf("cancel: %w", err)
	}
	return nil
}

package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/outbox/outboxtest"
	"github.com/latch-dev/latch/server/token"
)

// recorder is a Sender that keeps what it was given and reports each send.
type recorder struct {
	mu   sync.Mutex
	got  []outbox.Message
	sent chan outbox.Message
}

func newRecorder() *recorder { return &recorder{sent: make(chan outbox.Message, 100)} }

func (r *recorder) Send(_ context.Context, m outbox.Message) error {
	r.mu.Lock()
	r.got = append(r.got, m)
	r.mu.Unlock()
	r.sent <- m
	return nil
}

func (r *recorder) messages() []outbox.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outbox.Message(nil), r.got...)
}

// soon retries after 50ms, so retry tests take no longer than that.
type soon struct{}

func (soon) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(50 * time.Millisecond) }

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func startWorker(t *testing.T, pool *pgxpool.Pool, s outbox.Senders, cfg outbox.WorkerConfig) *outbox.Worker {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quiet()
	}
	if cfg.FetchPollInterval == 0 {
		cfg.FetchPollInterval = 100 * time.Millisecond
	}
	w, err := outbox.NewWorker(pool, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = w.Stop(ctx)
	})
	return w
}

func newQueue(t testing.TB, bdb *bun.DB, cfg outbox.QueueConfig) *outbox.Queue {
	t.Helper()
	q, err := outbox.NewQueue(bdb.DB, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func loginCode(to, code string) outbox.Message {
	return outbox.Message{Kind: outbox.Email, To: to, Subject: "Your login code",
		Text: "Your code is " + code, HTML: "<p>Your code is <b>" + code + "</b></p>", Purpose: "login_code"}
}

// enqueue commits m in its own transaction.
func enqueue(t testing.TB, bdb *bun.DB, q *outbox.Queue, m outbox.Message) {
	t.Helper()
	err := bdb.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return q.Enqueue(ctx, tx, m)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func receive(t *testing.T, ch <-chan outbox.Message, within time.Duration) outbox.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(within):
		t.Fatalf("no message delivered within %v", within)
		return outbox.Message{}
	}
}

type jobRow struct {
	State   string
	Attempt int
	N       int
}

// jobs returns the state and attempt count of every outbox job, oldest first.
func jobs(t *testing.T, bdb *bun.DB) []jobRow {
	t.Helper()
	var out []jobRow
	if err := bdb.NewRaw("SELECT state::text, attempt FROM river_job WHERE kind = 'outbox_deliver' ORDER BY id").Scan(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitState waits until the only outbox job is in state.
func waitState(t *testing.T, bdb *bun.DB, state string, within time.Duration) jobRow {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		js := jobs(t, bdb)
		if len(js) == 1 && js[0].State == state {
			return js[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs are %+v after %v, want one %s", js, within, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMigrateRiverIsIdempotent(t *testing.T) {
	t.Parallel()
	_, pool := outboxtest.Open(t)
	again, err := outbox.MigrateRiver(t.Context(), pool, quiet())
	if err != nil || len(again) != 0 {
		t.Fatalf("second MigrateRiver applied %v (%v), want nothing", again, err)
	}
}

func TestEnqueueRollsBackWithItsTransaction(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})
	rec := newRecorder()
	startWorker(t, pool, outbox.Senders{Email: rec}, outbox.WorkerConfig{})

	errBoom := errors.New("the code could not be stored")
	err := bdb.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		if err := q.Enqueue(ctx, tx, loginCode("rolled@example.com", "111111")); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx = %v", err)
	}
	if js := jobs(t, bdb); len(js) != 0 {
		t.Fatalf("rolled-back enqueue left jobs %+v", js)
	}
	// A message committed afterwards is delivered; the rolled-back one never is.
	enqueue(t, bdb, q, loginCode("committed@example.com", "222222"))
	if m := receive(t, rec.sent, 10*time.Second); m.To != "committed@example.com" {
		t.Fatalf("delivered %s, want only the committed message", m.To)
	}
	time.Sleep(300 * time.Millisecond)
	if got := rec.messages(); len(got) != 1 {
		t.Fatalf("delivered %d messages, want 1", len(got))
	}
}

func TestCommittedMessagesAreDeliveredOnce(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})
	rec := newRecorder()
	sms := newRecorder()
	startWorker(t, pool, outbox.Senders{Email: rec, SMS: sms}, outbox.WorkerConfig{})

	const n = 20
	for i := range n {
		enqueue(t, bdb, q, loginCode(fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("%06d", i)))
	}
	enqueue(t, bdb, q, outbox.Message{Kind: outbox.SMS, To: "+15005550006", Text: "Your code is 123456", Purpose: "login_code"})
	for range n {
		receive(t, rec.sent, 10*time.Second)
	}
	if m := receive(t, sms.sent, 10*time.Second); m.Text != "Your code is 123456" || m.Kind != outbox.SMS {
		t.Errorf("SMS sender got %+v", m)
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show up
	seen := map[string]int{}
	for _, m := range rec.messages() {
		seen[m.To]++
		if want := loginCode(m.To, strings.TrimPrefix(m.Text, "Your code is ")); m != want {
			t.Errorf("delivered %+v, want %+v", m, want)
		}
	}
	for i := range n {
		if to := fmt.Sprintf("u%d@example.com", i); seen[to] != 1 {
			t.Errorf("%s delivered %d times", to, seen[to])
		}
	}
	for _, j := range jobs(t, bdb) {
		if j.State != "completed" || j.Attempt != 1 {
			t.Errorf("job %+v, want completed at the first attempt", j)
		}
	}
}

// blocker blocks every send until its context ends, as an SMTP server that
// stopped answering would.
type blocker struct{ started chan struct{} }

func (b blocker) Send(ctx context.Context, _ outbox.Message) error {
	b.started <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

func TestWorkerStoppedMidSendDeliversAfterRestart(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})

	b := blocker{started: make(chan struct{}, 1)}
	first, err := outbox.NewWorker(pool, outbox.Senders{Email: b}, outbox.WorkerConfig{Logger: quiet(), FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	enqueue(t, bdb, q, loginCode("restart@example.com", "333333"))
	select {
	case <-b.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first worker never started sending")
	}
	// Shut down as main does: a grace period, then cancel what is running.
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	err = first.Stop(ctx)
	cancel()
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if js := jobs(t, bdb); len(js) != 1 || js[0].State == "completed" {
		t.Fatalf("after the interrupted send, jobs are %+v", js)
	}

	// River's own retry policy, as in production.
	rec := newRecorder()
	begin := time.Now()
	startWorker(t, pool, outbox.Senders{Email: rec}, outbox.WorkerConfig{FetchPollInterval: 100 * time.Millisecond})
	m := receive(t, rec.sent, 30*time.Second)
	took := time.Since(begin)
	if m.To != "restart@example.com" {
		t.Fatalf("delivered %+v", m)
	}
	j := waitState(t, bdb, "completed", 5*time.Second)
	t.Logf("restart to delivery: %v (attempt %d)", took.Round(time.Millisecond), j.Attempt)
}

func TestPermanentFailureCancelsAtOnce(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})
	var calls sync.WaitGroup
	calls.Add(1)
	reject := outbox.SenderFunc(func(context.Context, outbox.Message) error {
		calls.Done()
		return outbox.Permanent(errors.New("550 no such mailbox"))
	})
	startWorker(t, pool, outbox.Senders{Email: reject}, outbox.WorkerConfig{RetryPolicy: soon{}})
	enqueue(t, bdb, q, loginCode("nobody@example.com", "444444"))
	j := waitState(t, bdb, "cancelled", 10*time.Second)
	if j.Attempt != 1 {
		t.Errorf("cancelled after %d attempts, want 1", j.Attempt)
	}
	failed, err := q.Failed(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 {
		t.Fatalf("Failed = %+v, want one", failed)
	}
	f := failed[0]
	if f.State != "cancelled" || f.To != "nobody@example.com" || f.Purpose != "login_code" || f.Kind != outbox.Email ||
		!strings.Contains(f.LastError, "550 no such mailbox") || f.EndedAt.IsZero() {
		t.Errorf("Failed[0] = %+v", f)
	}
	if strings.Contains(fmt.Sprintf("%+v", f), "444444") {
		t.Errorf("Failed exposes the body: %+v", f)
	}
}

func TestTemporaryFailureRetriesThenSucceeds(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})
	var mu sync.Mutex
	tries := 0
	rec := newRecorder()
	flaky := outbox.SenderFunc(func(ctx context.Context, m outbox.Message) error {
		mu.Lock()
		tries++
		n := tries
		mu.Unlock()
		if n < 3 {
			return errors.New("421 try again later")
		}
		return rec.Send(ctx, m)
	})
	startWorker(t, pool, outbox.Senders{Email: flaky}, outbox.WorkerConfig{RetryPolicy: soon{}})
	enqueue(t, bdb, q, loginCode("flaky@example.com", "555555"))
	receive(t, rec.sent, 10*time.Second)
	if j := waitState(t, bdb, "completed", 5*time.Second); j.Attempt != 3 {
		t.Errorf("completed at attempt %d, want 3", j.Attempt)
	}
	if f, err := q.Failed(t.Context(), 10); err != nil || len(f) != 0 {
		t.Errorf("Failed = %+v, %v; want none", f, err)
	}
}

func TestTemporaryFailuresEndDiscarded(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{MaxAttempts: 3})
	down := outbox.SenderFunc(func(context.Context, outbox.Message) error { return errors.New("connection refused") })
	startWorker(t, pool, outbox.Senders{Email: down}, outbox.WorkerConfig{RetryPolicy: soon{}})
	enqueue(t, bdb, q, loginCode("down@example.com", "666666"))
	if j := waitState(t, bdb, "discarded", 10*time.Second); j.Attempt != 3 {
		t.Errorf("discarded after %d attempts, want 3", j.Attempt)
	}
	failed, err := q.Failed(t.Context(), 0)
	if err != nil || len(failed) != 1 || failed[0].State != "discarded" || failed[0].Attempts != 3 {
		t.Fatalf("Failed = %+v, %v", failed, err)
	}
}

func TestExpiredMessageIsNotSent(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})
	rec := newRecorder()
	startWorker(t, pool, outbox.Senders{Email: rec}, outbox.WorkerConfig{})
	m := loginCode("late@example.com", "777777")
	m.Expires = time.Now().Add(-time.Second)
	enqueue(t, bdb, q, m)
	waitState(t, bdb, "cancelled", 10*time.Second)
	if got := rec.messages(); len(got) != 0 {
		t.Errorf("sent an expired message: %+v", got)
	}
}

func TestDecoyCompletesUnsent(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	sealer, err := token.NewSealer(make([]byte, token.KEKSize), token.PurposeOutbox)
	if err != nil {
		t.Fatal(err)
	}
	q := newQueue(t, bdb, outbox.QueueConfig{Sealer: sealer})
	rec := newRecorder()
	startWorker(t, pool, outbox.Senders{Email: rec}, outbox.WorkerConfig{Sealer: sealer})
	m := loginCode("nobody@example.com", "424242")
	m.Decoy = true
	enqueue(t, bdb, q, m)
	waitState(t, bdb, "completed", 10*time.Second)
	// A real message after it is delivered: the worker was running.
	enqueue(t, bdb, q, loginCode("real@example.com", "123123"))
	if got := receive(t, rec.sent, 10*time.Second); got.To != "real@example.com" {
		t.Fatalf("delivered %+v", got)
	}
	if got := rec.messages(); len(got) != 1 {
		t.Errorf("the decoy was sent: %+v", got)
	}
	// Queued like a real one: sealed, its code nowhere in clear.
	var inClear bool
	if err := bdb.NewRaw("SELECT EXISTS (SELECT 1 FROM river_job WHERE args::text LIKE '%424242%')").Scan(t.Context(), &inClear); err != nil || inClear {
		t.Fatalf("decoy's code in clear: %v %v", inClear, err)
	}
}

func TestMissingSenderCancels(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})
	startWorker(t, pool, outbox.Senders{Email: newRecorder()}, outbox.WorkerConfig{})
	enqueue(t, bdb, q, outbox.Message{Kind: outbox.SMS, To: "+15005550006", Text: "code 1", Purpose: "login_code"})
	waitState(t, bdb, "cancelled", 10*time.Second)
}

func TestEnqueueRefusesBadMessages(t *testing.T) {
	t.Parallel()
	ok := loginCode("a@example.com", "1")
	for _, tc := range []struct {
		name string
		edit func(*outbox.Message)
		want error
	}{
		{"kind", func(m *outbox.Message) { m.Kind = "fax" }, outbox.ErrKind},
		{"no recipient", func(m *outbox.Message) { m.To = " " }, outbox.ErrNoTo},
		{"no body", func(m *outbox.Message) { m.Text = "" }, outbox.ErrNoBody},
		{"no purpose", func(m *outbox.Message) { m.Purpose = "" }, outbox.ErrNoPurpose},
		{"header injection", func(m *outbox.Message) { m.Subject = "Hi\r\nBcc: x@evil.test" }, outbox.ErrHeader},
		{"sms with html", func(m *outbox.Message) { m.Kind = outbox.SMS; m.Subject = "" }, outbox.ErrSMSFields},
	} {
		m := ok
		tc.edit(&m)
		if err := m.Validate(); !errors.Is(err, tc.want) {
			t.Errorf("%s: Validate = %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid message: %v", err)
	}
}

func TestLogValueHidesBodies(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "message", loginCode("alice@example.com", "987654"))
	out := b.String()
	if strings.Contains(out, "987654") || strings.Contains(out, "alice@") || !strings.Contains(out, "a***@example.com") {
		t.Errorf("logged %q", out)
	}
	if !outbox.IsPermanent(fmt.Errorf("wrapped: %w", outbox.Permanent(errors.New("x")))) || outbox.IsPermanent(errors.New("x")) || outbox.Permanent(nil) != nil {
		t.Error("Permanent/IsPermanent disagree")
	}
}

func TestMailboxStoresAndLists(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	q := newQueue(t, bdb, outbox.QueueConfig{})
	box := outbox.NewMailbox(bdb, nil)
	startWorker(t, pool, outbox.Senders{Email: box, SMS: box}, outbox.WorkerConfig{})
	first := loginCode("dev@example.com", "121212")
	second := outbox.Message{Kind: outbox.SMS, To: "+15005550006", Text: "Your code is 343434", Purpose: "login_code"}
	enqueue(t, bdb, q, first)
	waitState(t, bdb, "completed", 10*time.Second)
	enqueue(t, bdb, q, second)
	deadline := time.Now().Add(10 * time.Second)
	var got []outbox.Stored
	for len(got) < 2 && time.Now().Before(deadline) {
		var err error
		if got, err = box.List(t.Context(), 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(got) != 2 || got[0].Message != second || got[1].Message != first || got[0].CreatedAt.IsZero() {
		t.Fatalf("List = %+v", got)
	}
}

// BenchmarkEnqueue measures Enqueue alone inside an open transaction; the
// transaction's own begin and commit are outside the timer.
func BenchmarkEnqueue(b *testing.B) {
	bdb, _ := outboxtest.Open(b)
	q := newQueue(b, bdb, outbox.QueueConfig{})
	ctx := context.Background()
	m := loginCode("bench@example.com", "000000")
	tx, err := bdb.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Enqueue(ctx, tx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEnqueueTx measures a whole transaction that only enqueues:
// begin, Enqueue, commit.
func BenchmarkEnqueueTx(b *testing.B) {
	bdb, _ := outboxtest.Open(b)
	q := newQueue(b, bdb, outbox.QueueConfig{})
	m := loginCode("bench@example.com", "000000")
	b.ReportAllocs()
	for b.Loop() {
		if err := bdb.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
			return q.Enqueue(ctx, tx, m)
		}); err != nil {
			b.Fatal(err)
		}
	}
}

package outbox_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/outbox/outboxtest"
)

type heard struct {
	mu  sync.Mutex
	got []string
}

func (h *heard) Delivered(channel, outcome string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, channel+" "+outcome)
}

func (h *heard) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// TestBacklogAndDeliveryMetrics: queued messages show in Backlog with the
// age of the oldest; the worker reports each attempt (a retry, then a
// send) and the backlog empties.
func TestBacklogAndDeliveryMetrics(t *testing.T) {
	t.Parallel()
	bdb, pool := outboxtest.Open(t)
	ctx := context.Background()
	q := newQueue(t, bdb, outbox.QueueConfig{})
	if depth, oldest, err := outbox.Backlog(ctx, bdb.DB); err != nil || depth != 0 || oldest != 0 {
		t.Fatalf("empty backlog: %d %v %v", depth, oldest, err)
	}
	enqueue(t, bdb, q, loginCode("a@example.com", "111111"))
	enqueue(t, bdb, q, loginCode("b@example.com", "222222"))
	time.Sleep(50 * time.Millisecond)
	depth, oldest, err := outbox.Backlog(ctx, bdb.DB)
	if err != nil || depth != 2 || oldest < 40*time.Millisecond || oldest > time.Minute {
		t.Fatalf("backlog of two: depth %d oldest %v %v", depth, oldest, err)
	}
	var once sync.Once
	flaky := outbox.SenderFunc(func(_ context.Context, m outbox.Message) error {
		var err error
		once.Do(func() { err = errors.New("421 try later") })
		return err
	})
	m := &heard{}
	startWorker(t, pool, outbox.Senders{Email: flaky}, outbox.WorkerConfig{RetryPolicy: soon{}, Metrics: m})
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := m.list()
		sent := 0
		for _, g := range got {
			if g == "email sent" {
				sent++
			}
		}
		if sent == 2 && slices.Contains(got, "email retry") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics heard %v, want a retry and two sends", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// River marks a job done just after Work returns.
	for {
		depth, oldest, err := outbox.Backlog(ctx, bdb.DB)
		if err == nil && depth == 0 && oldest == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog after delivery: %d %v %v", depth, oldest, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBacklogWithoutRiver: a deployment without message delivery has no
// River tables; its backlog is empty, not an error on every scrape.
func TestBacklogWithoutRiver(t *testing.T) {
	t.Parallel()
	bdb := dbtest.Open(t)
	if depth, oldest, err := outbox.Backlog(context.Background(), bdb.DB); err != nil || depth != 0 || oldest != 0 {
		t.Fatalf("backlog without River: %d %v %v", depth, oldest, err)
	}
}

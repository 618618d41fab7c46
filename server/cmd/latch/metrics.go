package main

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/metrics"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/password"
)

// newMetrics returns Latch's metrics with the database pool, the hash
// queue and the outbox backlog collectors, or nil when LATCH_METRICS is
// off. The hasher reports its waits from now on.
func newMetrics(cfg config.Config, bdb *bun.DB, hasher *password.Hasher) (*metrics.Metrics, error) {
	if !cfg.MetricsOn {
		return nil, nil
	}
	m := metrics.New()
	hasher.SetMetrics(m)
	backlog := func(ctx context.Context) (metrics.Backlog, error) {
		depth, oldest, err := outbox.Backlog(ctx, bdb.DB)
		return metrics.Backlog{Depth: depth, Oldest: oldest}, err
	}
	cs := append(metrics.HashQueueGauges(hasher), metrics.DBStats(bdb.DB),
		metrics.OutboxCollector(backlog, 2*time.Second, 5*time.Second))
	if err := m.Register(cs...); err != nil {
		return nil, err
	}
	return m, nil
}

// guardMetrics and outboxMetrics are m as the guard's and the outbox's
// optional Metrics: nil stays an untyped nil.
func guardMetrics(m *metrics.Metrics) guard.Metrics {
	if m == nil {
		return nil
	}
	return m
}

func outboxMetrics(m *metrics.Metrics) outbox.Metrics {
	if m == nil {
		return nil
	}
	return m
}

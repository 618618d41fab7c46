package metrics

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// DBStats is the collector of a database/sql pool (bun's *sql.DB):
// go_sql_* series labelled db_name="latch".
func DBStats(db *sql.DB) prometheus.Collector {
	return collectors.NewDBStatsCollector(db, "latch")
}

// HashQueue is what the hash queue gauges read (password.Hasher).
type HashQueue interface {
	Waiting() int // hashes waiting for a computation slot
	Running() int // computations running
}

// HashQueueGauges are latch_password_hash_queue_depth and
// latch_password_hash_running, read from q on each scrape.
func HashQueueGauges(q HashQueue) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "latch_password_hash_queue_depth",
			Help: "Password hashes waiting for a computation slot.",
		}, func() float64 { return float64(q.Waiting()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "latch_password_hash_running",
			Help: "Password hash computations running.",
		}, func() float64 { return float64(q.Running()) }),
	}
}

// Backlog is the outbox's queue of undelivered messages.
type Backlog struct {
	Depth  int64         // messages not yet delivered nor given up on
	Oldest time.Duration // age of the oldest one waiting to be sent; 0 when none
}

// BacklogFunc reads the outbox backlog (outbox.ReadBacklog).
type BacklogFunc func(ctx context.Context) (Backlog, error)

// OutboxCollector reports latch_outbox_depth and
// latch_outbox_oldest_age_seconds, querying read on scrape with a
// timeout, and reusing an answer younger than maxAge so a scrape storm
// costs one query per maxAge.
func OutboxCollector(read BacklogFunc, timeout, maxAge time.Duration) prometheus.Collector {
	return &outboxCollector{
		read: read, timeout: timeout, maxAge: maxAge,
		depth: prometheus.NewDesc("latch_outbox_depth", "Messages in the outbox not yet delivered (waiting, scheduled for retry or being sent).", nil, nil),
		age:   prometheus.NewDesc("latch_outbox_oldest_age_seconds", "Age of the oldest message waiting to be sent; 0 when none waits.", nil, nil),
	}
}

type outboxCollector struct {
	read       BacklogFunc
	timeout    time.Duration
	maxAge     time.Duration
	depth, age *prometheus.Desc
	mu         sync.Mutex
	last       Backlog
	lastAt     time.Time
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.age
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastAt.IsZero() || time.Since(c.lastAt) > c.maxAge {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		b, err := c.read(ctx)
		cancel()
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.depth, err)
			return
		}
		c.last, c.lastAt = b, time.Now()
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(c.last.Depth))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, c.last.Oldest.Seconds())
}

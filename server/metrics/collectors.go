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

// PoolStats is what a pgx pool reports (*pgxpool.Pool's Stat, as
// PgxPool reads it).
type PoolStats interface {
	AcquiredConns() int32
	IdleConns() int32
	TotalConns() int32
	MaxConns() int32
	AcquireCount() int64
	AcquireDuration() time.Duration
	EmptyAcquireCount() int64
}

// PgxPool is the collector of a pgx pool (the outbox worker's): the
// latch_pgxpool_* series, labelled pool=name, read from stat on scrape.
func PgxPool(name string, stat func() PoolStats) prometheus.Collector {
	labels := prometheus.Labels{"pool": name}
	d := func(n, help string) *prometheus.Desc {
		return prometheus.NewDesc("latch_pgxpool_"+n, help, nil, labels)
	}
	return &pgxCollector{stat: stat,
		acquired: d("acquired_connections", "Connections in use."),
		idle:     d("idle_connections", "Idle connections."),
		total:    d("total_connections", "Open connections."),
		max:      d("max_connections", "The pool's bound."),
		acquires: d("acquires_total", "Connections acquired."),
		waited:   d("acquire_wait_seconds_total", "Time spent acquiring connections."),
		empty:    d("empty_acquires_total", "Acquires that had to wait for a connection."),
	}
}

type pgxCollector struct {
	stat                                                func() PoolStats
	acquired, idle, total, max, acquires, waited, empty *prometheus.Desc
}

func (c *pgxCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.max, c.acquires, c.waited, c.empty} {
		ch <- d
	}
}

func (c *pgxCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.acquired, float64(s.AcquiredConns()))
	gauge(c.idle, float64(s.IdleConns()))
	gauge(c.total, float64(s.TotalConns()))
	gauge(c.max, float64(s.MaxConns()))
	counter(c.acquires, float64(s.AcquireCount()))
	counter(c.waited, s.AcquireDuration().Seconds())
	counter(c.empty, float64(s.EmptyAcquireCount()))
}

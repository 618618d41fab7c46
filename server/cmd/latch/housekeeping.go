package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// pruneJob deletes rows a store no longer needs and says how many.
type pruneJob struct {
	name string
	run  func(context.Context) (int64, error)
}

// runPrunes runs every job once per interval until ctx ends. A failure is
// logged and tried again at the next tick.
func runPrunes(ctx context.Context, interval time.Duration, log *slog.Logger, jobs ...pruneJob) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, j := range jobs {
			n, err := j.run(ctx)
			switch {
			case err != nil:
				log.WarnContext(ctx, "prune failed", "what", j.name, "err", err)
			case n > 0:
				log.InfoContext(ctx, "pruned", "what", j.name, "rows", n)
			}
		}
	}
}

// background runs Latch's long-lived loops (cleanups, prunes, key reloads,
// the purge, the proof-of-work level) so that serve can end them all at
// shutdown and wait for them: start each with start; they end when the
// context given to newBackground does, or at stop, which also waits.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *slog.Logger
	names  []string
}

func newBackground(ctx context.Context, log *slog.Logger) *background {
	ctx, cancel := context.WithCancel(ctx)
	return &background{ctx: ctx, cancel: cancel, log: log}
}

// start runs loop in its own goroutine until stop (or the serve context)
// ends it. A loop that panics takes the process down, as any other bug.
func (b *background) start(name string, loop func(ctx context.Context)) {
	b.names = append(b.names, name)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		loop(b.ctx)
	}()
}

// stop ends every loop and waits up to timeout for them to return.
func (b *background) stop(timeout time.Duration) {
	b.cancel()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		b.log.Warn("background loops still running at shutdown", "loops", b.names)
	}
}

package main

import (
	"context"
	"log/slog"
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

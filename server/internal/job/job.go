// Package job runs the servers' periodic background work (escalations, pruning) the same way.
package job

import (
	"context"
	"log/slog"
	"time"
)

// Every calls fn every interval (the first time one interval from now) until ctx ends. A failure is
// logged as a warning, and a positive count as information, both under what.
func Every(ctx context.Context, interval time.Duration, log *slog.Logger, what string, fn func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := fn(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				log.WarnContext(ctx, what, "err", err)
			case err == nil && n > 0:
				log.InfoContext(ctx, what, "count", n)
			}
		}
	}
}

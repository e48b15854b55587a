package appointment

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"hms/server/internal/event"
	"hms/shared"
)

// RefreshWaits republishes a department's waits (queue.waits on queue:dept:<d>) and display board
// (display.updated on display:<d>) when time alone changed the estimates, e.g. a consultation running
// long, so that screens stay true between queue changes. Every instance may run it: under the channel's
// publish lock the new figures are compared with the newest stored event, so each change is published
// once. It returns how many events it published.
func (s *Service) RefreshWaits(ctx context.Context) (int, error) {
	day, n := s.today(), 0
	depts, err := s.store.Departments(ctx, day)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, dept := range depts {
		channel := shared.ChannelDeptQueue + ":" + dept
		_, err = s.pub.PublishWith(ctx, channel, shared.EventQueueWaits, func(ctx context.Context) (any, error) {
			b, err := s.board(ctx, dept, day)
			if err != nil {
				return nil, err
			}
			if len(b.waiting) == 0 {
				return nil, event.ErrSkip // the change that emptied the queue published the empty board already
			}
			waits := b.waits()
			if last, ok, err := s.pub.Last(ctx, channel); err != nil {
				return nil, err
			} else if ok && sameWaits(last.Data, waits) {
				return nil, event.ErrSkip
			}
			return shared.QueueWaits{Department: dept, Waits: waits}, nil
		})
		switch {
		case errors.Is(err, event.ErrSkip):
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		}
		n++
		s.emitWith(ctx, shared.ChannelDisplay+":"+dept, shared.EventDisplay, func(ctx context.Context) (any, error) {
			b, err := s.board(ctx, dept, day)
			if err != nil {
				return nil, err
			}
			return s.display(b, dept, day), nil
		})
	}
	return n, errors.Join(errs...)
}

// sameWaits compares the waits of a stored queue event (queue.changed or queue.waits) with waits.
func sameWaits(data json.RawMessage, waits []shared.TicketWait) bool {
	var prev struct {
		Waits []shared.TicketWait `json:"waits"`
	}
	if json.Unmarshal(data, &prev) != nil {
		return false
	}
	return slices.Equal(prev.Waits, waits)
}

// Prune forgets what the hot paths no longer need: queues of days before yesterday, and claims of
// slots that ended more than a day ago (the appointments themselves are kept).
func (s *Service) Prune(ctx context.Context) error {
	now := s.now()
	return errors.Join(
		s.store.PruneQueues(ctx, now.In(s.loc).AddDate(0, 0, -1).Format(time.DateOnly)),
		s.store.PruneClaims(ctx, now.Add(-24*time.Hour)))
}

// RunRefresher calls RefreshWaits every interval, and Prune every 20 intervals, until ctx ends.
func (s *Service) RunRefresher(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := 1; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.RefreshWaits(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "refresh queue waits", "err", err)
			}
			if i%20 == 0 {
				if err := s.Prune(ctx); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "prune queues and slot claims", "err", err)
				}
			}
		}
	}
}

// QueueFigures are one department's queue now, for the metrics.
type QueueFigures struct {
	Department     string
	Waiting        int
	InConsultation int
	// EstimatedWait is the estimate of the last waiting ticket: roughly what a newcomer faces.
	EstimatedWait time.Duration
}

// maxFigureDepartments bounds how many departments one Figures call reads.
const maxFigureDepartments = 100

// Figures returns today's queue of each department that has tickets today, as the display boards show
// it (at most maxFigureDepartments of them).
func (s *Service) Figures(ctx context.Context) ([]QueueFigures, error) {
	day := s.today()
	depts, err := s.store.Departments(ctx, day)
	if err != nil {
		return nil, err
	}
	slices.Sort(depts)
	if len(depts) > maxFigureDepartments {
		depts = depts[:maxFigureDepartments]
	}
	out := make([]QueueFigures, 0, len(depts))
	for _, dept := range depts {
		b, err := s.board(ctx, dept, day)
		if err != nil {
			return nil, err
		}
		f := QueueFigures{Department: dept, Waiting: len(b.waiting), InConsultation: len(b.serving)}
		if n := len(b.estimates); n > 0 {
			f.EstimatedWait = time.Duration(b.estimates[n-1]) * time.Minute
		}
		out = append(out, f)
	}
	return out, nil
}

package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"hms/shared"
)

// Wake makes the delivery worker look for due deliveries now instead of at its next tick.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunWorker delivers due email and SMS until ctx ends: at every tick of interval, and at once when
// this instance made a notification (Wake). Every instance runs one; attempt claims keep them from
// sending the same delivery twice.
func (s *Service) RunWorker(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
		for {
			n, err := s.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "deliver notifications", "err", err)
			}
			if err != nil || n < dueBatch {
				break
			}
		}
	}
}

// dueBatch is how many due deliveries one pass takes.
const dueBatch = 200

// DeliverDue makes one pass: it attempts every delivery due now (up to dueBatch), Workers at a time,
// and returns how many it found due.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	due, err := s.store.Due(ctx, s.now(), dueBatch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	work := make(chan Delivery)
	var wg sync.WaitGroup
	for range min(s.cfg.Workers, len(due)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if err := s.attempt(ctx, d); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "delivery attempt", "delivery", d.ID, "err", err)
				}
			}
		}()
	}
	for _, d := range due {
		work <- d
	}
	close(work)
	wg.Wait()
	return len(due), ctx.Err()
}

// attempt claims the next attempt of d and, if it won the claim, sends d and records the outcome.
func (s *Service) attempt(ctx context.Context, d Delivery) error {
	now := s.now()
	n, abandoned, err := s.claim(ctx, d, now)
	if errors.Is(err, ErrAttemptTaken) {
		return nil // another instance has it
	}
	if err != nil {
		return err
	}
	if abandoned == 0 && d.Status == shared.DeliverySending {
		abandoned = d.Attempts // its lease ran out: the instance making it stopped
	}
	if abandoned > 0 {
		if err := s.store.SaveDelivery(ctx, d, shared.DeliveryLog{At: now, Attempt: abandoned, Status: "abandoned",
			Reason: "the instance making this attempt stopped before recording its outcome; trying again"}); err != nil {
			return err
		}
	}
	d.Status, d.Attempts, d.LeaseUntil, d.UpdatedAt = shared.DeliverySending, n, now.Add(s.cfg.Lease), now
	if err := s.store.SaveDelivery(ctx, d, shared.DeliveryLog{At: now, Attempt: n, Status: shared.DeliverySending}); err != nil {
		return err
	}
	t := s.transport(d.Channel)
	var providerID string
	if t == nil {
		err = errNoTransport
	} else {
		sendCtx, cancel := context.WithTimeout(ctx, s.cfg.Lease/2)
		providerID, err = t.Send(sendCtx, d)
		cancel()
	}
	if ctx.Err() != nil && err != nil {
		// Shutting down mid-send: leave the claim; the lease hands it to another instance.
		return ctx.Err()
	}
	done := s.now()
	entry := shared.DeliveryLog{At: done, Attempt: n}
	d.UpdatedAt, d.LeaseUntil = done, time.Time{}
	switch {
	case err == nil:
		d.Status, d.ProviderID, d.LastError = shared.DeliverySent, providerID, ""
		d.SentAt = &done
		entry.Status = shared.DeliverySent
		if providerID != "" {
			entry.Reason = "provider id " + providerID
		}
	case t == nil || t.Permanent(err) || n >= s.cfg.MaxAttempts:
		d.Status, d.LastError = shared.DeliveryDead, reason(err)
		entry.Status, entry.Reason = shared.DeliveryDead, d.LastError
		if t != nil && !t.Permanent(err) {
			entry.Reason = fmt.Sprintf("%s (gave up after %d attempts)", d.LastError, n)
		}
	default:
		wait := s.backoff(n)
		if ra := t.RetryAfter(err); ra > wait {
			wait = ra
		}
		d.Status, d.LastError, d.NextAt = shared.DeliveryRetrying, reason(err), done.Add(wait)
		entry.Status = shared.DeliveryRetrying
		entry.Reason = fmt.Sprintf("%s; next try at %s", d.LastError, d.NextAt.In(s.cfg.Location).Format("15:04:05"))
	}
	// The outcome is recorded even if the request that woke us is gone.
	return s.store.SaveDelivery(context.WithoutCancel(ctx), d, entry)
}

// claim claims attempt d.Attempts+1. If that attempt was claimed by an instance that then stopped
// (its claim is older than the lease and d still shows the attempt before), it claims the next one and
// returns the abandoned attempt's number too. Claims are inserts under a unique index: of several
// instances recovering the same delivery, one wins.
func (s *Service) claim(ctx context.Context, d Delivery, now time.Time) (n, abandoned int, err error) {
	n = d.Attempts + 1
	for range 3 {
		err = s.store.ClaimAttempt(ctx, Attempt{DeliveryID: d.ID, N: n, Instance: s.cfg.Instance, At: now})
		if !errors.Is(err, ErrAttemptTaken) {
			return n, abandoned, err
		}
		prev, perr := s.store.AttemptClaim(ctx, d.ID, n)
		if perr != nil {
			return 0, 0, perr
		}
		if now.Sub(prev.At) < s.cfg.Lease {
			return 0, 0, ErrAttemptTaken
		}
		abandoned, n = n, n+1
	}
	return 0, 0, ErrAttemptTaken
}

// backoff is the wait after failed attempt n: RetryBase doubled per attempt, up to RetryMax, with
// ±20% jitter so that instances and deliveries do not retry in step.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.RetryBase << min(n-1, 20)
	if d <= 0 || d > s.cfg.RetryMax {
		d = s.cfg.RetryMax
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// reason is an error as a delivery log shows it: one line, bounded.
func reason(err error) string {
	r := strings.Join(strings.Fields(err.Error()), " ")
	if len(r) > 300 {
		r = r[:300] + "…"
	}
	return r
}

// Retry queues a dead delivery again (an admin fixed the address or the provider is back).
func (s *Service) Retry(ctx context.Context, by, id string) (Delivery, error) {
	d, err := s.store.Delivery(ctx, id)
	if err != nil {
		return Delivery{}, err
	}
	if d.Status != shared.DeliveryDead {
		return Delivery{}, ErrNotDead
	}
	now := s.now()
	d.Status, d.NextAt, d.UpdatedAt = shared.DeliveryQueued, now, now
	entry := shared.DeliveryLog{At: now, Attempt: d.Attempts, Status: shared.DeliveryQueued, Reason: "queued again by an admin (" + by + ")"}
	if err := s.store.SaveDelivery(ctx, d, entry); err != nil {
		return Delivery{}, err
	}
	d.Log = append(d.Log, entry)
	s.Wake()
	return d, nil
}

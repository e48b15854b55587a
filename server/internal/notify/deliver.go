package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"hms/server/internal/job"
	"hms/shared"
)

// Wake makes the delivery worker look for due deliveries now instead of at its next tick.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// hand gives deliveries this instance just made, due now, to its worker, which sends them without
// looking them up first (on FerretDB each look-up reads the collection). When the worker is busy they
// wait for its next pass instead.
func (s *Service) hand(ds []Delivery) {
	select {
	case s.fresh <- ds:
	default:
		s.Wake()
	}
}

// RunWorker delivers due email and SMS until ctx ends: at every tick of interval, at once what this
// instance just made (hand), and on Wake. Every instance runs one; attempt claims keep them from sending
// the same delivery twice.
func (s *Service) RunWorker(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ds := <-s.fresh:
			s.send(ctx, ds, nil)
			continue
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

// dueBatch is how many due deliveries one pass takes. On FerretDB each pass reads every queued
// delivery, so a pass should not be small when thousands are due (a reminder scan).
const dueBatch = 500

// DeliverDue makes one pass: it attempts every delivery due now (up to dueBatch), Workers at a time,
// and returns how many it found due.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	due, err := s.store.Due(ctx, s.now(), dueBatch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	missing, err := s.store.Bodies(ctx, due)
	if err != nil {
		return 0, err
	}
	s.send(ctx, due, missing)
	return len(due), ctx.Err()
}

// send attempts the deliveries (but the missing ones), Workers at a time, and drops the bodies of those
// it sent.
func (s *Service) send(ctx context.Context, due []Delivery, missing map[string]bool) {
	work := make(chan Delivery)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sent []string
	for range min(s.cfg.Workers, len(due)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				ok, err := s.attempt(ctx, d)
				if err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "delivery attempt", "delivery", d.ID, "err", err)
				}
				if ok {
					mu.Lock()
					sent = append(sent, d.ID)
					mu.Unlock()
				}
			}
		}()
	}
	for _, d := range due {
		if !missing[d.ID] {
			work <- d
		}
	}
	close(work)
	wg.Wait()
	// What was sent need not be kept; a body left by a crash here goes when the delivery is pruned.
	if err := s.store.DropBodies(context.WithoutCancel(ctx), sent); err != nil {
		s.log.WarnContext(ctx, "drop the bodies of sent deliveries", "err", err)
	}
}

// Prune deletes the finished deliveries (sent or skipped) older than retention; dead letters stay
// until an admin retries them. It returns how many it deleted.
func (s *Service) Prune(ctx context.Context, retention time.Duration) (int, error) {
	total := 0
	for {
		n, err := s.store.Prune(ctx, s.now().Add(-retention))
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// RunPruner prunes every interval until ctx ends.
func (s *Service) RunPruner(ctx context.Context, retention, interval time.Duration) {
	job.Every(ctx, interval, s.log, "prune finished deliveries", func(ctx context.Context) (int, error) { return s.Prune(ctx, retention) })
}

// attempt claims the next attempt of d and, if it won the claim, sends d and records the outcome. An
// attempt takes at most half the lease; a claim older than the lease with no outcome recorded was
// abandoned by an instance that stopped, and the next attempt may be claimed (claim).
func (s *Service) attempt(ctx context.Context, d Delivery) (sent bool, err error) {
	now := s.now()
	n, abandoned, err := s.claim(ctx, d, now)
	if errors.Is(err, ErrAttemptTaken) {
		return false, nil // another instance has it
	}
	if err != nil {
		return false, err
	}
	if abandoned > 0 {
		if err := s.store.SaveDelivery(ctx, d, shared.DeliveryLog{At: now, Attempt: abandoned, Status: "abandoned",
			Reason: "the instance making this attempt stopped before recording its outcome; trying again"}); err != nil {
			return false, err
		}
	}
	// The claim is the record that attempt n is under way: nothing else is written until its outcome.
	d.Attempts = n
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
		return false, ctx.Err()
	}
	done := s.now()
	entry := shared.DeliveryLog{At: done, Attempt: n}
	d.UpdatedAt = done
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
	if err := s.store.SaveDelivery(context.WithoutCancel(ctx), d, entry); err != nil {
		return false, err
	}
	return d.Status == shared.DeliverySent, nil
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

// Withdraw stops the email and SMS of the keyed notifications that have not gone yet (an appointment
// cancelled or moved while its reminder waited for quiet hours to end): it claims each one's next
// attempt itself, so that no worker can, and records it as skipped with reason. A delivery whose
// attempt a worker already claimed is under way and is left to it. It returns how many it withdrew.
func (s *Service) Withdraw(ctx context.Context, keys []string, reason string) (int, error) {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = IDFor(k)
	}
	byNotification, err := s.store.DeliveriesOf(ctx, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	var dropped []string
	for _, ds := range byNotification {
		for _, d := range ds {
			if d.Status != shared.DeliveryQueued && d.Status != shared.DeliveryRetrying {
				continue
			}
			now := s.now()
			err := s.store.ClaimAttempt(ctx, Attempt{DeliveryID: d.ID, N: d.Attempts + 1, Instance: "withdrawn", At: now})
			if errors.Is(err, ErrAttemptTaken) {
				continue // being sent
			}
			if err != nil {
				return n, err
			}
			d.Status, d.LastError, d.UpdatedAt = shared.DeliverySkipped, reason, now
			if err := s.store.SaveDelivery(ctx, d, shared.DeliveryLog{At: now, Attempt: d.Attempts, Status: shared.DeliverySkipped,
				Reason: "withdrawn: " + reason}); err != nil {
				return n, err
			}
			dropped = append(dropped, d.ID)
			n++
		}
	}
	return n, s.store.DropBodies(ctx, dropped)
}

package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// payload is the body of every delivery: the Standard Webhooks shape, ids only in data.
type payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// Enqueue makes one delivery of an event to each enabled subscription that chose its type. occurrence
// names the event's occurrence (its type and key): a second call for the same occurrence enqueues
// nothing more, so a Must reaction may run it again. data holds the event's ids.
func (s *Service) Enqueue(ctx context.Context, eventType, occurrence string, data any) error {
	subs, err := s.store.Subscriptions(ctx)
	if err != nil {
		return err
	}
	at := s.now()
	n := 0
	for _, sub := range subs {
		if !sub.Enabled || !slices.Contains(sub.Events, eventType) {
			continue
		}
		if _, err := s.enqueueTo(ctx, sub, eventType, occurrence, at, data); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		s.wake()
	}
	return nil
}

// enqueueTo inserts the delivery of an occurrence to sub; one stored before is kept as it was.
func (s *Service) enqueueTo(ctx context.Context, sub Subscription, eventType, occurrence string, at time.Time, data any) (Delivery, error) {
	body, err := json.Marshal(payload{Type: eventType, Timestamp: at, Data: data})
	if err != nil {
		return Delivery{}, fmt.Errorf("encode %s payload: %w", eventType, err)
	}
	d := Delivery{ID: occurrence + "|" + sub.ID, SubscriptionID: sub.ID, EventType: eventType, Payload: body,
		State: Pending, NextAt: at, CreatedAt: at}
	if err := s.store.InsertDelivery(ctx, d); err != nil && !errors.Is(err, ErrDuplicate) {
		return Delivery{}, err
	}
	return d, nil
}

// workers is how many deliveries one instance sends at once.
const workers = 16

// Run sends due deliveries until ctx ends: every poll, and at once when this instance enqueued one.
func (s *Service) Run(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		for s.RunOnce(ctx) > 0 && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// RunOnce sends the deliveries due now (up to a batch) and returns how many it tried.
func (s *Service) RunOnce(ctx context.Context) int {
	due, err := s.store.Due(ctx, s.now(), 100)
	if err != nil {
		if ctx.Err() == nil {
			s.log.WarnContext(ctx, "read due webhook deliveries", "err", err)
		}
		return 0
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	tried := 0
	var mu sync.Mutex
	for _, d := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if s.attempt(ctx, d) {
				mu.Lock()
				tried++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return tried
}

// attempt claims and makes the next attempt of d; it reports whether this instance made one.
func (s *Service) attempt(ctx context.Context, d Delivery) bool {
	sub, err := s.store.Subscription(ctx, d.SubscriptionID)
	if errors.Is(err, ErrNotFound) {
		d.State, d.LastError = Dead, "the subscription was deleted"
		s.save(ctx, d)
		return false
	}
	if err != nil {
		s.log.WarnContext(ctx, "read a webhook subscription", "subscription", d.SubscriptionID, "err", err)
		return false
	}
	now := s.now()
	if !sub.Enabled && d.EventType != Test {
		d.NextAt = now.Add(time.Minute) // waits until the subscription is enabled again
		s.save(ctx, d)
		return false
	}
	a := Attempt{DeliveryID: d.ID, SubscriptionID: d.SubscriptionID, EventType: d.EventType, N: d.Attempts + 1, At: now, Instance: s.cfg.Instance}
	if err := s.store.ClaimAttempt(ctx, a); err != nil {
		if errors.Is(err, ErrDuplicate) {
			s.abandoned(ctx, d, a.N, now)
		} else {
			s.log.WarnContext(ctx, "claim a webhook attempt", "delivery", d.ID, "err", err)
		}
		return false
	}
	// The signature's timestamp and the latency are wall-clock time (the receiver checks the timestamp
	// against its own clock); the schedule follows the hospital clock, which tests move.
	start := time.Now()
	code, sendErr := s.send(ctx, sub, d, start)
	a.LatencyMS = time.Since(start).Milliseconds()
	a.Ended = s.now()
	a.StatusCode = code
	if sendErr != nil {
		a.Error = errText(sendErr)
	}
	if err := s.store.EndAttempt(ctx, a); err != nil {
		s.log.WarnContext(ctx, "record a webhook attempt", "delivery", d.ID, "err", err)
	}
	s.settle(ctx, d, a)
	return true
}

// settle records attempt a's outcome on its delivery: delivered, due again after its backoff, or dead.
func (s *Service) settle(ctx context.Context, d Delivery, a Attempt) {
	d.Attempts, d.LastAt, d.LastStatus, d.LastError = a.N, a.Ended, a.StatusCode, a.Error
	switch failed := a.N - d.Round; {
	case a.Error == "":
		d.State = Delivered
	case failed > len(s.cfg.Retry):
		d.State = Dead
		s.log.WarnContext(ctx, "webhook delivery is a dead letter", "delivery", d.ID, "attempts", a.N, "err", a.Error)
	default:
		d.NextAt = a.Ended.Add(jitter(s.cfg.Retry[failed-1]))
	}
	s.save(ctx, d)
}

// abandoned handles attempt n of d claimed by someone else: when it has had no outcome for three
// timeouts, its instance died mid-send, and it counts as a failed attempt.
func (s *Service) abandoned(ctx context.Context, d Delivery, n int, now time.Time) {
	a, err := s.store.Attempt(ctx, attemptID(d.ID, n))
	if err != nil || !a.Ended.IsZero() || now.Sub(a.At) < 3*s.cfg.Timeout {
		return
	}
	a.Ended, a.Error = now, "abandoned: the instance sending it stopped"
	if err := s.store.EndAttempt(ctx, a); err == nil {
		s.settle(ctx, d, a)
	}
}

func (s *Service) save(ctx context.Context, d Delivery) {
	if err := s.store.SaveDelivery(ctx, d); err != nil {
		s.log.WarnContext(ctx, "record a webhook delivery", "delivery", d.ID, "err", err)
	}
}

// jitter spreads d by ±20%, so that deliveries failed together are not retried together.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
}

// send POSTs d to sub signed with its secret; an answer other than 2xx is an error.
func (s *Service) send(ctx context.Context, sub Subscription, d Delivery, at time.Time) (int, error) {
	wh, err := standardwebhooks.NewWebhook(sub.Secret)
	if err != nil {
		return 0, fmt.Errorf("the subscription's secret: %w", err)
	}
	sig, err := wh.Sign(d.ID, at, d.Payload)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "HMS-Webhooks/1")
	req.Header.Set(standardwebhooks.HeaderWebhookID, d.ID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// safeTransport is an HTTP transport that never connects to a link-local or metadata address, even
// when a public name resolves to one, and ignores proxy settings (a proxy would connect for it).
func safeTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || forbiddenIP(ip) {
				return fmt.Errorf("webhooks are not sent to %s (link-local or metadata address)", host)
			}
			return nil
		}}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = d.DialContext
	t.MaxIdleConnsPerHost = workers
	return t
}

package broker

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Subscribe subscribes to the events channel and waits (at most PingTimeout, or ctx's deadline) for Redis
// to confirm it, so that anything published after Subscribe returns is received. If Redis cannot be
// reached it returns the error and starts nothing; the caller may call it again later.
//
// Once subscribed, two goroutines owned by the subscription run until ctx ends or Close: the receiver,
// which calls deliver and resync, and the watchdog, which publishes the pings. After a connection error
// go-redis resubscribes on the same PubSub (the receiver backs off between failed attempts); after a
// missed ping the watchdog closes the PubSub and the receiver opens a new one. Either way resync is
// called once Redis has confirmed the new subscription, so recovering from storage then misses nothing.
func (r *Redis) Subscribe(ctx context.Context, deliver func(payload []byte), resync func()) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ps, err := r.subscribeConfirmed(ctx)
	if err != nil {
		return fmt.Errorf("broker: subscribe: %w", err)
	}

	r.mu.Lock()
	if r.closed.Load() {
		r.mu.Unlock()
		_ = ps.Close()
		return ErrClosed
	}
	r.nsubs++
	s := &redisSub{
		r:       r,
		ps:      ps,
		deliver: deliver,
		resync:  resync,
		pong:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	s.pingHead = fmt.Sprintf("%s%s.%d:", pingPrefix, r.id, r.nsubs)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	r.subs[s] = struct{}{}
	r.wg.Add(2)
	r.mu.Unlock()

	stopOnCtx := context.AfterFunc(ctx, s.stop)
	go func() {
		defer r.wg.Done()
		defer func() {
			stopOnCtx()
			r.mu.Lock()
			delete(r.subs, s)
			r.mu.Unlock()
		}()
		s.receive()
	}()
	go func() {
		defer r.wg.Done()
		s.watch()
	}()
	return nil
}

// subscribeConfirmed opens a PubSub on the events channel and reads Redis's confirmation.
func (r *Redis) subscribeConfirmed(ctx context.Context) (*redis.PubSub, error) {
	ctx, cancel := context.WithTimeout(ctx, r.pingTimeout)
	defer cancel()
	ps := r.client.Subscribe(ctx) // no channel yet: Subscribe below reports the error that this would hide
	if err := ps.Subscribe(ctx, r.channel); err != nil {
		_ = ps.Close()
		return nil, err
	}
	for {
		msg, err := ps.Receive(ctx)
		if err != nil {
			_ = ps.Close()
			return nil, err
		}
		if m, ok := msg.(*redis.Subscription); ok && m.Kind == "subscribe" {
			return ps, nil
		}
	}
}

// redisSub is one subscription. receive reads ps on its own goroutine (go-redis's Channel() would drop
// messages when its buffer fills); watch publishes pings and, when one does not come back, closes ps.
type redisSub struct {
	r        *Redis
	deliver  func([]byte)
	resync   func()
	pingHead string // `{"ping":"<instance>.<subscription>:`, what this subscription's pings start with

	ctx    context.Context // canceled by stop; bounds dials and the watchdog's publishes
	cancel context.CancelFunc

	mu      sync.Mutex
	ps      *redis.PubSub // replaced by receive after a kill
	killed  bool          // watch closed ps; receive must open a new one
	stopped bool

	lost     atomic.Bool   // receive has seen an error and not yet a new confirmation
	seen     atomic.Uint64 // highest ping number received
	pong     chan struct{} // 1-buffered: receive signals watch that a ping arrived
	done     chan struct{} // closed by stop
	stopOnce sync.Once
}

// stop ends the subscription: both goroutines return soon after.
func (s *redisSub) stop() {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.stopped = true
		ps := s.ps
		s.mu.Unlock()
		close(s.done)
		s.cancel()
		_ = ps.Close() // unblocks a Receive in progress
	})
}

// kill closes the current PubSub because it went silent; receive replaces it.
func (s *redisSub) kill() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.killed = true
	ps := s.ps
	s.mu.Unlock()
	_ = ps.Close()
}

// current returns the PubSub to read, opening a new one if watch killed the last; nil once stopped.
func (s *redisSub) current() *redis.PubSub {
	s.mu.Lock()
	ps, killed, stopped := s.ps, s.killed, s.stopped
	s.killed = false
	s.mu.Unlock()
	if stopped {
		return nil
	}
	if !killed {
		return ps
	}
	fresh := s.r.client.Subscribe(s.ctx)
	// An error here (Redis down) is retried by the next Receive, which dials and subscribes again.
	_ = fresh.Subscribe(s.ctx, s.r.channel)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		_ = fresh.Close()
		return nil
	}
	s.ps = fresh
	return fresh
}

// receive reads messages until stop, delivering events and recording pings.
func (s *redisSub) receive() {
	failures := 0
	for {
		ps := s.current()
		if ps == nil {
			return
		}
		msg, err := ps.Receive(s.ctx)
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			if !s.lost.Swap(true) {
				s.r.log.Warn("broker: redis subscription lost; resubscribing", "err", err)
			}
			failures++
			if !s.sleep(backoff(failures)) {
				return
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			// Messages may have been missed between the error and this confirmation.
			if m.Kind == "subscribe" && s.lost.Swap(false) {
				failures = 0
				s.r.log.Info("broker: redis subscription restored; resyncing")
				s.resync()
			}
		case *redis.Message:
			// A message without a new confirmation: the error did not cost the connection (go-redis
			// keeps it after a Redis error reply), but resync anyway rather than trust it.
			if s.lost.Swap(false) {
				failures = 0
				s.r.log.Info("broker: redis subscription still receiving after an error; resyncing")
				s.resync()
			}
			s.handle(m.Payload)
		}
	}
}

// handle passes an event to deliver, or records one of our pings; other instances' pings are dropped.
func (s *redisSub) handle(payload string) {
	if !strings.HasPrefix(payload, pingPrefix) {
		s.deliver([]byte(payload))
		return
	}
	rest, ok := strings.CutPrefix(payload, s.pingHead)
	if !ok {
		return
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(rest, `"}`), 10, 64)
	if err != nil || n <= s.seen.Load() {
		return
	}
	s.seen.Store(n)
	select {
	case s.pong <- struct{}{}:
	default:
	}
}

// watch publishes a ping every PingInterval and kills the PubSub when one is not back in PingTimeout.
func (s *redisSub) watch() {
	t := time.NewTimer(s.r.pingInterval)
	defer t.Stop()
	var n uint64
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		n++
		deadline := time.Now().Add(s.r.pingTimeout)
		ctx, cancel := context.WithDeadline(s.ctx, deadline)
		payload := s.pingHead + strconv.FormatUint(n, 10) + `"}`
		err := s.r.client.Publish(ctx, s.r.channel, payload).Err()
		cancel()
		if !s.awaitPing(n, deadline) {
			// Kill even while receive is reconnecting: it may be waiting on a connection that is silent too.
			if s.lost.Load() {
				s.r.log.Debug("broker: ping not back while resubscribing", "publish_err", err)
			} else {
				s.r.log.Warn("broker: redis subscription silent; resubscribing", "timeout", s.r.pingTimeout, "publish_err", err)
			}
			s.kill()
		}
		t.Reset(s.r.pingInterval)
	}
}

// awaitPing waits until ping n has been received (true), the deadline passes (false) or stop (true).
func (s *redisSub) awaitPing(n uint64, deadline time.Time) bool {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	for s.seen.Load() < n {
		select {
		case <-s.done:
			return true
		case <-s.pong:
		case <-t.C:
			return s.seen.Load() >= n
		}
	}
	return true
}

// sleep waits d, returning false if the subscription stopped meanwhile.
func (s *redisSub) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.done:
		return false
	case <-t.C:
		return true
	}
}

// backoff is the jittered wait after the failures-th consecutive receive error: 25 ms doubling to 2 s.
func backoff(failures int) time.Duration {
	d := 2 * time.Second
	if failures < 8 {
		d = min(d, 25*time.Millisecond<<(failures-1))
	}
	return d/2 + mrand.N(d)
}

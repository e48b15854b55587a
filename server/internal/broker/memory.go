package broker

import (
	"context"
	"fmt"
	"sync"
)

// memoryQueueLimit is how many payloads a Memory subscriber may fall behind before its backlog is dropped
// and its resync called: a subscriber that far behind recovers faster from storage, and the cap keeps a
// stuck subscriber from holding the process's memory.
const memoryQueueLimit = 1 << 16

// Memory is the single-process Broker: publishing fans out to this process's subscribers, the counters and
// locks live in memory. It is the default when no Redis is configured.
//
// Publish never waits for a subscriber: each subscriber has its own queue, drained in publish order by a
// goroutine that the subscription owns. A subscriber more than 65,536 payloads behind loses its backlog
// and gets resync (at most once), then receives what is published after that.
type Memory struct {
	mu       sync.Mutex
	closed   bool
	subs     map[*memorySub]struct{}
	counters map[string]*memoryCounter
	locks    map[string]*memoryLock
	wg       sync.WaitGroup // one per subscription goroutine; Close waits for them
}

var _ Broker = (*Memory)(nil)

// NewMemory returns an empty in-process broker.
func NewMemory() *Memory {
	return &Memory{
		subs:     make(map[*memorySub]struct{}),
		counters: make(map[string]*memoryCounter),
		locks:    make(map[string]*memoryLock),
	}
}

// Publish queues a copy of payload for every current subscriber and returns without waiting for them.
// Concurrent Publish calls are ordered the same way for every subscriber.
func (m *Memory) Publish(ctx context.Context, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for s := range m.subs {
		s.push(payload)
	}
	return nil
}

// Subscribe registers deliver and resync and starts the subscription's goroutine. The subscription is
// active when Subscribe returns. Close must not be called from deliver or resync (it waits for them).
func (m *Memory) Subscribe(ctx context.Context, deliver func(payload []byte), resync func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := &memorySub{deliver: deliver, resync: resync, wake: make(chan struct{}, 1), done: make(chan struct{})}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	m.subs[s] = struct{}{}
	m.wg.Add(1)
	m.mu.Unlock()

	stopOnCtx := context.AfterFunc(ctx, func() { m.unsubscribe(s) })
	go func() {
		defer m.wg.Done()
		defer stopOnCtx()
		s.run()
	}()
	return nil
}

// unsubscribe removes s and stops its goroutine; it is safe to call more than once.
func (m *Memory) unsubscribe(s *memorySub) {
	m.mu.Lock()
	delete(m.subs, s)
	m.mu.Unlock()
	s.stop()
}

// Next increments channel's in-process counter, loading it first if this process has none.
func (m *Memory) Next(ctx context.Context, channel string, load func(ctx context.Context) (int64, error)) (int64, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return 0, ErrClosed
	}
	c, ok := m.counters[channel]
	if !ok {
		c = &memoryCounter{sem: make(chan struct{}, 1)}
		m.counters[channel] = c
	}
	m.mu.Unlock()

	// The semaphore (not a sync.Mutex) lets a caller waiting behind a slow load give up with its ctx.
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, fmt.Errorf("broker: next %q: %w", channel, ctx.Err())
	}
	defer func() { <-c.sem }()
	if !c.loaded {
		n, err := load(ctx)
		if err != nil {
			return 0, fmt.Errorf("broker: load counter %q: %w", channel, err)
		}
		if n < 0 {
			return 0, fmt.Errorf("broker: load counter %q: negative value %d", channel, n)
		}
		c.n, c.loaded = n, true
	}
	c.n++
	return c.n, nil
}

// Lock takes channel's in-process lock, waiting until it is free or ctx ends. The lock never expires: its
// holder lives in this process, and the caller always unlocks.
func (m *Memory) Lock(ctx context.Context, channel string) (unlock func(), err error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	l, ok := m.locks[channel]
	if !ok {
		l = &memoryLock{sem: make(chan struct{}, 1)}
		m.locks[channel] = l
	}
	l.refs++ // keeps the entry while anyone holds or waits for it
	m.mu.Unlock()

	release := func() {
		m.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(m.locks, channel)
		}
		m.mu.Unlock()
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, fmt.Errorf("broker: lock %q: %w", channel, ctx.Err())
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-l.sem
			release()
		})
	}, nil
}

// Reset forgets channel's counter; the next Next loads it again.
func (m *Memory) Reset(ctx context.Context, channel string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	delete(m.counters, channel)
	return nil
}

// Health reports ErrClosed after Close, else nil.
func (m *Memory) Health(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	return nil
}

// Close stops every subscription and waits for their goroutines. Calling it again does nothing.
func (m *Memory) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	subs := m.subs
	m.subs = nil
	m.mu.Unlock()
	for s := range subs {
		s.stop()
	}
	m.wg.Wait()
	return nil
}

type memoryCounter struct {
	sem    chan struct{} // held while loading or incrementing
	loaded bool
	n      int64
}

type memoryLock struct {
	sem  chan struct{} // full while held
	refs int           // holders and waiters, guarded by Memory.mu
}

// memorySub is one subscription: Publish appends to queue, run delivers from it.
type memorySub struct {
	deliver func([]byte)
	resync  func()

	mu       sync.Mutex
	queue    [][]byte
	overflow bool // the backlog was dropped; resync before delivering more

	wake     chan struct{} // 1-buffered: "the queue changed"; written by push, read by run
	done     chan struct{} // closed by stop
	stopOnce sync.Once
}

// push appends a copy of payload without ever blocking on the subscriber.
func (s *memorySub) push(payload []byte) {
	s.mu.Lock()
	if len(s.queue) >= memoryQueueLimit {
		clear(s.queue) // let the dropped payloads be collected
		s.queue = s.queue[:0]
		s.overflow = true
	} else {
		s.queue = append(s.queue, append([]byte(nil), payload...))
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *memorySub) stop() { s.stopOnce.Do(func() { close(s.done) }) }

// run delivers the queue in order until stop.
func (s *memorySub) run() {
	var batch [][]byte
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		}
		s.mu.Lock()
		batch, s.queue = s.queue, batch[:0]
		overflow := s.overflow
		s.overflow = false
		s.mu.Unlock()

		if overflow {
			s.resync()
		}
		for i, p := range batch {
			select {
			case <-s.done:
				return
			default:
			}
			s.deliver(p)
			batch[i] = nil
		}
	}
}

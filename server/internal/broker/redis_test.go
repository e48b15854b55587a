package broker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hms/server/internal/broker"
	"hms/server/internal/fault"
	"hms/server/internal/testenv"
)

// newRedis returns a Redis broker closed when the test ends; tweak adjusts its options.
func newRedis(t *testing.T, url, prefix string, tweak func(*broker.RedisOptions)) *broker.Redis {
	t.Helper()
	opt := broker.RedisOptions{URL: url, Prefix: prefix}
	if tweak != nil {
		tweak(&opt)
	}
	b, err := broker.NewRedis(opt)
	if err != nil {
		t.Fatalf("NewRedis: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// publishUntilOK publishes payload, retrying while the broker's connections recover.
func publishUntilOK(t *testing.T, b broker.Broker, payload string) {
	t.Helper()
	eventually(t, 10*time.Second, "publish "+payload, func() bool {
		return b.Publish(t.Context(), []byte(payload)) == nil
	})
}

func TestRedisOutage(t *testing.T) {
	srv := testenv.OwnRedis(t)
	fast := func(o *broker.RedisOptions) { o.PingInterval, o.PingTimeout = time.Second, time.Second }
	sub, pub := newRedis(t, srv.URL(), "hms:", fast), newRedis(t, srv.URL(), "hms:", fast)
	r := &recorder{}
	if err := sub.Subscribe(t.Context(), r.deliver, r.resync); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	publishUntilOK(t, pub, `{"channel":"a","seq":1}`)
	eventually(t, 5*time.Second, "first message received", func() bool { return r.has(`{"channel":"a","seq":1}`) })

	srv.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	load := func(context.Context) (int64, error) { return 0, nil }
	for name, call := range map[string]func() error{
		"Publish": func() error { return pub.Publish(ctx, []byte(`{"channel":"a","seq":2}`)) },
		"Next":    func() error { _, err := pub.Next(ctx, "a", load); return err },
		"Lock":    func() error { _, err := pub.Lock(ctx, "a"); return err },
		"Health":  func() error { return pub.Health(ctx) },
	} {
		start := time.Now()
		err := call()
		if took := time.Since(start); !errors.Is(err, fault.ErrUnavailable) || took > 3*time.Second {
			t.Errorf("%s with Redis down: got %v after %v, want %v within 3s", name, err, took, fault.ErrUnavailable)
		}
	}
	time.Sleep(2 * time.Second)
	if got := r.resyncCount(); got != 0 {
		t.Errorf("resync during the outage: called %d times, want 0 (not resubscribed yet)", got)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}

	eventually(t, 15*time.Second, "resync after Redis came back", func() bool { return r.resyncCount() >= 1 })
	publishUntilOK(t, pub, `{"channel":"a","seq":3}`)
	eventually(t, 5*time.Second, "message after the restart received", func() bool { return r.has(`{"channel":"a","seq":3}`) })
}

func TestRedisNextAfterRestart(t *testing.T) {
	srv := testenv.OwnRedis(t)
	b := newRedis(t, srv.URL(), "hms:", nil)
	// stored plays the event store: the highest number handed out so far.
	var stored atomic.Int64
	load := func(context.Context) (int64, error) { return stored.Load(), nil }
	next := func() (int64, error) {
		n, err := b.Next(t.Context(), "ward", load)
		if err == nil {
			stored.Store(max(stored.Load(), n))
		}
		return n, err
	}
	for want := int64(1); want <= 5; want++ {
		if got, err := next(); err != nil || got != want {
			t.Fatalf("Next: got %d, %v; want %d", got, err, want)
		}
	}

	srv.Stop()
	if _, err := next(); err == nil {
		t.Fatal("Next with Redis down: got no error")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	var got int64
	eventually(t, 10*time.Second, "Next after the restart", func() bool {
		n, err := next()
		got = n
		return err == nil
	})
	if got != 6 {
		t.Fatalf("first Next after Redis restarted empty: got %d, want 6", got)
	}
}

func TestRedisSubscriptionKilled(t *testing.T) {
	srv := testenv.OwnRedis(t)
	b := newRedis(t, srv.URL(), "hms:", nil)
	r := &recorder{}
	if err := b.Subscribe(t.Context(), r.deliver, r.resync); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if err := b.Publish(t.Context(), []byte(`{"channel":"a","seq":1}`)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	eventually(t, 5*time.Second, "first message received", func() bool { return r.has(`{"channel":"a","seq":1}`) })

	admin := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", srv.Port)})
	defer admin.Close()
	if n, err := admin.ClientKillByFilter(t.Context(), "TYPE", "pubsub").Result(); err != nil || n != 1 {
		t.Fatalf("CLIENT KILL TYPE pubsub: got %d, %v; want 1 killed", n, err)
	}

	eventually(t, 10*time.Second, "resync after the kill", func() bool { return r.resyncCount() >= 1 })
	if err := b.Publish(t.Context(), []byte(`{"channel":"a","seq":2}`)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	eventually(t, 5*time.Second, "message after the kill received", func() bool { return r.has(`{"channel":"a","seq":2}`) })
}

func TestRedisSilentSubscription(t *testing.T) {
	srv, prefix := testenv.Redis(t)
	// The subscriber reaches Redis through a proxy that can go silent without closing anything, as a
	// connection behind a dead NAT or firewall does.
	p := newProxy(t, fmt.Sprintf("127.0.0.1:%d", srv.Port))
	sub := newRedis(t, p.URL(), prefix, func(o *broker.RedisOptions) {
		o.PingInterval, o.PingTimeout = 200*time.Millisecond, 500*time.Millisecond
	})
	pub := newRedis(t, srv.URL(), prefix, nil)
	r := &recorder{}
	if err := sub.Subscribe(t.Context(), r.deliver, r.resync); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if err := pub.Publish(t.Context(), []byte(`{"channel":"a","seq":1}`)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	eventually(t, 5*time.Second, "first message received", func() bool { return r.has(`{"channel":"a","seq":1}`) })
	time.Sleep(time.Second) // let a few pings go round: they must not resync nor reach deliver
	if got := r.resyncCount(); got != 0 {
		t.Fatalf("resync with a healthy subscription: called %d times, want 0", got)
	}

	p.silence()
	eventually(t, 10*time.Second, "resync after the subscription went silent", func() bool { return r.resyncCount() >= 1 })
	if err := pub.Publish(t.Context(), []byte(`{"channel":"a","seq":2}`)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	eventually(t, 5*time.Second, "message after the silence received", func() bool { return r.has(`{"channel":"a","seq":2}`) })

	got, _ := r.snapshot()
	for _, m := range got {
		if strings.Contains(m, "ping") {
			t.Errorf("deliver got a ping: %q", m)
		}
	}
}

func TestRedisPublishRefusesPingPayload(t *testing.T) {
	srv, prefix := testenv.Redis(t)
	b := newRedis(t, srv.URL(), prefix, nil)
	if err := b.Publish(t.Context(), []byte(`{"ping":"x:1"}`)); err == nil {
		t.Fatal(`Publish {"ping":…}: got no error, want one (reserved for pings)`)
	}
}

func TestRedisLockExpires(t *testing.T) {
	srv, prefix := testenv.Redis(t)
	short := newRedis(t, srv.URL(), prefix, func(o *broker.RedisOptions) { o.LockTTL = 300 * time.Millisecond })
	other := newRedis(t, srv.URL(), prefix, nil)

	staleUnlock, err := short.Lock(t.Context(), "ward")
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	// The holder never unlocks (it "died"): the lock frees itself after LockTTL.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	unlock, err := other.Lock(ctx, "ward")
	if err != nil {
		t.Fatalf("Lock after the holder's TTL: got %v, want the lock", err)
	}
	// The first holder waking up late must not release the second holder's lock.
	staleUnlock()
	ctx2, cancel2 := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel2()
	if _, err := short.Lock(ctx2, "ward"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock held by another after a stale unlock: got %v, want %v", err, context.DeadlineExceeded)
	}
	unlock()
	if u, err := short.Lock(t.Context(), "ward"); err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	} else {
		u()
	}
}

func TestNewRedisRejectsBadURL(t *testing.T) {
	for _, url := range []string{"", "http://example.com", "redis://host:notaport"} {
		if _, err := broker.NewRedis(broker.RedisOptions{URL: url}); err == nil {
			t.Errorf("NewRedis(%q): got no error, want one", url)
		}
	}
}

// proxy forwards TCP connections to a Redis server; silence makes the current ones drop all traffic in
// both directions while staying open. Connections made afterwards work normally.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []*proxyConn
	wg     sync.WaitGroup // accept loop and pipes
}

type proxyConn struct {
	client, server net.Conn
	silent         atomic.Bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *proxy) URL() string { return "redis://" + p.ln.Addr().String() + "/0" }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		pc := &proxyConn{client: c, server: s}
		p.mu.Lock()
		p.conns = append(p.conns, pc)
		p.mu.Unlock()
		p.wg.Go(func() { pc.pipe(s, c) })
		p.wg.Go(func() { pc.pipe(c, s) })
	}
}

// pipe copies src to dst, discarding what it reads while silent; it closes both ends when either fails.
func (pc *proxyConn) pipe(dst, src net.Conn) {
	defer pc.client.Close()
	defer pc.server.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !pc.silent.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxy) silence() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pc := range p.conns {
		pc.silent.Store(true)
	}
}

func (p *proxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for _, pc := range p.conns {
		_ = pc.client.Close()
		_ = pc.server.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

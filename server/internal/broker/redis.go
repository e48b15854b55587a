package broker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"hms/server/internal/fault"
)

// RedisOptions configures NewRedis.
type RedisOptions struct {
	// URL is the redis:// or rediss:// URL of the server.
	URL string
	// Prefix is put in front of every key and of the pub/sub channel name, e.g. "hms:".
	Prefix string
	// PingInterval is how often each subscription publishes a ping to itself (default 5s).
	PingInterval time.Duration
	// PingTimeout is how long a subscription waits for its ping before it drops the connection,
	// subscribes again and calls resync (default 3s).
	PingTimeout time.Duration
	// LockTTL is how long a lock lives if its holder never unlocks (default 5s).
	LockTTL time.Duration
	// Logger receives connection problems (default slog.Default()).
	Logger *slog.Logger
}

// Redis is the Broker for several instances, on Redis: one pub/sub channel (Prefix+"events") that every
// instance publishes to and subscribes to, an INCR counter per event channel (Prefix+"seq:"+channel) and
// a SET NX lock per event channel (Prefix+"lock:"+channel).
//
// Each subscription checks itself with pings published on the events channel: a payload that starts
// with `{"ping":"` is a ping (events start with `{"channel"`). It reads {"ping":"<subscription id>:<n>"},
// where the subscription id is unique to the broker instance and subscription; pings are never passed to
// deliver, and Publish refuses payloads that look like one.
//
// While Redis is unreachable, Publish, Next, Lock, Reset and Health fail within about a second (sooner
// if ctx says so); subscriptions keep reconnecting in the background and call resync once subscribed
// again.
type Redis struct {
	client  *redis.Client
	log     *slog.Logger
	prefix  string
	channel string // the pub/sub channel carrying events and pings
	id      string // random, identifies this instance's pings

	pingInterval, pingTimeout, lockTTL time.Duration

	closed atomic.Bool
	mu     sync.Mutex
	subs   map[*redisSub]struct{}
	nsubs  int
	wg     sync.WaitGroup // subscription goroutines; Close waits for them
}

var _ Broker = (*Redis)(nil)

const pingPrefix = `{"ping":"`

// These timeouts make calls fail promptly while Redis is away instead of piling up.
const (
	redisDialTimeout = time.Second
	redisIOTimeout   = time.Second
	unlockTimeout    = 2 * time.Second
)

// NewRedis returns a broker using the Redis server at opt.URL. It does not connect yet, so a server that
// starts while Redis is down still starts (Health reports the problem); it fails only on a bad URL.
func NewRedis(opt RedisOptions) (*Redis, error) {
	if opt.URL == "" {
		return nil, errors.New("broker: redis URL is empty")
	}
	ro, err := redis.ParseURL(opt.URL)
	if err != nil {
		return nil, fmt.Errorf("broker: parse redis URL: %w", err)
	}
	ro.DialTimeout = redisDialTimeout
	ro.DialerRetries = 1
	ro.ReadTimeout = redisIOTimeout
	ro.WriteTimeout = redisIOTimeout
	ro.PoolTimeout = redisIOTimeout
	ro.MaxRetries = 1 // one retry covers a pooled connection that died with a Redis restart
	ro.ContextTimeoutEnabled = true

	r := &Redis{
		client:       redis.NewClient(ro),
		log:          opt.Logger,
		prefix:       opt.Prefix,
		channel:      opt.Prefix + "events",
		id:           randomHex(6),
		pingInterval: opt.PingInterval,
		pingTimeout:  opt.PingTimeout,
		lockTTL:      opt.LockTTL,
		subs:         make(map[*redisSub]struct{}),
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.pingInterval <= 0 {
		r.pingInterval = 5 * time.Second
	}
	if r.pingTimeout <= 0 {
		r.pingTimeout = 3 * time.Second
	}
	if r.lockTTL <= 0 {
		r.lockTTL = 5 * time.Second
	}
	return r, nil
}

// Publish sends payload to every instance's subscriptions (PUBLISH on the events channel).
func (r *Redis) Publish(ctx context.Context, payload []byte) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if strings.HasPrefix(string(payload), pingPrefix) {
		return fmt.Errorf("broker: publish: payloads starting with %s are reserved for pings", pingPrefix)
	}
	if err := r.client.Publish(ctx, r.channel, payload).Err(); err != nil {
		return wrap("publish", err)
	}
	return nil
}

// nextScript increments an existing counter; it returns nil when the counter is missing, because a
// plain INCR would start it at 1.
var nextScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
	return redis.call('INCR', KEYS[1])
end
return false`)

// initScript sets a missing counter to the loaded value and increments it. When several callers load
// at once only the first SET takes; each INCR still returns a distinct number.
var initScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('INCR', KEYS[1])`)

// Next increments the channel's counter in Redis, initialising it from load when Redis has none
// (first use, or Redis restarted empty).
func (r *Redis) Next(ctx context.Context, channel string, load func(ctx context.Context) (int64, error)) (int64, error) {
	if r.closed.Load() {
		return 0, ErrClosed
	}
	key := r.prefix + "seq:" + channel
	n, err := nextScript.Run(ctx, r.client, []string{key}).Int64()
	if err == nil {
		return n, nil
	}
	if !errors.Is(err, redis.Nil) {
		return 0, wrap("next "+channel, err)
	}
	head, err := load(ctx)
	if err != nil {
		return 0, fmt.Errorf("broker: load counter %q: %w", channel, err)
	}
	if head < 0 {
		return 0, fmt.Errorf("broker: load counter %q: negative value %d", channel, head)
	}
	n, err = initScript.Run(ctx, r.client, []string{key}, head).Int64()
	if err != nil {
		return 0, wrap("next "+channel, err)
	}
	return n, nil
}

// unlockScript deletes the lock only if it still holds our token: after our TTL ran out, the lock may
// belong to someone else.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0`)

// Lock takes the channel's lock (SET NX with LockTTL and a random token), polling every 1–5 ms until it is
// free or ctx ends. It fails at once if Redis cannot be reached.
func (r *Redis) Lock(ctx context.Context, channel string) (unlock func(), err error) {
	if r.closed.Load() {
		return nil, ErrClosed
	}
	key := r.prefix + "lock:" + channel
	token := randomHex(16)
	for {
		ok, err := r.client.SetNX(ctx, key, token, r.lockTTL).Result()
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("broker: lock %q: %w", channel, ctx.Err())
			}
			return nil, wrap("lock "+channel, err)
		}
		if ok {
			break
		}
		t := time.NewTimer(time.Millisecond + mrand.N(4*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("broker: lock %q: %w", channel, ctx.Err())
		case <-t.C:
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
			defer cancel()
			if err := unlockScript.Run(ctx, r.client, []string{key}, token).Err(); err != nil {
				r.log.Warn("broker: unlock failed; the lock expires by itself", "channel", channel, "err", err)
			}
		})
	}, nil
}

// Reset deletes the channel's counter.
func (r *Redis) Reset(ctx context.Context, channel string) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if err := r.client.Del(ctx, r.prefix+"seq:"+channel).Err(); err != nil {
		return wrap("reset "+channel, err)
	}
	return nil
}

// Health pings Redis.
func (r *Redis) Health(ctx context.Context) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if err := r.client.Ping(ctx).Err(); err != nil {
		return wrap("ping", err)
	}
	return nil
}

// Close stops every subscription, waits for their goroutines and closes the connections. Calling it
// again does nothing. It must not be called from deliver or resync (it waits for them).
func (r *Redis) Close() error {
	r.mu.Lock()
	if r.closed.Load() {
		r.mu.Unlock()
		return nil
	}
	r.closed.Store(true)
	subs := make([]*redisSub, 0, len(r.subs))
	for s := range r.subs {
		subs = append(subs, s)
	}
	r.mu.Unlock()
	for _, s := range subs {
		s.stop()
	}
	r.wg.Wait()
	return r.client.Close()
}

// wrap turns a Redis failure into fault.ErrUnavailable (a client closed under a call in flight into
// ErrClosed). Context errors stay matchable; the driver's own errors are only described.
func wrap(op string, err error) error {
	switch {
	case errors.Is(err, redis.ErrClosed):
		return ErrClosed
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("broker: redis %s: %w: %w", op, fault.ErrUnavailable, err)
	}
	return fmt.Errorf("broker: redis %s: %w: %v", op, fault.ErrUnavailable, err)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"
)

// reserveScript takes a slot of KEYS[1] when fewer than ARGV[1] are taken: INCR, the window's expiry
// set by the first slot, and the INCR undone when over the limit, all in one atomic step. The window is
// fixed (it starts at the key's first slot), not sliding.
var reserveScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1`)

// releaseScript gives a slot of KEYS[1] back, deleting the key at zero.
var releaseScript = redis.NewScript(`
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n`)

// redisCounter is the Counter shared by every instance through Redis. When Redis cannot be reached it
// counts in process (and reports the error through onErr), so that signing in keeps working with Redis
// down, as the rest of the REST API does.
type redisCounter struct {
	rdb      redis.UniversalClient
	prefix   string
	fallback Counter
	onErr    func(error)
}

// NewRedisCounter returns a Counter kept in Redis under prefix, falling back to in-process counting
// (timed by now) while Redis fails; onErr (may be nil) hears of each failure.
func NewRedisCounter(rdb redis.UniversalClient, prefix string, now func() time.Time, onErr func(error)) Counter {
	if onErr == nil {
		onErr = func(error) {}
	}
	return &redisCounter{rdb: rdb, prefix: prefix, fallback: NewMemoryCounter(now), onErr: onErr}
}

// key names the Redis key of a counter key; the key's own text (an email, an address) is hashed so
// that no personal data is kept in Redis.
func (r *redisCounter) key(k string) string {
	sum := sha256.Sum256([]byte(k))
	return r.prefix + "auth:limit:" + hex.EncodeToString(sum[:16])
}

func (r *redisCounter) Reserve(ctx context.Context, key string, max int, window time.Duration) (bool, error) {
	n, err := reserveScript.Run(ctx, r.rdb, []string{r.key(key)}, max, window.Milliseconds()).Int()
	if err != nil {
		r.onErr(err)
		return r.fallback.Reserve(ctx, key, max, window)
	}
	return n == 1, nil
}

func (r *redisCounter) Release(ctx context.Context, key string) error {
	if err := releaseScript.Run(ctx, r.rdb, []string{r.key(key)}).Err(); err != nil {
		r.onErr(err)
		return r.fallback.Release(ctx, key)
	}
	return nil
}

func (r *redisCounter) Reset(ctx context.Context, key string) error {
	if err := r.rdb.Del(ctx, r.key(key)).Err(); err != nil {
		r.onErr(err)
		return r.fallback.Reset(ctx, key)
	}
	return nil
}

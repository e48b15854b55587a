// Package broker carries live events between server instances. Publishing is at most once: a
// subscriber can miss messages (Redis restarted, a network drop); every event also lives in MongoDB with
// a per-channel sequence number, and the hub recovers what was missed from there.
//
// Two implementations: Memory (one process, the default without REDIS_URL) and Redis (go-redis v9
// pub/sub, for several instances). One contract test suite runs against both.
package broker

import (
	"context"
	"errors"
)

// ErrClosed is returned by calls on a closed broker.
var ErrClosed = errors.New("broker closed")

// Broker is what the event stream needs from the transport between instances.
type Broker interface {
	// Publish delivers payload to the subscribers of every instance (this one included), at most once.
	// Payloads are stored events, or the hub's control messages (a revocation: {"op":"revoke",…}).
	Publish(ctx context.Context, payload []byte) error

	// Subscribe delivers every published payload to deliver, in the order the broker received them,
	// on a single goroutine owned by the broker, until ctx ends or the broker is closed. deliver must
	// not block for long. resync is called (on the same goroutine) whenever the subscription may have
	// lost messages: after the broker reconnected, or when its self-published ping did not come back in
	// time; the caller then recovers from storage. Subscribe returns once the subscription is active.
	Subscribe(ctx context.Context, deliver func(payload []byte), resync func()) error

	// Next returns the next sequence number of channel (1, 2, 3, …). When the broker has no counter
	// for the channel (first use, or Redis lost its data) it calls load for the highest number already
	// stored and continues from there; concurrent callers on any instance still get distinct numbers.
	Next(ctx context.Context, channel string, load func(ctx context.Context) (int64, error)) (int64, error)

	// Lock takes channel's publish lock, shared by every instance, so that one channel's events are
	// numbered, stored and published one at a time, in order. The lock expires by itself if its
	// holder dies. unlock releases it.
	Lock(ctx context.Context, channel string) (unlock func(), err error)

	// Reset forgets channel's counter so that the next Next reloads it from storage. The event stream
	// calls it when an insert found its number already taken (the counter went backwards).
	Reset(ctx context.Context, channel string) error

	// Health reports whether the broker can publish now.
	Health(ctx context.Context) error

	// Close stops subscriptions and releases connections.
	Close() error
}

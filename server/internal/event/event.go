// Package event is the durable, ordered live-event stream. Publishing an event numbers it within its
// channel, stores it in MongoDB (unique {channel, seq}) and only then hands it to the broker, which
// carries it to every instance's hub. What the broker loses, the hubs and clients recover from the store.
package event

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"hms/server/internal/broker"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/job"
	"hms/shared"
)

// Store keeps events.
type Store interface {
	// InsertEvent fails with ErrSeqTaken when the channel already has an event with that seq.
	InsertEvent(ctx context.Context, ev shared.Event) error
	// EventsAfter returns up to limit events of channel with seq > since, in seq order.
	EventsAfter(ctx context.Context, channel string, since int64, limit int) ([]shared.Event, error)
	// Head returns the highest seq stored for channel, 0 when none.
	Head(ctx context.Context, channel string) (int64, error)
	// PruneEvents deletes events older than cutoff, keeping each channel's newest event so that its
	// numbering never restarts.
	PruneEvents(ctx context.Context, cutoff time.Time) (int, error)
	// EraseEvents blanks every stored event on one of channels, or whose data holds one of mentions
	// (exact text): its type becomes shared.EventErased and its data {}. The events keep their channel
	// and seq, so numbering and replay go on. Running it again changes nothing.
	EraseEvents(ctx context.Context, channels, mentions []string) (int, error)
}

// ErrSkip, returned by a PublishWith build function, means there is nothing new to publish: no event
// is stored or sent, and PublishWith returns ErrSkip.
var ErrSkip = errors.New("nothing to publish")

// ErrSeqTaken means the seq was already used on the channel: the counter went backwards.
var ErrSeqTaken = fault.New(fault.ErrConflict, "event sequence number already used")

// Local receives events published by this instance when the broker could not carry them, so that this
// instance's own clients still get them live. The hub implements it.
type Local interface {
	Deliver(payload []byte)
}

// Stream publishes and replays events.
type Stream struct {
	store  Store
	broker broker.Broker
	local  Local
	log    *slog.Logger
	clock  *clock.Clock
	// fallback holds a *sync.Mutex per channel: without the broker's lock, this instance's publishers
	// of one channel at least take turns, so only other instances contend for the next number.
	fallback sync.Map
}

// NewStream wires the stream; clk is the hospital's clock, by which events are stamped and pruned.
// SetLocal adds the hub once it exists.
func NewStream(store Store, b broker.Broker, log *slog.Logger, clk *clock.Clock) *Stream {
	return &Stream{store: store, broker: b, log: log, clock: clk}
}

func (s *Stream) now() time.Time { return s.clock.Now() }

// SetLocal sets where events go when the broker cannot carry them.
func (s *Stream) SetLocal(l Local) { s.local = l }

// Publish numbers, stores and broadcasts one event. It fails only if the event could not be stored;
// a broker failure after storing is logged, delivered locally, and recovered by the other instances'
// hubs when their subscription comes back.
func (s *Stream) Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error) {
	return s.PublishWith(ctx, channel, typ, func(context.Context) (any, error) { return data, nil })
}

// PublishWith is Publish with the data built while the channel's publish lock is held, so that an event
// describing current state (a queue's waits, a display board) is never overtaken by an older one.
// build may return ErrSkip (after comparing with Last, say): then nothing is published.
func (s *Stream) PublishWith(ctx context.Context, channel, typ string, build func(ctx context.Context) (any, error)) (shared.Event, error) {
	ev := shared.Event{Channel: channel, Type: typ}
	encode := func() error {
		data, err := build(ctx)
		if err != nil {
			return err
		}
		if ev.Data, err = json.Marshal(data); err != nil {
			return fmt.Errorf("encode event data: %w", err)
		}
		return nil
	}
	unlock, err := s.broker.Lock(ctx, channel)
	if err != nil {
		// Without the broker there is no shared counter or lock: fall back to the store's unique index,
		// which still gives each event a distinct, gap-free number.
		s.log.WarnContext(ctx, "broker unavailable; numbering from the store", "channel", channel, "err", err)
		if err := encode(); err != nil {
			return shared.Event{}, err
		}
		if err := s.insertFromStore(ctx, &ev); err != nil {
			return shared.Event{}, err
		}
		// Publish anyway: if the broker is back by now, the other instances may have resynced from
		// the store before this event was in it, and only the broker can still tell them. If it is
		// still down, they will find the event when they resync.
		s.send(ctx, ev)
		return ev, nil
	}
	defer unlock()
	if err := encode(); err != nil {
		return shared.Event{}, err
	}
	if err := s.insert(ctx, &ev); err != nil {
		return shared.Event{}, err
	}
	s.send(ctx, ev)
	return ev, nil
}

// send hands a stored event to the broker, or to this instance's hub when the broker cannot take it.
func (s *Stream) send(ctx context.Context, ev shared.Event) {
	payload, _ := json.Marshal(ev)
	if err := s.broker.Publish(ctx, payload); err != nil {
		s.log.WarnContext(ctx, "broker publish failed; event stored, delivering locally", "channel", ev.Channel, "seq", ev.Seq, "err", err)
		s.deliverLocal(ev)
	}
}

func (s *Stream) insert(ctx context.Context, ev *shared.Event) error {
	load := func(ctx context.Context) (int64, error) { return s.store.Head(ctx, ev.Channel) }
	for attempt := 0; ; attempt++ {
		seq, err := s.broker.Next(ctx, ev.Channel, load)
		if err != nil {
			return s.insertFromStore(ctx, ev)
		}
		ev.Seq, ev.At = seq, s.now().UTC().Truncate(time.Millisecond)
		err = s.store.InsertEvent(ctx, *ev)
		if !errors.Is(err, ErrSeqTaken) {
			return err
		}
		if attempt >= 3 {
			return s.insertFromStore(ctx, ev)
		}
		// The counter is behind the store (Redis restarted with old data, or events were numbered
		// from the store while Redis was away): reload it and try again.
		if err := s.broker.Reset(ctx, ev.Channel); err != nil {
			return s.insertFromStore(ctx, ev)
		}
	}
}

// insertFromStore numbers the event head+1, retrying on a taken number (another instance numbering
// from the store at the same moment) after a short random pause, so that contenders spread out.
func (s *Stream) insertFromStore(ctx context.Context, ev *shared.Event) error {
	mu, _ := s.fallback.LoadOrStore(ev.Channel, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	for attempt := 0; attempt < 50; attempt++ {
		head, err := s.store.Head(ctx, ev.Channel)
		if err != nil {
			return err
		}
		ev.Seq, ev.At = head+1, s.now().UTC().Truncate(time.Millisecond)
		err = s.store.InsertEvent(ctx, *ev)
		if !errors.Is(err, ErrSeqTaken) {
			return err
		}
		pause := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
	return fault.New(fault.ErrUnavailable, "could not number the event: too much contention")
}

func (s *Stream) deliverLocal(ev shared.Event) {
	if s.local == nil {
		return
	}
	payload, _ := json.Marshal(ev)
	s.local.Deliver(payload)
}

// Last returns the channel's newest stored event; ok is false when the channel has none.
func (s *Stream) Last(ctx context.Context, channel string) (ev shared.Event, ok bool, err error) {
	head, err := s.store.Head(ctx, channel)
	if err != nil || head == 0 {
		return shared.Event{}, false, err
	}
	evs, err := s.store.EventsAfter(ctx, channel, head-1, 1)
	if err != nil || len(evs) == 0 {
		return shared.Event{}, false, err
	}
	return evs[0], true, nil
}

// After returns up to limit events of channel after since, in order.
func (s *Stream) After(ctx context.Context, channel string, since int64, limit int) ([]shared.Event, error) {
	return s.store.EventsAfter(ctx, channel, since, limit)
}

// Head returns the channel's highest stored seq.
func (s *Stream) Head(ctx context.Context, channel string) (int64, error) {
	return s.store.Head(ctx, channel)
}

// RunPruner deletes events older than keep, every interval, until ctx ends.
func (s *Stream) RunPruner(ctx context.Context, keep, interval time.Duration) {
	job.Every(ctx, interval, s.log, "prune old events", func(ctx context.Context) (int, error) {
		return s.store.PruneEvents(ctx, s.now().Add(-keep))
	})
}

// ErasePatient blanks the stored events that identify an erased patient (docs/security.md row 36):
// everything on the patient's channel and on their account's channel, and every event elsewhere (a
// doctor's or a department's queue, a staff member's notifications) whose data names the patient's or
// the account's id, which every payload about a patient carries beside the name. It is idempotent.
func (s *Stream) ErasePatient(ctx context.Context, patientID, userID string) (int, error) {
	channels := []string{shared.ChannelPatient + ":" + patientID}
	mentions := []string{`"` + patientID + `"`}
	if userID != "" {
		channels = append(channels, shared.ChannelUser+":"+userID)
		mentions = append(mentions, `"`+userID+`"`)
	}
	return s.store.EraseEvents(ctx, channels, mentions)
}

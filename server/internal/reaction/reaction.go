// Package reaction is the one way domains react to each other. A domain announces what happened as a
// typed event; the composition root subscribes other domains' reactions to it. A domain never calls
// another domain back through a setter or a hook, and never writes another domain's data.
//
// Two kinds of reaction:
//
//   - On: runs in the announcing request once the change is stored; a failure is logged. For reactions
//     whose loss is tolerable or repaired by other means (a live refresh, a withdrawn reminder).
//
//   - Must: a reaction that must not be lost or doubled (erasing a patient's data in each domain, a
//     confirmation, a charge for a finished visit). It survives a crash between the change and the
//     reaction, and runs once across instances:
//
//     1. Before the change, Expect records the occurrence (an insert under a unique _id derived from the
//     event's key: recording it again is a no-op).
//     2. The domain stores its change. If it fails, Drop forgets the occurrence.
//     3. Happened runs each Must reaction at once, each attempt claimed by inserting
//     {occurrence, reaction, attempt n} under a unique _id: of several instances, one runs attempt n.
//     4. Every instance's worker (Run) looks at occurrences not finished after a lease. One whose change
//     is not confirmed asks the announcing domain whether it happened (Verify): if it did, its reactions
//     run; if it still has not after ten leases, it is forgotten. A reaction whose attempt failed runs
//     again with backoff; one whose attempt has no outcome after the lease (its instance died) is
//     claimed again as the next attempt.
//
// A reaction may therefore run more than once (a crash after its effect, before its outcome is
// recorded): its effect must be keyed by the event (an insert under an _id made from the event's key,
// a deletion, a notification made under a key), which makes the effect happen exactly once.
//
// Events carry ids, not names or clinical text: they are stored in the clear until pruned, and the
// reaction reads what it needs from the owning domain.
package reaction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/job"
)

// Event is something a domain announces once it happened.
type Event interface {
	// EventType names the kind of event ("appointment.changed"); it is stored with pending events, so
	// renaming one orphans those still pending.
	EventType() string
	// Key names this occurrence: announcing the same occurrence again gives the same key.
	Key() string
}

// Occurrence is a stored event whose Must reactions have not all finished.
type Occurrence struct {
	ID       string
	Type     string
	Data     []byte
	At       time.Time
	Happened bool
}

// Attempt is one try of one reaction to one occurrence, claimed by insert.
type Attempt struct {
	Occurrence string
	Reaction   string
	N          int
	At         time.Time
	Instance   string
	// Ended is set with the outcome; Err is empty when the reaction succeeded.
	Ended time.Time
	Err   string
}

// ID is the attempt's unique id: claiming it twice fails.
func (a Attempt) ID() string { return fmt.Sprintf("%s|%s|%d", a.Occurrence, a.Reaction, a.N) }

// ErrClaimed means the attempt was claimed by someone else first.
var ErrClaimed = fault.New(fault.ErrConflict, "reaction attempt already claimed")

// Store keeps occurrences and attempts.
type Store interface {
	// RecordOccurrence inserts o; an occurrence with the same ID already stored is not an error.
	RecordOccurrence(ctx context.Context, o Occurrence) error
	// ForgetOccurrence deletes an occurrence that did not happen.
	ForgetOccurrence(ctx context.Context, id string) error
	// MarkHappened records that the occurrence's change is stored.
	MarkHappened(ctx context.Context, id string) error
	// FinishOccurrence records that every Must reaction to it has finished (or given up); a finished
	// occurrence has happened.
	FinishOccurrence(ctx context.Context, id string, at time.Time) error
	// Unfinished returns up to limit unfinished occurrences recorded before cutoff, oldest first.
	Unfinished(ctx context.Context, cutoff time.Time, limit int) ([]Occurrence, error)
	// ClaimAttempt inserts a; it fails with ErrClaimed when that attempt was claimed before.
	ClaimAttempt(ctx context.Context, a Attempt) error
	// Attempt returns the attempt with id, found false when there is none.
	Attempt(ctx context.Context, id string) (a Attempt, found bool, err error)
	// EndAttempt records an attempt's outcome (errText empty: it succeeded).
	EndAttempt(ctx context.Context, id string, at time.Time, errText string) error
	// PruneOccurrences deletes occurrences finished before cutoff, and their attempts.
	PruneOccurrences(ctx context.Context, cutoff time.Time) (int, error)
}

// Config tunes the bus.
type Config struct {
	// Instance names this server instance in attempts (host/pid).
	Instance string
	// Lease is how long an attempt may run without an outcome before it counts as abandoned, and how
	// long an occurrence waits for its change to be confirmed before it is verified.
	Lease time.Duration
	// RetryBase is the pause after a first failed attempt; it doubles after each, up to RetryMax.
	RetryBase, RetryMax time.Duration
	// MaxAttempts is when a failing reaction is given up (logged as an error).
	MaxAttempts int
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 5 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 10 * time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 20
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Bus delivers announced events to the reactions subscribed to them.
type Bus struct {
	store Store
	log   *slog.Logger
	cfg   Config

	mu    sync.RWMutex
	kinds map[string]*kind
}

// kind is what the bus knows of one event type.
type kind struct {
	decode   func([]byte) (Event, error)
	happened func(context.Context, Event) (bool, error)
	must     []subscriber
	on       []subscriber
}

type subscriber struct {
	name string
	fn   func(context.Context, Event) error
}

// New makes a bus on store.
func New(store Store, log *slog.Logger, cfg Config) *Bus {
	return &Bus{store: store, log: log, cfg: cfg.withDefaults(), kinds: map[string]*kind{}}
}

// kindOf returns the bus's entry for E, making it on first use.
func kindOf[E Event](b *Bus) *kind {
	var zero E
	t := zero.EventType()
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.kinds[t]
	if k == nil {
		k = &kind{decode: func(data []byte) (Event, error) {
			var e E
			err := json.Unmarshal(data, &e)
			return e, err
		}}
		b.kinds[t] = k
	}
	return k
}

func typed[E Event](fn func(context.Context, E) error) func(context.Context, Event) error {
	return func(ctx context.Context, e Event) error { return fn(ctx, e.(E)) }
}

// On subscribes fn to E: it runs in the announcing request once the change is stored, and a failure is
// only logged. Subscribe while wiring, before serving.
func On[E Event](b *Bus, name string, fn func(context.Context, E) error) {
	k := kindOf[E](b)
	b.mu.Lock()
	k.on = append(k.on, subscriber{name: name, fn: typed(fn)})
	b.mu.Unlock()
}

// Must subscribes fn to E as a reaction that must not be lost: see the package comment. name is
// stored with its attempts, so it must stay the same across versions. fn must be idempotent by the
// event. Subscribe while wiring, before serving; E's domain must have given Verify.
func Must[E Event](b *Bus, name string, fn func(context.Context, E) error) {
	k := kindOf[E](b)
	b.mu.Lock()
	k.must = append(k.must, subscriber{name: name, fn: typed(fn)})
	b.mu.Unlock()
}

// Verify tells the bus how to find out whether an E whose confirmation was lost (a crash between the
// change and Happened) did happen, by reading the announcing domain's own store. The domain that
// announces E gives it while wiring.
func Verify[E Event](b *Bus, happened func(context.Context, E) (bool, error)) {
	k := kindOf[E](b)
	b.mu.Lock()
	k.happened = func(ctx context.Context, e Event) (bool, error) { return happened(ctx, e.(E)) }
	b.mu.Unlock()
}

func (b *Bus) kind(t string) *kind {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.kinds[t]
}

// Check reports event types with Must reactions but no Verify: without it, such an event recorded
// before a crash could not be told apart from one whose change failed. Call it once wiring is done.
func (b *Bus) Check() error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var errs []error
	for t, k := range b.kinds {
		if len(k.must) > 0 && k.happened == nil {
			errs = append(errs, fmt.Errorf("reaction: %s has Must reactions but no Verify", t))
		}
	}
	return errors.Join(errs...)
}

// Pending is an event announced before its change: the domain calls Happened once the change is
// stored, or Drop when it failed.
type Pending struct {
	b  *Bus
	ev Event
	k  *kind
	id string // the occurrence's id; empty when nothing was recorded (no Must reactions)
}

// occurrenceID is where E's occurrence is stored.
func occurrenceID(e Event) string { return e.EventType() + ":" + e.Key() }

// Expect announces that ev is about to happen. When ev has Must reactions, the occurrence is recorded
// first, so that a crash after the change cannot lose them; an error means nothing should be changed.
func (b *Bus) Expect(ctx context.Context, ev Event) (*Pending, error) {
	p := &Pending{b: b, ev: ev, k: b.kind(ev.EventType())}
	if p.k == nil || len(p.k.must) == 0 {
		return p, nil
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", ev.EventType(), err)
	}
	p.id = occurrenceID(ev)
	o := Occurrence{ID: p.id, Type: ev.EventType(), Data: data, At: b.now()}
	if err := b.store.RecordOccurrence(ctx, o); err != nil {
		return nil, fmt.Errorf("record %s: %w", ev.EventType(), err)
	}
	return p, nil
}

// Drop says this caller's change did not happen: the occurrence is forgotten, unless the announcing
// domain says it happened after all (another instance made the same change, under the same key, and
// won). A failure to forget is logged; the worker verifies and forgets it later.
func (p *Pending) Drop(ctx context.Context) {
	if p == nil || p.id == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if p.k.happened != nil {
		if ok, err := p.k.happened(ctx, p.ev); ok || err != nil {
			return
		}
	}
	if err := p.b.store.ForgetOccurrence(ctx, p.id); err != nil {
		p.b.log.WarnContext(ctx, "forget an occurrence that did not happen (verified later)", "occurrence", p.id, "err", err)
	}
}

// Happened says the change is stored: every reaction runs now, on a context that outlives the
// request. The Must reactions that fail are retried by the workers.
func (p *Pending) Happened(ctx context.Context) {
	if p == nil || p.k == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	failpoint("reaction.after-change")
	b := p.b
	if p.id != "" {
		// Finishing marks it happened too: one write when every reaction succeeded at once.
		if !b.react(ctx, Occurrence{ID: p.id, Type: p.ev.EventType()}, p.k, p.ev, true) {
			if err := b.store.MarkHappened(ctx, p.id); err != nil {
				b.log.WarnContext(ctx, "mark an occurrence happened (verified later)", "occurrence", p.id, "err", err)
			}
		}
	}
	for _, s := range p.k.on {
		if err := s.fn(ctx, p.ev); err != nil {
			b.log.ErrorContext(ctx, "reaction failed", "reaction", s.name, "event", p.ev.EventType(), "key", p.ev.Key(), "err", err)
		}
	}
}

// react runs each Must reaction to o that is due, and finishes o when all have. It reports whether o
// is finished. fresh says o was just recorded by this caller: its attempts start at 1 without being
// looked up (a taken claim still tells when another instance got there first).
func (b *Bus) react(ctx context.Context, o Occurrence, k *kind, ev Event, fresh bool) bool {
	finished := true
	for _, s := range k.must {
		if !b.runDue(ctx, o.ID, s, ev, fresh) {
			finished = false
		}
	}
	if finished {
		if err := b.store.FinishOccurrence(ctx, o.ID, b.now()); err != nil {
			b.log.WarnContext(ctx, "finish an occurrence (finished again later)", "occurrence", o.ID, "err", err)
		}
	}
	return finished
}

// runDue runs reaction s to occurrence id when it is due: never tried, or its last attempt failed and
// its backoff has passed, or its last attempt was abandoned. It reports whether the reaction is
// finished (succeeded or given up).
func (b *Bus) runDue(ctx context.Context, id string, s subscriber, ev Event, fresh bool) bool {
	var last Attempt
	var n int
	if !fresh {
		var err error
		if last, n, err = b.lastAttempt(ctx, id, s.name); err != nil {
			b.log.WarnContext(ctx, "read reaction attempts", "occurrence", id, "reaction", s.name, "err", err)
			return false
		}
	}
	now := b.now()
	if n > 0 {
		switch {
		case !last.Ended.IsZero() && last.Err == "":
			return true
		case !last.Ended.IsZero() && n >= b.cfg.MaxAttempts:
			return true // given up: logged when the last attempt failed
		case !last.Ended.IsZero() && now.Before(last.Ended.Add(b.backoff(n))):
			return false
		case last.Ended.IsZero() && now.Before(last.At.Add(b.cfg.Lease)):
			return false // running elsewhere
		}
		if last.Ended.IsZero() {
			b.log.WarnContext(ctx, "reaction attempt abandoned; trying again", "occurrence", id, "reaction", s.name,
				"attempt", n, "instance", last.Instance)
		}
	}
	a := Attempt{Occurrence: id, Reaction: s.name, N: n + 1, At: now, Instance: b.cfg.Instance}
	if err := b.store.ClaimAttempt(ctx, a); err != nil {
		if !errors.Is(err, ErrClaimed) {
			b.log.WarnContext(ctx, "claim a reaction attempt", "occurrence", id, "reaction", s.name, "err", err)
		}
		return false
	}
	rerr := s.fn(ctx, ev)
	errText := ""
	if rerr != nil {
		errText = rerr.Error()
		level := slog.LevelWarn
		if a.N >= b.cfg.MaxAttempts {
			level = slog.LevelError
		}
		b.log.Log(ctx, level, "reaction failed", "occurrence", id, "reaction", s.name, "attempt", a.N,
			"given_up", a.N >= b.cfg.MaxAttempts, "err", rerr)
	}
	if err := b.store.EndAttempt(ctx, a.ID(), b.now(), errText); err != nil {
		b.log.WarnContext(ctx, "record a reaction's outcome", "occurrence", id, "reaction", s.name, "err", err)
		return false
	}
	return rerr == nil || a.N >= b.cfg.MaxAttempts
}

// lastAttempt returns the newest attempt of reaction to occurrence id and its number (0: none). Ids are
// looked up one by one: an _id equality is answered from the index, and a reaction has few attempts.
func (b *Bus) lastAttempt(ctx context.Context, id, reaction string) (Attempt, int, error) {
	var last Attempt
	for n := 1; ; n++ {
		a, found, err := b.store.Attempt(ctx, Attempt{Occurrence: id, Reaction: reaction, N: n}.ID())
		if err != nil || !found {
			return last, n - 1, err
		}
		last = a
	}
}

func (b *Bus) backoff(n int) time.Duration {
	d := b.cfg.RetryBase
	for i := 1; i < n && d < b.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, b.cfg.RetryMax)
}

func (b *Bus) now() time.Time { return b.cfg.Now().UTC().Truncate(time.Millisecond) }

// Recover runs the Must reactions left behind: occurrences not finished a lease after they were
// recorded, verified with the announcing domain when their change was never confirmed. It returns how
// many occurrences it finished.
func (b *Bus) Recover(ctx context.Context) (int, error) {
	now := b.now()
	list, err := b.store.Unfinished(ctx, now.Add(-b.cfg.Lease), 200)
	if err != nil {
		return 0, err
	}
	finished := 0
	for _, o := range list {
		if ctx.Err() != nil {
			return finished, ctx.Err()
		}
		k := b.kind(o.Type)
		if k == nil || len(k.must) == 0 {
			continue // an event this build has no Must reaction to: left for a build that has
		}
		ev, err := k.decode(o.Data)
		if err != nil {
			b.log.ErrorContext(ctx, "decode a stored event", "occurrence", o.ID, "err", err)
			continue
		}
		if !o.Happened {
			ok, err := k.happened(ctx, ev)
			if err != nil {
				b.log.WarnContext(ctx, "verify an occurrence", "occurrence", o.ID, "err", err)
				continue
			}
			if !ok {
				if now.Sub(o.At) > 10*b.cfg.Lease {
					if err := b.store.ForgetOccurrence(ctx, o.ID); err != nil {
						b.log.WarnContext(ctx, "forget an occurrence that did not happen", "occurrence", o.ID, "err", err)
					}
				}
				continue
			}
			if err := b.store.MarkHappened(ctx, o.ID); err != nil {
				b.log.WarnContext(ctx, "mark an occurrence happened", "occurrence", o.ID, "err", err)
			}
		}
		if b.react(ctx, o, k, ev, false) {
			finished++
		}
	}
	return finished, nil
}

// Run recovers left-behind reactions every interval until ctx ends.
func (b *Bus) Run(ctx context.Context, interval time.Duration) {
	job.Every(ctx, interval, b.log, "run left-behind reactions", b.Recover)
}

// RunPruner deletes occurrences finished more than keep ago, every interval, until ctx ends.
func (b *Bus) RunPruner(ctx context.Context, keep, interval time.Duration) {
	job.Every(ctx, interval, b.log, "prune finished reactions", func(ctx context.Context) (int, error) {
		return b.store.PruneOccurrences(ctx, b.now().Add(-keep))
	})
}

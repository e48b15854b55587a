package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"hms/server/internal/fault"
	"hms/server/internal/ident"
)

// The chain's own actions.
const (
	// ActionChainStart is a chain's first entry: it links to the chain's registry record.
	ActionChainStart = "audit.chain_start"
	// ActionAnchor records the heads (seq and hash) of every live chain, every anchor interval.
	ActionAnchor = "audit.anchor"
	// ActionChainEnd is an anchor written when a process closes its chain.
	ActionChainEnd = "audit.chain_end"
)

// hashVersion starts every hashed encoding, so that a later encoding cannot be confused with this one.
const hashVersion = "hms-audit-v1"

// Log records audit entries on its own chain (docs/audit.md). Appends are numbered and linked under
// an in-process mutex only; entries queued while a write is in flight go in the next write together
// (group commit), so concurrent requests share one round trip instead of queueing for one each.
type Log struct {
	store    Store
	now      func() time.Time
	instance string

	mu    sync.Mutex
	chain *Chain // nil until the first entry
	seq   int64
	head  string
	// queue holds the entries numbered but not yet written, in order; writing says one caller is
	// writing them (the others wait for their entry's answer).
	queue   []*pending
	writing bool
	// backlog holds entries numbered whose write failed or may have failed: they are in the chain, so
	// they are written first, before anything after them (one already stored answers conflict).
	backlog []Entry
}

type pending struct {
	e    Entry
	done chan error // buffered: the writer never waits on it
}

// NewLog returns a Log writing to store. Its chain is registered with its first entry.
func NewLog(store Store) *Log {
	host, _ := os.Hostname()
	return &Log{store: store, now: time.Now, instance: fmt.Sprintf("%s/%d", host, os.Getpid())}
}

// Digest is an entry's hash: SHA-256 over a canonical encoding of every field but the hash itself (the
// previous entry's hash included), each field as its length (8 bytes, big-endian) and its bytes.
func Digest(e Entry) string {
	h := sha256.New()
	var n [8]byte
	for _, f := range []string{hashVersion, e.Chain, strconv.FormatInt(e.Seq, 10), e.Prev, e.ID,
		e.At.UTC().Format("2006-01-02T15:04:05.000Z"), e.ActorID, string(e.ActorRole), e.PatientID, e.Channel,
		e.Target, e.Action, e.Outcome, e.IP, e.Detail, e.RequestID} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Genesis is the "previous hash" of a chain's first entry: the hash of its registry record, so that
// the record cannot be changed or removed unnoticed.
func Genesis(c Chain) string {
	sum := sha256.Sum256([]byte(hashVersion + "\x00chain\x00" + c.ID + "\x00" + c.Instance + "\x00" +
		c.StartedAt.UTC().Format("2006-01-02T15:04:05.000Z")))
	return hex.EncodeToString(sum[:])
}

// append numbers e on the chain, links it and writes it, with whatever else is queued. It returns e
// as written.
func (l *Log) append(ctx context.Context, e Entry) (Entry, error) {
	ctx = context.WithoutCancel(ctx)
	l.mu.Lock()
	if l.chain == nil {
		if err := l.startLocked(ctx); err != nil {
			l.mu.Unlock()
			return Entry{}, err
		}
	}
	p := l.linkLocked(e)
	if l.writing {
		l.mu.Unlock()
		return p.e, <-p.done
	}
	l.writing = true
	for len(l.queue) > 0 || len(l.backlog) > 0 {
		batch, backlog := l.queue, l.backlog
		l.queue, l.backlog = nil, nil
		l.mu.Unlock()
		err := l.write(ctx, backlog, batch)
		l.mu.Lock()
		if err != nil {
			// Every entry of the batch, and those queued meanwhile, stays in the chain: kept for the next
			// write; their callers are told it failed.
			for _, q := range append(batch, l.queue...) {
				l.backlog = append(l.backlog, q.e)
				q.done <- err
			}
			l.queue = nil
			break
		}
		for _, q := range batch {
			q.done <- nil
		}
	}
	l.writing = false
	l.mu.Unlock()
	return p.e, <-p.done
}

// linkLocked gives e the next place on the chain and queues it.
func (l *Log) linkLocked(e Entry) *pending {
	l.seq++
	e.Chain, e.Seq, e.Prev = l.chain.ID, l.seq, l.head
	e.Hash = Digest(e)
	l.head = e.Hash
	p := &pending{e: e, done: make(chan error, 1)}
	l.queue = append(l.queue, p)
	return p
}

// startLocked registers the chain and queues its first entry.
func (l *Log) startLocked(ctx context.Context) error {
	now := l.now().UTC().Truncate(time.Millisecond)
	c := Chain{ID: ident.New(), Instance: l.instance, StartedAt: now, SeenAt: now}
	if err := l.store.RegisterChain(ctx, c); err != nil {
		return fmt.Errorf("register audit chain: %w", err)
	}
	l.chain, l.seq, l.head = &c, 0, Genesis(c)
	l.linkLocked(Entry{ID: ident.New(), At: now, Action: ActionChainStart, Outcome: "ok", Detail: "instance " + l.instance})
	return nil
}

// write stores the backlog (one by one: an entry already stored answers conflict, and counts as
// written), then the batch in one insert.
func (l *Log) write(ctx context.Context, backlog []Entry, batch []*pending) error {
	for i, e := range backlog {
		if err := l.store.InsertAudit(ctx, []Entry{e}); err != nil && !errors.Is(err, fault.ErrConflict) {
			l.mu.Lock()
			l.backlog = append(backlog[i:], l.backlog...)
			l.mu.Unlock()
			return err
		}
	}
	if len(batch) == 0 {
		return nil
	}
	es := make([]Entry, len(batch))
	for i, p := range batch {
		es[i] = p.e
	}
	return l.store.InsertAudit(ctx, es)
}

// Head returns the chain's id, the seq and hash of its last entry (all "" and 0 before the first).
func (l *Log) Head() (chain string, seq int64, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.chain == nil {
		return "", 0, ""
	}
	return l.chain.ID, l.seq, l.head
}

// Anchor writes an anchor entry: the head (seq and hash, read from the store) of every other chain
// seen within live (every chain when live is 0), so that an entry removed from the end of any chain is
// noticed (docs/audit.md). It returns the anchor.
func (l *Log) Anchor(ctx context.Context, live time.Duration) (Entry, error) {
	return l.anchor(ctx, ActionAnchor, live)
}

// End writes the chain's last anchor (audit.chain_end), when the process closes; nothing when the
// chain has no entry.
func (l *Log) End(ctx context.Context, live time.Duration) error {
	if c, _, _ := l.Head(); c == "" {
		return nil
	}
	_, err := l.anchor(ctx, ActionChainEnd, live)
	return err
}

func (l *Log) anchor(ctx context.Context, action string, live time.Duration) (Entry, error) {
	now := l.now().UTC()
	var since time.Time
	if live > 0 {
		since = now.Add(-live)
	}
	chains, err := l.store.Chains(ctx, since)
	if err != nil {
		return Entry{}, fmt.Errorf("audit anchor: %w", err)
	}
	own, _, _ := l.Head()
	var heads []string
	for _, c := range chains {
		if c.ID == own {
			continue
		}
		h, err := l.store.ChainHead(ctx, c.ID)
		if errors.Is(err, fault.ErrNotFound) {
			continue
		}
		if err != nil {
			return Entry{}, fmt.Errorf("audit anchor: head of %s: %w", c.ID, err)
		}
		heads = append(heads, FormatHead(h))
	}
	e := l.entry(ctx, event{Action: action, Detail: "heads " + strings.Join(heads, " ")})
	if len(heads) == 0 {
		e.Detail = "heads"
	}
	e, err = l.append(ctx, e)
	if err != nil {
		return Entry{}, fmt.Errorf("audit anchor: %w", err)
	}
	if err := l.store.TouchChain(ctx, e.Chain, now); err != nil {
		return Entry{}, fmt.Errorf("audit anchor: %w", err)
	}
	return e, nil
}

// FormatHead is how an anchor names a chain's head: chain:seq:hash.
func FormatHead(e Entry) string { return e.Chain + ":" + strconv.FormatInt(e.Seq, 10) + ":" + e.Hash }

// ParseHeads reads the heads an anchor's detail names.
func ParseHeads(detail string) ([]Entry, bool) {
	rest, ok := strings.CutPrefix(detail, "heads")
	if !ok {
		return nil, false
	}
	var out []Entry
	for _, f := range strings.Fields(rest) {
		parts := strings.Split(f, ":")
		if len(parts) != 3 {
			return nil, false
		}
		seq, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return nil, false
		}
		out = append(out, Entry{Chain: parts[0], Seq: seq, Hash: parts[2]})
	}
	return out, true
}

// RunAnchors writes an anchor every interval until ctx ends, and logs the chain's head (its seq and
// hash) each time, so that the service log, kept apart from the database, holds the heads too. A chain
// is anchored by the others while it was seen within two intervals.
func (l *Log) RunAnchors(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		e, err := l.Anchor(ctx, 2*interval)
		if err != nil {
			log.Warn("audit anchor failed", "err", err)
			continue
		}
		heads, _ := ParseHeads(e.Detail)
		log.Info("audit anchor", "chain", e.Chain, "seq", e.Seq, "head", e.Hash, "count", e.Seq, "other_chains", len(heads))
	}
}

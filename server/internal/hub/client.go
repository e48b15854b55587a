package hub

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// client is one websocket connection. Its read goroutine handles client frames; the writer (see
// queue.go) is the only goroutine that writes frames to the socket, and runs only while frames are
// queued. The hub hands the client frames through its queue and never waits: a full queue means a
// slow consumer, dropped with CloseSlowConsumer.
type client struct {
	hub  *Hub
	conn *websocket.Conn
	p    auth.Principal
	done chan struct{} // closed once, by closeWith
	once sync.Once

	expiry *time.Timer // ends the session when the credential expires; stopped on close

	ip, requestID string // where the connection came from, for the audit trail

	mu   sync.Mutex // guards subs
	subs map[string]*subState

	qmu     sync.Mutex // guards the outgoing queue
	q       []outFrame
	writing bool // a writer goroutine is running
	closed  bool
}

// subState is a channel subscription: the last seq delivered, and, while the client catches up from
// the store, the live events that arrived meanwhile.
type subState struct {
	last    int64
	joining bool
	pending []pendingEvent
}

type pendingEvent struct {
	seq int64
	pm  *websocket.PreparedMessage
}

// maxPending bounds what a joining subscription buffers; past it the client is treated as slow.
// Replayed and held frames are queued past SendQueue (they come from the client's own goroutine and are
// bounded by MaxReplay and maxPending), so a long replay is not mistaken for a slow consumer.
const maxPending = 1024

func (c *client) channels() map[string]*subState {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]*subState, len(c.subs))
	for k, v := range c.subs {
		out[k] = v
	}
	return out
}

// offer is called by the hub's dispatch for every event on a channel the client is subscribed to.
func (c *client) offer(channel string, seq int64, pm *websocket.PreparedMessage) {
	c.mu.Lock()
	s := c.subs[channel]
	switch {
	case s == nil:
		c.mu.Unlock()
		return
	case s.joining:
		if len(s.pending) >= maxPending {
			c.mu.Unlock()
			c.slow()
			return
		}
		s.pending = append(s.pending, pendingEvent{seq, pm})
		c.mu.Unlock()
		return
	case seq <= s.last:
		c.mu.Unlock()
		return
	}
	s.last = seq
	c.mu.Unlock()
	if c.push(outFrame{pm: pm}, false) {
		c.hub.stats.Delivered.Add(1)
	}
}

// send queues a control frame.
func (c *client) send(f shared.ServerFrame) {
	b, _ := json.Marshal(f)
	c.push(outFrame{data: b}, true)
}

// closeWith sends a close frame with code and reason, then closes the connection. Safe to call from
// any goroutine, any number of times; only the first call counts. It may block up to a second on the
// close frame, so the hub's dispatch never calls it directly.
func (c *client) closeWith(code int, reason string) {
	c.once.Do(func() {
		c.qmu.Lock()
		c.closed, c.q = true, nil
		c.qmu.Unlock()
		close(c.done)
		if c.expiry != nil {
			c.expiry.Stop()
		}
		_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason),
			time.Now().Add(time.Second))
		_ = c.conn.Close()
	})
}

// closeAfterFlush closes the connection with code once the frames already queued are written.
func (c *client) closeAfterFlush(code int, reason string) {
	if !c.push(outFrame{close: true, code: code, reason: reason}, true) {
		c.closeWith(code, reason)
	}
}

func (c *client) slow() {
	c.hub.stats.SlowDropped.Add(1)
	go c.closeWith(CloseSlowConsumer, "slow consumer: send queue full") // never on the dispatch path
}

// readPump reads client frames until the connection ends, then unregisters the client.
func (c *client) readPump() {
	defer func() {
		c.hub.remove(c)
		c.closeWith(websocket.CloseNormalClosure, "")
	}()
	c.conn.SetReadLimit(c.hub.cfg.ReadLimit) // over it, gorilla answers 1009 and the read fails
	_ = c.conn.SetReadDeadline(time.Now().Add(c.hub.cfg.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(c.hub.cfg.PongWait))
	})
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(c.hub.cfg.PongWait))
		var f shared.ClientFrame
		if err := json.Unmarshal(data, &f); err != nil {
			c.send(shared.ServerFrame{Op: shared.OpError, Code: "invalid_frame", Message: "frames are JSON objects with an op"})
			continue
		}
		switch f.Op {
		case shared.OpSubscribe:
			for _, cur := range f.Channels {
				c.join(cur.Channel, cur.Since, f.ID)
			}
		case shared.OpUnsubscribe:
			for _, cur := range f.Channels {
				c.leave(cur.Channel, f.ID)
			}
		case shared.OpPing:
			c.send(shared.ServerFrame{Op: shared.OpPong, ID: f.ID})
		default:
			c.send(shared.ServerFrame{Op: shared.OpError, ID: f.ID, Code: "invalid_frame", Message: "unknown op; use subscribe, unsubscribe or ping"})
		}
	}
}

// join subscribes to channel. With since, the events after it are replayed from the store first
// (or, when more than MaxReplay were missed, the client is told to reload a snapshot); live events
// that arrive meanwhile are held and sent after the replay, so the client sees every seq once, in order.
func (c *client) join(channel string, since *int64, reqID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := authorize(c.p, channel)
	if err == nil && !c.subscribed(channel) && c.subscriptions() >= c.hub.cfg.MaxSubscriptions {
		c.send(shared.ServerFrame{Op: shared.OpError, ID: reqID, Channel: channel, Code: "too_many_subscriptions",
			Message: "this connection has as many channels as it may; unsubscribe from one first"})
		return
	}
	switch kind, id, _ := cut(channel); {
	case errors.Is(err, errUnknownChannel):
	case kind == shared.ChannelPatient:
		// The same rule as REST, and an audit entry for every attempt.
		if !ident.Valid(id) {
			id = "malformed"
		}
		err = c.patientAccess(ctx, id, since, err)
	case kind == shared.ChannelDeptQueue || kind == shared.ChannelDocQueue:
		// Scheduling data (no names), but who watched which queue is on the trail.
		err = c.queueAudit(ctx, channel, since, err)
	}
	if err != nil {
		code := "forbidden"
		switch {
		case errors.Is(err, errUnknownChannel):
			code = "unknown_channel"
		case !errors.Is(err, fault.ErrForbidden) && !errors.Is(err, fault.ErrNotFound) && !errors.Is(err, fault.ErrInvalid):
			code, err = "unavailable", errors.New("could not check access to the channel; try again")
		}
		c.send(shared.ServerFrame{Op: shared.OpError, ID: reqID, Channel: channel, Code: code, Message: err.Error()})
		return
	}
	head, err := c.hub.head(ctx, channel)
	if err != nil {
		c.send(shared.ServerFrame{Op: shared.OpError, ID: reqID, Channel: channel, Code: "unavailable", Message: "could not read the channel; try again"})
		return
	}

	c.mu.Lock()
	if s, ok := c.subs[channel]; ok && (since == nil || *since >= s.last || s.joining) {
		last := s.last
		c.mu.Unlock()
		c.send(shared.ServerFrame{Op: shared.OpSubscribed, ID: reqID, Channel: channel, Seq: &last})
		return
	}
	if since == nil {
		c.subs[channel] = &subState{last: head}
		c.mu.Unlock()
		c.hub.subscribe(c, channel)
		c.send(shared.ServerFrame{Op: shared.OpSubscribed, ID: reqID, Channel: channel, Seq: &head})
		return
	}
	s := &subState{last: *since, joining: true}
	c.subs[channel] = s
	c.mu.Unlock()
	c.hub.subscribe(c, channel)

	from := *since
	if from > head {
		// The client is ahead of the stored stream (the database was reset): start over from a snapshot.
		c.reload(channel, reqID, head, s)
		return
	}
	if from >= c.hub.dispatched(channel) {
		// Up to date with what this instance has dispatched, read now that the subscription holds what
		// comes next: nothing to replay, so the store is not asked. A client moved here by a draining
		// instance usually is, and this keeps the reconnects off the database.
		c.finishJoin(s, from)
		c.send(shared.ServerFrame{Op: shared.OpSubscribed, ID: reqID, Channel: channel, Seq: &from})
		return
	}
	evs, err := c.hub.events.After(ctx, channel, from, c.hub.cfg.MaxReplay+1)
	if err != nil {
		// Not a reason to reload: the client missed nothing we know of. It subscribes again with since.
		c.mu.Lock()
		delete(c.subs, channel)
		c.mu.Unlock()
		c.hub.unsubscribe(c, channel)
		c.send(shared.ServerFrame{Op: shared.OpError, ID: reqID, Channel: channel, Code: "unavailable", Message: "could not read the channel; subscribe again with since"})
		return
	}
	if len(evs) > c.hub.cfg.MaxReplay {
		c.reload(channel, reqID, head, s)
		return
	}
	for _, ev := range evs {
		b, _ := json.Marshal(ev)
		if !c.push(outFrame{pm: eventFrame(b)}, true) {
			return
		}
		from = ev.Seq
		c.hub.stats.Replayed.Add(1)
	}
	c.finishJoin(s, from)
	c.send(shared.ServerFrame{Op: shared.OpSubscribed, ID: reqID, Channel: channel, Seq: &from})
}

// reload tells the client to fetch a snapshot over REST and continue from seq.
func (c *client) reload(channel, reqID string, seq int64, s *subState) {
	c.hub.stats.Reloads.Add(1)
	c.send(shared.ServerFrame{Op: shared.OpReload, ID: reqID, Channel: channel, Seq: &seq,
		Code: "too_far_behind", Message: "fetch a fresh snapshot over REST, then continue from seq"})
	c.finishJoin(s, seq)
}

// finishJoin sends the live events held during the replay that come after last, then goes live.
// Events keep being held while the held ones are sent, so order is kept.
func (c *client) finishJoin(s *subState, last int64) {
	for {
		c.mu.Lock()
		pending := s.pending
		s.pending = nil
		if len(pending) == 0 {
			s.joining, s.last = false, last
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for _, p := range pending {
			if p.seq > last {
				last = p.seq
				if !c.push(outFrame{pm: p.pm}, true) {
					return
				}
			}
		}
	}
}

func (c *client) subscribed(channel string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.subs[channel]
	return ok
}

func (c *client) subscriptions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.subs)
}

// auditContext carries the connection's origin to the audit trail.
func (c *client) auditContext(ctx context.Context) context.Context {
	return audit.WithOrigin(ctx, audit.Origin{IP: c.ip, RequestID: c.requestID})
}

func (c *client) leave(channel, reqID string) {
	c.mu.Lock()
	delete(c.subs, channel)
	c.mu.Unlock()
	c.hub.unsubscribe(c, channel)
	c.send(shared.ServerFrame{Op: shared.OpSubscribed, ID: reqID, Channel: channel, Code: "unsubscribed"})
}

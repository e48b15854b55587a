package main_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"hms/server/internal/apptest"
	"hms/shared"
)

// frame is any frame the server sends (the one test harness's type).
type frame = apptest.Frame

// alertEvent is one event a client got on the alerts channel.
type alertEvent struct {
	Seq  int64
	Type string
	ID   string // the alert's id
	Via  string // the instance that sent it
}

// wsClient behaves like a real program on the live hub: it connects with a Bearer token, records
// every event, and when the connection ends reconnects after 50–300 ms (to the same instance if
// sticky, else to the next one on its route), resuming with since=alerts:<last seq seen>. Like a
// real client it retries a subscription refused as "unavailable" and, told to reload, continues from
// the seq given (the snapshot is not fetched: what the client records is exactly what the servers
// sent, so alerts skipped by a reload show up as missing). It does not repair gaps itself.
type wsClient struct {
	name   string
	token  string
	route  []*instance // route[0] is its home instance
	sticky bool
	epoch  time.Time

	mu         sync.Mutex
	pos        int // index in route of the instance to connect to
	alerts     []alertEvent
	cursor     int64              // the alerts seq to resume after: the last event's, or a reload's
	others     map[string][]int64 // other channels: the seqs of the events received, in order
	live       bool               // the current connection has sent "subscribed" (or reload) for alerts
	connects   int                // connections that got a welcome
	current    string             // the instance of the open connection, "" between connections
	lastVia    string
	reconnects int      // {"op":"reconnect"} frames received
	closeCodes []int    // close codes received (-1: the connection broke without one)
	notes      []string // transient refusals the protocol allows (5xx handshakes, "unavailable", reload)
	problems   []string // what a correct server never sends
	history    []string
}

func (w *wsClient) logf(format string, args ...any) {
	w.history = append(w.history, fmt.Sprintf("%7.3fs ", time.Since(w.epoch).Seconds())+fmt.Sprintf(format, args...))
}

// run connects and reconnects until ctx ends.
func (w *wsClient) run(ctx context.Context) {
	for ctx.Err() == nil {
		w.mu.Lock()
		in, since := w.route[w.pos], w.cursor
		w.mu.Unlock()
		w.session(ctx, in, since)
		if ctx.Err() != nil {
			return
		}
		w.mu.Lock()
		if !w.sticky {
			w.pos = (w.pos + 1) % len(w.route)
		}
		w.mu.Unlock()
		select { // jitter, so that a restarted instance's clients do not all come back at once
		case <-ctx.Done():
		case <-time.After(jitter()):
		}
	}
}

func jitter() time.Duration { return 50*time.Millisecond + mrand.N(250*time.Millisecond) }

var wsDialer = &websocket.Dialer{HandshakeTimeout: 5 * time.Second}

// session is one connection: it reads frames until the connection ends or ctx does.
func (w *wsClient) session(ctx context.Context, in *instance, since int64) {
	u := fmt.Sprintf("ws://%s/ws?since=%s:%d", in.addr, shared.ChannelAlerts, since)
	conn, resp, err := wsDialer.DialContext(ctx, u, http.Header{"Authorization": {"Bearer " + w.token}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		w.mu.Lock()
		w.logf("dial %s since=%d: %v (status %d)", in.name, since, err, status)
		switch {
		case status >= 500:
			w.notes = append(w.notes, fmt.Sprintf("handshake with %s answered %d", in.name, status))
		case status != 0:
			w.problems = append(w.problems, fmt.Sprintf("handshake with %s refused with status %d", in.name, status))
		}
		w.mu.Unlock()
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	var wmu sync.Mutex // one writer at a time: resubscriptions run on timers
	send := func(f shared.ClientFrame) {
		wmu.Lock()
		defer wmu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
		_ = conn.WriteJSON(f) // a failed write shows up as a failed read
	}
	const readWait = 20 * time.Second // the servers ping every 2 s
	_ = conn.SetReadDeadline(time.Now().Add(readWait))
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(readWait))
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		var ne net.Error
		if errors.Is(err, websocket.ErrCloseSent) || (errors.As(err, &ne) && ne.Timeout()) {
			return nil // as gorilla's default handler: the read that follows reports the real problem
		}
		return err
	})
	for first := true; ; first = false {
		_, data, err := conn.ReadMessage()
		if err != nil {
			w.mu.Lock()
			w.live, w.current = false, ""
			if ctx.Err() == nil {
				code := -1
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					code = ce.Code
				}
				w.closeCodes = append(w.closeCodes, code)
				w.logf("connection to %s ended: %v", in.name, err)
			}
			w.mu.Unlock()
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(readWait))
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			w.mu.Lock()
			w.problems = append(w.problems, fmt.Sprintf("undecodable frame from %s: %s", in.name, data))
			w.mu.Unlock()
			continue
		}
		if retry, ok := w.handle(in, since, f, first, data); ok {
			time.AfterFunc(jitter(), func() { send(retry) })
		}
	}
}

// handle records a frame; it returns a subscribe frame to send when a subscription must be retried.
func (w *wsClient) handle(in *instance, since int64, f frame, first bool, raw []byte) (shared.ClientFrame, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if first {
		if f.Op != shared.OpWelcome {
			w.problems = append(w.problems, fmt.Sprintf("first frame from %s is %s, want welcome", in.name, raw))
		}
		w.connects++
		w.current, w.lastVia = in.name, in.name
		w.logf("connected to %s since=%d", in.name, since)
		return shared.ClientFrame{}, false
	}
	seq := int64(-1)
	if f.Seq != nil {
		seq = *f.Seq
	}
	alerts := f.Channel == shared.ChannelAlerts
	switch {
	case f.Op == shared.OpEvent && alerts:
		var a struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(f.Data, &a)
		w.alerts = append(w.alerts, alertEvent{Seq: seq, Type: f.Type, ID: a.ID, Via: in.name})
		w.cursor = seq
	case f.Op == shared.OpEvent:
		w.others[f.Channel] = append(w.others[f.Channel], seq)
	case f.Op == shared.OpSubscribed && alerts:
		w.live = true
		w.logf("subscribed to alerts on %s at seq %d", in.name, seq)
	case f.Op == shared.OpSubscribed:
	case f.Op == shared.OpReconnect:
		w.reconnects++
		w.logf("reconnect frame from %s: %s", in.name, raw)
	case f.Op == shared.OpReload && alerts:
		// Fetch a snapshot and continue from seq: here, only continue.
		w.live, w.cursor = true, max(w.cursor, seq)
		w.notes = append(w.notes, fmt.Sprintf("%s told it to reload alerts at seq %d (its last seq %d): %s", in.name, seq, since, raw))
		w.logf("reload from %s: %s", in.name, raw)
	case f.Op == shared.OpError && f.Code == "unavailable" && f.Channel != "":
		w.notes = append(w.notes, fmt.Sprintf("%s: %s", in.name, raw))
		w.logf("subscription refused by %s, retrying: %s", in.name, raw)
		cur := shared.ChannelCursor{Channel: f.Channel}
		if alerts {
			c := w.cursor
			cur.Since = &c
		} else if seqs := w.others[f.Channel]; len(seqs) > 0 {
			cur.Since = &seqs[len(seqs)-1]
		}
		return shared.ClientFrame{Op: shared.OpSubscribe, ID: "retry-" + f.Channel, Channels: []shared.ChannelCursor{cur}}, true
	default:
		w.problems = append(w.problems, fmt.Sprintf("unexpected frame from %s: %s", in.name, raw))
		w.logf("unexpected frame from %s: %s", in.name, raw)
	}
	return shared.ClientFrame{}, false
}

// clients is a set of running websocket clients.
type clients struct {
	list   []*wsClient
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// connect starts n clients; place says where client i connects first (route[0]), where it goes next,
// and whether it sticks to its instance.
func (c *cluster) connect(n int, place func(i int) (route []*instance, sticky bool)) *clients {
	ctx, cancel := context.WithCancel(context.Background())
	cs := &clients{cancel: cancel}
	for i := range n {
		route, sticky := place(i)
		w := &wsClient{name: fmt.Sprintf("c%02d", i), token: c.wsTokens[i%len(c.wsTokens)], route: route, sticky: sticky,
			epoch: c.epoch, others: map[string][]int64{}}
		cs.list = append(cs.list, w)
		cs.wg.Go(func() { w.run(ctx) })
	}
	c.t.Cleanup(cs.stop)
	return cs
}

// stop ends every client and waits for them.
func (cs *clients) stop() {
	cs.cancel()
	cs.wg.Wait()
}

// on returns the clients connected to in now.
func (cs *clients) on(in *instance) []*wsClient {
	var out []*wsClient
	for _, w := range cs.list {
		w.mu.Lock()
		if w.current == in.name {
			out = append(out, w)
		}
		w.mu.Unlock()
	}
	return out
}

// route returns every instance, starting at the i-th (mod len) and going round.
func (c *cluster) route(i int) []*instance {
	var r []*instance
	for k := range c.nodes {
		r = append(r, c.nodes[(i+k)%len(c.nodes)])
	}
	return r
}

// waitLive waits until every client is subscribed to alerts.
func (c *cluster) waitLive(cs *clients) {
	c.t.Helper()
	ok := waitFor(30*time.Second, func() bool {
		for _, w := range cs.list {
			w.mu.Lock()
			live := w.live
			w.mu.Unlock()
			if !live {
				return false
			}
		}
		return true
	})
	if !ok {
		for _, w := range cs.list {
			w.mu.Lock()
			if !w.live {
				c.t.Errorf("client %s (home %s) is not subscribed to alerts after 30s; history:\n%s", w.name, w.route[0].name, strings.Join(w.history, "\n"))
			}
			w.mu.Unlock()
		}
		c.t.FailNow()
	}
	c.logf("%d clients subscribed to alerts", len(cs.list))
}

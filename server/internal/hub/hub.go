// Package hub is the websocket endpoint. Each instance's hub subscribes to the broker and fans every
// event out to its own connections, in seq order per channel; it fills gaps and recovers after broker
// outages from the event store, and replays what a reconnecting client missed.
package hub

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"hms/server/internal/auth"
	"hms/shared"
)

// Close codes sent to clients (documented in docs/websocket.md).
const (
	CloseServiceRestart     = websocket.CloseServiceRestart // 1012: the server is shutting down; reconnect elsewhere
	CloseTokenExpired       = 4001                          // the credential expired; get a new one and reconnect
	CloseRevoked            = 4003                          // the session ended or the account's rights changed; sign in again
	CloseSlowConsumer       = 4008                          // the client did not read fast enough; reconnect and resume
	CloseTooManyConnections = 4029                          // the user has WS_MAX_CONNS_PER_USER sockets open already
	CloseInternal           = websocket.CloseInternalServerErr
)

// Replayer reads stored events.
type Replayer interface {
	After(ctx context.Context, channel string, since int64, limit int) ([]shared.Event, error)
	Head(ctx context.Context, channel string) (int64, error)
}

// Authenticator checks websocket credentials.
type Authenticator interface {
	Authenticate(ctx context.Context, raw string) (auth.Principal, error)
	RedeemTicket(ctx context.Context, raw string) (auth.Principal, error)
}

// Config tunes the hub.
type Config struct {
	// AllowedHosts are the host names (ALLOWED_HOSTS) whose pages may open a websocket; "*" allows any.
	AllowedHosts []string
	SendQueue    int           // frames queued per connection before it counts as a slow consumer
	ReadLimit    int64         // largest frame a client may send
	PingInterval time.Duration // how often the server pings
	PongWait     time.Duration // how long without a pong before the connection is dropped
	WriteWait    time.Duration // how long one write may take
	MaxReplay    int           // events replayed at most; further behind, the client reloads a snapshot

	MaxConnsPerUser  int           // sockets one user may hold on this instance (WS_MAX_CONNS_PER_USER)
	MaxSubscriptions int           // channels one socket may join, those joined on connect included (WS_MAX_SUBSCRIPTIONS)
	SessionCheck     time.Duration // how often each socket's session is checked again (WS_SESSION_CHECK)
	// DrainRate is how many clients a second Shutdown tells to reconnect (WS_DRAIN_RATE): its clients
	// are spread over len/DrainRate seconds, at most half the time Shutdown is given, so that the
	// instances they move to are not hit by all of them at the same instant.
	DrainRate int

	Sessions Sessions // re-checks sessions; nil: no periodic re-check
	Access   Access   // the clinical access rule patient channels ask; nil: patient channels are refused
	Audit    Auditor  // records every subscription and replay of a patient channel
}

func (c *Config) defaults() {
	if c.SendQueue <= 0 {
		c.SendQueue = 128
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = 4096
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PongWait <= 0 {
		c.PongWait = 60 * time.Second
	}
	if c.WriteWait <= 0 {
		c.WriteWait = 10 * time.Second
	}
	if c.MaxReplay <= 0 {
		c.MaxReplay = 500
	}
	if c.MaxConnsPerUser <= 0 {
		c.MaxConnsPerUser = 20
	}
	if c.MaxSubscriptions <= 0 {
		c.MaxSubscriptions = 50
	}
	if c.SessionCheck <= 0 {
		c.SessionCheck = time.Minute
	}
	if c.DrainRate <= 0 {
		c.DrainRate = 250
	}
}

// desktopOrigins are the Wails desktop app's origins.
var desktopOrigins = map[string]bool{"wails://wails": true, "http://wails.localhost": true, "wails://wails.localhost": true}

// Hub owns the connections of one instance.
type Hub struct {
	cfg      Config
	auth     Authenticator
	events   Replayer
	log      *slog.Logger
	upgrader websocket.Upgrader

	mu      sync.RWMutex
	subs    map[string]map[*client]struct{} // channel → subscribers
	clients map[*client]struct{}
	byUser  map[string]map[*client]struct{} // user id → that user's connections
	closing bool

	// dispatchMu serialises dispatch: the broker's delivery goroutine, local fallback deliveries and
	// resyncs. heads is the last seq dispatched per channel.
	dispatchMu sync.Mutex
	heads      map[string]int64

	stats Stats
	stop  chan struct{} // closed by Shutdown; ends pingAll
}

// Stats counts what the hub did, for tests and metrics.
type Stats struct {
	Connections  atomic.Int64
	Delivered    atomic.Int64
	SlowDropped  atomic.Int64
	GapsFilled   atomic.Int64
	Resyncs      atomic.Int64
	Replayed     atomic.Int64
	Reloads      atomic.Int64
	Duplicates   atomic.Int64
	AuthFailures atomic.Int64
}

// New returns a hub. Connect it to the broker with Deliver and Resync.
func New(cfg Config, a Authenticator, events Replayer, log *slog.Logger) *Hub {
	cfg.defaults()
	h := &Hub{cfg: cfg, auth: a, events: events, log: log,
		subs: map[string]map[*client]struct{}{}, clients: map[*client]struct{}{}, byUser: map[string]map[*client]struct{}{},
		heads: map[string]int64{},
		stop:  make(chan struct{})}
	h.upgrader = websocket.Upgrader{
		ReadBufferSize:   512, // client frames are small; larger ones are read in pieces
		WriteBufferSize:  1024,
		WriteBufferPool:  &sync.Pool{}, // idle connections hold no write buffer
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      func(r *http.Request) bool { return h.originAllowed(r.Header.Get("Origin")) },
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			// A handshake the upgrader refuses still gets the common JSON error shape.
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			b, _ := json.Marshal(shared.Error{Error: shared.ErrorBody{Code: "invalid_request", Message: "websocket handshake failed: " + reason.Error()}})
			_, _ = w.Write(b)
		},
	}
	go h.pingAll(h.stop)     // owned by the hub: ends at Shutdown
	go h.recheckLoop(h.stop) // likewise
	return h
}

// Stats returns the hub's counters.
func (h *Hub) Stats() *Stats { return &h.stats }

// originAllowed refuses cross-site websocket hijacking: a browser's Origin must be one of ALLOWED_HOSTS
// (any scheme and port) or the desktop app. Programs that send no Origin are let through; they must
// still authenticate.
func (h *Hub) originAllowed(origin string) bool {
	if origin == "" || desktopOrigins[origin] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, allowed := range h.cfg.AllowedHosts {
		a := strings.ToLower(strings.Trim(allowed, "[]"))
		if a == "*" || a == host {
			return true
		}
	}
	return false
}

// Deliver takes one published event (the broker's payload) and fans it out to this instance's
// subscribers; a revocation (published by Revocations) closes the matching connections instead. It is
// called on the broker's delivery goroutine and by the event stream's local fallback; it never waits
// on a client.
func (h *Hub) Deliver(payload []byte) {
	var hdr struct {
		Channel   string `json:"channel"`
		Seq       int64  `json:"seq"`
		Op        string `json:"op"`
		UserID    string `json:"user_id"`
		SessionID string `json:"session_id"`
	}
	err := json.Unmarshal(payload, &hdr)
	if err == nil && hdr.Op == opRevoke && hdr.UserID != "" {
		h.revoke(hdr.UserID, hdr.SessionID)
		return
	}
	if err != nil || hdr.Channel == "" || hdr.Seq <= 0 {
		h.log.Warn("hub: ignoring a malformed broker payload", "err", err)
		return
	}
	h.dispatchMu.Lock()
	defer h.dispatchMu.Unlock()
	h.dispatch(hdr.Channel, hdr.Seq, payload)
}

// dispatch runs under dispatchMu.
func (h *Hub) dispatch(channel string, seq int64, payload []byte) {
	head, known := h.heads[channel]
	if known && seq <= head {
		h.stats.Duplicates.Add(1)
		return
	}
	if known && seq > head+1 && h.hasSubscribers(channel) {
		// Something between head and seq was lost on the way: it is in the store, fetch it first.
		h.fill(channel, head, seq-1)
	}
	h.heads[channel] = seq
	h.fanout(channel, seq, eventFrame(payload))
}

// fill dispatches the stored events (from, to] of channel, in order. Runs under dispatchMu.
func (h *Hub) fill(channel string, from, to int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	evs, err := h.events.After(ctx, channel, from, int(to-from))
	if err != nil {
		h.log.Warn("hub: could not fill a gap from the store; clients will recover on reconnect", "channel", channel, "err", err)
		return
	}
	for _, ev := range evs {
		if ev.Seq > to {
			break
		}
		b, _ := json.Marshal(ev)
		h.heads[channel] = ev.Seq
		h.fanout(channel, ev.Seq, eventFrame(b))
		h.stats.GapsFilled.Add(1)
	}
}

// Resync is called by the broker when its subscription may have lost messages: every channel someone
// here listens to is caught up from the store.
func (h *Hub) Resync() {
	h.stats.Resyncs.Add(1)
	h.mu.RLock()
	chans := make([]string, 0, len(h.subs))
	for ch := range h.subs {
		chans = append(chans, ch)
	}
	h.mu.RUnlock()
	h.dispatchMu.Lock()
	defer h.dispatchMu.Unlock()
	for _, ch := range chans {
		head, known := h.heads[ch]
		if !known {
			continue
		}
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			evs, err := h.events.After(ctx, ch, head, 200)
			cancel()
			if err != nil {
				h.log.Warn("hub: resync read failed", "channel", ch, "err", err)
				break
			}
			for _, ev := range evs {
				b, _ := json.Marshal(ev)
				h.heads[ch], head = ev.Seq, ev.Seq
				h.fanout(ch, ev.Seq, eventFrame(b))
			}
			if len(evs) < 200 {
				break
			}
		}
	}
}

// eventFrame turns a stored event's JSON into the frame clients get: the same object with "op":"event".
func eventFrame(payload []byte) *websocket.PreparedMessage {
	frame := make([]byte, 0, len(payload)+14)
	frame = append(frame, `{"op":"event",`...)
	frame = append(frame, payload[1:]...)
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, frame)
	return pm
}

func (h *Hub) hasSubscribers(channel string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs[channel]) > 0
}

// fanout offers the frame to every subscriber of channel. A full queue drops that client, never waits.
func (h *Hub) fanout(channel string, seq int64, pm *websocket.PreparedMessage) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.subs[channel] {
		c.offer(channel, seq, pm)
	}
}

// head returns the last seq dispatched on channel, loading it from the store the first time.
func (h *Hub) head(ctx context.Context, channel string) (int64, error) {
	h.dispatchMu.Lock()
	defer h.dispatchMu.Unlock()
	if head, ok := h.heads[channel]; ok {
		return head, nil
	}
	head, err := h.events.Head(ctx, channel)
	if err != nil {
		return 0, err
	}
	h.heads[channel] = head
	return head, nil
}

// dispatched returns the last seq dispatched on channel (head has loaded it before).
func (h *Hub) dispatched(channel string) int64 {
	h.dispatchMu.Lock()
	defer h.dispatchMu.Unlock()
	return h.heads[channel]
}

// add registers a connection. It returns 0, or the close code that refuses it: the server is
// shutting down, or the user holds MaxConnsPerUser connections already.
func (h *Hub) add(c *client) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return CloseServiceRestart
	}
	mine := h.byUser[c.p.UserID]
	if len(mine) >= h.cfg.MaxConnsPerUser {
		return CloseTooManyConnections
	}
	if mine == nil {
		mine = map[*client]struct{}{}
		h.byUser[c.p.UserID] = mine
	}
	mine[c] = struct{}{}
	h.clients[c] = struct{}{}
	h.stats.Connections.Add(1)
	return 0
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	if mine := h.byUser[c.p.UserID]; mine != nil {
		delete(mine, c)
		if len(mine) == 0 {
			delete(h.byUser, c.p.UserID)
		}
	}
	h.stats.Connections.Add(-1)
	for ch := range c.channels() {
		if m := h.subs[ch]; m != nil {
			delete(m, c)
			if len(m) == 0 {
				delete(h.subs, ch)
			}
		}
	}
}

func (h *Hub) subscribe(c *client, channel string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.subs[channel]
	if m == nil {
		m = map[*client]struct{}{}
		h.subs[channel] = m
	}
	m[c] = struct{}{}
}

func (h *Hub) unsubscribe(c *client, channel string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.subs[channel]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(h.subs, channel)
		}
	}
}

// Shutdown tells every client to reconnect (to another instance) and closes the connections. The
// clients are told one after another over drainSpread, in random order (map order), each one's
// connection staying live until its turn; new connections are refused from the start (ServeWS: 503).
func (h *Hub) Shutdown(ctx context.Context) {
	h.mu.Lock()
	if !h.closing {
		close(h.stop)
	}
	h.closing = true
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	spread := h.drainSpread(ctx, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		delay := spread * time.Duration(i) / time.Duration(len(clients))
		go func() {
			defer wg.Done()
			if delay > 0 {
				t := time.NewTimer(delay)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
			}
			c.send(shared.ServerFrame{Op: shared.OpReconnect, Code: "server_shutdown", Message: "the server is restarting; reconnect"})
			c.closeAfterFlush(CloseServiceRestart, "server restarting")
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// drainSpread is how long Shutdown takes to tell n clients to reconnect: n/DrainRate seconds, at most
// half the time left before ctx's deadline.
func (h *Hub) drainSpread(ctx context.Context, n int) time.Duration {
	spread := time.Duration(n) * time.Second / time.Duration(h.cfg.DrainRate)
	if dl, ok := ctx.Deadline(); ok {
		spread = min(spread, max(time.Until(dl)/2, 0))
	}
	return spread
}

func (h *Hub) isClosing() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.closing
}

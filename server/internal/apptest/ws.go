package apptest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hms/shared"
)

// Frame is any frame the server sends: event fields and control fields together.
type Frame struct {
	Op       string          `json:"op"`
	ID       string          `json:"id"`
	Channel  string          `json:"channel"`
	Seq      *int64          `json:"seq"`
	Type     string          `json:"type"`
	Data     json.RawMessage `json:"data"`
	Code     string          `json:"code"`
	Message  string          `json:"message"`
	UserID   string          `json:"user_id"`
	Role     string          `json:"role"`
	Channels []string        `json:"channels"`
}

// SeqOr returns the frame's seq, or 0.
func (f Frame) SeqOr() int64 {
	if f.Seq == nil {
		return 0
	}
	return *f.Seq
}

// WS is a test websocket client.
type WS struct {
	t    testing.TB
	Conn *websocket.Conn
	Resp *http.Response
}

// WSURL returns the server's websocket URL with the query string.
func (e *Env) WSURL(query string) string {
	u := "ws" + strings.TrimPrefix(e.URL, "http") + "/ws"
	if query != "" {
		u += "?" + query
	}
	return u
}

// DialWS opens a websocket with a Bearer token (and extra headers); it returns the HTTP response and
// error for refused handshakes.
func (e *Env) DialWS(token, query string, header http.Header) (*WS, *http.Response, error) {
	if header == nil {
		header = http.Header{}
	}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	conn, resp, err := websocket.DefaultDialer.Dial(e.WSURL(query), header)
	if err != nil {
		return nil, resp, err
	}
	ws := &WS{t: e.T, Conn: conn, Resp: resp}
	e.T.Cleanup(func() { _ = conn.Close() })
	return ws, resp, nil
}

// MustDialWS opens a websocket and reads the welcome frame and the subscribed frames for the channels
// the server joined on connect.
func (e *Env) MustDialWS(token, query string) *WS {
	e.T.Helper()
	ws, resp, err := e.DialWS(token, query, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.T.Fatalf("dial websocket: %v (status %d)", err, status)
	}
	w := ws.Next(5 * time.Second)
	if w.Op != shared.OpWelcome {
		e.T.Fatalf("got first frame %+v, want welcome", w)
	}
	for range w.Channels {
		ws.NextOp(shared.OpSubscribed, 5*time.Second)
	}
	return ws
}

// Next reads one frame, failing the test after timeout.
func (w *WS) Next(timeout time.Duration) Frame {
	w.t.Helper()
	_ = w.Conn.SetReadDeadline(time.Now().Add(timeout))
	_, data, err := w.Conn.ReadMessage()
	if err != nil {
		w.t.Fatalf("read frame: %v", err)
	}
	var f Frame
	if err := json.Unmarshal(data, &f); err != nil {
		w.t.Fatalf("decode frame %s: %v", data, err)
	}
	return f
}

// NextOp reads frames until one with op arrives, failing on any error frame or timeout.
func (w *WS) NextOp(op string, timeout time.Duration) Frame {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		f := w.Next(time.Until(deadline))
		if f.Op == op {
			return f
		}
		if f.Op == shared.OpError {
			w.t.Fatalf("got error frame %+v while waiting for %s", f, op)
		}
	}
}

// NextEvent reads frames until an event on channel arrives.
func (w *WS) NextEvent(channel string, timeout time.Duration) Frame {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		f := w.Next(time.Until(deadline))
		if f.Op == shared.OpEvent && f.Channel == channel {
			return f
		}
		if f.Op == shared.OpError {
			w.t.Fatalf("got error frame %+v while waiting for an event on %s", f, channel)
		}
	}
}

// Send writes a client frame.
func (w *WS) Send(f shared.ClientFrame) {
	w.t.Helper()
	if err := w.Conn.WriteJSON(f); err != nil {
		w.t.Fatalf("send frame: %v", err)
	}
}

// Subscribe sends a subscribe frame for one channel and returns the server's answer (subscribed,
// reload or error), after any replayed events, which it collects. It waits up to 30 seconds for each
// frame: a replay of hundreds of large events can take seconds to begin under -race on a busy machine.
func (w *WS) Subscribe(channel string, since *int64) (answer Frame, replayed []Frame) {
	w.t.Helper()
	w.Send(shared.ClientFrame{Op: shared.OpSubscribe, ID: "s-" + channel, Channels: []shared.ChannelCursor{{Channel: channel, Since: since}}})
	for {
		f := w.Next(30 * time.Second)
		switch {
		case f.Op == shared.OpEvent && f.Channel == channel:
			replayed = append(replayed, f)
		case f.ID == "s-"+channel:
			return f, replayed
		}
	}
}

// CloseCode reads until the connection closes and returns the close code (or -1).
func (w *WS) CloseCode(timeout time.Duration) int {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		_ = w.Conn.SetReadDeadline(deadline)
		if _, _, err := w.Conn.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code
			}
			return -1
		}
	}
	return -1
}

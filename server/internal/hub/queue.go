package hub

import (
	"time"

	"github.com/gorilla/websocket"
)

// outFrame is one queued write: a prepared event frame (shared by every recipient), a control frame's
// bytes, a ping, or the instruction to close.
type outFrame struct {
	pm     *websocket.PreparedMessage
	data   []byte
	ping   bool
	close  bool
	code   int
	reason string
}

// push queues a frame and starts the writer if none is running. It never blocks. Past SendQueue frames
// the client is a slow consumer and is dropped, unless force (replays from the client's own goroutine,
// control frames), which are bounded elsewhere.
func (c *client) push(f outFrame, force bool) bool {
	c.qmu.Lock()
	if c.closed {
		c.qmu.Unlock()
		return false
	}
	if !force && len(c.q) >= c.hub.cfg.SendQueue {
		c.qmu.Unlock()
		c.slow()
		return false
	}
	c.q = append(c.q, f)
	start := !c.writing
	c.writing = true
	c.qmu.Unlock()
	if start {
		go c.write() // ends when the queue is empty; idle connections have no writer goroutine
	}
	return true
}

// write is the connection's only writer while it runs: it drains the queue, then ends. Exactly one
// runs at a time (the writing flag), so frames go out in queue order.
func (c *client) write() {
	for {
		c.qmu.Lock()
		batch := c.q
		c.q = nil
		if len(batch) == 0 || c.closed {
			c.writing = false
			c.qmu.Unlock()
			return
		}
		c.qmu.Unlock()
		for _, f := range batch {
			if err := c.writeFrame(f); err != nil {
				c.qmu.Lock()
				c.writing = false
				c.qmu.Unlock()
				c.closeWith(CloseInternal, "write failed")
				return
			}
		}
	}
}

// closingError stops the writer after a requested close.
type closingError struct{}

func (closingError) Error() string { return "closing" }

func (c *client) writeFrame(f outFrame) error {
	deadline := time.Now().Add(c.hub.cfg.WriteWait)
	switch {
	case f.close:
		c.closeWith(f.code, f.reason)
		return closingError{}
	case f.ping:
		return c.conn.WriteControl(websocket.PingMessage, nil, deadline)
	case f.pm != nil:
		_ = c.conn.SetWriteDeadline(deadline)
		return c.conn.WritePreparedMessage(f.pm)
	default:
		_ = c.conn.SetWriteDeadline(deadline)
		return c.conn.WriteMessage(websocket.TextMessage, f.data)
	}
}

// pingAll pings every connection every PingInterval until the hub shuts down; a client that stops
// answering hits its read deadline (PongWait) and is dropped. One loop for all connections instead of
// a ticker each.
func (h *Hub) pingAll(stop <-chan struct{}) {
	t := time.NewTicker(h.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			h.mu.RLock()
			for c := range h.clients {
				c.push(outFrame{ping: true}, true)
			}
			h.mu.RUnlock()
		}
	}
}

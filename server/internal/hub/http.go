package hub

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/shared"
)

// ServeWS handles GET /ws. The Origin is checked first (403), then the credential: an
// "Authorization: Bearer" access token, or ?ticket= from POST /api/ws/ticket (401). Optional
// ?since=<channel>:<seq> parameters resume the channels subscribed on connect from where the client
// left off.
func (h *Hub) ServeWS(c *gin.Context) {
	if !h.originAllowed(c.GetHeader("Origin")) {
		httpx.Error(c, fault.New(fault.ErrForbidden, "websocket connections from this origin are not allowed"))
		return
	}
	if h.isClosing() {
		// Refused before the credential is checked and before the upgrade, so that a load balancer can
		// pass the handshake on to another instance (nginx: proxy_next_upstream http_503).
		c.Header("Retry-After", "1")
		httpx.Error(c, fault.New(fault.ErrUnavailable, "this instance is shutting down; connect again"))
		return
	}
	// Everything that can be checked without spending a ticket is checked first.
	cursors, err := parseSince(c.QueryArray("since"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	notUpgrade := fault.Invalid("this endpoint speaks websocket: send an upgrade request (see docs/websocket.md)")
	var p auth.Principal
	if t := c.Query("ticket"); t != "" {
		if !websocket.IsWebSocketUpgrade(c.Request) { // checked first: a refused request must not spend the ticket
			httpx.Error(c, notUpgrade)
			return
		}
		p, err = h.auth.RedeemTicket(c.Request.Context(), t)
	} else {
		p, err = h.auth.Authenticate(c.Request.Context(), auth.Bearer(c))
	}
	if err != nil {
		h.stats.AuthFailures.Add(1)
		httpx.Error(c, err)
		return
	}
	if !websocket.IsWebSocketUpgrade(c.Request) {
		httpx.Error(c, notUpgrade)
		return
	}
	conn, err := h.upgrader.Upgrade(c.Writer, c.Request, http.Header{"X-Request-ID": {httpx.RequestID(c)}})
	if err != nil {
		return // the upgrader has answered
	}
	cl := &client{hub: h, conn: conn, p: p, done: make(chan struct{}), subs: map[string]*subState{},
		ip: c.ClientIP(), requestID: httpx.RequestID(c)}
	switch h.add(cl) {
	case CloseServiceRestart:
		cl.closeWith(CloseServiceRestart, "server restarting")
		return
	case CloseTooManyConnections:
		cl.closeWith(CloseTooManyConnections, "too many connections for this user")
		return
	}
	if !p.Expires.IsZero() {
		cl.expiry = time.AfterFunc(time.Until(p.Expires), func() { cl.closeWith(CloseTokenExpired, "token expired") })
	}
	// Welcome first, then a "subscribed" (after any replay) for each channel joined on connect.
	auto := autoChannels(p)
	cl.send(shared.ServerFrame{Op: shared.OpWelcome, UserID: p.UserID, Role: p.Role, Channels: auto})
	// The rest runs on a fresh goroutine so that this handler's (deep, grown) stack is released: an
	// idle connection then costs two small goroutine stacks.
	go func() {
		for _, ch := range auto {
			cl.join(ch, cursors[ch], "")
		}
		cl.readPump()
	}()
}

// parseSince reads since=<channel>:<seq> parameters.
func parseSince(vals []string) (map[string]*int64, error) {
	out := map[string]*int64{}
	for _, v := range vals {
		i := strings.LastIndex(v, ":")
		if i <= 0 {
			return nil, fault.Invalid("since must be <channel>:<seq>")
		}
		n, err := strconv.ParseInt(v[i+1:], 10, 64)
		if err != nil || n < 0 {
			return nil, fault.Invalid("since must be <channel>:<seq> with a whole number seq")
		}
		out[v[:i]] = &n
	}
	return out, nil
}

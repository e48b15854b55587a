package hub

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// A live connection keeps its rights only while its session does (docs/security.md rows 22 and 37):
//
//   - Revocation. When a session ends or an account's rights change (logout, a password change,
//     disabling, a role change), the auth service tells Revocations, which publishes a control message
//     through the broker; every instance's hub (Deliver) closes the matching connections with
//     CloseRevoked.
//   - Re-check. The broker is at most once, so every Config.SessionCheck each connection's session is
//     checked again (Sessions); one that no longer holds is closed the same way. One whose role's grants
//     changed (an admin changed the role, docs/roles.md) is told to reconnect (1012, "rights_changed"):
//     it connects again under the new grants and joins again only the channels they allow.
//   - Patient channels ask the clinical access rule REST asks (Access), and every subscription and
//     replay of one is audited (Auditor). So is every subscription and replay of a queue channel
//     (queue:dept:<d>, queue:doctor:<id>), with the channel: its events carry ids and scheduling fields,
//     no names (docs/security.md row 35).

// Sessions checks again that a connection's credential still holds (auth.Service.SessionValid): an
// error in the fault category ErrUnauthenticated ends the connection.
type Sessions interface {
	SessionValid(ctx context.Context, p auth.Principal) error
}

// Access is the clinical access rule (patient.Access.Clinical): who may see a patient's records.
type Access interface {
	Clinical(ctx context.Context, p auth.Principal, patientID string) error
}

// Auditor records an access to a patient's data (audit.Log.Record), or to a queue channel, which names
// no patient (audit.Log.RecordChannel).
type Auditor interface {
	Record(ctx context.Context, actorID string, role shared.Role, patientID, action string, err error) error
	RecordChannel(ctx context.Context, actorID string, role shared.Role, channel, action string, err error) error
}

// Publisher is the part of the broker that revocations travel on (broker.Broker).
type Publisher interface {
	Publish(ctx context.Context, payload []byte) error
}

// opRevoke marks a broker payload as a revocation rather than an event; events have no "op".
const opRevoke = "revoke"

// revocation is the broker payload Revocations publishes.
type revocation struct {
	Op        string `json:"op"`
	UserID    string `json:"user_id"`
	SessionID string `json:"session_id,omitempty"` // "": every session of the user
}

// Revocations publishes revocations to every instance's hub. It implements auth.Revocations.
type Revocations struct {
	pub Publisher
	log *slog.Logger
}

// NewRevocations returns the publisher of revocations on the broker.
func NewRevocations(pub Publisher, log *slog.Logger) *Revocations {
	return &Revocations{pub: pub, log: log}
}

// Revoked publishes that userID's session sessionID ("" = every session) ended. A failed publish is
// logged: each hub's periodic re-check closes the connections then.
func (r *Revocations) Revoked(ctx context.Context, userID, sessionID string) {
	b, _ := json.Marshal(revocation{Op: opRevoke, UserID: userID, SessionID: sessionID})
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.pub.Publish(ctx, b); err != nil {
		r.log.Warn("hub: could not publish a revocation; the periodic session re-check will close its sockets",
			"user_id", userID, "err", err)
	}
}

// revoke closes this instance's connections of userID (of its session sessionID only, when given).
// It runs on the dispatch path, so the closing happens on other goroutines.
func (h *Hub) revoke(userID, sessionID string) {
	h.mu.RLock()
	var hit []*client
	for c := range h.byUser[userID] {
		if sessionID == "" || c.p.SessionID == sessionID {
			hit = append(hit, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range hit {
		go c.closeWith(CloseRevoked, "session ended: sign in again")
	}
}

// recheckAll checks every connection's session again, once per session, and closes those that no
// longer hold. A check that fails for another reason (the store is unreachable) keeps the connection.
func (h *Hub) recheckAll() {
	if h.cfg.Sessions == nil {
		return
	}
	type key struct {
		session string
		epoch   int64
	}
	h.mu.RLock()
	groups := map[key][]*client{}
	for c := range h.clients {
		k := key{c.p.SessionID, c.p.Epoch}
		groups[k] = append(groups[k], c)
	}
	h.mu.RUnlock()
	for _, cs := range groups {
		select {
		case <-h.stop:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := h.cfg.Sessions.SessionValid(ctx, cs[0].p)
		cancel()
		if err == nil {
			continue
		}
		if errors.Is(err, auth.ErrGrantsChanged) {
			// The session holds but its role's grants changed: connect again, under the new grants, to
			// join again only the channels they still allow.
			for _, c := range cs {
				go func() {
					c.send(shared.ServerFrame{Op: shared.OpReconnect, Code: "rights_changed", Message: "your role's permissions changed; reconnect"})
					c.closeAfterFlush(CloseServiceRestart, "rights changed")
				}()
			}
			continue
		}
		if !errors.Is(err, fault.ErrUnauthenticated) {
			h.log.Warn("hub: could not re-check a websocket session", "err", err)
			continue
		}
		for _, c := range cs {
			go c.closeWith(CloseRevoked, "session ended: sign in again")
		}
	}
}

// recheckLoop runs recheckAll every SessionCheck until Shutdown.
func (h *Hub) recheckLoop(stop <-chan struct{}) {
	t := time.NewTicker(h.cfg.SessionCheck)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			h.recheckAll()
		}
	}
}

// patientAccess asks the clinical access rule for a patient channel and audits the attempt. It
// returns nil when p may subscribe; an audit entry that cannot be written refuses the subscription.
func (c *client) patientAccess(ctx context.Context, patientID string, since *int64, err error) error {
	if err == nil {
		if c.hub.cfg.Access == nil {
			err = errChannelDenied
		} else {
			err = c.hub.cfg.Access.Clinical(ctx, c.p, patientID)
		}
	}
	action := "ws.subscribe"
	if since != nil {
		action = "ws.replay"
	}
	if c.hub.cfg.Audit != nil {
		if aerr := c.hub.cfg.Audit.Record(c.auditContext(ctx), c.p.UserID, c.p.Role, patientID, action, err); aerr != nil && err == nil {
			return aerr
		}
	}
	return err
}

// queueAudit audits a subscription (ws.subscribe) or replay (ws.replay) of a queue channel, allowed
// or not. It returns err, or the audit's error when the entry could not be written (which refuses an
// allowed subscription, as for a patient channel).
func (c *client) queueAudit(ctx context.Context, channel string, since *int64, err error) error {
	if c.hub.cfg.Audit == nil {
		return err
	}
	action := "ws.subscribe"
	if since != nil {
		action = "ws.replay"
	}
	if aerr := c.hub.cfg.Audit.RecordChannel(c.auditContext(ctx), c.p.UserID, c.p.Role, channel, action, err); aerr != nil && err == nil {
		return aerr
	}
	return err
}

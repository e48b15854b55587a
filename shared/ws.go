package shared

import (
	"encoding/json"
	"time"
)

// Event is one live update on a channel. Seq numbers each channel's events 1, 2, 3, … without gaps in
// normal operation; a client remembers the last seq it saw per channel and asks for what follows.
// Between server instances an Event travels as this JSON, which always starts with `{"channel"`.
type Event struct {
	Channel string          `json:"channel"`
	Seq     int64           `json:"seq"`
	Type    string          `json:"type"`
	At      time.Time       `json:"at"`
	Data    json.RawMessage `json:"data"`
}

// Websocket operations, the "op" of every frame.
const (
	// Client → server.
	OpSubscribe   = "subscribe"
	OpUnsubscribe = "unsubscribe"
	// OpPing asks the server to answer OpPong with the same id: browsers cannot see websocket-level
	// pings, so this is how a page finds out that a socket silently died (sleep, network change).
	OpPing = "ping"
	// Server → client.
	OpWelcome    = "welcome"
	OpEvent      = "event"
	OpSubscribed = "subscribed"
	OpReload     = "reload"
	OpError      = "error"
	OpReconnect  = "reconnect"
	OpPong       = "pong"
)

// ClientFrame is what a client sends: {"op":"subscribe","id":"1","channels":[{"channel":"alerts","since":41}]}.
type ClientFrame struct {
	Op       string          `json:"op"`
	ID       string          `json:"id,omitempty"`
	Channels []ChannelCursor `json:"channels"`
}

// ChannelCursor names a channel and, optionally, the last seq the client saw on it. With Since the
// server first replays every later event, in order; without it the client gets new events only.
type ChannelCursor struct {
	Channel string `json:"channel"`
	Since   *int64 `json:"since,omitempty"`
}

// ServerFrame is every frame the server sends other than events (which are Event plus "op":"event").
type ServerFrame struct {
	Op       string   `json:"op"`
	ID       string   `json:"id,omitempty"`
	Channel  string   `json:"channel,omitempty"`
	Seq      *int64   `json:"seq,omitempty"`
	Code     string   `json:"code,omitempty"`
	Message  string   `json:"message,omitempty"`
	UserID   string   `json:"user_id,omitempty"`
	Role     Role     `json:"role,omitempty"`
	Channels []string `json:"channels,omitempty"`
}

// WSTicket answers POST /api/ws/ticket: a single-use ticket for GET /ws?ticket=…, for browsers, which
// cannot set an Authorization header on a websocket.
type WSTicket struct {
	Ticket    string `json:"ticket"`
	ExpiresIn int    `json:"expires_in"`
}

// Channel names. Per-entity channels append ":" and an id or department name.
const (
	ChannelAlerts    = "alerts"    // emergency alerts: doctors, staff, admins (subscribed on connect)
	ChannelBroadcast = "broadcast" // admin broadcasts: everyone (subscribed on connect)
	ChannelUser      = "user"      // user:<user id>: that user's notifications (subscribed on connect)
	ChannelDeptQueue = "queue:dept"
	ChannelDocQueue  = "queue:doctor"
	ChannelDisplay   = "display" // display or display:<department>: ticket numbers and waits, no names
	ChannelPatient   = "patient" // patient:<patient id>: that patient and staff roles
	ChannelBeds      = "beds"    // beds or beds:<ward>: bed boards (admission ids, no names): staff roles
)

// EventErased is the type a stored event takes when the patient it identified is erased: its data is
// {} and its channel and seq stay, so numbering and replay go on. A client ignores it.
const EventErased = "erased"

// ChannelPharmacy carries stock and refill events (ids and numbers only): staff, doctors and admins.
const ChannelPharmacy = "pharmacy"

// Alert is an emergency alert.
type Alert struct {
	ID        string     `json:"id"`
	Message   string     `json:"message"`
	Location  string     `json:"location,omitempty"`
	Severity  string     `json:"severity"`
	RaisedBy  string     `json:"raised_by"`
	At        time.Time  `json:"at"`
	Acks      []AlertAck `json:"acks"`
	Escalated bool       `json:"escalated"`
	// Department, Ticket and Complaint are set on an alert raised by an emergency admission: the ticket's
	// department (its id), number and the presenting complaint.
	Department string `json:"department,omitempty"`
	Ticket     int    `json:"ticket,omitempty"`
	Complaint  string `json:"complaint,omitempty"`
	// Resolved says the emergency is over; no longer shown on any screen.
	Resolved *AlertResolved `json:"resolved,omitempty"`
}

// AlertResolved records how an alert ended: resolved by a responder, or its ticket finished.
type AlertResolved struct {
	At  time.Time `json:"at"`
	By  string    `json:"by,omitempty"` // the responder's user id (empty when the ticket finished)
	How string    `json:"how"`          // "responder" or "finished"
}

// AlertTicket is the emergency admission an alert is about (set by the queue, never by a request body).
type AlertTicket struct {
	AppointmentID string
	Department    string
	Number        int
	Complaint     string
}

// AlertAck records who acknowledged an alert, and when.
type AlertAck struct {
	UserID string    `json:"user_id"`
	Role   Role      `json:"role"`
	At     time.Time `json:"at"`
}

// RaiseAlertRequest is the body of POST /api/alerts/emergency. Severity defaults to critical.
type RaiseAlertRequest struct {
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
	Severity string `json:"severity,omitempty"`
	// Ticket is the emergency admission the alert is about: set by the queue, not by a request.
	Ticket *AlertTicket `json:"-"`
}

// AlertList is a page of alerts, newest first.
type AlertList struct {
	Items []Alert `json:"items"`
	Limit int     `json:"limit"`
}

// BroadcastRequest is the body of POST /api/broadcasts.
type BroadcastRequest struct {
	Message string `json:"message"`
	// Email also emails the message to every active account that accepts email.
	Email bool `json:"email,omitempty"`
}

// Broadcast is an admin's message to every connected user.
type Broadcast struct {
	ID      string    `json:"id"`
	Message string    `json:"message"`
	SentBy  string    `json:"sent_by"`
	At      time.Time `json:"at"`
	// Email is true when the message is also emailed; Recipients is how many accounts it was queued for.
	Email      bool `json:"email,omitempty"`
	Recipients int  `json:"recipients,omitempty"`
}

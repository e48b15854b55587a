package shared

import "time"

// SendNotificationRequest is the body of POST /api/notifications/send. Channels optionally asks for
// email and/or SMS besides the in-app notification (each only where the recipient accepts it).
type SendNotificationRequest struct {
	RecipientID string   `json:"recipient_id"`
	Message     string   `json:"message"`
	Channels    []string `json:"channels,omitempty"`
}

// Notification channels.
const (
	ChannelInApp = "in_app"
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Notification kinds.
const (
	KindMessage              = "message"
	KindAppointmentBooked    = "appointment.booked"
	KindAppointmentMoved     = "appointment.rescheduled"
	KindAppointmentCancelled = "appointment.cancelled"
	KindAppointmentReminder  = "appointment.reminder"
	KindRefillDue            = "prescription.refill_due"
	KindFollowUp             = "prescription.follow_up"
	// KindPrescriptionExternal tells a patient what an external pharmacy did with their e-prescription.
	KindPrescriptionExternal = "prescription.external"
	KindBroadcast            = "broadcast"
	KindAlertPage            = "alert.page"
	KindBreakGlass           = "access.break_glass"
	// KindRegistrationAttempt tells an account's owner that someone tried to register their email.
	KindRegistrationAttempt = "account.registration_attempt"
	// KindAccountConfirm carries the link that confirms a self-registration (to an address with no
	// account yet); KindPasswordLink the link that sets a new password (forgotten, or set by an admin).
	KindAccountConfirm = "account.confirm"
	KindPasswordLink   = "account.password_link"
)

// Notification is a message stored for one recipient, with how it was delivered on each channel.
type Notification struct {
	ID          string     `json:"id"`
	RecipientID string     `json:"recipient_id"`
	SenderID    string     `json:"sender_id"`
	Kind        string     `json:"kind"`
	Subject     string     `json:"subject,omitempty"`
	Message     string     `json:"message"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at,omitempty"`
	// Deliveries are the email and SMS deliveries of this notification (in-app is the notification).
	Deliveries []DeliveryState `json:"deliveries,omitempty"`
}

// DeliveryState is where one channel's delivery of a notification stands.
type DeliveryState struct {
	Channel  string     `json:"channel"`
	Status   string     `json:"status"`
	Attempts int        `json:"attempts"`
	SentAt   *time.Time `json:"sent_at,omitempty"`
	Error    string     `json:"error,omitempty"`
}

// Delivery statuses.
const (
	DeliveryQueued   = "queued"   // waiting for its first attempt (or for quiet hours to end), or making it
	DeliveryRetrying = "retrying" // an attempt failed for a reason that may pass; another is scheduled
	DeliverySent     = "sent"     // the provider accepted it
	DeliveryDead     = "dead"     // failed for good (permanent error or attempts exhausted): a dead letter
	DeliverySkipped  = "skipped"  // not attempted: no address, or the recipient opted out
)

// NotificationList is a page of a user's notifications, newest first, with how many are unread.
type NotificationList struct {
	Items  []Notification `json:"items"`
	Page   int            `json:"page"`
	Limit  int            `json:"limit"`
	Unread int            `json:"unread"`
}

// NotificationsRead answers POST /api/notifications/read-all and is the data of notification.read.
type NotificationsRead struct {
	IDs    []string `json:"ids"`
	Unread int      `json:"unread"`
}

// QuietHours is a daily window (HH:MM, hospital time) in which email and SMS wait, except urgent ones.
// Start after End spans midnight ("22:00"–"07:00"); both empty means none.
type QuietHours struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// NotificationPreferences is the body and answer of GET/PUT /api/me/notification-preferences.
type NotificationPreferences struct {
	Email bool `json:"email"`
	SMS   bool `json:"sms"`
	// Phone is where SMS go (E.164, "+4479…"); empty means the patient record's phone, if any.
	Phone      string     `json:"phone"`
	QuietHours QuietHours `json:"quiet_hours"`
	// OnCall (doctors and staff) pages the user by SMS when an emergency alert goes unacknowledged.
	OnCall bool `json:"on_call"`
	// EmailAddress is the account's email, where email goes (read-only here).
	EmailAddress string `json:"email_address,omitempty"`
}

// Delivery is one channel's delivery of a notification, as admins see it.
type Delivery struct {
	ID             string        `json:"id"`
	NotificationID string        `json:"notification_id"`
	RecipientID    string        `json:"recipient_id,omitempty"`
	PatientID      string        `json:"patient_id,omitempty"`
	Kind           string        `json:"kind"`
	Channel        string        `json:"channel"`
	To             string        `json:"to"` // masked: "j***@example.org", "+44******789"
	Status         string        `json:"status"`
	Attempts       int           `json:"attempts"`
	NextAt         *time.Time    `json:"next_at,omitempty"`
	LastError      string        `json:"last_error,omitempty"`
	Log            []DeliveryLog `json:"log"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// DeliveryLog is one step of a delivery: queued, each attempt's outcome, a retry by an admin.
type DeliveryLog struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	Status  string    `json:"status"`
	Reason  string    `json:"reason,omitempty"`
}

// DeliveryList is a page of deliveries for admins (GET /api/deliveries).
type DeliveryList struct {
	Items []Delivery `json:"items"`
	Total int        `json:"total"`
	Page  int        `json:"page"`
	Limit int        `json:"limit"`
}

// Live event types on the user's channel (user:<id>).
const (
	EventNotificationCreated = "notification.created"
	EventNotificationRead    = "notification.read"
)

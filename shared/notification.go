package shared

import "time"

// SendNotificationRequest is the body of POST /api/notifications/send.
type SendNotificationRequest struct {
	RecipientID string `json:"recipient_id"`
	Message     string `json:"message"`
}

// Notification is a message stored for one recipient.
type Notification struct {
	ID          string     `json:"id"`
	RecipientID string     `json:"recipient_id"`
	SenderID    string     `json:"sender_id"`
	Message     string     `json:"message"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at,omitempty"`
}

// NotificationList is a page of a user's notifications, newest first.
type NotificationList struct {
	Items []Notification `json:"items"`
	Page  int            `json:"page"`
	Limit int            `json:"limit"`
}

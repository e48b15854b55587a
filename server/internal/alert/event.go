package alert

import (
	"context"

	"hms/server/internal/reaction"
	"hms/shared"
)

// Escalated is announced once per alert nobody acknowledged in time (by the instance that claimed its
// escalation): on-call staff are paged as a reaction.
type Escalated struct {
	AlertID string `json:"alert_id"`
}

// EventType implements reaction.Event.
func (Escalated) EventType() string { return "alert.escalated" }

// Key implements reaction.Event: an alert is escalated once.
func (e Escalated) Key() string { return e.AlertID }

// Verify gives the bus the check of Escalated: the escalation's claim is stored.
func (s *Service) Verify(b *reaction.Bus) {
	reaction.Verify(b, func(ctx context.Context, e Escalated) (bool, error) {
		esc, err := s.store.Escalated(ctx, []string{e.AlertID})
		return esc[e.AlertID], err
	})
}

// Alert returns an alert with its acknowledgements, for other domains' reactions (no route calls it).
func (s *Service) Alert(ctx context.Context, id string) (shared.Alert, error) {
	a, err := s.store.AlertByID(ctx, id)
	if err != nil {
		return shared.Alert{}, err
	}
	return s.full(ctx, a)
}

// Inbox stores an admin's broadcast as a notification of every active account, emailing it too when
// email is true; it returns how many accounts it reached. The broadcast asks for it as part of the
// request (the admin is told the count), so it is a dependency, not a reaction.
type Inbox func(ctx context.Context, b shared.Broadcast, email bool) (int, error)

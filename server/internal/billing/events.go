package billing

import (
	"context"

	"hms/shared"
)

// Publisher stores and fans out a live event (event.Stream).
type Publisher interface {
	Publish(ctx context.Context, channel, typ string, data any) (shared.Event, error)
}

// changed tells the billing desks (channel billing) and the patient's own account (user:<id>) that a
// patient's bill changed, with ids only. What changed is stored already: a failed publish is logged,
// and screens reload on reconnect.
func (s *Service) changed(ctx context.Context, patientID, invoiceID, kind string) {
	if s.events == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	ev := shared.BillingChangedEvent{PatientID: patientID, InvoiceID: invoiceID, Kind: kind}
	channels := []string{shared.ChannelBilling}
	if s.userOf != nil {
		if userID, err := s.userOf(ctx, patientID); err != nil {
			s.log.WarnContext(ctx, "billing event: find the patient's account", "patient_id", patientID, "err", err)
		} else if userID != "" {
			channels = append(channels, shared.ChannelUser+":"+userID)
		}
	}
	for _, ch := range channels {
		if _, err := s.events.Publish(ctx, ch, shared.EventBillingChanged, ev); err != nil {
			s.log.WarnContext(ctx, "publish billing.changed", "channel", ch, "patient_id", patientID, "err", err)
		}
	}
}

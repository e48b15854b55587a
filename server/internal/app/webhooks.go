package app

import (
	"context"
	"errors"
	"fmt"

	"hms/server/internal/appointment"
	"hms/server/internal/billing"
	"hms/server/internal/fault"
	"hms/server/internal/lab"
	"hms/server/internal/notify"
	"hms/server/internal/pharmacy"
	"hms/server/internal/reaction"
	"hms/server/internal/ward"
	"hms/server/internal/webhook"
	"hms/shared"
)

// Webhooks is the webhook service (subscriptions, deliveries, partners).
func (a *App) Webhooks() *webhook.Service { return a.webhooks }

// webhookRoutes are the admins' webhook settings and the partners' inbound endpoint. The inbound
// route is public: the partner's signature is its authentication.
func (a *App) webhookRoutes() []Route {
	w := a.webhooks
	return []Route{
		route("GET", "/api/webhooks/catalogue", Granted, shared.PermWebhooks, w.CatalogueHandler),
		route("GET", "/api/webhooks/subscriptions", Granted, shared.PermWebhooks, w.ListHandler),
		route("POST", "/api/webhooks/subscriptions", Granted, shared.PermWebhooks, w.CreateHandler).Logged("settings.webhook_create"),
		route("PATCH", "/api/webhooks/subscriptions/:id", Granted, shared.PermWebhooks, w.UpdateHandler).Logged("settings.webhook_update"),
		route("DELETE", "/api/webhooks/subscriptions/:id", Granted, shared.PermWebhooks, w.DeleteHandler).Logged("settings.webhook_delete"),
		route("GET", "/api/webhooks/subscriptions/:id/deliveries", Granted, shared.PermWebhooks, w.LogHandler),
		route("POST", "/api/webhooks/subscriptions/:id/test", Granted, shared.PermWebhooks, w.TestHandler),
		route("POST", "/api/webhooks/redeliver", Granted, shared.PermWebhooks, w.RedeliverHandler).Logged("settings.webhook_redeliver"),
		route("GET", "/api/webhooks/partners", Granted, shared.PermWebhooks, w.PartnersHandler),
		route("POST", "/api/webhooks/partners", Granted, shared.PermWebhooks, w.CreatePartnerHandler).Logged("settings.webhook_partner_create"),
		route("GET", "/api/webhooks/partners/:id/received", Granted, shared.PermWebhooks, w.ReceiptsHandler),
		route("POST", "/api/webhooks/inbound/:id", Public, "", w.InboundHandler),
	}
}

// subscribeWebhooks enqueues a delivery of each catalogued event to its subscriptions: a Must
// reaction per event, so that none is lost and none enqueued twice (deliveries are keyed by the
// event's occurrence and the subscription).
func (a *App) subscribeWebhooks() {
	b, w := a.Bus, a.webhooks
	occ := func(e reaction.Event) string { return e.EventType() + ":" + e.Key() }
	reaction.Must(b, "webhook.appointment-booked", func(ctx context.Context, e appointment.Booked) error {
		return w.Enqueue(ctx, webhook.AppointmentBooked, occ(e), e.Change)
	})
	reaction.Must(b, "webhook.appointment-rescheduled", func(ctx context.Context, e appointment.Rescheduled) error {
		return w.Enqueue(ctx, webhook.AppointmentRescheduled, occ(e), e.Change)
	})
	reaction.Must(b, "webhook.appointment-cancelled", func(ctx context.Context, e appointment.Cancelled) error {
		return w.Enqueue(ctx, webhook.AppointmentCancelled, occ(e), e.Change)
	})
	reaction.Must(b, "webhook.prescription-created", func(ctx context.Context, e pharmacy.Prescribed) error {
		return w.Enqueue(ctx, webhook.PrescriptionCreated, occ(e), e)
	})
	reaction.Must(b, "webhook.claim-submitted", func(ctx context.Context, e billing.ClaimMoved) error {
		c, err := a.Billing.Claim(ctx, e.ClaimID)
		if err != nil {
			return err
		}
		if e.Seq < 1 || e.Seq > len(c.History) || c.History[e.Seq-1].Status != billing.ClaimSubmitted {
			return nil
		}
		return w.Enqueue(ctx, webhook.ClaimSubmitted, occ(e), map[string]string{"claim_id": c.ID, "payer_id": c.PayerID})
	})
	reaction.Must(b, "webhook.lab-result-released", func(ctx context.Context, e lab.ResultsReleased) error {
		return w.Enqueue(ctx, webhook.LabResultReleased, occ(e), e)
	})
	reaction.Must(b, "webhook.ward-admitted", func(ctx context.Context, e ward.Admitted) error {
		return w.Enqueue(ctx, webhook.WardAdmitted, occ(e), e)
	})
	reaction.Must(b, "webhook.ward-discharged", func(ctx context.Context, e ward.Discharged) error {
		return w.Enqueue(ctx, webhook.WardDischarged, occ(e), e)
	})
}

// inbound applies partners' webhooks through the billing and pharmacy services (webhook.Inbound).
type inbound struct{ a *App }

func (in inbound) PayerExists(ctx context.Context, payerID string) error {
	_, err := in.a.Billing.Payer(ctx, payerID)
	return err
}

// ClaimStatus moves the claim as a clerk recording the insurer's answer would (billing.MoveClaim),
// audited as the partner. A payment for a claim not answered yet approves it first (the approved
// amount, else the paid amount). A claim already in the status asked for is left as it is.
func (in inbound) ClaimStatus(ctx context.Context, p webhook.Partner, d webhook.ClaimStatusData) (string, error) {
	a := in.a
	c, err := a.Billing.Claim(ctx, d.ClaimID)
	if err != nil || c.PayerID != p.PayerID {
		// Another payer's claim is not this insurer's to answer, nor to learn of.
		if err == nil || errors.Is(err, fault.ErrNotFound) {
			err = fault.Invalid("claim_id: no such claim with this insurer")
		}
		return "", err
	}
	by := "partner:" + p.ID
	target := billing.ClaimStatus(d.Status)
	if c.Status == target {
		return "unchanged", nil
	}
	move := func(r billing.MoveRequest) error {
		rev := c.Rev
		r.Rev = &rev
		moved, _, err := a.Billing.MoveClaim(ctx, c.ID, r, by)
		if aerr := a.audit.Record(ctx, by, "partner", c.PatientID, "billing.claim.status", err); aerr != nil && err == nil {
			err = aerr
		}
		if err == nil {
			c = moved
		}
		return err
	}
	if target == billing.ClaimPaid && (c.Status == billing.ClaimSubmitted || c.Status == billing.ClaimInReview) {
		approved := c.Amount
		if d.ApprovedAmount != nil {
			approved = *d.ApprovedAmount
		} else if d.PaidAmount != nil {
			approved = *d.PaidAmount
		}
		// Both moves are checked before the first is made: a payment the approval cannot carry
		// changes nothing.
		if approved <= 0 || approved > c.Amount {
			return "", fault.Invalid("approved_amount must be more than 0 and at most the amount claimed (%d)", c.Amount)
		}
		if d.PaidAmount != nil && (*d.PaidAmount <= 0 || *d.PaidAmount > approved) {
			return "", fault.Invalid("paid_amount must be more than 0 and at most the approved amount (%d)", approved)
		}
		r := billing.MoveRequest{Status: billing.ClaimApproved}
		if approved != c.Amount {
			r = billing.MoveRequest{Status: billing.ClaimPartiallyApproved, ApprovedAmount: &approved}
		}
		if err := move(r); err != nil {
			return "", err
		}
		d.ApprovedAmount = nil
	}
	if err := move(billing.MoveRequest{Status: target, ApprovedAmount: d.ApprovedAmount, PaidAmount: d.PaidAmount, Reason: d.Reason}); err != nil {
		return "", err
	}
	return "applied", nil
}

// Prescription records the external pharmacy's outcome on the prescription and tells the patient,
// once per message (the notification is keyed by it).
func (in inbound) Prescription(ctx context.Context, p webhook.Partner, messageID, eventType string, d webhook.PrescriptionData) (string, error) {
	a := in.a
	outcome := pharmacy.ExternalDispensed
	if eventType == webhook.PrescriptionUnavailable {
		outcome = pharmacy.ExternalUnavailable
	}
	by := "partner:" + p.ID
	patientID, already, err := a.Pharmacy.RecordExternal(ctx, pharmacy.External{PrescriptionID: d.PrescriptionID, MessageID: messageID,
		Outcome: outcome, Pharmacy: p.Name, Note: d.Note})
	if patientID != "" {
		if aerr := a.audit.Record(ctx, by, "partner", patientID, "prescription.external", err); aerr != nil && err == nil {
			err = aerr
		}
	}
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("%s has dispensed your prescription.", p.Name)
	if outcome == pharmacy.ExternalUnavailable {
		msg = fmt.Sprintf("%s cannot dispense your prescription at the moment.", p.Name)
	}
	if d.Note != "" {
		msg += " " + d.Note
	}
	if _, err := a.notify.Notify(ctx, notify.Request{Key: "rx-external:" + d.PrescriptionID + ":" + messageID, PatientID: patientID,
		SenderID: by, Kind: shared.KindPrescriptionExternal, Subject: "Your prescription", Message: msg}); err != nil {
		return "", err
	}
	if already {
		return "unchanged", nil
	}
	return "applied", nil
}

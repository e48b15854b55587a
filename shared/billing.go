package shared

// ChannelBilling carries billing.changed for the billing desks (ids only): staff and admins, not
// doctors and not patients (a patient hears of their own bills on their user channel).
const ChannelBilling = "billing"

// EventBillingChanged says a patient's bill changed: a charge posted or voided, an invoice drafted or
// issued, a payment or a refund recorded, an insurance policy added or ended, a claim made or moved.
// Screens reload what they show. Its data is
// BillingChangedEvent, on ChannelBilling and on the patient's user:<user id> channel.
const EventBillingChanged = "billing.changed"

// BillingChangedEvent is the data of EventBillingChanged: ids and what happened, never names or
// descriptions.
type BillingChangedEvent struct {
	PatientID string `json:"patient_id"`
	InvoiceID string `json:"invoice_id,omitempty"`
	// Kind is payment, refund, issued, drafted, voided, charged, policy (an insurance policy added or
	// ended) or claim (an insurance claim made or moved).
	Kind string `json:"kind"`
}

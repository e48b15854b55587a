package shared

import "time"

// Medication is an entry of the pharmacy's catalogue.
type Medication struct {
	ID       string `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Form     string `json:"form"`
	Strength string `json:"strength"`
	// Substances are the active ingredients, matched against a patient's allergies.
	Substances        []string  `json:"substances"`
	LowStockThreshold int       `json:"low_stock_threshold"`
	CreatedAt         time.Time `json:"created_at"`
}

// CreateMedicationRequest is the body of POST /api/medications.
type CreateMedicationRequest struct {
	Code              string   `json:"code"`
	Name              string   `json:"name"`
	Form              string   `json:"form"`
	Strength          string   `json:"strength"`
	Substances        []string `json:"substances,omitempty"`
	LowStockThreshold int      `json:"low_stock_threshold"`
}

// MedicationList is a page of the catalogue, by name.
type MedicationList struct {
	Items []Medication `json:"items"`
	Total int          `json:"total"`
	Page  int          `json:"page"`
	Limit int          `json:"limit"`
}

// Stock movement kinds.
const (
	MoveReceive  = "receive"
	MoveAdjust   = "adjust"
	MoveDispense = "dispense"
)

// StockRequest is the body of POST /api/medications/{id}/stock: a delivery received (kind "receive",
// quantity > 0) or a correction (kind "adjust", quantity ≠ 0, e.g. -3 for broken packs). Kind defaults
// to "receive" for a positive and "adjust" for a negative quantity.
type StockRequest struct {
	Kind     string `json:"kind,omitempty"`
	Quantity int    `json:"quantity"`
	Reason   string `json:"reason,omitempty"`
}

// StockMovement is one entry of a medication's stock ledger: the signed quantity it moved and the
// balance after it. Entries are numbered 1, 2, 3, … per medication and never change.
type StockMovement struct {
	Seq            int       `json:"seq"`
	Kind           string    `json:"kind"`
	Quantity       int       `json:"quantity"`
	Balance        int       `json:"balance"`
	Reason         string    `json:"reason,omitempty"`
	PrescriptionID string    `json:"prescription_id,omitempty"`
	Fill           int       `json:"fill,omitempty"`
	By             string    `json:"by"`
	At             time.Time `json:"at"`
}

// Stock is a medication's balance and its most recent movements, newest first.
type Stock struct {
	MedicationID      string          `json:"medication_id"`
	Balance           int             `json:"balance"`
	LowStockThreshold int             `json:"low_stock_threshold"`
	Low               bool            `json:"low"`
	Movements         []StockMovement `json:"movements"`
}

// Prescription statuses.
const (
	PrescriptionActive    = "active"
	PrescriptionCancelled = "cancelled"
)

// PrescribeRequest is the body of POST /api/patients/{id}/prescriptions. Frequency is free text of
// 1–100 characters; the usual codes (QD, BID, TID, QID, QnH, QHS, PRN, STAT) are stored upper-case.
// A prescription that matches a known allergy is refused (409) unless OverrideAllergy is set with
// an OverrideReason.
type PrescribeRequest struct {
	MedicationID    string `json:"medication_id"`
	Dose            string `json:"dose"`
	Frequency       string `json:"frequency"`
	DurationDays    int    `json:"duration_days"`
	Quantity        int    `json:"quantity"`
	Refills         int    `json:"refills"`
	Instructions    string `json:"instructions,omitempty"`
	EncounterID     string `json:"encounter_id,omitempty"`
	OverrideAllergy bool   `json:"override_allergy,omitempty"`
	OverrideReason  string `json:"override_reason,omitempty"`
}

// ExternalFill is what an external pharmacy said about an e-prescription: dispensed or unavailable.
type ExternalFill struct {
	Outcome  string    `json:"outcome"`
	Pharmacy string    `json:"pharmacy"`
	Note     string    `json:"note,omitempty"`
	At       time.Time `json:"at"`
}

// Fill is one dispensing of a prescription: fill 1 is the first supply, 2… are refills. A fill is
// "pending" when its number was taken but the stock did not cover it yet (retry the same request).
type Fill struct {
	Fill        int       `json:"fill"`
	Quantity    int       `json:"quantity"`
	Status      string    `json:"status"`
	Balance     int       `json:"balance,omitempty"`
	DispensedBy string    `json:"dispensed_by"`
	At          time.Time `json:"at"`
}

// Fill statuses.
const (
	FillPending   = "pending"
	FillDispensed = "dispensed"
)

// Prescription is a doctor's order for a medication, with its fills.
type Prescription struct {
	ID              string     `json:"id"`
	PatientID       string     `json:"patient_id"`
	MedicationID    string     `json:"medication_id"`
	MedicationName  string     `json:"medication_name"`
	Dose            string     `json:"dose"`
	Frequency       string     `json:"frequency"`
	DurationDays    int        `json:"duration_days"`
	Quantity        int        `json:"quantity"`
	Refills         int        `json:"refills"`
	Instructions    string     `json:"instructions,omitempty"`
	EncounterID     string     `json:"encounter_id,omitempty"`
	PrescribedBy    string     `json:"prescribed_by"`
	Status          string     `json:"status"`
	AllergyWarnings []string   `json:"allergy_warnings"`
	OverrideReason  string     `json:"override_reason,omitempty"`
	CancelledBy     string     `json:"cancelled_by,omitempty"`
	CancelledAt     *time.Time `json:"cancelled_at,omitempty"`
	CancelReason    string     `json:"cancel_reason,omitempty"`
	Fills           []Fill     `json:"fills"`
	FillsLeft       int        `json:"fills_left"`
	// External is the newest word of an external pharmacy on the e-prescription (webhooks), if any.
	External  *ExternalFill `json:"external,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
}

// PrescriptionList is a page of a patient's prescriptions, newest first.
type PrescriptionList struct {
	Items []Prescription `json:"items"`
	Total int            `json:"total"`
	Page  int            `json:"page"`
	Limit int            `json:"limit"`
}

// DispenseRequest is the optional body of POST /api/prescriptions/{id}/dispense: the fill to dispense
// (1 = first supply). Without it, an Idempotency-Key header is required and the next fill is taken.
type DispenseRequest struct {
	Fill int `json:"fill,omitempty"`
}

// Dispensation answers a dispense: the fill, the stock balance it left, and the patient's allergies
// that match the medication (prescribed with an override).
type Dispensation struct {
	PrescriptionID  string    `json:"prescription_id"`
	PatientID       string    `json:"patient_id"`
	MedicationID    string    `json:"medication_id"`
	Fill            int       `json:"fill"`
	Quantity        int       `json:"quantity"`
	Balance         int       `json:"balance"`
	DispensedBy     string    `json:"dispensed_by"`
	At              time.Time `json:"at"`
	RefillsLeft     int       `json:"refills_left"`
	RefillDue       string    `json:"refill_due,omitempty"` // YYYY-MM-DD, when refills are left
	AllergyWarnings []string  `json:"allergy_warnings"`
}

// Live event types on ChannelPharmacy (and, for refills, on the patient's channel).
const (
	EventLowStock  = "pharmacy.low_stock"
	EventRefillDue = "prescription.refill_due"
)

// LowStockEvent says a movement took a medication's balance to or below its threshold. No names.
type LowStockEvent struct {
	MedicationID string `json:"medication_id"`
	Code         string `json:"code"`
	Balance      int    `json:"balance"`
	Threshold    int    `json:"threshold"`
	Seq          int    `json:"seq"`
}

// RefillDueEvent says when a patient's next fill is due. Ids and numbers only.
type RefillDueEvent struct {
	PrescriptionID string `json:"prescription_id"`
	PatientID      string `json:"patient_id"`
	MedicationID   string `json:"medication_id"`
	Fill           int    `json:"fill"`
	RefillsLeft    int    `json:"refills_left"`
	DueDate        string `json:"due_date"`
}

// PrescriptionQueueItem is one prescription waiting at the pharmacy (GET /api/prescriptions): only what
// dispensing needs — whom for (name and MRN), what, how much, which fill. The rest of the prescription is
// at GET /api/prescriptions/{id}; the patient's chart stays closed (docs/security.md rows 12 and 34).
type PrescriptionQueueItem struct {
	ID              string    `json:"id"`
	PatientName     string    `json:"patient_name"`
	MRN             string    `json:"mrn"`
	MedicationID    string    `json:"medication_id"`
	MedicationName  string    `json:"medication_name"`
	Dose            string    `json:"dose"`
	Quantity        int       `json:"quantity"`
	Fill            int       `json:"fill"`                 // the fill to dispense next (1 = first supply)
	Fills           int       `json:"fills"`                // fills in all: 1 + refills
	RefillDue       string    `json:"refill_due,omitempty"` // YYYY-MM-DD, for a refill
	AllergyWarnings []string  `json:"allergy_warnings"`
	PrescribedAt    time.Time `json:"prescribed_at"`
}

// PrescriptionQueue is a page of the pharmacy's work queue, oldest prescription first.
type PrescriptionQueue struct {
	Items []PrescriptionQueueItem `json:"items"`
	Total int                     `json:"total"`
	Page  int                     `json:"page"`
	Limit int                     `json:"limit"`
}

// EventPrescription on ChannelPharmacy says a prescription was written, dispensed or cancelled: the
// pharmacy's queue changed. Its data is PrescriptionEvent (ids only).
const EventPrescription = "prescription.changed"

// PrescriptionEvent is the data of EventPrescription.
type PrescriptionEvent struct {
	PrescriptionID string `json:"prescription_id"`
}

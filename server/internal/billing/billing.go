// Package billing is the hospital's money: the price list, charges posted once for each billable act,
// invoices with gapless numbers, and (later) payments and claims. Money is integer minor units of one
// ISO 4217 currency (HOSPITAL_CURRENCY), never floats; tax rates are basis points (2000 = 20%).
//
// Charges are posted by reactions to other domains' events (a finished visit, a dispensed medication, …)
// under an id derived from the event, so a re-run, a second instance or a retried request posts nothing
// twice. An invoice goes draft → issuing → issued by conditional updates; its number is claimed by
// inserting (year, n) with n one past the year's highest, so numbers are unique and gapless however many
// instances issue at once, and an invoice left "issuing" by a crash is finished by Recover.
package billing

import (
	"errors"
	"fmt"
	"time"

	"hms/server/internal/fault"
)

// Kind is what a billable service is.
type Kind string

// The kinds of billable services.
const (
	Consultation Kind = "consultation"
	Procedure    Kind = "procedure"
	Treatment    Kind = "treatment"
	LabTest      Kind = "lab_test"
	Medication   Kind = "medication"
	BedDay       Kind = "bed_day"
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	switch k {
	case Consultation, Procedure, Treatment, LabTest, Medication, BedDay:
		return true
	}
	return false
}

// Price is one version of a price-list entry. A change of price stores a new version; charges keep the
// version they were posted at, so nothing issued ever changes with the list.
type Price struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Ref ties the entry to what it prices: a specialty (consultations), a ward id (bed-days), a
	// medication id, a lab test code; empty for a general entry.
	Ref     string    `json:"ref,omitempty"`
	Amount  int64     `json:"amount"`
	TaxBP   int       `json:"tax_bp"`
	Version int       `json:"version"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Retired bool      `json:"retired,omitempty"`
}

// Charge is one billable act, posted once under an id derived from its source.
type Charge struct {
	ID        string `json:"id"`
	PatientID string `json:"patient_id"`
	// Source names what caused it ("appointment:<id>", "manual:<key>", …), for the desk and the audit.
	Source       string    `json:"source"`
	Kind         Kind      `json:"kind"`
	Code         string    `json:"code"`
	Description  string    `json:"description"`
	Quantity     int       `json:"quantity"`
	UnitAmount   int64     `json:"unit_amount"`
	TaxBP        int       `json:"tax_bp"`
	PriceVersion int       `json:"price_version"`
	Net          int64     `json:"net"`
	Tax          int64     `json:"tax"`
	Total        int64     `json:"total"`
	Currency     string    `json:"currency"`
	At           time.Time `json:"at"`
	By           string    `json:"by"`
	Reason       string    `json:"reason,omitempty"`
	// InvoiceID is the invoice (draft or issued) the charge is on; empty while unbilled.
	InvoiceID string `json:"invoice_id,omitempty"`
	Void      *Void  `json:"void,omitempty"`
}

// Void records why and by whom a charge was voided; a charge is never deleted.
type Void struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// Status is where an invoice is in its life.
type Status string

// The statuses of an invoice.
const (
	Draft   Status = "draft"
	Issuing Status = "issuing"
	Issued  Status = "issued"
)

// Line is one charge as it appears on an invoice, copied from the charge when the invoice is drafted.
type Line struct {
	ChargeID    string `json:"charge_id"`
	Kind        Kind   `json:"kind"`
	Code        string `json:"code"`
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitAmount  int64  `json:"unit_amount"`
	TaxBP       int    `json:"tax_bp"`
	Net         int64  `json:"net"`
	Tax         int64  `json:"tax"`
	Total       int64  `json:"total"`
}

// Totals sums an invoice's lines.
type Totals struct {
	Net   int64 `json:"net"`
	Tax   int64 `json:"tax"`
	Total int64 `json:"total"`
}

// Invoice is a patient's bill: a draft while it may change, then issued under a number, immutable.
type Invoice struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	Status    Status    `json:"status"`
	Currency  string    `json:"currency"`
	Lines     []Line    `json:"lines"`
	Totals    Totals    `json:"totals"`
	Rev       int       `json:"rev"`
	ChangedAt time.Time `json:"changed_at"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// Number is "INV-2026-000123" once issued.
	Number   string     `json:"number,omitempty"`
	Year     int        `json:"year,omitempty"`
	Seq      int        `json:"seq,omitempty"`
	IssuedAt *time.Time `json:"issued_at,omitempty"`
	IssuedBy string     `json:"issued_by,omitempty"`
	// Coverage is the patient's policy that covered the issue date, as it was then; nil when none did
	// (and on a draft). InsurerShare and PatientShare split Total under it (see Shares), frozen when the
	// invoice is issued; with no coverage the patient's share is the total.
	Coverage     *Coverage `json:"coverage,omitempty"`
	InsurerShare int64     `json:"insurer_share"`
	PatientShare int64     `json:"patient_share"`
	// Credited is what its credit notes took back (a positive sum of their totals); Paid is what the
	// patient's payments add up to, less refunds. InsurerDue is what the insurer is taken to pay as the
	// claim stands (see Claim.insurerDue), PatientDue the rest of Total − Credited, and Balance is
	// PatientDue − Paid: what the patient still owes. All are computed from the invoice's credit notes,
	// ledger and claim when it is read, never stored on it.
	Credited      int64         `json:"credited"`
	InsurerDue    int64         `json:"insurer_due"`
	PatientDue    int64         `json:"patient_due"`
	Paid          int64         `json:"paid"`
	Balance       int64         `json:"balance"`
	PaymentStatus PaymentStatus `json:"payment_status"`
	// Claim is the invoice's claim to its payer, if one was made.
	Claim *ClaimSummary `json:"claim,omitempty"`
}

// ClaimSummary is where an invoice's claim stands, as the invoice shows it.
type ClaimSummary struct {
	ID             string      `json:"id"`
	Status         ClaimStatus `json:"status"`
	Amount         int64       `json:"amount"`
	ApprovedAmount int64       `json:"approved_amount"`
	PaidAmount     int64       `json:"paid_amount"`
	DenialReason   string      `json:"denial_reason,omitempty"`
}

// Series is a numbering series: invoices, credit notes and receipts are each numbered 1, 2, 3… per
// year, apart.
type Series string

// The numbering series.
const (
	InvoiceSeries    Series = "INV"
	CreditNoteSeries Series = "CN"
	ReceiptSeries    Series = "RCT"
)

// Number writes a number of the series: <series>-<year>-<seq, six digits at least>.
func (s Series) Number(year, seq int) string { return fmt.Sprintf("%s-%d-%06d", s, year, seq) }

// NumberClaim is the claim of one number of a series: unique by (year, seq) and by document.
type NumberClaim struct {
	Year int `json:"year"`
	Seq  int `json:"seq"`
	// DocumentID is the invoice or credit note numbered, or the payment a receipt is for.
	DocumentID string    `json:"document_id"`
	At         time.Time `json:"at"`
}

// Number writes an invoice number: INV-<year>-<seq, six digits at least>.
func Number(year, seq int) string { return InvoiceSeries.Number(year, seq) }

// Store errors. The store translates its driver's errors into these.
var (
	ErrNotFound = errors.New("billing: not found")
	// ErrDuplicate: an insert met an existing record with the same unique key.
	ErrDuplicate = errors.New("billing: duplicate")
	// ErrStale: a conditional update found the record changed since it was read.
	ErrStale = errors.New("billing: changed meanwhile")
)

// Errors the service answers with.
var (
	errNoCharges  = fault.Coded(fault.ErrInvalid, "no_unbilled_charges", "the patient has no unbilled charges to put on an invoice")
	errNotDraft   = fault.Coded(fault.ErrConflict, "invoice_not_draft", "the invoice is issued and cannot change; correct it with a credit note")
	errChangedNow = fault.Coded(fault.ErrConflict, "invoice_changed", "the invoice was changed by someone else meanwhile; reload it and try again")
	errNotIssued  = fault.Coded(fault.ErrConflict, "invoice_not_issued", "the invoice is a draft; issue it first")
)

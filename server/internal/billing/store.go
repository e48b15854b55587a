package billing

import (
	"context"
	"time"
)

// Store is what billing keeps. Implementations translate their driver's errors into ErrNotFound,
// ErrDuplicate and ErrStale.
type Store interface {
	// InsertPrice stores a price version; ErrDuplicate when (code, version) exists.
	InsertPrice(ctx context.Context, p Price) error
	// CurrentPrice returns a code's highest version.
	CurrentPrice(ctx context.Context, code string) (Price, error)
	// CurrentPriceFor returns the highest version of the entry of kind for ref (ErrNotFound when none).
	CurrentPriceFor(ctx context.Context, kind Kind, ref string) (Price, error)
	// Prices lists every code's current version, retired ones included, by code.
	Prices(ctx context.Context) ([]Price, error)

	// InsertCharge stores a charge; ErrDuplicate when its id exists.
	InsertCharge(ctx context.Context, c Charge) error
	Charge(ctx context.Context, id string) (Charge, error)
	// Charges lists a patient's charges, newest first; unbilled only when asked.
	Charges(ctx context.Context, patientID string, unbilledOnly bool) ([]Charge, error)
	// ClaimCharge puts an unbilled, unvoided charge on an invoice; ErrStale when it is billed or void.
	ClaimCharge(ctx context.Context, chargeID, invoiceID string, at time.Time) error
	// ReleaseCharge takes a charge off an invoice (a no-op when it is not on it).
	ReleaseCharge(ctx context.Context, chargeID, invoiceID string) error
	// VoidCharge voids an unbilled charge; ErrStale when it is billed or already void.
	VoidCharge(ctx context.Context, id string, v Void) error
	// ConfirmClaims marks charges claimed by an invoice as listed on it.
	ConfirmClaims(ctx context.Context, invoiceID string, chargeIDs []string) error
	// ClaimedBefore lists charges claimed before t and not confirmed (a crash came between the claim and
	// the invoice's update), for Recover.
	ClaimedBefore(ctx context.Context, t time.Time, limit int) ([]Charge, error)

	InsertInvoice(ctx context.Context, inv Invoice) error
	Invoice(ctx context.Context, id string) (Invoice, error)
	// Invoices lists a patient's invoices (any patient when empty) with a status (any when empty),
	// newest first, a page at a time, and the total.
	Invoices(ctx context.Context, patientID string, status Status, skip, limit int) ([]Invoice, int, error)
	// UpdateInvoice replaces an invoice if its stored status and rev are still from and rev; ErrStale
	// otherwise.
	UpdateInvoice(ctx context.Context, inv Invoice, from Status, rev int) error
	// InvoicesIn lists invoices in a status changed before t (Recover finishes those left issuing).
	InvoicesIn(ctx context.Context, status Status, before time.Time, limit int) ([]Invoice, error)

	// ClaimNumber claims (year, seq) of series for a document; ErrDuplicate when the number, or a
	// number of the series for the document, is claimed already.
	ClaimNumber(ctx context.Context, series Series, c NumberClaim) error
	// NumberAt returns the claim of (year, seq) of series (ErrNotFound when it is free): a keyed look-up,
	// which every claim's conflict and the search for a year's last number are made of.
	NumberAt(ctx context.Context, series Series, year, seq int) (NumberClaim, error)
	// NumberOf returns the number of series claimed for a document (ErrNotFound when none).
	NumberOf(ctx context.Context, series Series, documentID string) (NumberClaim, error)

	// InsertCreditNote stores a credit note; ErrDuplicate when its id, or its place (invoice, n), is taken.
	InsertCreditNote(ctx context.Context, cn CreditNote) error
	// CreditNotes lists the credit notes of invoices, by invoice and in their order (n).
	CreditNotes(ctx context.Context, invoiceIDs ...string) ([]CreditNote, error)
	// UpdateCreditNote replaces a credit note if its stored status is still from; ErrStale otherwise.
	UpdateCreditNote(ctx context.Context, cn CreditNote, from Status) error
	// CreditNotesIn lists credit notes in a status created before t (Recover finishes those left issuing).
	CreditNotesIn(ctx context.Context, status Status, before time.Time, limit int) ([]CreditNote, error)

	// InsertDocument stores a rendered document of a patient's (an invoice's PDF) under id;
	// ErrDuplicate when one is.
	InsertDocument(ctx context.Context, id, patientID string, data []byte, at time.Time) error
	// DeleteDocuments deletes a patient's rendered documents and says how many there were.
	DeleteDocuments(ctx context.Context, patientID string) (int, error)
	// Document returns the document stored under id (ErrNotFound when none).
	Document(ctx context.Context, id string) ([]byte, error)

	// InsertEntry appends a payment or refund to its invoice's ledger; ErrDuplicate when the entry's
	// (invoice, seq) or its op is taken.
	InsertEntry(ctx context.Context, e Entry) error
	// Entries lists the ledger entries of invoices, by invoice and seq.
	Entries(ctx context.Context, invoiceIDs ...string) ([]Entry, error)
	// EntryByOp returns the entry recorded under op (ErrNotFound when none).
	EntryByOp(ctx context.Context, op string) (Entry, error)
	// SetReceipt writes a payment entry's receipt number.
	SetReceipt(ctx context.Context, op, number string) error
	// UnnumberedBefore lists payment entries recorded before t that have no receipt number yet (a crash
	// came between the payment and its number), for Recover.
	UnnumberedBefore(ctx context.Context, t time.Time, limit int) ([]Entry, error)

	// InsertPayer stores a payer; ErrDuplicate when its id or code is taken.
	InsertPayer(ctx context.Context, p Payer) error
	// UpdatePayer replaces a payer if its stored rev is still rev; ErrStale otherwise, ErrDuplicate when
	// its new code is another payer's.
	UpdatePayer(ctx context.Context, p Payer, rev int) error
	Payer(ctx context.Context, id string) (Payer, error)
	Payers(ctx context.Context) ([]Payer, error)

	// InsertPolicy stores a patient's policy (its member id sealed).
	InsertPolicy(ctx context.Context, p Policy) error
	Policy(ctx context.Context, id string) (Policy, error)
	// Policies lists a patient's policies, ended ones included.
	Policies(ctx context.Context, patientID string) ([]Policy, error)
	// EndPolicy sets a running policy's ValidTo and Ended; ErrStale when it is ended already.
	EndPolicy(ctx context.Context, id, validTo string, e Ended) error

	// InsertClaim stores a claim as it is made (a draft, rev 1); ErrDuplicate when its invoice has one.
	InsertClaim(ctx context.Context, c Claim) error
	// Claim returns a claim with the status and rev last recorded on it (ErrNotFound when none).
	Claim(ctx context.Context, id string) (Claim, error)
	// Claims lists claims by f (the status as last recorded), newest first.
	Claims(ctx context.Context, f ClaimFilter) ([]Claim, error)
	// InsertClaimEvent appends a status to a claim; ErrDuplicate when (claim, seq) is taken.
	InsertClaimEvent(ctx context.Context, e ClaimEvent) error
	// ClaimEvents lists the events of claims, by claim and seq.
	ClaimEvents(ctx context.Context, claimIDs ...string) ([]ClaimEvent, error)
	// ApplyClaimEvent records e's status and seq on its claim unless a later one is recorded, and marks
	// e recorded.
	ApplyClaimEvent(ctx context.Context, e ClaimEvent) error
	// UnappliedClaimEvents lists events stored before t whose status is not recorded on their claim yet.
	UnappliedClaimEvents(ctx context.Context, before time.Time, limit int) ([]ClaimEvent, error)
}

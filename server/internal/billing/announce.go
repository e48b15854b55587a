package billing

import (
	"context"
	"errors"
	"strconv"
	"time"

	"hms/server/internal/reaction"
)

// The events billing announces (package reaction), each once its change is stored, with ids only: a
// reaction reads the document through the service. The hospital's figures (package report) count
// invoices, credit notes, payments and refunds from them.
type (
	// InvoiceIssued: an invoice was numbered and issued.
	InvoiceIssued struct {
		InvoiceID string `json:"invoice_id"`
	}
	// CreditNoteIssued: a credit note was numbered and issued.
	CreditNoteIssued struct {
		InvoiceID string `json:"invoice_id"`
		NoteID    string `json:"note_id"`
	}
	// LedgerEntered: a payment or a refund was appended to an invoice's ledger (Op is the entry's).
	LedgerEntered struct {
		Op string `json:"op"`
	}
	// ClaimMoved: an insurance claim was made (Seq 1, a draft) or moved to its status at Seq.
	ClaimMoved struct {
		ClaimID string `json:"claim_id"`
		Seq     int    `json:"seq"`
	}
)

// EventType implements reaction.Event.
func (ClaimMoved) EventType() string { return "billing.claim-moved" }

// Key implements reaction.Event.
func (e ClaimMoved) Key() string { return e.ClaimID + "#" + strconv.Itoa(e.Seq) }

// EventType implements reaction.Event.
func (InvoiceIssued) EventType() string { return "billing.invoice-issued" }

// Key implements reaction.Event.
func (e InvoiceIssued) Key() string { return e.InvoiceID }

// EventType implements reaction.Event.
func (CreditNoteIssued) EventType() string { return "billing.credit-note-issued" }

// Key implements reaction.Event.
func (e CreditNoteIssued) Key() string { return e.NoteID }

// EventType implements reaction.Event.
func (LedgerEntered) EventType() string { return "billing.ledger-entered" }

// Key implements reaction.Event.
func (e LedgerEntered) Key() string { return e.Op }

// Announce gives billing the bus it announces on, and gives the bus the check of each event (whether
// one recorded before a crash did happen). Call it while wiring, before serving.
func (s *Service) Announce(b *reaction.Bus) {
	s.bus = b
	reaction.Verify(b, func(ctx context.Context, e InvoiceIssued) (bool, error) {
		inv, err := s.store.Invoice(ctx, e.InvoiceID)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil && inv.Status == Issued, err
	})
	reaction.Verify(b, func(ctx context.Context, e CreditNoteIssued) (bool, error) {
		cn, err := s.creditNote(ctx, e.InvoiceID, e.NoteID)
		if err != nil {
			return false, nil
		}
		return cn.Status == Issued, nil
	})
	reaction.Verify(b, func(ctx context.Context, e LedgerEntered) (bool, error) {
		_, err := s.store.EntryByOp(ctx, e.Op)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	reaction.Verify(b, func(ctx context.Context, e ClaimMoved) (bool, error) {
		c, err := s.Claim(ctx, e.ClaimID)
		if errors.Is(err, errNoClaim) {
			return false, nil
		}
		return err == nil && c.Rev >= e.Seq, err
	})
}

// ClaimMove is a claim's status at one of its moves, as the figures read it: the amount claimed, and
// approved and paid as they stood after the move.
type ClaimMove struct {
	ClaimID  string
	Seq      int
	Status   ClaimStatus
	At       time.Time
	Amount   int64
	Approved int64
	Paid     int64
}

// ClaimMoveAt returns a claim's move at seq (1: its making, as a draft).
func (s *Service) ClaimMoveAt(ctx context.Context, claimID string, seq int) (ClaimMove, error) {
	c, err := s.Claim(ctx, claimID)
	if err != nil {
		return ClaimMove{}, err
	}
	if seq < 1 || seq > len(c.History) {
		return ClaimMove{}, errNoClaim
	}
	m := ClaimMove{ClaimID: c.ID, Seq: seq, Amount: c.Amount}
	for _, e := range c.History[:seq] {
		m.Status, m.At = e.Status, e.At
		switch e.Status {
		case ClaimApproved, ClaimPartiallyApproved:
			m.Approved = e.ApprovedAmount
		case ClaimPaid:
			m.Paid = e.PaidAmount
		}
	}
	return m, nil
}

// expect announces ev before its change (nothing without a bus).
func (s *Service) expect(ctx context.Context, ev reaction.Event) (*reaction.Pending, error) {
	if s.bus == nil {
		return nil, nil
	}
	return s.bus.Expect(ctx, ev)
}

// CreditNote returns an invoice's credit note.
func (s *Service) CreditNote(ctx context.Context, invoiceID, id string) (CreditNote, error) {
	return s.creditNote(ctx, invoiceID, id)
}

// LedgerFacts returns a ledger entry and, for a payment that brought its invoice's balance from above
// zero to zero or less (the invoice paid in full by it), the invoice's issue time; zero otherwise.
func (s *Service) LedgerFacts(ctx context.Context, op string) (Entry, time.Time, error) {
	e, err := s.store.EntryByOp(ctx, op)
	if err != nil || e.Kind != PaymentEntry {
		return e, time.Time{}, err
	}
	inv, err := s.store.Invoice(ctx, e.InvoiceID)
	if err != nil {
		return e, time.Time{}, err
	}
	entries, err := s.store.Entries(ctx, e.InvoiceID)
	if err != nil {
		return e, time.Time{}, err
	}
	notes, err := s.store.CreditNotes(ctx, e.InvoiceID)
	if err != nil {
		return e, time.Time{}, err
	}
	l := ledger(entries)
	for i, x := range l {
		if x.Op != op {
			continue
		}
		owed := inv.Totals.Total - creditedBy(notes, x)
		if before, after := owed-l[:i].paid(), owed-l[:i+1].paid(); before > 0 && after <= 0 && inv.IssuedAt != nil {
			return e, *inv.IssuedAt, nil
		}
		break
	}
	return e, time.Time{}, nil
}

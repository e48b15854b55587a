package billing

import (
	"context"
	"errors"

	"hms/server/internal/fault"
)

// Receipt is what a payment's receipt shows: the payment, with what was refunded of it as of now, the
// number of the invoice it paid, and what that invoice still owed right after it.
type Receipt struct {
	Payment
	InvoiceNumber string
	// BalanceAfter is what the patient owed of the invoice right after the payment: the invoice's total,
	// less the credit notes made by the time of the payment, less what the insurer was taken to pay as
	// its claim stood then, less the payments and refunds recorded up to and including it in the
	// ledger's order. A refund, a credit note or a claim's move made later does not change it (a later
	// refund of this payment shows as Refunded).
	BalanceAfter int64
}

// Words names a payment method on a receipt.
func (m Method) Words() string {
	switch m {
	case Cash:
		return "Cash"
	case Card:
		return "Card"
	case Online:
		return "Online payment"
	}
	return string(m)
}

// Receipt returns a payment's receipt as the ledger stands now. A refund's id, or an unknown one, is not
// a payment (404). A payment a crash left without its receipt number is numbered first, as Recover would.
func (s *Service) Receipt(ctx context.Context, paymentID string) (Receipt, error) {
	e, err := s.store.EntryByOp(ctx, paymentID)
	if errors.Is(err, ErrNotFound) || err == nil && e.Kind != PaymentEntry {
		return Receipt{}, errNoPayment
	} else if err != nil {
		return Receipt{}, err
	}
	if e.Receipt == "" {
		if _, err := s.finishPayment(ctx, e, nil); err != nil {
			return Receipt{}, err
		}
	}
	inv, err := s.Invoice(ctx, e.InvoiceID)
	if err != nil {
		return Receipt{}, err
	}
	entries, err := s.store.Entries(ctx, e.InvoiceID)
	if err != nil {
		return Receipt{}, err
	}
	notes, err := s.store.CreditNotes(ctx, e.InvoiceID)
	if err != nil {
		return Receipt{}, err
	}
	claims, err := s.claimsByInvoice(ctx, []Invoice{inv})
	if err != nil {
		return Receipt{}, err
	}
	l := ledger(entries)
	for i, x := range l {
		if x.Op != paymentID {
			continue
		}
		// What the patient owed then: the claim as it stood at the payment.
		var claim *Claim
		if c := claims[inv.ID]; c != nil {
			then := c.asOf(x.At)
			claim = &then
		}
		inv.settle(l[:i+1].paid(), creditedBy(notes, x), claim)
		return Receipt{Payment: s.paymentOf(ctx, l, x), InvoiceNumber: inv.Number, BalanceAfter: inv.Balance}, nil
	}
	return Receipt{}, errNoPayment
}

// creditedBy is what the credit notes made by the time of payment e took back: the ones Pay checked e
// against, or made in the same millisecond.
func creditedBy(notes []CreditNote, e Entry) int64 {
	var before []CreditNote
	for _, n := range notes {
		if !n.CreatedAt.After(e.At) {
			before = append(before, n)
		}
	}
	return credited(before)
}

// ReceiptPDF renders a receipt. It is rendered on every request, never stored: a refund made later
// changes it. The same ledger, patient and settings render the same bytes.
func (s *Service) ReceiptPDF(ctx context.Context, r Receipt) ([]byte, error) {
	if s.renderReceipt == nil {
		return nil, fault.New(fault.ErrUnavailable, "receipt PDFs are not configured")
	}
	return s.renderReceipt(ctx, r)
}

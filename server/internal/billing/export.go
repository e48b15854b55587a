package billing

import (
	"context"
	"time"
)

// Export is a patient's billing in their data export (section "billing"): every charge (void ones
// too, with why), and every invoice with its lines, number, totals, credit notes, payments and refunds.
type Export struct {
	Charges  []Charge        `json:"charges"`
	Invoices []InvoiceExport `json:"invoices"`
}

// InvoiceExport is one invoice in the export: its detail and the refunds made of its payments.
type InvoiceExport struct {
	InvoiceDetail
	Refunds []Refund `json:"refunds"`
}

// Refund is money given back of a payment.
type Refund struct {
	ID        string    `json:"id"`
	PaymentID string    `json:"payment_id"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// exportPage is how many invoices the export reads at a time.
const exportPage = 200

// ExportPatient implements patient.Exporter: the patient's charges and invoices, decrypted, newest
// first, each invoice with what is credited, paid and due, its credit notes, payments and refunds.
func (s *Service) ExportPatient(ctx context.Context, patientID string) (string, any, error) {
	const section = "billing"
	charges, err := s.store.Charges(ctx, patientID, false)
	if err != nil {
		return section, nil, err
	}
	x := Export{Charges: charges, Invoices: []InvoiceExport{}}
	if x.Charges == nil {
		x.Charges = []Charge{}
	}
	var invs []Invoice
	for skip := 0; ; skip += exportPage {
		page, total, err := s.store.Invoices(ctx, patientID, "", skip, exportPage)
		if err != nil {
			return section, nil, err
		}
		invs = append(invs, page...)
		if len(page) == 0 || skip+len(page) >= total {
			break
		}
	}
	ledgers, credits, err := s.settleWith(ctx, invs)
	if err != nil {
		return section, nil, err
	}
	for _, inv := range invs {
		notes := credits[inv.ID]
		if notes == nil {
			notes = []CreditNote{}
		}
		d := InvoiceExport{InvoiceDetail: InvoiceDetail{Invoice: inv, CreditNotes: notes, Payments: s.paymentsOf(ctx, ledgers[inv.ID])},
			Refunds: []Refund{}}
		for _, e := range ledgers[inv.ID] {
			if e.Kind == RefundEntry {
				d.Refunds = append(d.Refunds, Refund{ID: e.Op, PaymentID: e.PaymentID, Amount: e.Amount, Currency: e.Currency,
					Reason: e.Reason, By: e.By, At: e.At})
			}
		}
		x.Invoices = append(x.Invoices, d)
	}
	return section, x, nil
}

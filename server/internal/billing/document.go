package billing

import (
	"context"
	"errors"

	"hms/server/internal/fault"
)

// documentID is where an invoice's PDF is stored.
func documentID(invoiceID string) string { return "invoice:" + invoiceID }

// InvoicePDF returns an issued invoice's PDF: rendered once (at issue, or on the first request when
// that failed), stored, and served as stored ever after, byte for byte, whatever changes later (a
// price, the hospital's address, the patient's name). A draft has none (409).
func (s *Service) InvoicePDF(ctx context.Context, id string) (Invoice, []byte, error) {
	inv, err := s.Invoice(ctx, id)
	if err != nil {
		return Invoice{}, nil, err
	}
	if inv.Status != Issued {
		return inv, nil, errNotIssued
	}
	data, err := s.storePDF(ctx, inv)
	return inv, data, err
}

// storePDF returns the stored PDF of an issued invoice, rendering and storing it when there is none.
// Two instances rendering at once store one: the second insert is a duplicate, and the stored copy is
// the answer.
func (s *Service) storePDF(ctx context.Context, inv Invoice) ([]byte, error) {
	if data, err := s.store.Document(ctx, documentID(inv.ID)); err == nil {
		return data, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if s.render == nil {
		return nil, fault.New(fault.ErrUnavailable, "invoice PDFs are not configured")
	}
	data, err := s.render(ctx, inv)
	if err != nil {
		return nil, err
	}
	if err := s.store.InsertDocument(ctx, documentID(inv.ID), inv.PatientID, data, s.clock()); errors.Is(err, ErrDuplicate) {
		return s.store.Document(ctx, documentID(inv.ID))
	} else if err != nil {
		return nil, err
	}
	return data, nil
}

// ErasePatient deletes an erased patient's stored PDFs: they carry the name erasure replaced. The
// invoices stay (a hospital keeps its bills), and a PDF asked for again is rendered with the
// pseudonym.
func (s *Service) ErasePatient(ctx context.Context, patientID string) error {
	n, err := s.store.DeleteDocuments(ctx, patientID)
	if n > 0 {
		s.log.InfoContext(ctx, "erasure: deleted the patient's stored invoice PDFs", "count", n)
	}
	return err
}

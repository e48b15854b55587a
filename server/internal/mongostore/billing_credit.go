package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/billing"
	"hms/server/internal/seal"
)

// --- credit notes

type creditNoteDoc struct {
	ID        string     `bson:"_id"`
	InvoiceID string     `bson:"invoice_id"`
	PatientID string     `bson:"patient_id"`
	N         int        `bson:"n"`
	Status    string     `bson:"status"`
	Currency  string     `bson:"currency"`
	Reason    seal.Value `bson:"reason"`
	Lines     []lineDoc  `bson:"lines"`
	Net       int64      `bson:"net"`
	Tax       int64      `bson:"tax"`
	Total     int64      `bson:"total"`
	CreatedAt time.Time  `bson:"created_at"`
	CreatedBy string     `bson:"created_by"`
	Number    string     `bson:"number,omitempty"`
	Year      int        `bson:"year,omitempty"`
	Seq       int        `bson:"seq,omitempty"`
	IssuedAt  *time.Time `bson:"issued_at,omitempty"`
	// Fingerprint tells a retried request from another one under the same Idempotency-Key.
	Fingerprint string `bson:"fingerprint"`
}

func creditWhere(id, field string) string { return fieldWhere(colCreditNotes, id, field) }

func (s *Billing) creditNoteDoc(cn billing.CreditNote) (creditNoteDoc, error) {
	reason, err := sealText(s.keys, cn.Reason, creditWhere(cn.ID, "reason"))
	if err != nil {
		return creditNoteDoc{}, err
	}
	d := creditNoteDoc{ID: cn.ID, InvoiceID: cn.InvoiceID, PatientID: cn.PatientID, N: cn.N, Status: string(cn.Status),
		Currency: cn.Currency, Reason: reason, Net: cn.Totals.Net, Tax: cn.Totals.Tax,
		Total: cn.Totals.Total, CreatedAt: cn.CreatedAt, CreatedBy: cn.CreatedBy, Number: cn.Number, Year: cn.Year, Seq: cn.Seq,
		IssuedAt: cn.IssuedAt, Fingerprint: cn.Fingerprint}
	d.Lines, err = s.sealLines(cn.Lines, func(c string) string { return creditWhere(cn.ID, "lines/"+c+"/description") })
	return d, err
}

func (s *Billing) creditNote(d creditNoteDoc) (billing.CreditNote, error) {
	reason, err := openText(s.keys, d.Reason, creditWhere(d.ID, "reason"))
	if err != nil {
		return billing.CreditNote{}, err
	}
	cn := billing.CreditNote{ID: d.ID, InvoiceID: d.InvoiceID, PatientID: d.PatientID, N: d.N, Status: billing.Status(d.Status),
		Currency: d.Currency, Reason: reason,
		Totals: billing.Totals{Net: d.Net, Tax: d.Tax, Total: d.Total}, CreatedAt: d.CreatedAt.UTC(), CreatedBy: d.CreatedBy,
		Number: d.Number, Year: d.Year, Seq: d.Seq, Fingerprint: d.Fingerprint}
	if d.IssuedAt != nil {
		t := d.IssuedAt.UTC()
		cn.IssuedAt = &t
	}
	lines, err := s.openLines(d.Lines, func(c string) string { return creditWhere(d.ID, "lines/"+c+"/description") })
	if err != nil {
		return billing.CreditNote{}, err
	}
	cn.Lines = lines
	return cn, nil
}

// InsertCreditNote implements billing.Store.
func (s *Billing) InsertCreditNote(ctx context.Context, cn billing.CreditNote) error {
	d, err := s.creditNoteDoc(cn)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.credits.InsertOne(ctx, d)
	return billingErr("insert credit note", err)
}

// CreditNotes implements billing.Store.
func (s *Billing) CreditNotes(ctx context.Context, invoiceIDs ...string) ([]billing.CreditNote, error) {
	if len(invoiceIDs) == 0 {
		return nil, nil
	}
	return findAllOpen(ctx, s.credits, "find credit notes", bson.D{{Key: "invoice_id", Value: bson.D{{Key: "$in", Value: invoiceIDs}}}},
		options.Find().SetSort(bson.D{{Key: "invoice_id", Value: 1}, {Key: "n", Value: 1}}), s.creditNote)
}

// UpdateCreditNote implements billing.Store.
func (s *Billing) UpdateCreditNote(ctx context.Context, cn billing.CreditNote, from billing.Status) error {
	d, err := s.creditNoteDoc(cn)
	if err != nil {
		return err
	}
	return s.replaceIf(ctx, s.credits, "update credit note", bson.D{{Key: "_id", Value: cn.ID}, {Key: "status", Value: string(from)}}, d)
}

// CreditNotesIn implements billing.Store.
func (s *Billing) CreditNotesIn(ctx context.Context, status billing.Status, before time.Time, limit int) ([]billing.CreditNote, error) {
	return findAllOpen(ctx, s.credits, "find credit notes by status", bson.D{{Key: "status", Value: string(status)},
		{Key: "created_at", Value: bson.D{{Key: "$lt", Value: before}}}}, options.Find().SetLimit(int64(limit)), s.creditNote)
}

// --- documents

type documentDoc struct {
	ID        string     `bson:"_id"`
	PatientID string     `bson:"patient_id"`
	Data      seal.Value `bson:"data"`
	Size      int        `bson:"size"`
	At        time.Time  `bson:"at"`
}

// InsertDocument implements billing.Store. The document is sealed (an invoice names the patient and
// their care) and kept in one MongoDB document: an invoice's PDF is a few kilobytes, far under the
// 16 MB a document may hold.
func (s *Billing) InsertDocument(ctx context.Context, id, patientID string, data []byte, at time.Time) error {
	v, err := sealText(s.keys, string(data), fieldWhere(colDocuments, id, "data"))
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.documents.InsertOne(ctx, documentDoc{ID: id, PatientID: patientID, Data: v, Size: len(data), At: at})
	return billingErr("insert document", err)
}

// Document implements billing.Store.
func (s *Billing) Document(ctx context.Context, id string) ([]byte, error) {
	ds, err := findAllOpen(ctx, s.documents, "find document", bson.D{{Key: "_id", Value: id}}, nil,
		func(d documentDoc) (string, error) {
			return openText(s.keys, d.Data, fieldWhere(colDocuments, id, "data"))
		})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, billing.ErrNotFound
	}
	return []byte(ds[0]), nil
}

// DeleteDocuments implements billing.Store.
func (s *Billing) DeleteDocuments(ctx context.Context, patientID string) (int, error) {
	leave := s.gate.enter()
	defer leave()
	r, err := s.documents.DeleteMany(ctx, bson.D{{Key: "patient_id", Value: patientID}})
	if err != nil {
		return 0, billingErr("delete documents", err)
	}
	return int(r.DeletedCount), nil
}

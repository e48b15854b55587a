package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/billing"
	"hms/server/internal/seal"
)

// entryDoc is one payment or refund on an invoice's ledger. Its _id is invoice#seq, so two entries
// appended at once after the same last one collide and one is tried again (billing.Entry); op is unique,
// so a repeated request finds its entry. The reference and the reason are sealed: a terminal slip or a
// reason can name the patient or what was bought.
type entryDoc struct {
	ID        string      `bson:"_id"`
	InvoiceID string      `bson:"invoice_id"`
	Seq       int         `bson:"seq"`
	Op        string      `bson:"op"`
	Kind      string      `bson:"kind"`
	PaymentID string      `bson:"payment_id"`
	PatientID string      `bson:"patient_id"`
	Method    string      `bson:"method"`
	Amount    int64       `bson:"amount"`
	Currency  string      `bson:"currency"`
	Reference *seal.Value `bson:"reference,omitempty"`
	Reason    *seal.Value `bson:"reason,omitempty"`
	By        string      `bson:"by"`
	At        time.Time   `bson:"at"`
	// Receipt is "" until a payment's receipt number is claimed: one equality finds those a crash left.
	Receipt string `bson:"receipt"`
}

func entryWhere(op, field string) string { return fieldWhere(colLedger, op, field) }

func (s *Billing) sealOptional(text, where string) (*seal.Value, error) {
	if text == "" {
		return nil, nil
	}
	v, err := sealText(s.keys, text, where)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (s *Billing) openOptional(v *seal.Value, where string) (string, error) {
	if v == nil {
		return "", nil
	}
	return openText(s.keys, *v, where)
}

// InsertEntry implements billing.Store.
func (s *Billing) InsertEntry(ctx context.Context, e billing.Entry) error {
	ref, err := s.sealOptional(e.Reference, entryWhere(e.Op, "reference"))
	if err != nil {
		return err
	}
	reason, err := s.sealOptional(e.Reason, entryWhere(e.Op, "reason"))
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.ledger.InsertOne(ctx, entryDoc{ID: e.InvoiceID + "#" + itoa8(e.Seq), InvoiceID: e.InvoiceID, Seq: e.Seq,
		Op: e.Op, Kind: string(e.Kind), PaymentID: e.PaymentID, PatientID: e.PatientID, Method: string(e.Method),
		Amount: e.Amount, Currency: e.Currency, Reference: ref, Reason: reason, By: e.By, At: e.At, Receipt: e.Receipt})
	return billingErr("insert ledger entry", err)
}

func (s *Billing) entry(d entryDoc) (billing.Entry, error) {
	ref, err := s.openOptional(d.Reference, entryWhere(d.Op, "reference"))
	if err != nil {
		return billing.Entry{}, err
	}
	reason, err := s.openOptional(d.Reason, entryWhere(d.Op, "reason"))
	if err != nil {
		return billing.Entry{}, err
	}
	return billing.Entry{InvoiceID: d.InvoiceID, Seq: d.Seq, Op: d.Op, Kind: billing.EntryKind(d.Kind), PaymentID: d.PaymentID,
		PatientID: d.PatientID, Method: billing.Method(d.Method), Amount: d.Amount, Currency: d.Currency, Reference: ref,
		Reason: reason, By: d.By, At: d.At.UTC(), Receipt: d.Receipt}, nil
}

// Entries implements billing.Store.
func (s *Billing) Entries(ctx context.Context, invoiceIDs ...string) ([]billing.Entry, error) {
	if len(invoiceIDs) == 0 {
		return nil, nil
	}
	f := bson.D{{Key: "invoice_id", Value: invoiceIDs[0]}}
	if len(invoiceIDs) > 1 {
		f = bson.D{{Key: "invoice_id", Value: bson.D{{Key: "$in", Value: invoiceIDs}}}}
	}
	return findAllOpen(ctx, s.ledger, "find ledger entries", f,
		options.Find().SetSort(bson.D{{Key: "invoice_id", Value: 1}, {Key: "seq", Value: 1}}), s.entry)
}

// EntryByOp implements billing.Store.
func (s *Billing) EntryByOp(ctx context.Context, op string) (billing.Entry, error) {
	es, err := findAllOpen(ctx, s.ledger, "find ledger entry", bson.D{{Key: "op", Value: op}}, nil, s.entry)
	if err != nil {
		return billing.Entry{}, err
	}
	if len(es) == 0 {
		return billing.Entry{}, billing.ErrNotFound
	}
	return es[0], nil
}

// SetReceipt implements billing.Store. The number claimed for a payment never changes, so setting it
// again (a retried request, Recover) writes the same value.
func (s *Billing) SetReceipt(ctx context.Context, op, number string) error {
	leave := s.gate.enter()
	defer leave()
	r, err := s.ledger.UpdateOne(ctx, bson.D{{Key: "op", Value: op}}, bson.D{{Key: "$set", Value: bson.D{{Key: "receipt", Value: number}}}})
	if err != nil {
		return billingErr("set receipt number", err)
	}
	if r.MatchedCount == 0 {
		return billing.ErrNotFound
	}
	return nil
}

// UnnumberedBefore implements billing.Store.
func (s *Billing) UnnumberedBefore(ctx context.Context, t time.Time, limit int) ([]billing.Entry, error) {
	return findAllOpen(ctx, s.ledger, "find unnumbered payments", bson.D{{Key: "receipt", Value: ""},
		{Key: "kind", Value: string(billing.PaymentEntry)}, {Key: "at", Value: bson.D{{Key: "$lt", Value: t}}}},
		options.Find().SetLimit(int64(limit)), s.entry)
}

package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/billing"
	"hms/server/internal/seal"
)

// Billing's collections: price versions (_id code#version), charges (_id derived from the billable act,
// so posting one twice is a duplicate insert), invoices, credit notes (unique by invoice and place),
// the numbers of each series (_id year#seq, unique per document too: invoices, credit notes, receipts),
// whose inserts make numbers unique and gapless, the invoices' ledgers of payments and refunds
// (_id invoice#seq, unique per op; billing_ledger.go) and rendered documents (an issued invoice's PDF).
// Charge and line descriptions, reasons, payment references and the PDFs are sealed: a bill names
// medications and procedures.
const (
	colPrices            = "billing_prices"
	colCharges           = "billing_charges"
	colInvoices          = "billing_invoices"
	colInvoiceNumbers    = "billing_invoice_numbers"
	colCreditNotes       = "billing_credit_notes"
	colCreditNoteNumbers = "billing_credit_note_numbers"
	colDocuments         = "billing_documents"
	colReceiptNumbers    = "billing_receipt_numbers"
	colLedger            = "billing_ledger"
)

// numberIndexes make a series' numbers unique per document (the _id, year#seq, makes them unique per
// number, and is what they are found by: a year's last number is searched by look-ups of _id, which
// FerretDB's SQLite backend answers without a scan, where a sort on seq read every number).
func numberIndexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		{Keys: bson.D{{Key: "invoice_id", Value: 1}}, Options: options.Index().SetUnique(true).SetName("invoice_unique")},
	}
}

var billingIndexes = indexSet{
	colPrices: {
		{Keys: bson.D{{Key: "code", Value: 1}, {Key: "version", Value: -1}}, Options: options.Index().SetName("code_version")},
		{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "ref", Value: 1}}, Options: options.Index().SetName("kind_ref")},
	},
	colCharges: {
		{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("patient_time")},
		{Keys: bson.D{{Key: "claimed_at", Value: 1}}, Options: options.Index().SetName("claimed")},
	},
	colInvoices: {
		{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("patient_time")},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "changed_at", Value: 1}}, Options: options.Index().SetName("status_changed")},
	},
	colInvoiceNumbers:    numberIndexes(),
	colCreditNoteNumbers: numberIndexes(),
	colReceiptNumbers:    numberIndexes(),
	colLedger: {
		// One entry per op: a repeated request (the same Idempotency-Key, the same provider session)
		// meets its first entry.
		{Keys: bson.D{{Key: "op", Value: 1}}, Options: options.Index().SetUnique(true).SetName("op_unique")},
		{Keys: bson.D{{Key: "invoice_id", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetName("invoice_seq")},
		{Keys: bson.D{{Key: "receipt", Value: 1}, {Key: "at", Value: 1}}, Options: options.Index().SetName("receipt_at")},
	},
	colDocuments: {
		{Keys: bson.D{{Key: "patient_id", Value: 1}}, Options: options.Index().SetName("patient")},
	},
	colCreditNotes: {
		{Keys: bson.D{{Key: "invoice_id", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetUnique(true).SetName("invoice_place")},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "created_at", Value: 1}}, Options: options.Index().SetName("status_created")},
	},
}

var _ billing.Store = (*Billing)(nil)

// Billing stores prices, charges, invoices, credit notes, the invoices' ledgers of payments and refunds,
// the numbers of each series, rendered documents, and insurance: payers, policies and claims
// (billing_insurance.go).
type Billing struct {
	gate                                                  *gate
	prices, charges, invoices, credits, documents, ledger *mongo.Collection
	payers, policies, claims, claimEvents                 *mongo.Collection
	numbers                                               map[billing.Series]*mongo.Collection
	keys                                                  *seal.Keyring
}

// NewBilling returns the billing store on db, sealing free text with keys.
func NewBilling(db *DB, keys *seal.Keyring) *Billing {
	payers, policies, claims, events := claimCollections(db)
	return &Billing{payers: payers, policies: policies, claims: claims, claimEvents: events, gate: db.gate, prices: db.Collection(colPrices), charges: db.Collection(colCharges),
		invoices: db.Collection(colInvoices), credits: db.Collection(colCreditNotes), documents: db.Collection(colDocuments),
		ledger: db.Collection(colLedger),
		numbers: map[billing.Series]*mongo.Collection{
			billing.InvoiceSeries:    db.Collection(colInvoiceNumbers),
			billing.CreditNoteSeries: db.Collection(colCreditNoteNumbers),
			billing.ReceiptSeries:    db.Collection(colReceiptNumbers),
		}, keys: keys}
}

func billingErr(what string, err error) error {
	switch c := classify(err); {
	case errors.Is(c, errDuplicate):
		return billing.ErrDuplicate
	case errors.Is(c, errNoDocument):
		return billing.ErrNotFound
	}
	return wrap(what, err)
}

// --- prices

type priceDoc struct {
	ID      string    `bson:"_id"`
	Code    string    `bson:"code"`
	Name    string    `bson:"name"`
	Kind    string    `bson:"kind"`
	Ref     string    `bson:"ref"`
	Amount  int64     `bson:"amount"`
	TaxBP   int       `bson:"tax_bp"`
	Version int       `bson:"version"`
	At      time.Time `bson:"at"`
	By      string    `bson:"by"`
	Retired bool      `bson:"retired,omitempty"`
}

func (d priceDoc) price() billing.Price {
	return billing.Price{Code: d.Code, Name: d.Name, Kind: billing.Kind(d.Kind), Ref: d.Ref, Amount: d.Amount,
		TaxBP: d.TaxBP, Version: d.Version, At: d.At.UTC(), By: d.By, Retired: d.Retired}
}

func priceID(code string, version int) string { return code + "#" + itoa8(version) }

// InsertPrice implements billing.Store.
func (s *Billing) InsertPrice(ctx context.Context, p billing.Price) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.prices.InsertOne(ctx, priceDoc{ID: priceID(p.Code, p.Version), Code: p.Code, Name: p.Name,
		Kind: string(p.Kind), Ref: p.Ref, Amount: p.Amount, TaxBP: p.TaxBP, Version: p.Version, At: p.At, By: p.By,
		Retired: p.Retired})
	return billingErr("insert price", err)
}

func (s *Billing) newestPrice(ctx context.Context, filter bson.D) (billing.Price, error) {
	ps, err := findAll(ctx, s.prices, "find price", filter,
		options.Find().SetSort(bson.D{{Key: "version", Value: -1}}).SetLimit(1), priceDoc.price)
	if err != nil {
		return billing.Price{}, err
	}
	if len(ps) == 0 {
		return billing.Price{}, billing.ErrNotFound
	}
	return ps[0], nil
}

// CurrentPrice implements billing.Store.
func (s *Billing) CurrentPrice(ctx context.Context, code string) (billing.Price, error) {
	return s.newestPrice(ctx, bson.D{{Key: "code", Value: code}})
}

// CurrentPriceFor implements billing.Store: the newest version of the newest code priced for (kind, ref).
func (s *Billing) CurrentPriceFor(ctx context.Context, kind billing.Kind, ref string) (billing.Price, error) {
	p, err := s.newestPrice(ctx, bson.D{{Key: "kind", Value: string(kind)}, {Key: "ref", Value: ref}})
	if err != nil {
		return p, err
	}
	// The entry's own newest version decides (it may have been retired or moved to another ref since).
	cur, err := s.CurrentPrice(ctx, p.Code)
	if err != nil {
		return cur, err
	}
	if cur.Kind != kind || cur.Ref != ref {
		return billing.Price{}, billing.ErrNotFound
	}
	return cur, nil
}

// Prices implements billing.Store.
func (s *Billing) Prices(ctx context.Context) ([]billing.Price, error) {
	all, err := findAll(ctx, s.prices, "find prices", bson.D{},
		options.Find().SetSort(bson.D{{Key: "code", Value: 1}, {Key: "version", Value: -1}}), priceDoc.price)
	if err != nil {
		return nil, err
	}
	out := []billing.Price{}
	for _, p := range all {
		if len(out) == 0 || out[len(out)-1].Code != p.Code {
			out = append(out, p)
		}
	}
	return out, nil
}

// --- charges

type voidDoc struct {
	At     time.Time  `bson:"at"`
	By     string     `bson:"by"`
	Reason seal.Value `bson:"reason"`
}

type chargeDoc struct {
	ID           string      `bson:"_id"`
	PatientID    string      `bson:"patient_id"`
	Source       string      `bson:"source"`
	Kind         string      `bson:"kind"`
	Code         string      `bson:"code"`
	Description  seal.Value  `bson:"description"`
	Quantity     int         `bson:"quantity"`
	UnitAmount   int64       `bson:"unit_amount"`
	TaxBP        int         `bson:"tax_bp"`
	PriceVersion int         `bson:"price_version"`
	Net          int64       `bson:"net"`
	Tax          int64       `bson:"tax"`
	Total        int64       `bson:"total"`
	Currency     string      `bson:"currency"`
	At           time.Time   `bson:"at"`
	By           string      `bson:"by"`
	Reason       *seal.Value `bson:"reason,omitempty"`
	InvoiceID    string      `bson:"invoice_id,omitempty"`
	ClaimedAt    *time.Time  `bson:"claimed_at,omitempty"`
	Confirmed    bool        `bson:"confirmed,omitempty"`
	Void         *voidDoc    `bson:"void,omitempty"`
	// Unbilled is true while the charge is neither on an invoice nor void: one indexed equality for
	// the desk's list, which FerretDB serves without reading every charge.
	Unbilled bool `bson:"unbilled"`
}

func (s *Billing) where(id, field string) string { return fieldWhere(colCharges, id, field) }

// InsertCharge implements billing.Store.
func (s *Billing) InsertCharge(ctx context.Context, c billing.Charge) error {
	desc, err := sealText(s.keys, c.Description, s.where(c.ID, "description"))
	if err != nil {
		return err
	}
	d := chargeDoc{ID: c.ID, PatientID: c.PatientID, Source: c.Source, Kind: string(c.Kind), Code: c.Code,
		Description: desc, Quantity: c.Quantity, UnitAmount: c.UnitAmount, TaxBP: c.TaxBP, PriceVersion: c.PriceVersion,
		Net: c.Net, Tax: c.Tax, Total: c.Total, Currency: c.Currency, At: c.At, By: c.By, Unbilled: true}
	if c.Reason != "" {
		r, err := sealText(s.keys, c.Reason, s.where(c.ID, "reason"))
		if err != nil {
			return err
		}
		d.Reason = &r
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.charges.InsertOne(ctx, d)
	return billingErr("insert charge", err)
}

func (s *Billing) charge(d chargeDoc) (billing.Charge, error) {
	desc, err := openText(s.keys, d.Description, s.where(d.ID, "description"))
	if err != nil {
		return billing.Charge{}, err
	}
	c := billing.Charge{ID: d.ID, PatientID: d.PatientID, Source: d.Source, Kind: billing.Kind(d.Kind), Code: d.Code,
		Description: desc, Quantity: d.Quantity, UnitAmount: d.UnitAmount, TaxBP: d.TaxBP, PriceVersion: d.PriceVersion,
		Net: d.Net, Tax: d.Tax, Total: d.Total, Currency: d.Currency, At: d.At.UTC(), By: d.By, InvoiceID: d.InvoiceID}
	if d.Reason != nil {
		if c.Reason, err = openText(s.keys, *d.Reason, s.where(d.ID, "reason")); err != nil {
			return billing.Charge{}, err
		}
	}
	if d.Void != nil {
		reason, err := openText(s.keys, d.Void.Reason, s.where(d.ID, "void.reason"))
		if err != nil {
			return billing.Charge{}, err
		}
		c.Void = &billing.Void{At: d.Void.At.UTC(), By: d.Void.By, Reason: reason}
	}
	return c, nil
}

func (s *Billing) findCharges(ctx context.Context, what string, filter bson.D, opts *options.FindOptionsBuilder) ([]billing.Charge, error) {
	return findAllOpen(ctx, s.charges, what, filter, opts, s.charge)
}

// Charge implements billing.Store.
func (s *Billing) Charge(ctx context.Context, id string) (billing.Charge, error) {
	cs, err := s.findCharges(ctx, "find charge", bson.D{{Key: "_id", Value: id}}, nil)
	if err != nil {
		return billing.Charge{}, err
	}
	if len(cs) == 0 {
		return billing.Charge{}, billing.ErrNotFound
	}
	return cs[0], nil
}

// Charges implements billing.Store.
func (s *Billing) Charges(ctx context.Context, patientID string, unbilledOnly bool) ([]billing.Charge, error) {
	f := bson.D{{Key: "patient_id", Value: patientID}}
	if unbilledOnly {
		f = append(f, bson.E{Key: "unbilled", Value: true})
	}
	return s.findCharges(ctx, "find charges", f, options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: 1}}))
}

func (s *Billing) updateCharge(ctx context.Context, what string, filter, update bson.D) error {
	leave := s.gate.enter()
	defer leave()
	r, err := s.charges.UpdateOne(ctx, filter, update)
	if err != nil {
		return billingErr(what, err)
	}
	if r.MatchedCount == 0 {
		return billing.ErrStale
	}
	return nil
}

// ClaimCharge implements billing.Store.
func (s *Billing) ClaimCharge(ctx context.Context, chargeID, invoiceID string, at time.Time) error {
	return s.updateCharge(ctx, "claim charge", bson.D{{Key: "_id", Value: chargeID}, {Key: "unbilled", Value: true}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "invoice_id", Value: invoiceID}, {Key: "claimed_at", Value: at},
			{Key: "confirmed", Value: false}, {Key: "unbilled", Value: false}}}})
}

// ReleaseCharge implements billing.Store.
func (s *Billing) ReleaseCharge(ctx context.Context, chargeID, invoiceID string) error {
	err := s.updateCharge(ctx, "release charge", bson.D{{Key: "_id", Value: chargeID}, {Key: "invoice_id", Value: invoiceID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "unbilled", Value: true}}},
			{Key: "$unset", Value: bson.D{{Key: "invoice_id", Value: ""}, {Key: "claimed_at", Value: ""}, {Key: "confirmed", Value: ""}}}})
	if errors.Is(err, billing.ErrStale) {
		return nil
	}
	return err
}

// ConfirmClaims implements billing.Store.
func (s *Billing) ConfirmClaims(ctx context.Context, invoiceID string, chargeIDs []string) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.charges.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: chargeIDs}}},
		{Key: "invoice_id", Value: invoiceID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "confirmed", Value: true}}}})
	return billingErr("confirm charges", err)
}

// VoidCharge implements billing.Store.
func (s *Billing) VoidCharge(ctx context.Context, id string, v billing.Void) error {
	reason, err := sealText(s.keys, v.Reason, s.where(id, "void.reason"))
	if err != nil {
		return err
	}
	return s.updateCharge(ctx, "void charge", bson.D{{Key: "_id", Value: id}, {Key: "unbilled", Value: true}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "void", Value: voidDoc{At: v.At, By: v.By, Reason: reason}},
			{Key: "unbilled", Value: false}}}})
}

// ClaimedBefore implements billing.Store.
func (s *Billing) ClaimedBefore(ctx context.Context, t time.Time, limit int) ([]billing.Charge, error) {
	return s.findCharges(ctx, "find unconfirmed claims", bson.D{{Key: "confirmed", Value: false},
		{Key: "claimed_at", Value: bson.D{{Key: "$lt", Value: t}}}}, options.Find().SetLimit(int64(limit)))
}

// --- invoices

type lineDoc struct {
	ChargeID    string     `bson:"charge_id"`
	Kind        string     `bson:"kind"`
	Code        string     `bson:"code"`
	Description seal.Value `bson:"description"`
	Quantity    int        `bson:"quantity"`
	UnitAmount  int64      `bson:"unit_amount"`
	TaxBP       int        `bson:"tax_bp"`
	Net         int64      `bson:"net"`
	Tax         int64      `bson:"tax"`
	Total       int64      `bson:"total"`
}

type invoiceDoc struct {
	ID        string     `bson:"_id"`
	PatientID string     `bson:"patient_id"`
	Status    string     `bson:"status"`
	Currency  string     `bson:"currency"`
	Lines     []lineDoc  `bson:"lines"`
	Net       int64      `bson:"net"`
	Tax       int64      `bson:"tax"`
	Total     int64      `bson:"total"`
	Rev       int        `bson:"rev"`
	ChangedAt time.Time  `bson:"changed_at"`
	CreatedAt time.Time  `bson:"created_at"`
	CreatedBy string     `bson:"created_by"`
	Number    string     `bson:"number,omitempty"`
	Year      int        `bson:"year,omitempty"`
	Seq       int        `bson:"seq,omitempty"`
	IssuedAt  *time.Time `bson:"issued_at,omitempty"`
	IssuedBy  string     `bson:"issued_by,omitempty"`
	// Coverage and the shares are frozen when the invoice is issued; none on a draft, nor on an
	// invoice no policy covered.
	Coverage     *coverageDoc `bson:"coverage,omitempty"`
	InsurerShare int64        `bson:"insurer_share,omitempty"`
	PatientShare int64        `bson:"patient_share,omitempty"`
}

type coverageDoc struct {
	PolicyID   string `bson:"policy_id"`
	PayerID    string `bson:"payer_id"`
	PayerName  string `bson:"payer_name"`
	Plan       string `bson:"plan,omitempty"`
	CoverageBP int    `bson:"coverage_bp"`
	CoPay      int64  `bson:"copay"`
}

func lineWhere(invoiceID, chargeID string) string {
	return fieldWhere(colInvoices, invoiceID, "lines/"+chargeID+"/description")
}

// sealLines stores an invoice's or a credit note's lines, each description sealed where where says.
func (s *Billing) sealLines(lines []billing.Line, where func(chargeID string) string) ([]lineDoc, error) {
	out := make([]lineDoc, 0, len(lines))
	for _, l := range lines {
		desc, err := sealText(s.keys, l.Description, where(l.ChargeID))
		if err != nil {
			return nil, err
		}
		out = append(out, lineDoc{ChargeID: l.ChargeID, Kind: string(l.Kind), Code: l.Code, Description: desc,
			Quantity: l.Quantity, UnitAmount: l.UnitAmount, TaxBP: l.TaxBP, Net: l.Net, Tax: l.Tax, Total: l.Total})
	}
	return out, nil
}

// openLines reads lines stored by sealLines (an empty list, never nil: a draft may have no line).
func (s *Billing) openLines(docs []lineDoc, where func(chargeID string) string) ([]billing.Line, error) {
	out := make([]billing.Line, 0, len(docs))
	for _, l := range docs {
		desc, err := openText(s.keys, l.Description, where(l.ChargeID))
		if err != nil {
			return nil, err
		}
		out = append(out, billing.Line{ChargeID: l.ChargeID, Kind: billing.Kind(l.Kind), Code: l.Code,
			Description: desc, Quantity: l.Quantity, UnitAmount: l.UnitAmount, TaxBP: l.TaxBP, Net: l.Net, Tax: l.Tax, Total: l.Total})
	}
	return out, nil
}

func (s *Billing) invoiceDoc(inv billing.Invoice) (invoiceDoc, error) {
	d := invoiceDoc{ID: inv.ID, PatientID: inv.PatientID, Status: string(inv.Status), Currency: inv.Currency,
		Net: inv.Totals.Net, Tax: inv.Totals.Tax, Total: inv.Totals.Total,
		Rev: inv.Rev, ChangedAt: inv.ChangedAt, CreatedAt: inv.CreatedAt, CreatedBy: inv.CreatedBy, Number: inv.Number,
		Year: inv.Year, Seq: inv.Seq, IssuedAt: inv.IssuedAt, IssuedBy: inv.IssuedBy}
	if c := inv.Coverage; c != nil {
		d.Coverage = &coverageDoc{PolicyID: c.PolicyID, PayerID: c.PayerID, PayerName: c.PayerName, Plan: c.Plan,
			CoverageBP: c.CoverageBP, CoPay: c.CoPay}
		d.InsurerShare, d.PatientShare = inv.InsurerShare, inv.PatientShare
	}
	var err error
	d.Lines, err = s.sealLines(inv.Lines, func(c string) string { return lineWhere(inv.ID, c) })
	return d, err
}

func (s *Billing) invoice(d invoiceDoc) (billing.Invoice, error) {
	inv := billing.Invoice{ID: d.ID, PatientID: d.PatientID, Status: billing.Status(d.Status), Currency: d.Currency,
		Totals: billing.Totals{Net: d.Net, Tax: d.Tax, Total: d.Total},
		Rev:    d.Rev, ChangedAt: d.ChangedAt.UTC(), CreatedAt: d.CreatedAt.UTC(), CreatedBy: d.CreatedBy, Number: d.Number,
		Year: d.Year, Seq: d.Seq, IssuedBy: d.IssuedBy}
	if d.IssuedAt != nil {
		t := d.IssuedAt.UTC()
		inv.IssuedAt = &t
	}
	inv.InsurerShare, inv.PatientShare = 0, d.Total
	if c := d.Coverage; c != nil {
		inv.Coverage = &billing.Coverage{PolicyID: c.PolicyID, PayerID: c.PayerID, PayerName: c.PayerName, Plan: c.Plan,
			CoverageBP: c.CoverageBP, CoPay: c.CoPay}
		inv.InsurerShare, inv.PatientShare = d.InsurerShare, d.PatientShare
	}
	lines, err := s.openLines(d.Lines, func(c string) string { return lineWhere(d.ID, c) })
	if err != nil {
		return billing.Invoice{}, err
	}
	inv.Lines = lines
	return inv, nil
}

// InsertInvoice implements billing.Store.
func (s *Billing) InsertInvoice(ctx context.Context, inv billing.Invoice) error {
	d, err := s.invoiceDoc(inv)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.invoices.InsertOne(ctx, d)
	return billingErr("insert invoice", err)
}

// Invoice implements billing.Store.
func (s *Billing) Invoice(ctx context.Context, id string) (billing.Invoice, error) {
	invs, err := findAllOpen(ctx, s.invoices, "find invoice", bson.D{{Key: "_id", Value: id}}, nil, s.invoice)
	if err != nil {
		return billing.Invoice{}, err
	}
	if len(invs) == 0 {
		return billing.Invoice{}, billing.ErrNotFound
	}
	return invs[0], nil
}

// Invoices implements billing.Store.
func (s *Billing) Invoices(ctx context.Context, patientID string, status billing.Status, skip, limit int) ([]billing.Invoice, int, error) {
	f := bson.D{}
	if patientID != "" {
		f = append(f, bson.E{Key: "patient_id", Value: patientID})
	}
	if status != "" {
		f = append(f, bson.E{Key: "status", Value: string(status)})
	}
	if patientID != "" {
		return s.patientInvoices(ctx, f, skip, limit)
	}
	var total int64
	err := retryRead(ctx, func() (err error) {
		total, err = s.invoices.CountDocuments(ctx, f)
		return err
	})
	if err != nil {
		return nil, 0, wrap("count invoices", err)
	}
	invs, err := findAllOpen(ctx, s.invoices, "find invoices", f, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetSkip(int64(skip)).SetLimit(int64(limit)), s.invoice)
	return invs, int(total), err
}

// patientInvoices is Invoices for one patient's account: all of them read in one query, then sorted,
// counted and paged here, and only the page's lines opened. The embedded FerretDB sorts nothing in the
// database and counts by reading every match, so a sorted page and a count read and decoded each of the
// patient's invoices twice there; one read is enough, and a patient's invoices are a bounded few.
func (s *Billing) patientInvoices(ctx context.Context, filter bson.D, skip, limit int) ([]billing.Invoice, int, error) {
	docs, err := findAll(ctx, s.invoices, "find invoices", filter, nil, func(d invoiceDoc) invoiceDoc { return d })
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(docs, func(a, b invoiceDoc) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	from, to := min(max(skip, 0), len(docs)), len(docs)
	if limit > 0 {
		to = min(from+limit, len(docs))
	}
	invs := make([]billing.Invoice, 0, to-from)
	for _, d := range docs[from:to] {
		inv, err := s.invoice(d)
		if err != nil {
			return nil, 0, err
		}
		invs = append(invs, inv)
	}
	return invs, len(docs), nil
}

// UpdateInvoice implements billing.Store.
func (s *Billing) UpdateInvoice(ctx context.Context, inv billing.Invoice, from billing.Status, rev int) error {
	d, err := s.invoiceDoc(inv)
	if err != nil {
		return err
	}
	return s.replaceIf(ctx, s.invoices, "update invoice", bson.D{{Key: "_id", Value: inv.ID},
		{Key: "status", Value: string(from)}, {Key: "rev", Value: rev}}, d)
}

// replaceIf replaces the document filter matches with d; billing.ErrStale when none does (it changed
// meanwhile).
func (s *Billing) replaceIf(ctx context.Context, col *mongo.Collection, what string, filter bson.D, d any) error {
	leave := s.gate.enter()
	defer leave()
	r, err := col.ReplaceOne(ctx, filter, d)
	if err != nil {
		return billingErr(what, err)
	}
	if r.MatchedCount == 0 {
		return billing.ErrStale
	}
	return nil
}

// InvoicesIn implements billing.Store.
func (s *Billing) InvoicesIn(ctx context.Context, status billing.Status, before time.Time, limit int) ([]billing.Invoice, error) {
	return findAllOpen(ctx, s.invoices, "find invoices by status", bson.D{{Key: "status", Value: string(status)},
		{Key: "changed_at", Value: bson.D{{Key: "$lt", Value: before}}}}, options.Find().SetLimit(int64(limit)), s.invoice)
}

// --- numbers

// numberDoc is a claimed number: _id is year#seq, and a document (an invoice, a credit note, a
// payment) has one number of its series. The document's field keeps its first name, invoice_id, in
// every series.
type numberDoc struct {
	ID         string    `bson:"_id"`
	Year       int       `bson:"year"`
	Seq        int       `bson:"seq"`
	DocumentID string    `bson:"invoice_id"`
	At         time.Time `bson:"at"`
}

func (d numberDoc) claim() billing.NumberClaim {
	return billing.NumberClaim{Year: d.Year, Seq: d.Seq, DocumentID: d.DocumentID, At: d.At.UTC()}
}

func (s *Billing) series(series billing.Series) (*mongo.Collection, error) {
	col := s.numbers[series]
	if col == nil {
		return nil, fmt.Errorf("billing: no numbering series %q", series)
	}
	return col, nil
}

// NumberAt implements billing.Store: one look-up by _id, which FerretDB's SQLite backend answers
// without scanning the collection.
func (s *Billing) NumberAt(ctx context.Context, series billing.Series, year, seq int) (billing.NumberClaim, error) {
	col, err := s.series(series)
	if err != nil {
		return billing.NumberClaim{}, err
	}
	cs, err := findAll(ctx, col, "find a number", bson.D{{Key: "_id", Value: numberID(year, seq)}}, nil, numberDoc.claim)
	if err != nil {
		return billing.NumberClaim{}, err
	}
	if len(cs) == 0 {
		return billing.NumberClaim{}, billing.ErrNotFound
	}
	return cs[0], nil
}

func numberID(year, seq int) string { return itoa8(year) + "#" + itoa8(seq) }

// ClaimNumber implements billing.Store.
func (s *Billing) ClaimNumber(ctx context.Context, series billing.Series, c billing.NumberClaim) error {
	col, err := s.series(series)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = col.InsertOne(ctx, numberDoc{ID: numberID(c.Year, c.Seq), Year: c.Year, Seq: c.Seq,
		DocumentID: c.DocumentID, At: c.At})
	return billingErr("claim a number", err)
}

// NumberOf implements billing.Store.
func (s *Billing) NumberOf(ctx context.Context, series billing.Series, documentID string) (billing.NumberClaim, error) {
	col, err := s.series(series)
	if err != nil {
		return billing.NumberClaim{}, err
	}
	cs, err := findAll(ctx, col, "find a document's number", bson.D{{Key: "invoice_id", Value: documentID}}, nil, numberDoc.claim)
	if err != nil {
		return billing.NumberClaim{}, err
	}
	if len(cs) == 0 {
		return billing.NumberClaim{}, billing.ErrNotFound
	}
	return cs[0], nil
}

// itoa8 writes n with at least eight digits, so ids sort as numbers.
func itoa8(n int) string { return fmt.Sprintf("%08d", n) }

package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/billing"
	"hms/server/internal/seal"
)

// Insurance's collections: payers (unique by code), patients' policies (the member id sealed), claims
// (one per invoice: unique invoice_id) and their status changes, each an insert under _id claim#seq,
// so that of two moves from one revision one is stored (like the payments ledger). A claim's status
// and rev are also recorded on the claim, after its event, for the board to select by: a conditional
// update that only moves forward (rev < seq); an event whose status a crash left unrecorded is found by
// applied = false and recorded by billing's Recover. A denial's reason is sealed.
const (
	colPayers      = "billing_payers"
	colPolicies    = "billing_policies"
	colClaims      = "billing_claims"
	colClaimEvents = "billing_claim_events"
)

var insuranceIndexes = indexSet{
	colPayers: {
		{Keys: bson.D{{Key: "code", Value: 1}}, Options: options.Index().SetUnique(true).SetName("code_unique")},
	},
	colPolicies: {
		{Keys: bson.D{{Key: "patient_id", Value: 1}}, Options: options.Index().SetName("patient")},
	},
	colClaims: {
		{Keys: bson.D{{Key: "invoice_id", Value: 1}}, Options: options.Index().SetUnique(true).SetName("invoice_unique")},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("status_created")},
		{Keys: bson.D{{Key: "patient_id", Value: 1}}, Options: options.Index().SetName("patient")},
		{Keys: bson.D{{Key: "payer_id", Value: 1}}, Options: options.Index().SetName("payer")},
	},
	colClaimEvents: {
		{Keys: bson.D{{Key: "claim_id", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetName("claim_seq")},
		{Keys: bson.D{{Key: "applied", Value: 1}, {Key: "at", Value: 1}}, Options: options.Index().SetName("applied_at")},
	},
}

// --- payers

type payerDoc struct {
	ID        string    `bson:"_id"`
	Code      string    `bson:"code"`
	Name      string    `bson:"name"`
	Contact   string    `bson:"contact,omitempty"`
	Retired   bool      `bson:"retired,omitempty"`
	Rev       int       `bson:"rev"`
	ChangedAt time.Time `bson:"changed_at"`
	ChangedBy string    `bson:"changed_by"`
}

func toPayerDoc(p billing.Payer) payerDoc {
	return payerDoc{ID: p.ID, Code: p.Code, Name: p.Name, Contact: p.Contact, Retired: p.Retired, Rev: p.Rev,
		ChangedAt: p.ChangedAt, ChangedBy: p.ChangedBy}
}

func (d payerDoc) payer() billing.Payer {
	return billing.Payer{ID: d.ID, Code: d.Code, Name: d.Name, Contact: d.Contact, Retired: d.Retired, Rev: d.Rev,
		ChangedAt: d.ChangedAt.UTC(), ChangedBy: d.ChangedBy}
}

// InsertPayer implements billing.Store.
func (s *Billing) InsertPayer(ctx context.Context, p billing.Payer) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.payers.InsertOne(ctx, toPayerDoc(p))
	return billingErr("insert payer", err)
}

// UpdatePayer implements billing.Store.
func (s *Billing) UpdatePayer(ctx context.Context, p billing.Payer, rev int) error {
	return s.replaceIf(ctx, s.payers, "update payer", bson.D{{Key: "_id", Value: p.ID}, {Key: "rev", Value: rev}}, toPayerDoc(p))
}

// Payer implements billing.Store.
func (s *Billing) Payer(ctx context.Context, id string) (billing.Payer, error) {
	ps, err := findAll(ctx, s.payers, "find payer", bson.D{{Key: "_id", Value: id}}, nil, payerDoc.payer)
	if err != nil {
		return billing.Payer{}, err
	}
	if len(ps) == 0 {
		return billing.Payer{}, billing.ErrNotFound
	}
	return ps[0], nil
}

// Payers implements billing.Store.
func (s *Billing) Payers(ctx context.Context) ([]billing.Payer, error) {
	return findAll(ctx, s.payers, "find payers", bson.D{}, nil, payerDoc.payer)
}

// --- policies

type endedDoc struct {
	At time.Time `bson:"at"`
	By string    `bson:"by"`
}

type policyDoc struct {
	ID         string     `bson:"_id"`
	PatientID  string     `bson:"patient_id"`
	PayerID    string     `bson:"payer_id"`
	MemberID   seal.Value `bson:"member_id"`
	Plan       string     `bson:"plan,omitempty"`
	CoverageBP int        `bson:"coverage_bp"`
	CoPay      int64      `bson:"copay"`
	ValidFrom  string     `bson:"valid_from"`
	ValidTo    string     `bson:"valid_to,omitempty"`
	CreatedAt  time.Time  `bson:"created_at"`
	CreatedBy  string     `bson:"created_by"`
	// Ended is null while the policy runs: ending it is conditional on that.
	Ended *endedDoc `bson:"ended"`
}

func policyWhere(id string) string { return fieldWhere(colPolicies, id, "member_id") }

// InsertPolicy implements billing.Store.
func (s *Billing) InsertPolicy(ctx context.Context, p billing.Policy) error {
	member, err := sealText(s.keys, p.MemberID, policyWhere(p.ID))
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.policies.InsertOne(ctx, policyDoc{ID: p.ID, PatientID: p.PatientID, PayerID: p.PayerID, MemberID: member,
		Plan: p.Plan, CoverageBP: p.CoverageBP, CoPay: p.CoPay, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo,
		CreatedAt: p.CreatedAt, CreatedBy: p.CreatedBy})
	return billingErr("insert policy", err)
}

func (s *Billing) policy(d policyDoc) (billing.Policy, error) {
	member, err := openText(s.keys, d.MemberID, policyWhere(d.ID))
	if err != nil {
		return billing.Policy{}, err
	}
	p := billing.Policy{ID: d.ID, PatientID: d.PatientID, PayerID: d.PayerID, MemberID: member, Plan: d.Plan,
		CoverageBP: d.CoverageBP, CoPay: d.CoPay, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, CreatedAt: d.CreatedAt.UTC(),
		CreatedBy: d.CreatedBy}
	if d.Ended != nil {
		p.Ended = &billing.Ended{At: d.Ended.At.UTC(), By: d.Ended.By}
	}
	return p, nil
}

// Policy implements billing.Store.
func (s *Billing) Policy(ctx context.Context, id string) (billing.Policy, error) {
	ps, err := findAllOpen(ctx, s.policies, "find policy", bson.D{{Key: "_id", Value: id}}, nil, s.policy)
	if err != nil {
		return billing.Policy{}, err
	}
	if len(ps) == 0 {
		return billing.Policy{}, billing.ErrNotFound
	}
	return ps[0], nil
}

// Policies implements billing.Store.
func (s *Billing) Policies(ctx context.Context, patientID string) ([]billing.Policy, error) {
	return findAllOpen(ctx, s.policies, "find policies", bson.D{{Key: "patient_id", Value: patientID}}, nil, s.policy)
}

// EndPolicy implements billing.Store.
func (s *Billing) EndPolicy(ctx context.Context, id, validTo string, e billing.Ended) error {
	leave := s.gate.enter()
	defer leave()
	r, err := s.policies.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "ended", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "valid_to", Value: validTo}, {Key: "ended", Value: endedDoc{At: e.At, By: e.By}}}}})
	if err != nil {
		return billingErr("end policy", err)
	}
	if r.MatchedCount == 0 {
		return billing.ErrStale
	}
	return nil
}

// --- claims

type insuranceClaimDoc struct {
	ID            string    `bson:"_id"`
	InvoiceID     string    `bson:"invoice_id"`
	InvoiceNumber string    `bson:"invoice_number"`
	PatientID     string    `bson:"patient_id"`
	PayerID       string    `bson:"payer_id"`
	PayerName     string    `bson:"payer_name"`
	PolicyID      string    `bson:"policy_id"`
	Plan          string    `bson:"plan,omitempty"`
	Currency      string    `bson:"currency"`
	Amount        int64     `bson:"amount"`
	CreatedAt     time.Time `bson:"created_at"`
	CreatedBy     string    `bson:"created_by"`
	// Status and Rev are the last status recorded, for the board to select by; the events decide.
	Status    string    `bson:"status"`
	Rev       int       `bson:"rev"`
	ChangedAt time.Time `bson:"changed_at"`
}

func (d insuranceClaimDoc) claim() billing.Claim {
	return billing.Claim{ID: d.ID, InvoiceID: d.InvoiceID, InvoiceNumber: d.InvoiceNumber, PatientID: d.PatientID,
		PayerID: d.PayerID, PayerName: d.PayerName, PolicyID: d.PolicyID, Plan: d.Plan, Currency: d.Currency, Amount: d.Amount,
		CreatedAt: d.CreatedAt.UTC(), CreatedBy: d.CreatedBy, Status: billing.ClaimStatus(d.Status), Rev: d.Rev,
		ChangedAt: d.ChangedAt.UTC()}
}

// InsertClaim implements billing.Store.
func (s *Billing) InsertClaim(ctx context.Context, c billing.Claim) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.claims.InsertOne(ctx, insuranceClaimDoc{ID: c.ID, InvoiceID: c.InvoiceID, InvoiceNumber: c.InvoiceNumber,
		PatientID: c.PatientID, PayerID: c.PayerID, PayerName: c.PayerName, PolicyID: c.PolicyID, Plan: c.Plan,
		Currency: c.Currency, Amount: c.Amount, CreatedAt: c.CreatedAt, CreatedBy: c.CreatedBy, Status: string(c.Status),
		Rev: c.Rev, ChangedAt: c.ChangedAt})
	return billingErr("insert claim", err)
}

// Claim implements billing.Store.
func (s *Billing) Claim(ctx context.Context, id string) (billing.Claim, error) {
	cs, err := findAll(ctx, s.claims, "find claim", bson.D{{Key: "_id", Value: id}}, nil, insuranceClaimDoc.claim)
	if err != nil {
		return billing.Claim{}, err
	}
	if len(cs) == 0 {
		return billing.Claim{}, billing.ErrNotFound
	}
	return cs[0], nil
}

// Claims implements billing.Store.
func (s *Billing) Claims(ctx context.Context, f billing.ClaimFilter) ([]billing.Claim, error) {
	q := bson.D{}
	if f.PatientID != "" {
		q = append(q, bson.E{Key: "patient_id", Value: f.PatientID})
	}
	if f.PayerID != "" {
		q = append(q, bson.E{Key: "payer_id", Value: f.PayerID})
	}
	if f.Status != "" {
		q = append(q, bson.E{Key: "status", Value: string(f.Status)})
	}
	if len(f.InvoiceIDs) > 0 {
		q = append(q, bson.E{Key: "invoice_id", Value: bson.D{{Key: "$in", Value: f.InvoiceIDs}}})
	}
	return findAll(ctx, s.claims, "find claims", q,
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}), insuranceClaimDoc.claim)
}

type claimEventDoc struct {
	ID        string      `bson:"_id"`
	ClaimID   string      `bson:"claim_id"`
	InvoiceID string      `bson:"invoice_id"`
	Seq       int         `bson:"seq"`
	Status    string      `bson:"status"`
	Approved  int64       `bson:"approved_amount,omitempty"`
	Paid      int64       `bson:"paid_amount,omitempty"`
	Reason    *seal.Value `bson:"reason,omitempty"`
	By        string      `bson:"by"`
	At        time.Time   `bson:"at"`
	// Applied is false until the event's status is recorded on its claim.
	Applied bool `bson:"applied"`
}

func claimEventID(claimID string, seq int) string { return claimID + "#" + itoa8(seq) }

func claimEventWhere(id string) string { return fieldWhere(colClaimEvents, id, "reason") }

// InsertClaimEvent implements billing.Store.
func (s *Billing) InsertClaimEvent(ctx context.Context, e billing.ClaimEvent) error {
	id := claimEventID(e.ClaimID, e.Seq)
	reason, err := s.sealOptional(e.Reason, claimEventWhere(id))
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = s.claimEvents.InsertOne(ctx, claimEventDoc{ID: id, ClaimID: e.ClaimID, InvoiceID: e.InvoiceID, Seq: e.Seq,
		Status: string(e.Status), Approved: e.ApprovedAmount, Paid: e.PaidAmount, Reason: reason, By: e.By, At: e.At})
	return billingErr("insert claim event", err)
}

func (s *Billing) claimEvent(d claimEventDoc) (billing.ClaimEvent, error) {
	reason, err := s.openOptional(d.Reason, claimEventWhere(d.ID))
	if err != nil {
		return billing.ClaimEvent{}, err
	}
	return billing.ClaimEvent{ClaimID: d.ClaimID, InvoiceID: d.InvoiceID, Seq: d.Seq, Status: billing.ClaimStatus(d.Status),
		ApprovedAmount: d.Approved, PaidAmount: d.Paid, Reason: reason, By: d.By, At: d.At.UTC()}, nil
}

// ClaimEvents implements billing.Store.
func (s *Billing) ClaimEvents(ctx context.Context, claimIDs ...string) ([]billing.ClaimEvent, error) {
	if len(claimIDs) == 0 {
		return nil, nil
	}
	f := bson.D{{Key: "claim_id", Value: claimIDs[0]}}
	if len(claimIDs) > 1 {
		f = bson.D{{Key: "claim_id", Value: bson.D{{Key: "$in", Value: claimIDs}}}}
	}
	return findAllOpen(ctx, s.claimEvents, "find claim events", f,
		options.Find().SetSort(bson.D{{Key: "claim_id", Value: 1}, {Key: "seq", Value: 1}}), s.claimEvent)
}

// ApplyClaimEvent implements billing.Store.
func (s *Billing) ApplyClaimEvent(ctx context.Context, e billing.ClaimEvent) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.claims.UpdateOne(ctx, bson.D{{Key: "_id", Value: e.ClaimID}, {Key: "rev", Value: bson.D{{Key: "$lt", Value: e.Seq}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(e.Status)}, {Key: "rev", Value: e.Seq},
			{Key: "changed_at", Value: e.At}}}})
	if err != nil {
		return billingErr("record claim status", err)
	}
	_, err = s.claimEvents.UpdateOne(ctx, bson.D{{Key: "_id", Value: claimEventID(e.ClaimID, e.Seq)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}})
	return billingErr("mark claim event recorded", err)
}

// UnappliedClaimEvents implements billing.Store.
func (s *Billing) UnappliedClaimEvents(ctx context.Context, before time.Time, limit int) ([]billing.ClaimEvent, error) {
	return findAllOpen(ctx, s.claimEvents, "find unrecorded claim events", bson.D{{Key: "applied", Value: false},
		{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}}, options.Find().SetLimit(int64(limit)), s.claimEvent)
}

// claimCollections are the insurance collections of the billing store.
func claimCollections(db *DB) (payers, policies, claims, events *mongo.Collection) {
	return db.Collection(colPayers), db.Collection(colPolicies), db.Collection(colClaims), db.Collection(colClaimEvents)
}

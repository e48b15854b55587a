package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/seal"
	"hms/server/internal/ward"
	"hms/shared"
)

var _ ward.Store = (*Wards)(nil)

// Collections of the ward domain.
const (
	colWards          = "wards"
	colBeds           = "beds"
	colBedClaims      = "bed_claims"
	colStayClaims     = "stay_claims"
	colAdmissions     = "admissions"
	colAdmissionSteps = "admission_steps"
)

var wardIndexes = indexSet{
	colBeds: {
		{Keys: bson.D{{Key: "ward_id", Value: 1}, {Key: "label", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("ward_label_unique")},
	},
	// A claim's _id is key#n, which already makes it exclusive; the {key, n} index says so again for
	// readers and serves "the newest claim of key".
	colBedClaims:  {claimIndex},
	colStayClaims: {claimIndex},
	colAdmissions: {
		{Keys: bson.D{{Key: "patient_id", Value: 1}}, Options: options.Index().SetName("patient")},
		{Keys: bson.D{{Key: "ward_id", Value: 1}, {Key: "status", Value: 1}}, Options: options.Index().SetName("ward_status")},
		{Keys: bson.D{{Key: "doctor_id", Value: 1}}, Options: options.Index().SetName("doctor")},
	},
	colAdmissionSteps: {
		{Keys: bson.D{{Key: "admission_id", Value: 1}, {Key: "step", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("admission_step_unique")},
	},
}

var claimIndex = mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}, {Key: "n", Value: 1}},
	Options: options.Index().SetUnique(true).SetName("key_n_unique")}

// Wards stores wards, beds, the bed and patient claim chains, and admissions with their steps. An
// admission's reason and discharge summary are sealed (docs/security.md row 30) in the admission and in
// each of its steps, bound to the admission ("admissions/<id>/<field>").
type Wards struct {
	gate                                           *gate
	wards, beds, bedClaims, stayClaims, adm, steps *mongo.Collection
	keys                                           *seal.Keyring
}

// NewWards returns the ward store on db, sealing with keys.
func NewWards(db *DB, keys *seal.Keyring) *Wards {
	return &Wards{gate: db.gate, wards: db.Collection(colWards), beds: db.Collection(colBeds),
		bedClaims: db.Collection(colBedClaims), stayClaims: db.Collection(colStayClaims),
		adm: db.Collection(colAdmissions), steps: db.Collection(colAdmissionSteps), keys: keys}
}

type wardDoc struct {
	ID         string    `bson:"_id"`
	Name       string    `bson:"name"`
	Department string    `bson:"department"`
	CreatedAt  time.Time `bson:"created_at"`
}

type bedDoc struct {
	ID        string    `bson:"_id"`
	WardID    string    `bson:"ward_id"`
	Label     string    `bson:"label"`
	CreatedAt time.Time `bson:"created_at"`
}

type occupancyDoc struct {
	ID          string    `bson:"_id"` // key#n, n zero-padded
	Key         string    `bson:"key"`
	N           int       `bson:"n"`
	Op          string    `bson:"op"` // "hold" or "release"
	AdmissionID string    `bson:"admission_id"`
	At          time.Time `bson:"at"`
}

// admissionDoc is an admission as stored; the sealed fields are sub-documents (seal.Value), absent
// when empty (no discharge summary yet).
type admissionDoc struct {
	ID               string      `bson:"_id"`
	PatientID        string      `bson:"patient_id"`
	WardID           string      `bson:"ward_id"`
	BedID            string      `bson:"bed_id"`
	BedLabel         string      `bson:"bed_label"`
	DoctorID         string      `bson:"doctor_id"`
	Source           string      `bson:"source"`
	AppointmentID    string      `bson:"appointment_id,omitempty"`
	Reason           *seal.Value `bson:"reason,omitempty"`
	Status           string      `bson:"status"`
	AdmittedAt       time.Time   `bson:"admitted_at"`
	AdmittedBy       string      `bson:"admitted_by"`
	DischargedAt     time.Time   `bson:"discharged_at,omitempty"`
	DischargeSummary *seal.Value `bson:"discharge_summary,omitempty"`
	Disposition      string      `bson:"disposition,omitempty"`
	BedClaim         int         `bson:"bed_claim"`
	PatientClaim     int         `bson:"patient_claim"`
	Step             int         `bson:"step"`
}

type admissionStepDoc struct {
	ID          string       `bson:"_id"` // admission id#step, zero-padded
	AdmissionID string       `bson:"admission_id"`
	Step        int          `bson:"step"`
	Action      string       `bson:"action"`
	At          time.Time    `bson:"at"`
	By          string       `bson:"by"`
	Role        string       `bson:"role"`
	State       admissionDoc `bson:"state"`
}

// The sealed fields of an admission, where they sit in an admission and in a step.
var admissionSealed = []string{"reason", "discharge_summary"}

func admissionWhere(id, field string) string { return fieldWhere(colAdmissions, id, field) }

func (s *Wards) sealText(id, field, text string) (*seal.Value, error) {
	if text == "" {
		return nil, nil
	}
	v, err := sealText(s.keys, text, admissionWhere(id, field))
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (s *Wards) openText(id, field string, v *seal.Value) (string, error) {
	if v == nil {
		return "", nil
	}
	return openText(s.keys, *v, admissionWhere(id, field))
}

func (s *Wards) toDoc(r ward.Record) (admissionDoc, error) {
	reason, err := s.sealText(r.ID, "reason", r.Reason)
	if err != nil {
		return admissionDoc{}, err
	}
	summary, err := s.sealText(r.ID, "discharge_summary", r.DischargeSummary)
	if err != nil {
		return admissionDoc{}, err
	}
	return admissionDoc{ID: r.ID, PatientID: r.PatientID, WardID: r.WardID, BedID: r.BedID, BedLabel: r.BedLabel,
		DoctorID: r.DoctorID, Source: r.Source, AppointmentID: r.AppointmentID, Reason: reason, Status: r.Status,
		AdmittedAt: r.AdmittedAt, AdmittedBy: r.AdmittedBy, DischargedAt: r.DischargedAt, DischargeSummary: summary,
		Disposition: r.Disposition, BedClaim: r.BedClaim, PatientClaim: r.PatientClaim, Step: r.Step}, nil
}

func (s *Wards) fromDoc(d admissionDoc) (ward.Record, error) {
	reason, err := s.openText(d.ID, "reason", d.Reason)
	if err != nil {
		return ward.Record{}, err
	}
	summary, err := s.openText(d.ID, "discharge_summary", d.DischargeSummary)
	if err != nil {
		return ward.Record{}, err
	}
	return ward.Record{ID: d.ID, PatientID: d.PatientID, WardID: d.WardID, BedID: d.BedID, BedLabel: d.BedLabel,
		DoctorID: d.DoctorID, Source: d.Source, AppointmentID: d.AppointmentID, Reason: reason, Status: d.Status,
		AdmittedAt: utc(d.AdmittedAt), AdmittedBy: d.AdmittedBy, DischargedAt: utc(d.DischargedAt),
		DischargeSummary: summary, Disposition: d.Disposition, BedClaim: d.BedClaim, PatientClaim: d.PatientClaim,
		Step: d.Step}, nil
}

// InsertWard implements ward.Store.
func (s *Wards) InsertWard(ctx context.Context, w ward.WardRecord) error {
	leave := s.gate.enter()
	_, err := s.wards.InsertOne(ctx, wardDoc{ID: w.ID, Name: w.Name, Department: w.Department, CreatedAt: w.CreatedAt})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return ward.ErrWardExists
	}
	return wrap("insert ward", err)
}

func (d wardDoc) record() ward.WardRecord {
	return ward.WardRecord{ID: d.ID, Name: d.Name, Department: d.Department, CreatedAt: utc(d.CreatedAt)}
}

// Ward implements ward.Store.
func (s *Wards) Ward(ctx context.Context, id string) (ward.WardRecord, error) {
	d, err := findOne[wardDoc](ctx, s.wards, "find ward", bson.D{{Key: "_id", Value: id}}, ward.ErrWardNotFound)
	return d.record(), err
}

// Wards implements ward.Store.
func (s *Wards) Wards(ctx context.Context) ([]ward.WardRecord, error) {
	return findAll(ctx, s.wards, "find wards", bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), wardDoc.record)
}

// InsertBed implements ward.Store.
func (s *Wards) InsertBed(ctx context.Context, b ward.BedRecord) error {
	leave := s.gate.enter()
	_, err := s.beds.InsertOne(ctx, bedDoc{ID: b.ID, WardID: b.WardID, Label: b.Label, CreatedAt: b.CreatedAt})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return ward.ErrBedExists
	}
	return wrap("insert bed", err)
}

func (d bedDoc) record() ward.BedRecord {
	return ward.BedRecord{ID: d.ID, WardID: d.WardID, Label: d.Label, CreatedAt: utc(d.CreatedAt)}
}

// Bed implements ward.Store.
func (s *Wards) Bed(ctx context.Context, id string) (ward.BedRecord, error) {
	d, err := findOne[bedDoc](ctx, s.beds, "find bed", bson.D{{Key: "_id", Value: id}}, ward.ErrBedNotFound)
	return d.record(), err
}

// Beds implements ward.Store.
func (s *Wards) Beds(ctx context.Context, wardID string) ([]ward.BedRecord, error) {
	q := bson.D{}
	if wardID != "" {
		q = bson.D{{Key: "ward_id", Value: wardID}}
	}
	return findAll(ctx, s.beds, "find beds", q,
		options.Find().SetSort(bson.D{{Key: "ward_id", Value: 1}, {Key: "label", Value: 1}}), bedDoc.record)
}

func (s *Wards) claims(c ward.Chain) *mongo.Collection {
	if c == ward.BedChain {
		return s.bedClaims
	}
	return s.stayClaims
}

// LastClaim implements ward.Store.
func (s *Wards) LastClaim(ctx context.Context, chain ward.Chain, key string) (ward.Claim, error) {
	d, err := findOne[occupancyDoc](ctx, s.claims(chain), "find claim", bson.D{{Key: "key", Value: key}}, errNoDocument,
		options.FindOne().SetSort(bson.D{{Key: "n", Value: -1}}))
	if errors.Is(err, errNoDocument) {
		return ward.Claim{Chain: chain, Key: key}, nil
	}
	if err != nil {
		return ward.Claim{}, err
	}
	return ward.Claim{Chain: chain, Key: d.Key, N: d.N, Hold: d.Op == "hold", AdmissionID: d.AdmissionID, At: utc(d.At)}, nil
}

// InsertClaim implements ward.Store.
func (s *Wards) InsertClaim(ctx context.Context, c ward.Claim) error {
	op := "release"
	if c.Hold {
		op = "hold"
	}
	leave := s.gate.enter()
	_, err := s.claims(c.Chain).InsertOne(ctx, occupancyDoc{ID: fmt.Sprintf("%s#%08d", c.Key, c.N), Key: c.Key, N: c.N,
		Op: op, AdmissionID: c.AdmissionID, At: c.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return ward.ErrClaimTaken
	}
	return wrap("insert claim", err)
}

func admissionStepID(id string, n int) string { return fmt.Sprintf("%s#%06d", id, n) }

// InsertAdmission implements ward.Store: the first step, then the admission.
func (s *Wards) InsertAdmission(ctx context.Context, r ward.Record, first ward.Step) error {
	if err := s.InsertStep(ctx, first); err != nil {
		return err
	}
	d, err := s.toDoc(r)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.adm.InsertOne(ctx, d)
	leave()
	return wrap("insert admission", err)
}

// InsertStep implements ward.Store.
func (s *Wards) InsertStep(ctx context.Context, st ward.Step) error {
	state, err := s.toDoc(st.State)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.steps.InsertOne(ctx, admissionStepDoc{ID: admissionStepID(st.AdmissionID, st.Step), AdmissionID: st.AdmissionID,
		Step: st.Step, Action: st.Action, At: st.At, By: st.By, Role: string(st.Role), State: state})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return ward.ErrStepTaken
	}
	return wrap("insert admission step", err)
}

// SetState implements ward.Store. The filter on step keeps an older state from overwriting a newer one.
func (s *Wards) SetState(ctx context.Context, r ward.Record) error {
	d, err := s.toDoc(r)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.adm.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}, {Key: "step", Value: bson.D{{Key: "$lt", Value: r.Step}}}}, d)
	leave()
	return wrap("update admission", err)
}

// Admission implements ward.Store.
func (s *Wards) Admission(ctx context.Context, id string) (ward.Record, error) {
	d, err := findOne[admissionDoc](ctx, s.adm, "find admission", bson.D{{Key: "_id", Value: id}}, ward.ErrNotFound)
	if err != nil {
		return ward.Record{}, err
	}
	return s.fromDoc(d)
}

func (s *Wards) step(d admissionStepDoc) (ward.Step, error) {
	state, err := s.fromDoc(d.State)
	return ward.Step{AdmissionID: d.AdmissionID, Step: d.Step, Action: d.Action, At: utc(d.At), By: d.By,
		Role: shared.Role(d.Role), State: state}, err
}

// Steps implements ward.Store, reading each step by its _id.
func (s *Wards) Steps(ctx context.Context, id string, n int) ([]ward.Step, error) {
	out := make([]ward.Step, 0, n)
	for i := 1; i <= n; i++ {
		d, err := findOne[admissionStepDoc](ctx, s.steps, "find admission step", bson.D{{Key: "_id", Value: admissionStepID(id, i)}}, errNoDocument)
		if errors.Is(err, errNoDocument) {
			continue
		}
		if err != nil {
			return nil, err
		}
		st, err := s.step(d)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// StepsAfter implements ward.Store.
func (s *Wards) StepsAfter(ctx context.Context, id string, n int) ([]ward.Step, error) {
	var out []ward.Step
	for i := n + 1; ; i++ {
		d, err := findOne[admissionStepDoc](ctx, s.steps, "find admission step", bson.D{{Key: "_id", Value: admissionStepID(id, i)}}, errNoDocument)
		if errors.Is(err, errNoDocument) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		st, err := s.step(d)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
}

// Admissions implements ward.Store.
func (s *Wards) Admissions(ctx context.Context, f ward.Filter) ([]ward.Record, error) {
	q := bson.D{}
	if f.PatientID != "" {
		q = append(q, bson.E{Key: "patient_id", Value: f.PatientID})
	}
	if f.WardID != "" {
		q = append(q, bson.E{Key: "ward_id", Value: f.WardID})
	}
	if f.DoctorID != "" {
		q = append(q, bson.E{Key: "doctor_id", Value: f.DoctorID})
	}
	if f.ActiveOnly {
		q = append(q, bson.E{Key: "status", Value: shared.AdmissionActive})
	}
	docs, err := findAll(ctx, s.adm, "find admissions", q,
		options.Find().SetSort(bson.D{{Key: "admitted_at", Value: -1}, {Key: "_id", Value: 1}}), func(d admissionDoc) admissionDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]ward.Record, 0, len(docs))
	for _, d := range docs {
		r, err := s.fromDoc(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Rekey seals again, under the active key, every sealed field of admissions and their steps that is
// sealed under another key. A value is replaced only if it is still the one read.
func (s *Wards) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	total := 0
	for _, c := range []struct {
		name   string
		col    *mongo.Collection
		prefix []string // path to the admission inside the document
	}{{colAdmissions, s.adm, nil}, {colAdmissionSteps, s.steps, []string{"state"}}} {
		n, err := s.rekeyCollection(ctx, c.name, c.col, c.prefix, progress)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (s *Wards) rekeyCollection(ctx context.Context, name string, col *mongo.Collection, prefix []string,
	progress func(collection string, scanned, resealed int)) (int, error) {
	cur, err := col.Find(ctx, bson.D{})
	if err != nil {
		return 0, wrap("rekey: read "+name, err)
	}
	defer func() { _ = cur.Close(ctx) }()
	scanned, resealed := 0, 0
	for cur.Next(ctx) {
		scanned++
		doc := cur.Current
		id, _ := doc.Lookup(append(append([]string{}, prefix...), "_id")...).StringValueOK()
		for _, field := range admissionSealed {
			path := append(append([]string{}, prefix...), field)
			raw, err := doc.LookupErr(path...)
			if err != nil || raw.Type != bson.TypeEmbeddedDocument {
				continue
			}
			var v seal.Value
			if err := raw.Unmarshal(&v); err != nil {
				return resealed, fmt.Errorf("rekey: read sealed %s of %s: %w", field, id, err)
			}
			if v.Key == s.keys.Active() {
				continue
			}
			text, err := s.openText(id, field, &v)
			if err != nil {
				return resealed, err
			}
			sealed, err := s.sealText(id, field, text)
			if err != nil {
				return resealed, err
			}
			dotted := field
			if len(prefix) > 0 {
				dotted = prefix[0] + "." + field
			}
			leave := s.gate.enter()
			res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: doc.Lookup("_id")}, {Key: dotted, Value: raw}},
				bson.D{{Key: "$set", Value: bson.D{{Key: dotted, Value: sealed}}}})
			leave()
			if err != nil {
				return resealed, wrap("rekey: update "+name, err)
			}
			resealed += int(res.ModifiedCount)
		}
	}
	if err := cur.Err(); err != nil {
		return resealed, wrap("rekey: read "+name, err)
	}
	if progress != nil {
		progress(name, scanned, resealed)
	}
	return resealed, nil
}

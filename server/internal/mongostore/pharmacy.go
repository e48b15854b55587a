package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/pharmacy"
	"hms/server/internal/seal"
)

var _ pharmacy.Store = (*Pharmacy)(nil)

// The pharmacy's collections.
const (
	colMedications   = "medications"
	colStockMoves    = "stock_movements"
	colPrescriptions = "prescriptions"
	colRxCancels     = "prescription_cancellations"
	colRxFills       = "prescription_fills"
	colStockHeads    = "stock_heads"
)

var pharmacyIndexes = indexSet{
	colMedications: {
		mongo.IndexModel{Keys: bson.D{{Key: "code", Value: 1}}, Options: options.Index().SetUnique(true).SetName("code_unique")},
	},
	// A movement's _id is medication id + "#" + seq too, so it is read by _id where possible.
	colStockMoves: {
		mongo.IndexModel{Keys: bson.D{{Key: "medication_id", Value: 1}, {Key: "seq", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("medication_seq_unique")},
		mongo.IndexModel{Keys: bson.D{{Key: "fill_id", Value: 1}}, Options: options.Index().SetUnique(true).SetName("fill_unique")},
	},
	colPrescriptions: {
		mongo.IndexModel{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("patient_time")},
	},
	colRxExternal: {
		mongo.IndexModel{Keys: bson.D{{Key: "prescription_id", Value: 1}}, Options: options.Index().SetName("prescription")},
	},
	colRxFills: {
		mongo.IndexModel{Keys: bson.D{{Key: "prescription_id", Value: 1}, {Key: "fill", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("prescription_fill_unique")},
		mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true).SetName("key_unique")},
		// RecentFills: on MongoDB these bound its read to the window; FerretDB scans anyway.
		mongo.IndexModel{Keys: bson.D{{Key: "at", Value: 1}}, Options: options.Index().SetName("claimed_at")},
		mongo.IndexModel{Keys: bson.D{{Key: "dispensed_at", Value: 1}}, Options: options.Index().SetName("dispensed_at")},
	},
}

// Pharmacy stores the medication catalogue, the stock ledger, prescriptions, their cancellations and
// fills. A prescription's medication name, dose and frequency, free text (instructions, override and
// cancel reasons, movement reasons) and a prescription's allergy warnings are sealed with the keyring, bound to "<collection>/<id>/<field>".
type Pharmacy struct {
	gate                                    *gate
	meds, moves, heads, rxs, cancels, fills *mongo.Collection
	external                                *mongo.Collection
	keys                                    *seal.Keyring
}

// NewPharmacy returns the pharmacy store on db, sealing free text with keys.
func NewPharmacy(db *DB, keys *seal.Keyring) *Pharmacy {
	return &Pharmacy{gate: db.gate, meds: db.Collection(colMedications), moves: db.Collection(colStockMoves),
		heads: db.Collection(colStockHeads),
		rxs:   db.Collection(colPrescriptions), cancels: db.Collection(colRxCancels), fills: db.Collection(colRxFills), keys: keys,
		external: db.Collection(colRxExternal)}
}

func (s *Pharmacy) seal(col, id, field, text string) (seal.Value, error) {
	return sealText(s.keys, text, fieldWhere(col, id, field))
}

// open reads a sealed field: a sealed value, plain text written before encryption, or nothing.
func (s *Pharmacy) open(col, id, field string, raw bson.RawValue) (string, error) {
	return openRaw(s.keys, raw, fieldWhere(col, id, field))
}

type medicationDoc struct {
	ID                string    `bson:"_id"`
	Code              string    `bson:"code"`
	Name              string    `bson:"name"`
	Form              string    `bson:"form"`
	Strength          string    `bson:"strength"`
	Substances        []string  `bson:"substances"`
	LowStockThreshold int       `bson:"low_stock_threshold"`
	CreatedBy         string    `bson:"created_by"`
	CreatedAt         time.Time `bson:"created_at"`
}

func (d medicationDoc) medication() pharmacy.Medication {
	return pharmacy.Medication{ID: d.ID, Code: d.Code, Name: d.Name, Form: d.Form, Strength: d.Strength, Substances: d.Substances,
		LowStockThreshold: d.LowStockThreshold, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC()}
}

// InsertMedication implements pharmacy.Store.
func (s *Pharmacy) InsertMedication(ctx context.Context, m pharmacy.Medication) error {
	leave := s.gate.enter()
	_, err := s.meds.InsertOne(ctx, medicationDoc{ID: m.ID, Code: m.Code, Name: m.Name, Form: m.Form, Strength: m.Strength,
		Substances: m.Substances, LowStockThreshold: m.LowStockThreshold, CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return pharmacy.ErrCodeTaken
	}
	return wrap("insert medication", err)
}

// Medication implements pharmacy.Store.
func (s *Pharmacy) Medication(ctx context.Context, id string) (pharmacy.Medication, error) {
	d, err := findOne[medicationDoc](ctx, s.meds, "find medication", bson.D{{Key: "_id", Value: id}}, pharmacy.ErrMedNotFound)
	return d.medication(), err
}

// Medications implements pharmacy.Store.
func (s *Pharmacy) Medications(ctx context.Context) ([]pharmacy.Medication, error) {
	return findAll(ctx, s.meds, "find medications", bson.D{},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}), medicationDoc.medication)
}

type movementFields struct {
	ID             string    `bson:"_id"`
	MedicationID   string    `bson:"medication_id"`
	Seq            int       `bson:"seq"`
	Kind           string    `bson:"kind"`
	Quantity       int       `bson:"quantity"`
	Balance        int       `bson:"balance"`
	FillID         string    `bson:"fill_id"`
	PrescriptionID string    `bson:"prescription_id,omitempty"`
	Fill           int       `bson:"fill,omitempty"`
	By             string    `bson:"by"`
	At             time.Time `bson:"at"`
}

// movementWrite is a movement as written (a reason only when there is one); movementDoc as read.
type movementWrite struct {
	F      movementFields `bson:",inline"`
	Reason *seal.Value    `bson:"reason,omitempty"`
}

type movementDoc struct {
	F      movementFields `bson:",inline"`
	Reason bson.RawValue  `bson:"reason"`
}

func movementID(medicationID string, seq int) string {
	return fmt.Sprintf("%s#%08d", medicationID, seq)
}

func (s *Pharmacy) movement(d movementDoc) (pharmacy.Movement, error) {
	f := d.F
	reason, err := s.open(colStockMoves, f.ID, "reason", d.Reason)
	return pharmacy.Movement{MedicationID: f.MedicationID, Seq: f.Seq, Kind: f.Kind, Quantity: f.Quantity, Balance: f.Balance,
		Reason: reason, FillID: f.FillID, PrescriptionID: f.PrescriptionID, Fill: f.Fill, By: f.By, At: f.At.UTC()}, err
}

// movementByID reads one movement by its _id (the one lookup FerretDB does not answer by a scan).
func (s *Pharmacy) movementByID(ctx context.Context, medicationID string, seq int) (movementDoc, error) {
	return findOne[movementDoc](ctx, s.moves, "find stock movement", bson.D{{Key: "_id", Value: movementID(medicationID, seq)}},
		pharmacy.ErrNotFound)
}

// LastMovement implements pharmacy.Store. FerretDB scans a collection for any filter but a lone _id,
// so the ledger's end is found from a hint (stock_heads: a seq known to exist, never ahead of the
// ledger, possibly behind it) by reading the following movements by _id until one is missing. The
// unique seq index, not the hint, is what keeps movements from being lost.
func (s *Pharmacy) LastMovement(ctx context.Context, medicationID string) (pharmacy.Movement, error) {
	head, err := findOne[struct {
		Seq int `bson:"seq"`
	}](ctx, s.heads, "find stock head", bson.D{{Key: "_id", Value: medicationID}}, errNoDocument)
	if err != nil && !errors.Is(err, errNoDocument) {
		return pharmacy.Movement{}, err
	}
	seq, found := head.Seq, false
	var last movementDoc
	if seq > 0 {
		if last, err = s.movementByID(ctx, medicationID, seq); err != nil {
			return s.scanLastMovement(ctx, medicationID) // cannot happen: the head follows an insert
		}
		found = true
	}
	for {
		d, err := s.movementByID(ctx, medicationID, seq+1)
		if errors.Is(err, pharmacy.ErrNotFound) {
			break
		}
		if err != nil {
			return pharmacy.Movement{}, err
		}
		last, seq, found = d, seq+1, true
	}
	if !found {
		return pharmacy.Movement{MedicationID: medicationID}, nil
	}
	if seq > head.Seq+8 {
		s.advanceHead(ctx, medicationID, seq)
	}
	return s.movement(last)
}

// scanLastMovement finds the newest movement by a sorted query.
func (s *Pharmacy) scanLastMovement(ctx context.Context, medicationID string) (pharmacy.Movement, error) {
	d, err := findOne[movementDoc](ctx, s.moves, "find last stock movement", bson.D{{Key: "medication_id", Value: medicationID}},
		errNoDocument, options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}}))
	if errors.Is(err, errNoDocument) {
		return pharmacy.Movement{MedicationID: medicationID}, nil
	}
	if err != nil {
		return pharmacy.Movement{}, err
	}
	return s.movement(d)
}

// advanceHead moves the hint forward to seq, which exists. Only ever forward: a lost or late update
// leaves it behind, which costs a few more reads, never a wrong balance. Best effort.
func (s *Pharmacy) advanceHead(ctx context.Context, medicationID string, seq int) {
	leave := s.gate.enter()
	_, err := s.heads.UpdateOne(ctx, bson.D{{Key: "_id", Value: medicationID}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: seq}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}}, options.UpdateOne().SetUpsert(true))
	leave()
	_ = err // a duplicate means the head is ahead already; any other failure only costs reads later
}

// InsertMovement implements pharmacy.Store. A duplicate is a taken fill when the fill has a movement,
// else a taken seq.
func (s *Pharmacy) InsertMovement(ctx context.Context, m pharmacy.Movement) (pharmacy.Movement, error) {
	d := movementWrite{F: movementFields{ID: movementID(m.MedicationID, m.Seq), MedicationID: m.MedicationID, Seq: m.Seq,
		Kind: m.Kind, Quantity: m.Quantity, Balance: m.Balance, FillID: m.FillID, PrescriptionID: m.PrescriptionID, Fill: m.Fill,
		By: m.By, At: m.At}}
	if m.Reason != "" {
		v, err := s.seal(colStockMoves, d.F.ID, "reason", m.Reason)
		if err != nil {
			return pharmacy.Movement{}, err
		}
		d.Reason = &v
	}
	leave := s.gate.enter()
	_, err := s.moves.InsertOne(ctx, d)
	leave()
	if errors.Is(classify(err), errDuplicate) {
		if prev, ferr := s.MovementByFill(ctx, m.FillID); ferr == nil {
			return prev, pharmacy.ErrFillMoved
		}
		return pharmacy.Movement{}, pharmacy.ErrSeqTaken
	}
	if err != nil {
		return pharmacy.Movement{}, wrap("insert stock movement", err)
	}
	s.advanceHead(ctx, m.MedicationID, m.Seq)
	return m, nil
}

// MovementByFill implements pharmacy.Store.
func (s *Pharmacy) MovementByFill(ctx context.Context, fillID string) (pharmacy.Movement, error) {
	d, err := findOne[movementDoc](ctx, s.moves, "find fill movement", bson.D{{Key: "fill_id", Value: fillID}}, pharmacy.ErrNotFound)
	if err != nil {
		return pharmacy.Movement{}, err
	}
	return s.movement(d)
}

// Movements implements pharmacy.Store, reading backwards from the newest by _id.
func (s *Pharmacy) Movements(ctx context.Context, medicationID string, limit int) ([]pharmacy.Movement, error) {
	last, err := s.LastMovement(ctx, medicationID)
	if err != nil || last.Seq == 0 {
		return nil, err
	}
	out := []pharmacy.Movement{last}
	for seq := last.Seq - 1; seq >= 1 && len(out) < limit; seq-- {
		d, err := s.movementByID(ctx, medicationID, seq)
		if err != nil {
			return nil, err
		}
		m, err := s.movement(d)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// sealedFields lists, per collection, the fields this store seals.
var sealedFields = []struct {
	col    string
	fields []string
}{
	{colPrescriptions, []string{"medication_name", "dose", "frequency", "instructions", "override_reason", "allergy_warnings"}},
	{colRxCancels, []string{"reason"}},
	{colStockMoves, []string{"reason"}},
}

// Rekey seals again, under the active key, every sealed field that is plain text or sealed under
// another key. Each value is replaced only if it is still the one read. It reports per collection.
func (s *Pharmacy) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	total := 0
	for _, c := range sealedFields {
		coll := s.rxs.Database().Collection(c.col)
		cur, err := coll.Find(ctx, bson.D{})
		if err != nil {
			return total, wrap("rekey: read "+c.col, err)
		}
		scanned, resealed := 0, 0
		for cur.Next(ctx) {
			scanned++
			doc := cur.Current
			id, _ := doc.Lookup("_id").StringValueOK()
			for _, field := range c.fields {
				raw, err := doc.LookupErr(field)
				if err != nil {
					continue
				}
				var v seal.Value
				if raw.Type == bson.TypeEmbeddedDocument && raw.Unmarshal(&v) == nil && v.Key == s.keys.Active() {
					continue
				}
				text, err := s.open(c.col, id, field, raw)
				if err != nil {
					_ = cur.Close(ctx)
					return total, err
				}
				sealed, err := s.seal(c.col, id, field, text)
				if err != nil {
					_ = cur.Close(ctx)
					return total, err
				}
				leave := s.gate.enter()
				res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: field, Value: raw}},
					bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: sealed}}}})
				leave()
				if err != nil {
					_ = cur.Close(ctx)
					return total, wrap("rekey: update "+c.col, err)
				}
				resealed += int(res.ModifiedCount)
			}
		}
		if err := cur.Err(); err != nil {
			_ = cur.Close(ctx)
			return total, wrap("rekey: read "+c.col, err)
		}
		_ = cur.Close(ctx)
		total += resealed
		if progress != nil {
			progress(c.col, scanned, resealed)
		}
	}
	return total, nil
}

package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/patient"
	"hms/server/internal/seal"
)

var _ patient.Store = (*Patients)(nil)

// Patients stores patient records and the revisions of their medical history. The medical history is
// sealed (AES-256-GCM, package seal) in the record and in every revision: the raw documents hold only
// ciphertext and the ID of the key (SECURITY.md row 30).
type Patients struct {
	gate                *gate
	patients, revisions *mongo.Collection
	keys                *seal.Keyring
}

// NewPatients returns the patient store on db, sealing medical histories with keys.
func NewPatients(db *DB, keys *seal.Keyring) *Patients {
	return &Patients{gate: db.gate, patients: db.Collection(colPatients), revisions: db.Collection(colRevisions), keys: keys}
}

// ActiveKey is the ID of the key new values are sealed with.
func (s *Patients) ActiveKey() string { return s.keys.Active() }

// historyWhere binds a patient's sealed medical history to that patient: copied into another record it
// does not open.
func historyWhere(patientID string) string { return "patient/" + patientID + "/medical_history" }

func (s *Patients) sealHistory(patientID, text string) (seal.Value, error) {
	v, err := s.keys.Seal(text, historyWhere(patientID))
	if err != nil {
		return v, fmt.Errorf("seal medical history: %w", err)
	}
	return v, nil
}

// openHistory reads a stored medical history: a sealed value, or plain text written before encryption
// (which `hms rekey` seals).
func (s *Patients) openHistory(patientID string, raw bson.RawValue) (string, error) {
	switch raw.Type {
	case bson.TypeEmbeddedDocument:
		var v seal.Value
		if err := raw.Unmarshal(&v); err != nil {
			return "", fmt.Errorf("read sealed medical history: %w", err)
		}
		text, err := s.keys.Open(v, historyWhere(patientID))
		if err != nil {
			return "", fmt.Errorf("open medical history of patient %s: %w", patientID, err)
		}
		return text, nil
	case bson.TypeString:
		return raw.StringValue(), nil
	case 0, bson.TypeNull:
		return "", nil
	}
	return "", fmt.Errorf("medical history of patient %s has unexpected type %s", patientID, raw.Type)
}

type patientFields struct {
	ID           string    `bson:"_id"`
	UserID       string    `bson:"user_id,omitempty"`
	Name         string    `bson:"name"`
	Email        string    `bson:"email,omitempty"`
	Revision     int       `bson:"revision"`
	Unidentified bool      `bson:"unidentified,omitempty"`
	CreatedAt    time.Time `bson:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at"`
}

// patientDoc is a patient as written; storedPatient as read (its history may predate encryption).
// (The driver skips embedded fields of unexported types, so the shared fields are a named field.)
type patientDoc struct {
	F              patientFields `bson:",inline"`
	MedicalHistory seal.Value    `bson:"medical_history"`
}

type storedPatient struct {
	F              patientFields `bson:",inline"`
	MedicalHistory bson.RawValue `bson:"medical_history"`
}

type revisionDoc struct {
	PatientID      string     `bson:"patient_id"`
	Rev            int        `bson:"rev"`
	MedicalHistory seal.Value `bson:"medical_history"`
	AuthorID       string     `bson:"author_id"`
	AuthorRole     string     `bson:"author_role"`
	At             time.Time  `bson:"at"`
}

// InsertPatient implements patient.Store.
func (s *Patients) InsertPatient(ctx context.Context, r patient.Record) error {
	history, err := s.sealHistory(r.ID, r.MedicalHistory)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.patients.InsertOne(ctx, patientDoc{MedicalHistory: history, F: patientFields{ID: r.ID,
		UserID: r.UserID, Name: r.Name, Email: r.Email, Revision: r.Revision, Unidentified: r.Unidentified,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}})
	leave()
	return wrap("insert patient", err)
}

// PatientByID implements patient.Store.
func (s *Patients) PatientByID(ctx context.Context, id string) (patient.Record, error) {
	d, err := findOne[storedPatient](ctx, s.patients, "find patient", bson.D{{Key: "_id", Value: id}}, patient.ErrNotFound)
	if err != nil {
		return patient.Record{}, err
	}
	history, err := s.openHistory(d.F.ID, d.MedicalHistory)
	if err != nil {
		return patient.Record{}, err
	}
	return patient.Record{ID: d.F.ID, UserID: d.F.UserID, Name: d.F.Name, Email: d.F.Email, MedicalHistory: history,
		Revision: d.F.Revision, Unidentified: d.F.Unidentified, CreatedAt: d.F.CreatedAt.UTC(), UpdatedAt: d.F.UpdatedAt.UTC()}, nil
}

// InsertRevision implements patient.Store.
func (s *Patients) InsertRevision(ctx context.Context, r patient.Revision) error {
	history, err := s.sealHistory(r.PatientID, r.MedicalHistory)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.revisions.InsertOne(ctx, revisionDoc{PatientID: r.PatientID, Rev: r.Rev, MedicalHistory: history,
		AuthorID: r.AuthorID, AuthorRole: string(r.AuthorRole), At: r.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return patient.ErrRevisionTaken
	}
	return wrap("insert revision", err)
}

// SetCurrent implements patient.Store. The filter on revision keeps an older revision from overwriting
// a newer one that landed first.
func (s *Patients) SetCurrent(ctx context.Context, r patient.Revision) error {
	history, err := s.sealHistory(r.PatientID, r.MedicalHistory)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.patients.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: r.PatientID}, {Key: "revision", Value: bson.D{{Key: "$lt", Value: r.Rev}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "medical_history", Value: history},
			{Key: "revision", Value: r.Rev},
			{Key: "updated_at", Value: r.At},
		}}})
	leave()
	return wrap("set current revision", err)
}

// Rekey seals again, under the active key, every medical history (records and revisions) that is
// plain text or sealed under another key, so that an old key can be retired. Each value is replaced
// only if it is still the one read (a write meanwhile already used the active key). It reports after
// each collection and returns how many values it re-sealed.
func (s *Patients) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	total := 0
	for _, c := range []struct {
		name string
		col  *mongo.Collection
		pid  string // the field holding the patient id
	}{{colPatients, s.patients, "_id"}, {colRevisions, s.revisions, "patient_id"}} {
		cur, err := c.col.Find(ctx, bson.D{})
		if err != nil {
			return total, wrap("rekey: read "+c.name, err)
		}
		scanned, resealed := 0, 0
		for cur.Next(ctx) {
			scanned++
			doc := cur.Current
			raw, err := doc.LookupErr("medical_history")
			if err != nil {
				continue
			}
			var v seal.Value
			if raw.Type == bson.TypeEmbeddedDocument && raw.Unmarshal(&v) == nil && v.Key == s.keys.Active() {
				continue
			}
			pid, _ := doc.Lookup(c.pid).StringValueOK()
			text, err := s.openHistory(pid, raw)
			if err != nil {
				_ = cur.Close(ctx)
				return total, err
			}
			sealed, err := s.sealHistory(pid, text)
			if err != nil {
				_ = cur.Close(ctx)
				return total, err
			}
			leave := s.gate.enter()
			res, err := c.col.UpdateOne(ctx,
				bson.D{{Key: "_id", Value: doc.Lookup("_id")}, {Key: "medical_history", Value: raw}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "medical_history", Value: sealed}}}})
			leave()
			if err != nil {
				_ = cur.Close(ctx)
				return total, wrap("rekey: update "+c.name, err)
			}
			resealed += int(res.ModifiedCount)
		}
		if err := cur.Err(); err != nil {
			_ = cur.Close(ctx)
			return total, wrap("rekey: read "+c.name, err)
		}
		_ = cur.Close(ctx)
		total += resealed
		if progress != nil {
			progress(c.name, scanned, resealed)
		}
	}
	return total, nil
}

package mongostore

import (
	"context"
	"reflect"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/patient"
	"hms/shared"
)

// ErasedPatientFields are the fields erasure removes from a patient record (GDPR): the identifying
// fields, and every search key of the record (searchKeys, read from its bson tags, so a key added
// there is erased too: an erased record is found by no name, prefix, phone or term search). The name
// is replaced by a pseudonym; the clinical fields (medical history, allergies, conditions, revisions)
// and the MRN, the clinical record's number, stay, as the law requires them kept. A new identifying
// field of the record belongs here.
var ErasedPatientFields = append([]string{"email", "phone", "address", "emergency_contacts", "date_of_birth"},
	bsonFields(reflect.TypeFor[searchKeys]())...)

// bsonFields returns the field names of a struct type's bson tags.
func bsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("bson"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// ErasePatient pseudonymises a patient record: the name becomes pseudonym, the identifying fields go,
// and erased_at is set the first time. It is idempotent: it returns the first erasure's time.
func (s *Patients) ErasePatient(ctx context.Context, id, pseudonym string, at time.Time) (time.Time, error) {
	unset := bson.D{}
	for _, f := range ErasedPatientFields {
		unset = append(unset, bson.E{Key: f, Value: ""})
	}
	leave := s.gate.enter()
	// Two writes, each idempotent: erased_at only the first time, the pseudonym and removal every time
	// (a retry completes an interrupted erasure).
	_, err := s.patients.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "erased_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "erased_at", Value: at}}}})
	if err == nil {
		_, err = s.patients.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: pseudonym}}}, {Key: "$unset", Value: unset}})
	}
	leave()
	if err != nil {
		return time.Time{}, wrap("erase patient", err)
	}
	d, err := findOne[struct {
		ErasedAt time.Time `bson:"erased_at"`
	}](ctx, s.patients, "find erased patient", bson.D{{Key: "_id", Value: id}}, patient.ErrNotFound)
	return d.ErasedAt.UTC(), err
}

// ExportRevisions returns every revision of a patient's medical history, oldest first, decrypted (the
// patient's data export).
func (s *Patients) ExportRevisions(ctx context.Context, patientID string) ([]patient.Revision, error) {
	type raw struct {
		Rev            int           `bson:"rev"`
		MedicalHistory bson.RawValue `bson:"medical_history"`
		AuthorID       string        `bson:"author_id"`
		AuthorRole     string        `bson:"author_role"`
		At             time.Time     `bson:"at"`
	}
	docs, err := findAll(ctx, s.revisions, "list revisions", bson.D{{Key: "patient_id", Value: patientID}},
		options.Find().SetSort(bson.D{{Key: "rev", Value: 1}}), func(d raw) raw { return d })
	if err != nil {
		return nil, err
	}
	out := make([]patient.Revision, 0, len(docs))
	for _, d := range docs {
		text, _, err := s.openHistory(patientID, d.Rev, d.MedicalHistory)
		if err != nil {
			return nil, err
		}
		out = append(out, patient.Revision{PatientID: patientID, Rev: d.Rev, MedicalHistory: text, AuthorID: d.AuthorID,
			AuthorRole: shared.Role(d.AuthorRole), At: d.At.UTC()})
	}
	return out, nil
}

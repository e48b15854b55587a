package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/patient"
)

var _ patient.Store = (*Patients)(nil)

// Patients stores patient records and the revisions of their medical history.
type Patients struct {
	gate                *gate
	patients, revisions *mongo.Collection
}

// NewPatients returns the patient store on db.
func NewPatients(db *DB) *Patients {
	return &Patients{gate: db.gate, patients: db.Collection(colPatients), revisions: db.Collection(colRevisions)}
}

type patientDoc struct {
	ID             string    `bson:"_id"`
	UserID         string    `bson:"user_id,omitempty"`
	Name           string    `bson:"name"`
	Email          string    `bson:"email,omitempty"`
	MedicalHistory string    `bson:"medical_history"`
	Revision       int       `bson:"revision"`
	Unidentified   bool      `bson:"unidentified,omitempty"`
	CreatedAt      time.Time `bson:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at"`
}

type revisionDoc struct {
	PatientID      string    `bson:"patient_id"`
	Rev            int       `bson:"rev"`
	MedicalHistory string    `bson:"medical_history"`
	AuthorID       string    `bson:"author_id"`
	AuthorRole     string    `bson:"author_role"`
	At             time.Time `bson:"at"`
}

// InsertPatient implements patient.Store.
func (s *Patients) InsertPatient(ctx context.Context, r patient.Record) error {
	leave := s.gate.enter()
	_, err := s.patients.InsertOne(ctx, patientDoc{ID: r.ID, UserID: r.UserID, Name: r.Name, Email: r.Email,
		MedicalHistory: r.MedicalHistory, Revision: r.Revision, Unidentified: r.Unidentified, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	leave()
	return wrap("insert patient", err)
}

// PatientByID implements patient.Store.
func (s *Patients) PatientByID(ctx context.Context, id string) (patient.Record, error) {
	var d patientDoc
	err := s.patients.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(classify(err), errNoDocument) {
		return patient.Record{}, patient.ErrNotFound
	}
	if err != nil {
		return patient.Record{}, wrap("find patient", err)
	}
	return patient.Record{ID: d.ID, UserID: d.UserID, Name: d.Name, Email: d.Email, MedicalHistory: d.MedicalHistory,
		Revision: d.Revision, Unidentified: d.Unidentified, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}, nil
}

// InsertRevision implements patient.Store.
func (s *Patients) InsertRevision(ctx context.Context, r patient.Revision) error {
	leave := s.gate.enter()
	_, err := s.revisions.InsertOne(ctx, revisionDoc{PatientID: r.PatientID, Rev: r.Rev, MedicalHistory: r.MedicalHistory,
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
	leave := s.gate.enter()
	_, err := s.patients.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: r.PatientID}, {Key: "revision", Value: bson.D{{Key: "$lt", Value: r.Rev}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "medical_history", Value: r.MedicalHistory},
			{Key: "revision", Value: r.Rev},
			{Key: "updated_at", Value: r.At},
		}}})
	leave()
	return wrap("set current revision", err)
}

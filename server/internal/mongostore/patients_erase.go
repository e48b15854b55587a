package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/patient"
	"hms/shared"
)

// ErasedPatientFields are the identifying fields erasure removes from a patient record (GDPR). The name
// is replaced by a pseudonym; the clinical fields (medical history, allergies, conditions, MRN,
// revisions) stay, as the law requires them kept. A new identifying field of the record belongs here.
var ErasedPatientFields = []string{"email", "phone", "address", "emergency_contacts", "date_of_birth",
	"birth_date", "name_key", "name_fold", "search_name"}

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
		text, err := s.openHistory(patientID, d.MedicalHistory)
		if err != nil {
			return nil, err
		}
		out = append(out, patient.Revision{PatientID: patientID, Rev: d.Rev, MedicalHistory: text, AuthorID: d.AuthorID,
			AuthorRole: shared.Role(d.AuthorRole), At: d.At.UTC()})
	}
	return out, nil
}

// GDPR holds the erasure's writes outside the patient record: the account, its sessions, the name
// copied into appointments, and the patient's notifications.
type GDPR struct {
	gate *gate
	db   *DB
}

// NewGDPR returns the erasure store on db.
func NewGDPR(db *DB) *GDPR { return &GDPR{gate: db.gate, db: db} }

// PseudonymiseAccount replaces an account's name and email (so that the address can register again)
// and revokes every session of it.
func (s *GDPR) PseudonymiseAccount(ctx context.Context, userID, name, email string, at time.Time) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name}, {Key: "email", Value: email}, {Key: "disabled", Value: true}}}})
	if err != nil {
		return wrap("pseudonymise account", err)
	}
	_, err = s.db.Collection(colSessions).UpdateMany(ctx,
		bson.D{{Key: "user_id", Value: userID}, {Key: "revoked_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: at}}}})
	return wrap("revoke sessions", err)
}

// RenameInAppointments replaces the patient's name copied into their appointments, steps and queue
// tickets.
func (s *GDPR) RenameInAppointments(ctx context.Context, patientID, name string) error {
	leave := s.gate.enter()
	defer leave()
	for _, c := range []struct{ col, id, field string }{
		{colAppointments, "patient_id", "patient_name"},
		{colQueueTickets, "patient_id", "patient_name"},
		{colSteps, "state.patient_id", "state.patient_name"},
	} {
		if _, err := s.db.Collection(c.col).UpdateMany(ctx, bson.D{{Key: c.id, Value: patientID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: c.field, Value: name}}}}); err != nil {
			return wrap("rename patient in "+c.col, err)
		}
	}
	return nil
}

// DeleteNotifications implements gdpr.Erasures: notifications are messages, not clinical records.
func (s *GDPR) DeleteNotifications(ctx context.Context, userID, patientID string) error {
	type deletion struct {
		col    string
		filter bson.D
	}
	deletes := []deletion{
		{colNotifications, bson.D{{Key: "patient_id", Value: patientID}}},
		{colDeliveries, bson.D{{Key: "patient_id", Value: patientID}}},
	}
	if userID != "" {
		deletes = append(deletes, deletion{colNotifications, bson.D{{Key: "recipient_id", Value: userID}}},
			deletion{colDeliveries, bson.D{{Key: "recipient_id", Value: userID}}},
			deletion{colNotifyPref, bson.D{{Key: "_id", Value: userID}}})
	}
	// The deliveries' bodies go first: they are found through the deliveries.
	type idDoc struct {
		ID string `bson:"_id"`
	}
	for _, d := range deletes {
		if d.col != colDeliveries {
			continue
		}
		ids, err := findAll(ctx, s.db.Collection(colDeliveries), "find deliveries to erase", d.filter,
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d idDoc) string { return d.ID })
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			deletes = append([]deletion{{colBodies, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}}}, deletes...)
		}
	}
	leave := s.gate.enter()
	defer leave()
	for _, d := range deletes {
		if _, err := s.db.Collection(d.col).DeleteMany(ctx, d.filter); err != nil {
			return wrap("delete "+d.col, err)
		}
	}
	return nil
}

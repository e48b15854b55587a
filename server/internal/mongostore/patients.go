package mongostore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/patient"
	"hms/server/internal/seal"
	"hms/shared"
)

var _ patient.Store = (*Patients)(nil)

// Patients stores patient records and the revisions of their medical history. The medical history is
// sealed (AES-256-GCM, package seal) in the record and in every revision: the raw documents hold only
// ciphertext and the ID of the key (docs/security.md row 30).
type Patients struct {
	gate                *gate
	patients, revisions *mongo.Collection
	keys                *seal.Keyring
	// idempotencyKeys are the keyed registrations' Idempotency-Keys.
	*idempotencyKeys
}

// NewPatients returns the patient store on db, sealing medical histories with keys.
func NewPatients(db *DB, keys *seal.Keyring) *Patients {
	return &Patients{gate: db.gate, patients: db.Collection(colPatients), revisions: db.Collection(colRevisions), keys: keys,
		idempotencyKeys: newIdempotencyKeys(db, colRegistrationKeys, "patient_id")}
}

// ActiveKey is the ID of the key new values are sealed with.
func (s *Patients) ActiveKey() string { return s.keys.Active() }

// historyWhere binds a patient's sealed medical history to that patient and to its revision number
// (version 2 of the binding): copied into another record, or an older revision swapped in for the
// current one or for another revision, it does not open. Values sealed before the revision was bound
// (historyWhereV1: the patient only) still open while legacy data is accepted (SEAL_LEGACY_PLAINTEXT),
// and `hms rekey` seals them again under version 2.
func historyWhere(patientID string, rev int) string {
	return "patient/" + patientID + "/medical_history/rev/" + strconv.Itoa(rev)
}

func historyWhereV1(patientID string) string { return "patient/" + patientID + "/medical_history" }

func (s *Patients) sealHistory(patientID string, rev int, text string) (seal.Value, error) {
	return sealText(s.keys, text, historyWhere(patientID, rev))
}

// openHistory reads a stored medical history of revision rev: a sealed value (bound to the revision, or
// to the patient alone when sealed before that), or plain text written before encryption (which
// `hms rekey` seals). v2 says whether it is sealed under the current binding.
func (s *Patients) openHistory(patientID string, rev int, raw bson.RawValue) (text string, v2 bool, err error) {
	if raw.Type != bson.TypeEmbeddedDocument {
		text, err = openRaw(s.keys, raw, historyWhere(patientID, rev))
		return text, false, err
	}
	if text, err = openRaw(s.keys, raw, historyWhere(patientID, rev)); err == nil {
		return text, true, nil
	}
	if !errors.Is(err, seal.ErrTampered) || !s.keys.AcceptsPlaintext() {
		// The older binding is legacy data too: accepted only with SEAL_LEGACY_PLAINTEXT, so an old
		// revision cannot be swapped in through it once the data is migrated.
		return "", false, err
	}
	text, err = openRaw(s.keys, raw, historyWhereV1(patientID))
	return text, false, err
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

	MRN               string                    `bson:"mrn,omitempty"`
	DateOfBirth       string                    `bson:"date_of_birth,omitempty"`
	Sex               string                    `bson:"sex,omitempty"`
	Phone             string                    `bson:"phone,omitempty"`
	Address           string                    `bson:"address,omitempty"`
	EmergencyContacts []shared.EmergencyContact `bson:"emergency_contacts,omitempty"`
	MergedInto        string                    `bson:"merged_into,omitempty"`
}

// searchKeys are derived from a record for search and duplicate detection: the folded words of the
// name and every prefix of them (prefix search by equality, which FerretDB hands to PostgreSQL, where
// a $regex makes it read every document), the folded name, the digits of the phone, and the blind
// indexes of the words of the conditions and of the medical history (exact-word search on sealed text).
type searchKeys struct {
	NameKeys       []string `bson:"name_keys"`
	NamePrefixes   []string `bson:"name_prefixes"`
	NameFold       string   `bson:"name_fold"`
	PhoneKey       string   `bson:"phone_key,omitempty"`
	ConditionTerms []string `bson:"condition_terms"`
	HistoryTerms   []string `bson:"history_terms"`
	TermsKey       string   `bson:"terms_key"` // the key the terms were computed under
}

// patientDoc is a patient as written; storedPatient as read (its history may predate encryption).
// (The driver skips embedded fields of unexported types, so the shared fields are a named field.)
type patientDoc struct {
	F              patientFields `bson:",inline"`
	K              searchKeys    `bson:",inline"`
	MedicalHistory seal.Value    `bson:"medical_history"`
	Allergies      seal.Value    `bson:"allergies"`
	Conditions     seal.Value    `bson:"conditions"`
}

type storedPatient struct {
	F              patientFields `bson:",inline"`
	MedicalHistory bson.RawValue `bson:"medical_history"`
	Allergies      bson.RawValue `bson:"allergies"`
	Conditions     bson.RawValue `bson:"conditions"`
	// HistoryByPatient: the current history was written by the patient (patient.IndexedHistory).
	HistoryByPatient bool `bson:"history_by_patient"`
}

type revisionDoc struct {
	PatientID      string     `bson:"patient_id"`
	Rev            int        `bson:"rev"`
	MedicalHistory seal.Value `bson:"medical_history"`
	AuthorID       string     `bson:"author_id"`
	AuthorRole     string     `bson:"author_role"`
	At             time.Time  `bson:"at"`
}

// terms returns the blind indexes of the distinct words of texts, under the active key.
func (s *Patients) terms(texts ...string) []string {
	words := patient.Terms(texts...)
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = s.keys.BlindIndex(w)
	}
	return out
}

// InsertPatient implements patient.Store.
func (s *Patients) InsertPatient(ctx context.Context, r patient.Record) error {
	history, err := s.sealHistory(r.ID, r.Revision, r.MedicalHistory)
	if err != nil {
		return err
	}
	allergies, err := s.sealList(r.ID, "allergies", r.Allergies)
	if err != nil {
		return err
	}
	conditions, err := s.sealList(r.ID, "conditions", r.Conditions)
	if err != nil {
		return err
	}
	d := patientDoc{MedicalHistory: history, Allergies: allergies, Conditions: conditions,
		F: patientFields{ID: r.ID, UserID: r.UserID, Name: r.Name, Email: r.Email, Revision: r.Revision,
			Unidentified: r.Unidentified, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, MRN: r.MRN,
			DateOfBirth: r.DateOfBirth, Sex: r.Sex, Phone: r.Phone, Address: r.Address,
			EmergencyContacts: r.EmergencyContacts, MergedInto: r.MergedInto},
		K: searchKeys{NameKeys: nonNilStrings(patient.Words(r.Name)), NamePrefixes: namePrefixes(r.Name), NameFold: patient.FoldedName(r.Name),
			PhoneKey: patient.PhoneKey(r.Phone), ConditionTerms: s.terms(r.Conditions...),
			HistoryTerms: s.terms(r.MedicalHistory), TermsKey: s.keys.Active()}}
	leave := s.gate.enter()
	_, err = s.patients.InsertOne(ctx, d)
	leave()
	return wrap("insert patient", err)
}

// maxPrefix is the longest name prefix stored; a longer search word is matched on its first maxPrefix
// characters, then on the whole words.
const maxPrefix = 16

// namePrefixes returns every prefix, 1 to maxPrefix characters, of the folded words of name.
func namePrefixes(name string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, w := range patient.Words(name) {
		r := []rune(w)
		for n := 1; n <= min(len(r), maxPrefix); n++ {
			if p := string(r[:n]); !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PatientByID implements patient.Store.
func (s *Patients) PatientByID(ctx context.Context, id string) (patient.Record, error) {
	d, err := findOne[storedPatient](ctx, s.patients, "find patient", bson.D{{Key: "_id", Value: id}}, patient.ErrNotFound)
	if err != nil {
		return patient.Record{}, err
	}
	return s.record(d)
}

// record opens a stored patient's sealed fields.
func (s *Patients) record(d storedPatient) (patient.Record, error) {
	history, _, err := s.openHistory(d.F.ID, d.F.Revision, d.MedicalHistory)
	if err != nil {
		return patient.Record{}, err
	}
	allergies, err := s.openList(d.F.ID, "allergies", d.Allergies)
	if err != nil {
		return patient.Record{}, err
	}
	conditions, err := s.openList(d.F.ID, "conditions", d.Conditions)
	if err != nil {
		return patient.Record{}, err
	}
	r := summary(d.F)
	r.MedicalHistory, r.Allergies, r.Conditions = history, allergies, conditions
	return r, nil
}

// summary is a record's unsealed fields (demographics).
func summary(f patientFields) patient.Record {
	return patient.Record{ID: f.ID, UserID: f.UserID, Name: f.Name, Email: f.Email, Revision: f.Revision,
		Unidentified: f.Unidentified, CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC(), MRN: f.MRN,
		DateOfBirth: f.DateOfBirth, Sex: f.Sex, Phone: f.Phone, Address: f.Address,
		EmergencyContacts: f.EmergencyContacts, MergedInto: f.MergedInto}
}

// InsertRevision implements patient.Store.
func (s *Patients) InsertRevision(ctx context.Context, r patient.Revision) error {
	history, err := s.sealHistory(r.PatientID, r.Rev, r.MedicalHistory)
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
	history, err := s.sealHistory(r.PatientID, r.Rev, r.MedicalHistory)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.patients.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: r.PatientID}, {Key: "revision", Value: bson.D{{Key: "$lt", Value: r.Rev}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "medical_history", Value: history},
			{Key: "history_terms", Value: s.terms(patient.IndexedHistory(r.MedicalHistory, r.AuthorRole == shared.RolePatient))},
			{Key: "history_by_patient", Value: r.AuthorRole == shared.RolePatient},
			{Key: "revision", Value: r.Rev},
			{Key: "updated_at", Value: r.At},
		}}})
	leave()
	return wrap("set current revision", err)
}

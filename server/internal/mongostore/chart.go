package mongostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/chart"
	"hms/server/internal/seal"
	"hms/shared"
)

var _ chart.Store = (*Chart)(nil)

// The clinical chart's collections.
const (
	colEncounterRevisions = "encounter_revisions"
	colEncounterVitals    = "encounter_vitals"
	// colEncounterAppointments holds one claim per appointment (_id = appointment id): an appointment
	// is recorded by at most one encounter.
	colEncounterAppointments = "encounter_appointments"
)

var chartIndexes = indexSet{
	colEncounterRevisions: {
		// What makes a revision exclusive: two writers of revision n cannot both succeed. (The _id,
		// encounter id + "/" + rev, is unique too; this index says what is meant.)
		mongo.IndexModel{Keys: bson.D{{Key: "encounter_id", Value: 1}, {Key: "rev", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("encounter_rev_unique")},
		mongo.IndexModel{Keys: bson.D{{Key: "patient_id", Value: 1}}, Options: options.Index().SetName("patient")},
	},
	colEncounterVitals: {
		mongo.IndexModel{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "encounter_id", Value: 1}, {Key: "at", Value: 1}},
			Options: options.Index().SetName("patient_encounter_time")},
	},
}

// Chart stores encounter revisions, vitals readings and appointment claims. The text of every revision
// (reason, summary, notes, diagnoses) and the measurements of every vitals reading are sealed
// (AES-256-GCM, package seal), each bound to its document and field: the raw documents hold only ids,
// times, revision numbers, the ticket number and ciphertext (docs/security.md row 30).
type Chart struct {
	gate                                                    *gate
	revisions, vitals, appointments, procedures, procErrors *mongo.Collection
	keys                                                    *seal.Keyring
}

// NewChart returns the chart store on db, sealing with keys.
func NewChart(db *DB, keys *seal.Keyring) *Chart {
	return &Chart{gate: db.gate, revisions: db.Collection(colEncounterRevisions), vitals: db.Collection(colEncounterVitals),
		appointments: db.Collection(colEncounterAppointments), procedures: db.Collection(colProcedures),
		procErrors: db.Collection(colProcedureErrors), keys: keys}
}

// sealedRevisionFields and sealedVitalsFields are the sealed fields of each collection's documents.
var (
	sealedRevisionFields = []string{"reason", "summary", "notes", "diagnoses"}
	sealedVitalsFields   = []string{"values"}
)

func revisionID(encounterID string, rev int) string { return encounterID + "/" + strconv.Itoa(rev) }

type encounterTicketDoc struct {
	Number     int    `bson:"number"`
	Department string `bson:"department"`
	Day        string `bson:"day"`
}

type encounterRevisionDoc struct {
	ID            string              `bson:"_id"`
	EncounterID   string              `bson:"encounter_id"`
	Rev           int                 `bson:"rev"`
	PatientID     string              `bson:"patient_id"`
	AppointmentID string              `bson:"appointment_id,omitempty"`
	Ticket        *encounterTicketDoc `bson:"ticket,omitempty"`
	DoctorID      string              `bson:"doctor_id,omitempty"`
	Reason        seal.Value          `bson:"reason"`
	Summary       seal.Value          `bson:"summary"`
	Notes         seal.Value          `bson:"notes"`
	Diagnoses     seal.Value          `bson:"diagnoses"`
	AuthorID      string              `bson:"author_id"`
	AuthorRole    string              `bson:"author_role"`
	At            time.Time           `bson:"at"`
	CreatedBy     string              `bson:"created_by"`
	CreatedAt     time.Time           `bson:"created_at"`
}

type vitalsDoc struct {
	ID          string     `bson:"_id"`
	EncounterID string     `bson:"encounter_id"`
	PatientID   string     `bson:"patient_id"`
	Values      seal.Value `bson:"values"`
	By          string     `bson:"by"`
	Role        string     `bson:"role"`
	At          time.Time  `bson:"at"`
}

type appointmentClaimDoc struct {
	ID          string    `bson:"_id"`
	EncounterID string    `bson:"encounter_id"`
	At          time.Time `bson:"at"`
}

func (s *Chart) seal(col, id, field, text string) (seal.Value, error) {
	return sealText(s.keys, text, fieldWhere(col, id, field))
}

func (s *Chart) open(col, id, field string, v seal.Value) (string, error) {
	return openText(s.keys, v, fieldWhere(col, id, field))
}

// InsertRevision implements chart.Store.
func (s *Chart) InsertRevision(ctx context.Context, r chart.Revision) error {
	id := revisionID(r.EncounterID, r.Rev)
	diagnoses, err := json.Marshal(r.Text.Diagnoses)
	if err != nil {
		return fmt.Errorf("encode diagnoses: %w", err)
	}
	d := encounterRevisionDoc{ID: id, EncounterID: r.EncounterID, Rev: r.Rev, PatientID: r.PatientID,
		AppointmentID: r.AppointmentID, DoctorID: r.DoctorID, AuthorID: r.AuthorID, AuthorRole: string(r.AuthorRole),
		At: r.At, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if t := r.Ticket; t != nil {
		d.Ticket = &encounterTicketDoc{Number: t.Number, Department: t.Department, Day: t.Day}
	}
	for _, f := range []struct {
		field string
		text  string
		dst   *seal.Value
	}{{"reason", r.Text.Reason, &d.Reason}, {"summary", r.Text.Summary, &d.Summary}, {"notes", r.Text.Notes, &d.Notes},
		{"diagnoses", string(diagnoses), &d.Diagnoses}} {
		if *f.dst, err = s.seal(colEncounterRevisions, id, f.field, f.text); err != nil {
			return err
		}
	}
	leave := s.gate.enter()
	_, err = s.revisions.InsertOne(ctx, d)
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return chart.ErrRevisionTaken
	}
	return wrap("insert encounter revision", err)
}

// revision opens a stored revision.
func (s *Chart) revision(d encounterRevisionDoc) (chart.Revision, error) {
	r := chart.Revision{EncounterID: d.EncounterID, Rev: d.Rev, PatientID: d.PatientID, AppointmentID: d.AppointmentID,
		DoctorID: d.DoctorID, AuthorID: d.AuthorID, AuthorRole: shared.Role(d.AuthorRole), At: d.At.UTC(),
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC()}
	if t := d.Ticket; t != nil {
		r.Ticket = &shared.EncounterTicket{Number: t.Number, Department: t.Department, Day: t.Day}
	}
	var diagnoses string
	for _, f := range []struct {
		field string
		v     seal.Value
		dst   *string
	}{{"reason", d.Reason, &r.Text.Reason}, {"summary", d.Summary, &r.Text.Summary}, {"notes", d.Notes, &r.Text.Notes},
		{"diagnoses", d.Diagnoses, &diagnoses}} {
		text, err := s.open(colEncounterRevisions, d.ID, f.field, f.v)
		if err != nil {
			return r, err
		}
		*f.dst = text
	}
	if err := json.Unmarshal([]byte(diagnoses), &r.Text.Diagnoses); err != nil {
		return r, fmt.Errorf("decode diagnoses of %s: %w", d.ID, err)
	}
	return r, nil
}

func (s *Chart) revisionsWhere(ctx context.Context, what string, filter any, opts *options.FindOptionsBuilder) ([]chart.Revision, error) {
	docs, err := findAll(ctx, s.revisions, what, filter, opts, func(d encounterRevisionDoc) encounterRevisionDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]chart.Revision, 0, len(docs))
	for _, d := range docs {
		r, err := s.revision(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Latest implements chart.Store.
func (s *Chart) Latest(ctx context.Context, encounterID string) (chart.Revision, error) {
	d, err := findOne[encounterRevisionDoc](ctx, s.revisions, "find encounter", bson.D{{Key: "encounter_id", Value: encounterID}},
		chart.ErrNotFound, options.FindOne().SetSort(bson.D{{Key: "rev", Value: -1}}))
	if err != nil {
		return chart.Revision{}, err
	}
	return s.revision(d)
}

// Revisions implements chart.Store.
func (s *Chart) Revisions(ctx context.Context, encounterID string) ([]chart.Revision, error) {
	revs, err := s.revisionsWhere(ctx, "find encounter revisions", bson.D{{Key: "encounter_id", Value: encounterID}},
		options.Find().SetSort(bson.D{{Key: "rev", Value: 1}}))
	if err == nil && len(revs) == 0 {
		return nil, chart.ErrNotFound
	}
	return revs, err
}

// Encounters implements chart.Store. One query by patient_id: FerretDB hands an equality filter to
// PostgreSQL, so this reads the patient's revisions only, where $in or sort-and-skip would read the
// whole collection. Only each encounter's latest revision is opened.
func (s *Chart) Encounters(ctx context.Context, patientID string) ([]chart.Revision, error) {
	docs, err := findAll(ctx, s.revisions, "find the patient's encounters", bson.D{{Key: "patient_id", Value: patientID}},
		options.Find(), func(d encounterRevisionDoc) encounterRevisionDoc { return d })
	if err != nil {
		return nil, err
	}
	latest := map[string]encounterRevisionDoc{}
	for _, d := range docs {
		if cur, ok := latest[d.EncounterID]; !ok || d.Rev > cur.Rev {
			latest[d.EncounterID] = d
		}
	}
	out := make([]chart.Revision, 0, len(latest))
	for _, d := range latest {
		r, err := s.revision(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b chart.Revision) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.EncounterID, a.EncounterID)
	})
	return out, nil
}

// PatientRevisions implements chart.Store.
func (s *Chart) PatientRevisions(ctx context.Context, patientID string) ([]chart.Revision, error) {
	return s.revisionsWhere(ctx, "find the patient's encounter revisions", bson.D{{Key: "patient_id", Value: patientID}},
		options.Find().SetSort(bson.D{{Key: "encounter_id", Value: 1}, {Key: "rev", Value: 1}}))
}

// InsertReading implements chart.Store.
func (s *Chart) InsertReading(ctx context.Context, r chart.Reading) error {
	values, err := json.Marshal(r.Vitals)
	if err != nil {
		return fmt.Errorf("encode vitals: %w", err)
	}
	sealed, err := s.seal(colEncounterVitals, r.ID, "values", string(values))
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.vitals.InsertOne(ctx, vitalsDoc{ID: r.ID, EncounterID: r.EncounterID, PatientID: r.PatientID, Values: sealed,
		By: r.By, Role: string(r.Role), At: r.At})
	leave()
	return wrap("insert vitals", err)
}

// Readings implements chart.Store. The filter leads with patient_id for the reason Encounters gives.
func (s *Chart) Readings(ctx context.Context, patientID string, encounterIDs []string) ([]chart.Reading, error) {
	var ids any = bson.D{{Key: "$in", Value: encounterIDs}}
	if len(encounterIDs) == 1 {
		ids = encounterIDs[0]
	}
	docs, err := findAll(ctx, s.vitals, "find vitals", bson.D{{Key: "patient_id", Value: patientID}, {Key: "encounter_id", Value: ids}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}), func(d vitalsDoc) vitalsDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]chart.Reading, 0, len(docs))
	for _, d := range docs {
		text, err := s.open(colEncounterVitals, d.ID, "values", d.Values)
		if err != nil {
			return nil, err
		}
		r := chart.Reading{ID: d.ID, EncounterID: d.EncounterID, PatientID: d.PatientID, By: d.By, Role: shared.Role(d.Role), At: d.At.UTC()}
		if err := json.Unmarshal([]byte(text), &r.Vitals); err != nil {
			return nil, fmt.Errorf("decode vitals %s: %w", d.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ClaimAppointment implements chart.Store.
func (s *Chart) ClaimAppointment(ctx context.Context, c chart.Claim) error {
	leave := s.gate.enter()
	_, err := s.appointments.InsertOne(ctx, appointmentClaimDoc{ID: c.AppointmentID, EncounterID: c.EncounterID, At: c.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return chart.ErrAppointmentTaken
	}
	return wrap("claim appointment", err)
}

// AppointmentClaim implements chart.Store.
func (s *Chart) AppointmentClaim(ctx context.Context, appointmentID string) (chart.Claim, error) {
	d, err := findOne[appointmentClaimDoc](ctx, s.appointments, "find appointment claim", bson.D{{Key: "_id", Value: appointmentID}}, chart.ErrClaimNotFound)
	if err != nil {
		return chart.Claim{}, err
	}
	return chart.Claim{AppointmentID: d.ID, EncounterID: d.EncounterID, At: d.At.UTC()}, nil
}

// ReleaseAppointment implements chart.Store.
func (s *Chart) ReleaseAppointment(ctx context.Context, appointmentID, encounterID string) error {
	leave := s.gate.enter()
	_, err := s.appointments.DeleteOne(ctx, bson.D{{Key: "_id", Value: appointmentID}, {Key: "encounter_id", Value: encounterID}})
	leave()
	return wrap("release appointment claim", err)
}

// Rekey seals again, under the active key, every sealed value of the chart (revision text, vitals,
// procedures and their entered-in-error reasons)
// sealed under another key, so that an old key can be retired. Each value is replaced only if it is
// still the one read. It reports after each collection and returns how many values it re-sealed.
func (s *Chart) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	total := 0
	for _, c := range []struct {
		name   string
		col    *mongo.Collection
		fields []string
	}{{colEncounterRevisions, s.revisions, sealedRevisionFields}, {colEncounterVitals, s.vitals, sealedVitalsFields},
		{colProcedures, s.procedures, sealedProcedureFields}, {colProcedureErrors, s.procErrors, sealedErrorFields}} {
		scanned, resealed, err := rekeyFields(ctx, s.gate, s.keys, c.col, nil, c.fields...)
		total += resealed
		if err != nil {
			return total, err
		}
		if progress != nil {
			progress(c.name, scanned, resealed)
		}
	}
	return total, nil
}

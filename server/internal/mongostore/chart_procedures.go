package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/chart"
	"hms/server/internal/seal"
	"hms/shared"
)

// The chart's procedures: each recorded once (_id derived from the doctor and the request's
// Idempotency-Key), and marked entered in error by an insert into its own collection (_id = the
// procedure's id, so a procedure is marked once). The code, name and note of a procedure and the reason
// of a mark are sealed, bound to their document and field: a procedure is health data.
const (
	colProcedures      = "encounter_procedures"
	colProcedureErrors = "encounter_procedure_errors"
)

var (
	sealedProcedureFields = []string{"code", "name", "note"}
	sealedErrorFields     = []string{"reason"}
)

type procedureDoc struct {
	ID          string     `bson:"_id"`
	EncounterID string     `bson:"encounter_id"`
	PatientID   string     `bson:"patient_id"`
	Code        seal.Value `bson:"code"`
	Name        seal.Value `bson:"name"`
	Kind        string     `bson:"kind"`
	Quantity    int        `bson:"quantity"`
	Note        seal.Value `bson:"note"`
	PerformedAt time.Time  `bson:"performed_at"`
	By          string     `bson:"by"`
	Role        string     `bson:"role"`
	At          time.Time  `bson:"at"`
	Fingerprint string     `bson:"fingerprint"`
}

type procedureErrorDoc struct {
	ID          string     `bson:"_id"`
	EncounterID string     `bson:"encounter_id"`
	PatientID   string     `bson:"patient_id"`
	Reason      seal.Value `bson:"reason"`
	By          string     `bson:"by"`
	Role        string     `bson:"role"`
	At          time.Time  `bson:"at"`
}

var procedureIndexes = indexSet{
	colProcedures: {{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "encounter_id", Value: 1}, {Key: "performed_at", Value: 1}},
		Options: options.Index().SetName("patient_encounter_time")}},
	colProcedureErrors: {{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "encounter_id", Value: 1}},
		Options: options.Index().SetName("patient_encounter")}},
}

// InsertProcedure implements chart.Store.
func (s *Chart) InsertProcedure(ctx context.Context, p chart.Procedure) error {
	d := procedureDoc{ID: p.ID, EncounterID: p.EncounterID, PatientID: p.PatientID, Kind: p.Kind, Quantity: p.Quantity,
		PerformedAt: p.PerformedAt, By: p.By, Role: string(p.Role), At: p.At, Fingerprint: p.Fingerprint}
	for _, f := range []struct {
		field, text string
		dst         *seal.Value
	}{{"code", p.Code, &d.Code}, {"name", p.Name, &d.Name}, {"note", p.Note, &d.Note}} {
		v, err := s.seal(colProcedures, p.ID, f.field, f.text)
		if err != nil {
			return err
		}
		*f.dst = v
	}
	leave := s.gate.enter()
	_, err := s.procedures.InsertOne(ctx, d)
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return chart.ErrProcedureTaken
	}
	return wrap("insert procedure", err)
}

// MarkEnteredInError implements chart.Store.
func (s *Chart) MarkEnteredInError(ctx context.Context, p chart.Procedure, e chart.ProcedureError) error {
	reason, err := s.seal(colProcedureErrors, p.ID, "reason", e.Reason)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.procErrors.InsertOne(ctx, procedureErrorDoc{ID: p.ID, EncounterID: p.EncounterID, PatientID: p.PatientID,
		Reason: reason, By: e.By, Role: string(e.Role), At: e.At})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return chart.ErrAlreadyInError
	}
	return wrap("mark procedure entered in error", err)
}

func (s *Chart) openProcedure(d procedureDoc) (chart.Procedure, error) {
	p := chart.Procedure{ID: d.ID, EncounterID: d.EncounterID, PatientID: d.PatientID, Kind: d.Kind, Quantity: d.Quantity,
		PerformedAt: d.PerformedAt.UTC(), By: d.By, Role: shared.Role(d.Role), At: d.At.UTC(), Fingerprint: d.Fingerprint}
	for _, f := range []struct {
		field string
		v     seal.Value
		dst   *string
	}{{"code", d.Code, &p.Code}, {"name", d.Name, &p.Name}, {"note", d.Note, &p.Note}} {
		text, err := s.open(colProcedures, d.ID, f.field, f.v)
		if err != nil {
			return p, err
		}
		*f.dst = text
	}
	return p, nil
}

func (s *Chart) openProcedureError(d procedureErrorDoc) (*chart.ProcedureError, error) {
	reason, err := s.open(colProcedureErrors, d.ID, "reason", d.Reason)
	if err != nil {
		return nil, err
	}
	return &chart.ProcedureError{Reason: reason, By: d.By, Role: shared.Role(d.Role), At: d.At.UTC()}, nil
}

// Procedure implements chart.Store.
func (s *Chart) Procedure(ctx context.Context, id string) (chart.Procedure, error) {
	d, err := findOne[procedureDoc](ctx, s.procedures, "find procedure", bson.D{{Key: "_id", Value: id}}, chart.ErrProcedureNotFound)
	if err != nil {
		return chart.Procedure{}, err
	}
	p, err := s.openProcedure(d)
	if err != nil {
		return p, err
	}
	e, err := findOne[procedureErrorDoc](ctx, s.procErrors, "find procedure mark", bson.D{{Key: "_id", Value: id}}, chart.ErrProcedureNotFound)
	switch {
	case errors.Is(err, chart.ErrProcedureNotFound):
		return p, nil
	case err != nil:
		return p, err
	}
	p.Error, err = s.openProcedureError(e)
	return p, err
}

// Procedures implements chart.Store. The filters lead with patient_id for the reason Encounters gives.
func (s *Chart) Procedures(ctx context.Context, patientID string, encounterIDs []string) ([]chart.Procedure, error) {
	var ids any = bson.D{{Key: "$in", Value: encounterIDs}}
	if len(encounterIDs) == 1 {
		ids = encounterIDs[0]
	}
	filter := bson.D{{Key: "patient_id", Value: patientID}, {Key: "encounter_id", Value: ids}}
	procs, err := findAllOpen(ctx, s.procedures, "find procedures", filter,
		options.Find().SetSort(bson.D{{Key: "performed_at", Value: 1}, {Key: "_id", Value: 1}}), s.openProcedure)
	if err != nil || len(procs) == 0 {
		return procs, err
	}
	marks, err := findAll(ctx, s.procErrors, "find procedure marks", filter, nil, func(d procedureErrorDoc) procedureErrorDoc { return d })
	if err != nil {
		return nil, err
	}
	byID := map[string]procedureErrorDoc{}
	for _, m := range marks {
		byID[m.ID] = m
	}
	for i := range procs {
		if m, ok := byID[procs[i].ID]; ok {
			if procs[i].Error, err = s.openProcedureError(m); err != nil {
				return nil, err
			}
		}
	}
	return procs, nil
}

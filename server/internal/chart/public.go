package chart

import (
	"slices"
	"strings"

	"hms/shared"
)

// public returns the encounter as the API shows it: its latest revision r, with its vitals and
// procedures.
func public(r Revision, readings []Reading, procs []Procedure) shared.Encounter {
	e := shared.Encounter{ID: r.EncounterID, PatientID: r.PatientID, AppointmentID: r.AppointmentID, Ticket: r.Ticket,
		DoctorID: r.DoctorID, Reason: r.Text.Reason, Summary: r.Text.Summary, Notes: r.Text.Notes,
		Diagnoses: diagnoses(r.Text.Diagnoses), Vitals: make([]shared.VitalsReading, 0, len(readings)),
		Procedures: make([]shared.Procedure, 0, len(procs)), Rev: r.Rev,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedBy: r.AuthorID, UpdatedByRole: r.AuthorRole, UpdatedAt: r.At}
	for _, v := range readings {
		e.Vitals = append(e.Vitals, v.public())
	}
	for _, p := range procs {
		e.Procedures = append(e.Procedures, p.public())
	}
	return e
}

// proceduresByEncounter groups procedures by their encounter, keeping their order.
func proceduresByEncounter(procs []Procedure) map[string][]Procedure {
	out := map[string][]Procedure{}
	for _, p := range procs {
		out[p.EncounterID] = append(out[p.EncounterID], p)
	}
	return out
}

// diagnoses never answers null: an encounter without diagnoses shows an empty list.
func diagnoses(ds []shared.Diagnosis) []shared.Diagnosis {
	if ds == nil {
		return []shared.Diagnosis{}
	}
	return ds
}

func (r Reading) public() shared.VitalsReading {
	return shared.VitalsReading{ID: r.ID, EncounterID: r.EncounterID, Vitals: r.Vitals, RecordedBy: r.By,
		RecordedByRole: r.Role, RecordedAt: r.At}
}

func publicRevisions(revs []Revision) []shared.EncounterRevision {
	out := make([]shared.EncounterRevision, 0, len(revs))
	for _, r := range revs {
		out = append(out, shared.EncounterRevision{Rev: r.Rev, Reason: r.Text.Reason, Summary: r.Text.Summary,
			Notes: r.Text.Notes, Diagnoses: diagnoses(r.Text.Diagnoses), AuthorID: r.AuthorID, AuthorRole: r.AuthorRole, At: r.At})
	}
	return out
}

func sortRevisions(revs []Revision) {
	slices.SortFunc(revs, func(a, b Revision) int { return a.Rev - b.Rev })
}

// sortExport orders exported encounters newest opened first, as the list does.
func sortExport(es []shared.EncounterExport) {
	slices.SortFunc(es, func(a, b shared.EncounterExport) int {
		if c := b.Encounter.CreatedAt.Compare(a.Encounter.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.Encounter.ID, a.Encounter.ID)
	})
}

package chart_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/chart"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
	"hms/shared"
)

// appointments is the chart's view of the appointments a test sets up.
type appointments map[string]chart.Appointment

func (a appointments) Appointment(_ context.Context, id string) (chart.Appointment, error) {
	if r, ok := a[id]; ok {
		return r, nil
	}
	return chart.Appointment{}, fault.New(fault.ErrNotFound, "appointment not found")
}

type fixture struct {
	svc       *chart.Service
	store     *mongostore.Chart
	doctor    auth.Principal
	patientID string
	appts     appointments
}

// newFixture wires the service on an empty database with the real store, access rule, audit log and
// patient records, and one patient.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.IndexedDB(t)
	var k seal.Key
	copy(k.Secret[:], strings.Repeat("k", 32))
	k.ID = "k1"
	keys, err := seal.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	log := audit.NewLog(mongostore.NewAudit(db))
	// These tests are about the chart, not the access rule (app tests cover that): everyone on the
	// staff side has a care relationship.
	access := patient.NewAccess(nil)
	access.AddRelation(func(context.Context, auth.Principal, string) (bool, error) { return true, nil })
	patients := patient.NewService(mongostore.NewPatients(db, keys), log, nil, access)
	f := &fixture{store: mongostore.NewChart(db, keys), patientID: ident.New(), appts: appointments{},
		doctor: auth.Principal{UserID: ident.New(), Role: shared.RoleDoctor}}
	if err := patients.CreateForUser(ctx, f.patientID, ident.New(), "Ada Byron", "ada@example.org"); err != nil {
		t.Fatal(err)
	}
	f.svc = chart.NewService(f.store, access, log, f.appts, patients, nil, nil)
	return f
}

func TestExportPatientHoldsEveryRevisionAndReading(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e, err := f.svc.Create(ctx, f.doctor, f.patientID, shared.CreateEncounterRequest{Reason: "cough", Notes: "first"})
	if err != nil {
		t.Fatal(err)
	}
	notes := "second"
	if _, err := f.svc.Update(ctx, f.doctor, e.ID, shared.UpdateEncounterRequest{Rev: new(1), Notes: &notes}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordVitals(ctx, f.doctor, e.ID, shared.Vitals{PulseBPM: new(64)}); err != nil {
		t.Fatal(err)
	}
	later, err := f.svc.Create(ctx, f.doctor, f.patientID, shared.CreateEncounterRequest{Reason: "check-up"})
	if err != nil {
		t.Fatal(err)
	}

	section, data, err := f.svc.ExportPatient(ctx, f.patientID)
	if err != nil || section != "encounters" {
		t.Fatalf("got section %q, %v; want encounters", section, err)
	}
	got, ok := data.([]shared.EncounterExport)
	if !ok || len(got) != 2 {
		t.Fatalf("got %#v, want two exported encounters", data)
	}
	if got[0].Encounter.ID != later.ID || got[1].Encounter.ID != e.ID {
		t.Errorf("got %s then %s, want the newest first", got[0].Encounter.ID, got[1].Encounter.ID)
	}
	first := got[1]
	if first.Encounter.Rev != 2 || first.Encounter.Notes != "second" || len(first.Encounter.Vitals) != 1 ||
		*first.Encounter.Vitals[0].Vitals.PulseBPM != 64 || len(first.Revisions) != 2 ||
		first.Revisions[0].Notes != "first" || first.Revisions[1].Notes != "second" {
		t.Errorf("got %+v, want the decrypted encounter at rev 2 with its reading and both revisions", first)
	}
	if _, data, err := f.svc.ExportPatient(ctx, ident.New()); err != nil || len(data.([]shared.EncounterExport)) != 0 {
		t.Errorf("got %v, %v for a patient without encounters, want an empty list", data, err)
	}
}

// TestAbandonedAppointmentClaim checks that an appointment claimed by a writer that stopped before
// writing its encounter is not blocked forever: a fresh claim is a 409 (its writer may still be at it),
// one older than a minute is taken over.
func TestAbandonedAppointmentClaim(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	fresh, old := ident.New(), ident.New()
	for _, id := range []string{fresh, old} {
		f.appts[id] = chart.Appointment{ID: id, PatientID: f.patientID, DoctorID: f.doctor.UserID}
	}
	now := time.Now().UTC()
	if err := f.store.ClaimAppointment(ctx, chart.Claim{AppointmentID: fresh, EncounterID: ident.New(), At: now}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ClaimAppointment(ctx, chart.Claim{AppointmentID: old, EncounterID: ident.New(), At: now.Add(-2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Create(ctx, f.doctor, f.patientID, shared.CreateEncounterRequest{AppointmentID: fresh})
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "retry shortly") {
		t.Errorf("got %v for a fresh claim, want a conflict to retry", err)
	}
	e, err := f.svc.Create(ctx, f.doctor, f.patientID, shared.CreateEncounterRequest{AppointmentID: old})
	if err != nil || e.AppointmentID != old {
		t.Fatalf("got %+v, %v for an abandoned claim, want it taken over", e, err)
	}
	if c, err := f.store.AppointmentClaim(ctx, old); err != nil || c.EncounterID != e.ID {
		t.Errorf("got claim %+v, %v; want the new encounter's", c, err)
	}
	_, err = f.svc.Create(ctx, f.doctor, f.patientID, shared.CreateEncounterRequest{AppointmentID: old})
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), e.ID) {
		t.Errorf("got %v, want a conflict naming the encounter that records the appointment", err)
	}
}

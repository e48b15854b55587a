package ward_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/broker"
	"hms/server/internal/event"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
	"hms/server/internal/ward"
	"hms/shared"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newService is the ward service on an empty database with real storage, events and audit; the other
// domains are stand-ins that know every department, doctor and patient and allow every caller.
func newService(t *testing.T) *ward.Service {
	t.Helper()
	db := testenv.IndexedDB(t)
	k, err := seal.FromSecret("ward-test")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	yes := func(context.Context, string) (bool, error) { return true, nil }
	return ward.NewService(mongostore.NewWards(db, keys), ward.Deps{
		DepartmentExists: yes,
		IsDoctor:         yes,
		Visit:            func(context.Context, string) (ward.Visit, error) { return ward.Visit{}, nil },
		PatientName:      func(context.Context, string) (string, error) { return "Someone", nil },
		Clinical:         func(context.Context, auth.Principal, string) error { return nil },
	}, event.NewStream(mongostore.NewEvents(db), broker.NewMemory(), quiet, nil), audit.NewLog(mongostore.NewAudit(db)), quiet)
}

// TestRelationAndExport: the attending doctor has a care relationship during and after the stay;
// staff only while the patient is admitted; another doctor never. The export has the stay, its
// history and the decrypted texts.
func TestRelationAndExport(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, err := s.CreateWard(ctx, shared.CreateWardRequest{ID: "w1", Name: "W1", Department: "general"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBeds(ctx, "w1", shared.AddBedsRequest{Labels: []string{"1"}}); err != nil {
		t.Fatal(err)
	}
	doctor := auth.Principal{UserID: ident.New(), Role: shared.RoleDoctor}
	other := auth.Principal{UserID: ident.New(), Role: shared.RoleDoctor}
	staff := auth.Principal{UserID: ident.New(), Role: shared.RoleStaff}
	pid := ident.New()
	a, err := s.Admit(ctx, staff, shared.AdmitRequest{PatientID: pid, WardID: "w1", DoctorID: doctor.UserID,
		Source: shared.SourcePlanned, Reason: "dehydration"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string, want map[string]bool) {
		t.Helper()
		for name, p := range map[string]auth.Principal{"doctor": doctor, "other doctor": other, "staff": staff} {
			got, err := s.Relation(ctx, p, pid)
			if err != nil || got != want[name] {
				t.Errorf("%s, %s: got %v (%v), want %v", when, name, got, err, want[name])
			}
		}
	}
	check("admitted", map[string]bool{"doctor": true, "staff": true})
	if _, err := s.Discharge(ctx, doctor, a.ID, shared.DischargeRequest{Summary: "rehydrated", Disposition: "home"}); err != nil {
		t.Fatal(err)
	}
	check("discharged", map[string]bool{"doctor": true})

	section, data, err := s.ExportPatient(ctx, pid)
	stays, _ := data.([]shared.Admission)
	if err != nil || section != "admissions" || len(stays) != 1 {
		t.Fatalf("got %q %+v (%v), want one admission", section, data, err)
	}
	if got := stays[0]; got.Reason != "dehydration" || got.DischargeSummary != "rehydrated" || len(got.History) != 2 {
		t.Errorf("got %+v, want the decrypted stay with two steps", got)
	}
}

// TestAdmissionWardName: an admission carries its ward's name, so a patient, who may not read the
// wards, sees where they stayed in words.
func TestAdmissionWardName(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, err := s.CreateWard(ctx, shared.CreateWardRequest{ID: "cardiac-unit", Name: "Cardiac unit", Department: "cardiology"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBeds(ctx, "cardiac-unit", shared.AddBedsRequest{Labels: []string{"C1"}}); err != nil {
		t.Fatal(err)
	}
	staff := auth.Principal{UserID: ident.New(), Role: shared.RoleStaff}
	pid := ident.New()
	a, err := s.Admit(ctx, staff, shared.AdmitRequest{PatientID: pid, WardID: "cardiac-unit", DoctorID: ident.New(),
		Source: shared.SourcePlanned, Reason: "observation"})
	if err != nil {
		t.Fatal(err)
	}
	if a.WardName != "Cardiac unit" {
		t.Errorf("admit: ward name %q, want %q", a.WardName, "Cardiac unit")
	}
	patient := auth.Principal{UserID: ident.New(), Role: shared.RolePatient, PatientID: pid}
	list, err := s.PatientAdmissions(ctx, patient, pid, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].WardName != "Cardiac unit" || list.Items[0].BedLabel != "C1" {
		t.Errorf("patient's list: %+v, want the stay in Cardiac unit, bed C1", list.Items)
	}
}

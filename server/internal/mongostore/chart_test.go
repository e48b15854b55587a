package mongostore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/chart"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

func chartStore(t *testing.T, keyIDs ...string) (*mongostore.DB, *mongostore.Chart) {
	t.Helper()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, mongostore.NewChart(db, testKeys(t, keyIDs...))
}

func encounterRev(encounterID, patientID string, rev int, at time.Time, notes string) chart.Revision {
	return chart.Revision{EncounterID: encounterID, Rev: rev, PatientID: patientID, AuthorID: ident.New(),
		AuthorRole: shared.RoleDoctor, At: at, CreatedBy: ident.New(), CreatedAt: at,
		Text: chart.Text{Reason: "cough", Notes: notes, Diagnoses: []shared.Diagnosis{{Code: "J45.909", Description: "asthma", Status: shared.DiagnosisActive}}}}
}

// later makes r a later revision of an encounter opened at opened.
func later(r chart.Revision, opened time.Time) chart.Revision {
	r.CreatedAt = opened
	return r
}

func TestChartRevisionsAreExclusiveAndOrdered(t *testing.T) {
	ctx := context.Background()
	_, s := chartStore(t, "k1")
	patientID, base := ident.New(), time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	// Three encounters, opened an hour apart; the second has three revisions.
	var encs []string
	for i := range 3 {
		id := ident.New()
		encs = append(encs, id)
		if err := s.InsertRevision(ctx, encounterRev(id, patientID, 1, base.Add(time.Duration(i)*time.Hour), "first")); err != nil {
			t.Fatal(err)
		}
	}
	for rev := 2; rev <= 3; rev++ {
		if err := s.InsertRevision(ctx, later(encounterRev(encs[1], patientID, rev, base.Add(2*time.Hour), "rev "+string(rune('0'+rev))), base.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertRevision(ctx, encounterRev(encs[1], patientID, 3, base, "again")); !errors.Is(err, chart.ErrRevisionTaken) {
		t.Errorf("got %v inserting a taken revision, want ErrRevisionTaken", err)
	}

	// Eight writers of revision 4 at once: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for range 8 {
		wg.Go(func() {
			err := s.InsertRevision(ctx, later(encounterRev(encs[1], patientID, 4, base.Add(3*time.Hour), "race"), base.Add(time.Hour)))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, chart.ErrRevisionTaken):
				lost++
			default:
				t.Errorf("concurrent insert: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != 7 {
		t.Errorf("got %d winners and %d losers of revision 4, want 1 and 7", won, lost)
	}

	latest, err := s.Latest(ctx, encs[1])
	if err != nil || latest.Rev != 4 || latest.Text.Notes != "race" || len(latest.Text.Diagnoses) != 1 || latest.Text.Diagnoses[0].Code != "J45.909" {
		t.Errorf("got latest %+v, %v; want revision 4 with its notes and diagnosis", latest, err)
	}
	if _, err := s.Latest(ctx, ident.New()); !errors.Is(err, chart.ErrNotFound) {
		t.Errorf("got %v for an unknown encounter, want ErrNotFound", err)
	}
	revs, err := s.Revisions(ctx, encs[1])
	if err != nil || len(revs) != 4 {
		t.Fatalf("got %d revisions, %v; want 4", len(revs), err)
	}
	for i, r := range revs {
		if r.Rev != i+1 {
			t.Errorf("revision %d has rev %d, want them oldest first", i, r.Rev)
		}
	}

	list, err := s.Encounters(ctx, patientID)
	if err != nil || len(list) != 3 || list[0].EncounterID != encs[2] || list[1].EncounterID != encs[1] || list[2].EncounterID != encs[0] ||
		list[1].Rev != 4 || list[1].Text.Notes != "race" || list[0].Rev != 1 {
		t.Errorf("got %d encounters (%v), want the three, newest opened first, each at its latest revision", len(list), err)
	}
	if list, err := s.Encounters(ctx, ident.New()); err != nil || len(list) != 0 {
		t.Errorf("got %d encounters, %v for another patient, want none", len(list), err)
	}
	all, err := s.PatientRevisions(ctx, patientID)
	if err != nil || len(all) != 6 {
		t.Errorf("got %d revisions of the patient, %v; want 6", len(all), err)
	}
}

func TestChartReadingsAndClaims(t *testing.T) {
	ctx := context.Background()
	_, s := chartStore(t, "k1")
	enc, other, patientID, at := ident.New(), ident.New(), ident.New(), time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	pulse, temp := 80, 37.2
	for i, r := range []chart.Reading{
		{ID: ident.New(), EncounterID: enc, Vitals: shared.Vitals{PulseBPM: &pulse}, At: at.Add(time.Minute)},
		{ID: ident.New(), EncounterID: enc, Vitals: shared.Vitals{TemperatureC: &temp}, At: at},
		{ID: ident.New(), EncounterID: other, Vitals: shared.Vitals{PulseBPM: &pulse}, At: at},
	} {
		r.PatientID, r.By, r.Role = patientID, ident.New(), shared.RoleStaff
		if err := s.InsertReading(ctx, r); err != nil {
			t.Fatalf("reading %d: %v", i, err)
		}
	}
	if got, err := s.Readings(ctx, patientID, []string{enc, other}); err != nil || len(got) != 3 {
		t.Errorf("got %d readings of both encounters, %v; want 3", len(got), err)
	}
	if got, err := s.Readings(ctx, ident.New(), []string{enc}); err != nil || len(got) != 0 {
		t.Errorf("got %d readings under another patient, %v; want none", len(got), err)
	}
	got, err := s.Readings(ctx, patientID, []string{enc})
	if err != nil || len(got) != 2 || got[0].Vitals.TemperatureC == nil || *got[0].Vitals.TemperatureC != 37.2 ||
		got[1].Vitals.PulseBPM == nil || *got[1].Vitals.PulseBPM != 80 {
		t.Fatalf("got %+v, %v; want the temperature then the pulse", got, err)
	}

	appt, first, second := ident.New(), ident.New(), ident.New()
	if err := s.ClaimAppointment(ctx, chart.Claim{AppointmentID: appt, EncounterID: first, At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimAppointment(ctx, chart.Claim{AppointmentID: appt, EncounterID: second, At: at}); !errors.Is(err, chart.ErrAppointmentTaken) {
		t.Errorf("got %v claiming a claimed appointment, want ErrAppointmentTaken", err)
	}
	if err := s.ReleaseAppointment(ctx, appt, second); err != nil {
		t.Fatal(err)
	}
	if c, err := s.AppointmentClaim(ctx, appt); err != nil || c.EncounterID != first || !c.At.Equal(at) {
		t.Errorf("got claim %+v, %v; want the first encounter's (a release by another is a no-op)", c, err)
	}
	if err := s.ReleaseAppointment(ctx, appt, first); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppointmentClaim(ctx, appt); !errors.Is(err, chart.ErrClaimNotFound) {
		t.Errorf("got %v after the release, want ErrClaimNotFound", err)
	}
}

// TestChartIsCiphertextAtRest is docs/security.md row 30 for the chart: notes, diagnoses, reason, summary,
// vitals and procedures (code, name, note, entered-in-error reason) are ciphertext in the raw documents;
// a procedure and its mark are each inserted once; rekey moves them to the active key, after which the
// old key can go.
func TestChartIsCiphertextAtRest(t *testing.T) {
	ctx := context.Background()
	db, s := chartStore(t, "k1")
	enc, patientID, at := ident.New(), ident.New(), time.Now().UTC().Truncate(time.Millisecond)
	r := encounterRev(enc, patientID, 1, at, "wheeze-note-3b9f")
	r.Text.Summary, r.Text.Reason = "summary-7d1e", "reason-55aa"
	r.Text.Diagnoses = []shared.Diagnosis{{Code: "Z99-CODE", Description: "diagnosis-c0de", Status: shared.DiagnosisActive}}
	if err := s.InsertRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	spo2 := 87
	if err := s.InsertReading(ctx, chart.Reading{ID: ident.New(), EncounterID: enc, PatientID: patientID, Vitals: shared.Vitals{SpO2Percent: &spo2}, At: at}); err != nil {
		t.Fatal(err)
	}
	proc := chart.Procedure{ID: ident.New(), EncounterID: enc, PatientID: patientID, Code: "PROC-9a9a", Name: "suturing-1b1b",
		Kind: "procedure", Quantity: 2, Note: "palm-2c2c", PerformedAt: at, By: ident.New(), Role: shared.RoleDoctor, At: at, Fingerprint: "f"}
	if err := s.InsertProcedure(ctx, proc); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertProcedure(ctx, proc); !errors.Is(err, chart.ErrProcedureTaken) {
		t.Fatalf("a second insert of the procedure: got %v, want ErrProcedureTaken", err)
	}
	mark := chart.ProcedureError{Reason: "wrong-3d3d", By: proc.By, Role: shared.RoleDoctor, At: at}
	if err := s.MarkEnteredInError(ctx, proc, mark); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkEnteredInError(ctx, proc, mark); !errors.Is(err, chart.ErrAlreadyInError) {
		t.Fatalf("a second mark: got %v, want ErrAlreadyInError", err)
	}
	for _, col := range []string{"encounter_revisions", "encounter_vitals", "encounter_procedures", "encounter_procedure_errors"} {
		var raw bson.Raw
		if err := db.Collection(col).FindOne(ctx, bson.D{}).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"wheeze-note-3b9f", "summary-7d1e", "reason-55aa", "Z99-CODE", "diagnosis-c0de", "spo2_percent",
			"PROC-9a9a", "suturing-1b1b", "palm-2c2c", "wrong-3d3d"} {
			if strings.Contains(string(raw), plain) {
				t.Errorf("the raw %s document contains %q in plaintext", col, plain)
			}
		}
	}

	// Key rotation: k2 becomes active; rekey re-seals the four revision fields, the reading, the
	// procedure's code, name and note, and the mark's reason.
	rotated := mongostore.NewChart(db, testKeys(t, "k2", "k1"))
	var reports []string
	n, err := rotated.Rekey(ctx, func(col string, scanned, resealed int) { reports = append(reports, col) })
	if err != nil || n != 9 || len(reports) != 4 {
		t.Fatalf("rekey resealed %d (reports %v), %v; want 9 over four collections", n, reports, err)
	}
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 0 {
		t.Errorf("a second rekey resealed %d, %v; want 0", n, err)
	}
	onlyNew := mongostore.NewChart(db, testKeys(t, "k2"))
	got, err := onlyNew.Latest(ctx, enc)
	if err != nil || got.Text.Notes != "wheeze-note-3b9f" || got.Text.Diagnoses[0].Description != "diagnosis-c0de" {
		t.Errorf("read under the new key only: %+v, %v", got.Text, err)
	}
	if rs, err := onlyNew.Readings(ctx, patientID, []string{enc}); err != nil || len(rs) != 1 || *rs[0].Vitals.SpO2Percent != 87 {
		t.Errorf("read vitals under the new key only: %+v, %v", rs, err)
	}
	if ps, err := onlyNew.Procedures(ctx, patientID, []string{enc}); err != nil || len(ps) != 1 || ps[0].Code != "PROC-9a9a" ||
		ps[0].Name != "suturing-1b1b" || ps[0].Note != "palm-2c2c" || ps[0].Error == nil || ps[0].Error.Reason != "wrong-3d3d" {
		t.Errorf("read procedures under the new key only: %+v, %v", ps, err)
	}
}

// BenchmarkChartListPage measures what GET /api/patients/{id}/encounters asks of the store for a page
// of 20: the patient's encounters at their latest revisions, and the page's vitals; the patient has 100
// encounters of 3 revisions and 2 readings each, among 10 other patients' as many.
func BenchmarkChartListPage(b *testing.B) {
	ctx := context.Background()
	db := testenv.DB(b)
	if err := db.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	s := mongostore.NewChart(db, testKeys(b, "k1"))
	patients := make([]string, 11)
	at := time.Now().UTC()
	pulse := 70
	for i := range patients {
		patients[i] = ident.New()
		for range 100 {
			enc := ident.New()
			for rev := 1; rev <= 3; rev++ {
				if err := s.InsertRevision(ctx, encounterRev(enc, patients[i], rev, at, strings.Repeat("note ", 100))); err != nil {
					b.Fatal(err)
				}
			}
			for range 2 {
				if err := s.InsertReading(ctx, chart.Reading{ID: ident.New(), EncounterID: enc, PatientID: patients[i], Vitals: shared.Vitals{PulseBPM: &pulse}, At: at}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		list, err := s.Encounters(ctx, patients[0])
		if err != nil || len(list) != 100 {
			b.Fatal(len(list), err)
		}
		ids := make([]string, 0, 20)
		for _, r := range list[20:40] {
			ids = append(ids, r.EncounterID)
		}
		if _, err := s.Readings(ctx, patients[0], ids); err != nil {
			b.Fatal(err)
		}
	}
}

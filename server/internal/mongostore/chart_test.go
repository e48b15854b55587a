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
		if err := s.InsertRevision(ctx, encounterRev(encs[1], patientID, rev, base.Add(2*time.Hour), "rev "+string(rune('0'+rev)))); err != nil {
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
			err := s.InsertRevision(ctx, encounterRev(encs[1], patientID, 4, base.Add(3*time.Hour), "race"))
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

	ids, total, err := s.EncounterIDs(ctx, patientID, 0, 2)
	if err != nil || total != 3 || len(ids) != 2 || ids[0] != encs[2] || ids[1] != encs[1] {
		t.Errorf("got page %v of %d, %v; want [%s %s] of 3 (newest first)", ids, total, err, encs[2], encs[1])
	}
	ids, _, err = s.EncounterIDs(ctx, patientID, 2, 2)
	if err != nil || len(ids) != 1 || ids[0] != encs[0] {
		t.Errorf("got second page %v, %v; want [%s]", ids, err, encs[0])
	}
	if ids, total, _ := s.EncounterIDs(ctx, ident.New(), 0, 10); len(ids) != 0 || total != 0 {
		t.Errorf("got %v of %d for another patient, want none", ids, total)
	}

	latestOf, err := s.LatestOf(ctx, encs)
	if err != nil || len(latestOf) != 3 || latestOf[encs[1]].Rev != 4 || latestOf[encs[0]].Rev != 1 {
		t.Errorf("got %d latest revisions (%v); want 3 with revision 4 of the second", len(latestOf), err)
	}
	all, err := s.PatientRevisions(ctx, patientID)
	if err != nil || len(all) != 6 {
		t.Errorf("got %d revisions of the patient, %v; want 6", len(all), err)
	}
}

func TestChartReadingsAndClaims(t *testing.T) {
	ctx := context.Background()
	_, s := chartStore(t, "k1")
	enc, other, at := ident.New(), ident.New(), time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	pulse, temp := 80, 37.2
	for i, r := range []chart.Reading{
		{ID: ident.New(), EncounterID: enc, Vitals: shared.Vitals{PulseBPM: &pulse}, At: at.Add(time.Minute)},
		{ID: ident.New(), EncounterID: enc, Vitals: shared.Vitals{TemperatureC: &temp}, At: at},
		{ID: ident.New(), EncounterID: other, Vitals: shared.Vitals{PulseBPM: &pulse}, At: at},
	} {
		r.PatientID, r.By, r.Role = ident.New(), ident.New(), shared.RoleStaff
		if err := s.InsertReading(ctx, r); err != nil {
			t.Fatalf("reading %d: %v", i, err)
		}
	}
	got, err := s.Readings(ctx, []string{enc})
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

// TestChartIsCiphertextAtRest is SECURITY.md row 30 for the chart: notes, diagnoses, reason, summary
// and vitals are ciphertext in the raw documents; rekey moves them to the active key, after which the
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
	for _, col := range []string{"encounter_revisions", "encounter_vitals"} {
		var raw bson.Raw
		if err := db.Collection(col).FindOne(ctx, bson.D{}).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"wheeze-note-3b9f", "summary-7d1e", "reason-55aa", "Z99-CODE", "diagnosis-c0de", "spo2_percent"} {
			if strings.Contains(string(raw), plain) {
				t.Errorf("the raw %s document contains %q in plaintext", col, plain)
			}
		}
	}

	// Key rotation: k2 becomes active; rekey re-seals the four revision fields and the reading.
	rotated := mongostore.NewChart(db, testKeys(t, "k2", "k1"))
	var reports []string
	n, err := rotated.Rekey(ctx, func(col string, scanned, resealed int) { reports = append(reports, col) })
	if err != nil || n != 5 || len(reports) != 2 {
		t.Fatalf("rekey resealed %d (reports %v), %v; want 5 over two collections", n, reports, err)
	}
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 0 {
		t.Errorf("a second rekey resealed %d, %v; want 0", n, err)
	}
	onlyNew := mongostore.NewChart(db, testKeys(t, "k2"))
	got, err := onlyNew.Latest(ctx, enc)
	if err != nil || got.Text.Notes != "wheeze-note-3b9f" || got.Text.Diagnoses[0].Description != "diagnosis-c0de" {
		t.Errorf("read under the new key only: %+v, %v", got.Text, err)
	}
	if rs, err := onlyNew.Readings(ctx, []string{enc}); err != nil || len(rs) != 1 || *rs[0].Vitals.SpO2Percent != 87 {
		t.Errorf("read vitals under the new key only: %+v, %v", rs, err)
	}
}

package pharmacy_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/pharmacy"
	"hms/shared"
)

// TestPharmacyOnEmbeddedSQLite runs the ledger, dispensing (two instances racing receipts and repeats
// of one dispense, which may find no stock yet and leave the fill pending until the last repeat), a
// refill alert, a cancellation, the staff relation and rekey on the embedded default storage
// (FerretDB on SQLite).
func TestPharmacyOnEmbeddedSQLite(t *testing.T) {
	ctx := context.Background()
	db, err := mongostore.Open(ctx, mongostore.Options{DataDir: t.TempDir(), Database: "hms"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	store := mongostore.NewPharmacy(db, keyring(t, "k1"))
	svc := pharmacy.NewService(store, noAllergies{}, openAccess{}, audit.NewLog(mongostore.NewAudit(db)), &recorder{}, slog.New(slog.DiscardHandler), nil)
	other := pharmacy.NewService(store, noAllergies{}, openAccess{}, audit.NewLog(mongostore.NewAudit(db)), &recorder{}, slog.New(slog.DiscardHandler), nil)
	staff := auth.Principal{UserID: ident.New(), Role: shared.RoleStaff}
	doc := auth.Principal{UserID: ident.New(), Role: shared.RoleDoctor}
	med, err := svc.CreateMedication(ctx, staff, shared.CreateMedicationRequest{Code: "A", Name: "A", Form: "t", Strength: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateMedication(ctx, staff, shared.CreateMedicationRequest{Code: "a", Name: "A", Form: "t", Strength: "1"}); !errors.Is(err, pharmacy.ErrCodeTaken) {
		t.Fatalf("dup code: %v", err)
	}
	rx, err := svc.Prescribe(ctx, doc, ident.New(), shared.PrescribeRequest{MedicationID: med.ID, Dose: "1", Frequency: "QD", DurationDays: 5, Quantity: 3, Refills: 2})
	if err != nil {
		t.Fatal(err)
	}
	svcs := []*pharmacy.Service{svc, other}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			if _, err := svcs[i%2].MoveStock(ctx, staff, med.ID, shared.StockRequest{Quantity: 1, Reason: "r"}); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			_, _, err := svcs[i%2].Dispense(ctx, staff, rx.ID, "k", shared.DispenseRequest{})
			if err != nil && !errors.Is(err, pharmacy.ErrNotEnough) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, _, err := svc.Dispense(ctx, staff, rx.ID, "k", shared.DispenseRequest{}); err != nil {
		t.Fatal(err)
	}
	st, err := svc.Stock(ctx, med.ID)
	if err != nil || st.Balance != 7 || st.Movements[0].Seq != 11 {
		t.Fatalf("got %+v, %v, want balance 7 at seq 11: 10 receipts, one fill of 3", st, err)
	}
	got, err := svc.Get(ctx, staff, rx.ID)
	if err != nil || len(got.Fills) != 1 || got.Fills[0].Status != "dispensed" {
		t.Fatalf("got fills %+v, %v, want one dispensed", got.Fills, err)
	}
	// Fill 1 of a 5-day course: its refill is due 3 days after today, and no longer once cancelled.
	due := func(days int) []string {
		t.Helper()
		all, err := svc.DueAlerts(ctx, time.Now().AddDate(0, 0, days), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, d := range all {
			keys = append(keys, d.Key)
		}
		return keys
	}
	if got := due(1); got != nil {
		t.Fatalf("alerts tomorrow: got %q, want none", got)
	}
	if got, want := due(3), []string{"refill:" + rx.ID + ":1"}; !slices.Equal(got, want) {
		t.Fatalf("alerts in 3 days: got %q, want %q", got, want)
	}
	if _, err := svc.Cancel(ctx, doc, rx.ID, shared.ReasonRequest{Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := due(3); got != nil {
		t.Fatalf("alerts after cancelling: got %q, want none", got)
	}
	if n, err := mongostore.NewPharmacy(db, keyring(t, "k2", "k1")).Rekey(ctx, nil); err != nil || n == 0 {
		t.Fatalf("rekey: got %d, %v, want some values re-sealed", n, err)
	}
}

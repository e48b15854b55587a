package pharmacy_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/clock"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/pharmacy"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
	"hms/shared"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type noAllergies struct{}

func (noAllergies) Allergies(context.Context, string) ([]string, error) { return nil, nil }

type openAccess struct{}

func (openAccess) Clinical(context.Context, auth.Principal, string) error { return nil }

// recorder keeps the published events.
type recorder struct {
	mu     sync.Mutex
	events []shared.Event
}

func (r *recorder) Publish(_ context.Context, channel, typ string, _ any) (shared.Event, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := shared.Event{Channel: channel, Type: typ}
	r.events = append(r.events, ev)
	return ev, nil
}

func keyring(t testing.TB, ids ...string) *seal.Keyring {
	t.Helper()
	var keys []seal.Key
	for _, id := range ids {
		k := seal.Key{ID: id}
		copy(k.Secret[:], bytes.Repeat([]byte(id), 32))
		keys = append(keys, k)
	}
	r, err := seal.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type fixture struct {
	db     *mongostore.DB
	store  *mongostore.Pharmacy
	svc    *pharmacy.Service
	clock  *clock.Clock
	pub    *recorder
	staff  auth.Principal
	doctor auth.Principal
	med    pharmacy.Medication
	rx     shared.Prescription
}

func newFixture(t *testing.T) *fixture { return newFixtureB(t) }

func newFixtureB(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.IndexedDB(t)
	f := &fixture{db: db, store: mongostore.NewPharmacy(db, keyring(t, "k1")), pub: &recorder{}, clock: clock.System(),
		staff: auth.Principal{UserID: ident.New(), Role: shared.RoleStaff}, doctor: auth.Principal{UserID: ident.New(), Role: shared.RoleDoctor}}
	f.svc = pharmacy.NewService(f.store, noAllergies{}, openAccess{}, audit.NewLog(mongostore.NewAudit(db)), f.pub, slog.New(slog.DiscardHandler), f.clock)
	var err error
	f.med, err = f.svc.CreateMedication(ctx, f.staff, shared.CreateMedicationRequest{Code: "M1", Name: "Metformin", Form: "tablet", Strength: "500 mg",
		Substances: []string{"metformin"}, LowStockThreshold: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.MoveStock(ctx, f.staff, f.med.ID, shared.StockRequest{Quantity: 100, Reason: "opening stock"}); err != nil {
		t.Fatal(err)
	}
	f.rx, err = f.svc.Prescribe(ctx, f.doctor, ident.New(), shared.PrescribeRequest{MedicationID: f.med.ID, Dose: "500 mg",
		Frequency: "BID", DurationDays: 30, Quantity: 10, Refills: 3, Instructions: "with food"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) balance(t *testing.T) (int, int) {
	t.Helper()
	st, err := f.svc.Stock(context.Background(), f.med.ID)
	if err != nil {
		t.Fatal(err)
	}
	return st.Balance, len(st.Movements)
}

// TestDispenseRepairsAfterACrash: a server that stopped between claiming a fill and moving the stock,
// or between moving the stock and noting it on the claim, leaves nothing lost or doubled: the repeat
// of the request completes the fill once, and a read shows the true state.
func TestDispenseRepairsAfterACrash(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)

	// Crash 1: the fill claim is stored, the stock not moved.
	claim := pharmacy.FillClaim{ID: pharmacy.FillID(f.rx.ID, 1), PrescriptionID: f.rx.ID, PatientID: f.rx.PatientID,
		MedicationID: f.med.ID, Fill: 1, Quantity: 10, Key: f.staff.UserID + ":k1", By: f.staff.UserID, At: f.rx.CreatedAt}
	if err := f.store.ClaimFill(ctx, claim); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Get(ctx, f.staff, f.rx.ID)
	if err != nil || len(got.Fills) != 1 || got.Fills[0].Status != shared.FillPending {
		t.Fatalf("got %+v, %v, want fill 1 pending", got.Fills, err)
	}
	d, replayed, err := f.svc.Dispense(ctx, f.staff, f.rx.ID, "k1", shared.DispenseRequest{})
	if err != nil || !replayed || d.Fill != 1 || d.Balance != 90 {
		t.Fatalf("the repeat: got %+v replayed=%v %v, want fill 1 completed leaving 90", d, replayed, err)
	}

	// Crash 2: fill 2 claimed and its stock moved, the claim not marked done.
	claim.ID, claim.Fill, claim.Key = pharmacy.FillID(f.rx.ID, 2), 2, f.staff.UserID+":k2"
	if err := f.store.ClaimFill(ctx, claim); err != nil {
		t.Fatal(err)
	}
	last, err := f.store.LastMovement(ctx, f.med.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.InsertMovement(ctx, pharmacy.Movement{MedicationID: f.med.ID, Seq: last.Seq + 1, Kind: shared.MoveDispense,
		Quantity: -10, Balance: last.Balance - 10, FillID: claim.ID, PrescriptionID: f.rx.ID, Fill: 2, By: f.staff.UserID, At: last.At}); err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.Get(ctx, f.staff, f.rx.ID)
	if err != nil || len(got.Fills) != 2 || got.Fills[1].Status != shared.FillDispensed || got.Fills[1].Balance != 80 {
		t.Fatalf("got %+v, %v, want fill 2 shown dispensed at 80 (repaired from its movement)", got.Fills, err)
	}
	d, replayed, err = f.svc.Dispense(ctx, f.staff, f.rx.ID, "k2", shared.DispenseRequest{})
	if err != nil || !replayed || d.Fill != 2 || d.Balance != 80 {
		t.Fatalf("the repeat: got %+v replayed=%v %v, want fill 2 at 80, not moved again", d, replayed, err)
	}
	if bal, n := f.balance(t); bal != 80 || n != 3 {
		t.Fatalf("got balance %d after %d movements, want 80 after 3", bal, n)
	}
}

// TestInsertMovementUniqueness: a taken seq and a fill that moved already are told apart.
func TestInsertMovementUniqueness(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	base := pharmacy.Movement{MedicationID: f.med.ID, Seq: 2, Kind: shared.MoveDispense, Quantity: -1, Balance: 99, FillID: "x#01", By: "u"}
	if _, err := f.store.InsertMovement(ctx, base); err != nil {
		t.Fatal(err)
	}
	taken := base
	taken.FillID = "y#01"
	if _, err := f.store.InsertMovement(ctx, taken); !errors.Is(err, pharmacy.ErrSeqTaken) {
		t.Errorf("same seq, other fill: got %v, want ErrSeqTaken", err)
	}
	again := base
	again.Seq = 3
	prev, err := f.store.InsertMovement(ctx, again)
	if !errors.Is(err, pharmacy.ErrFillMoved) || prev.Seq != 2 {
		t.Errorf("same fill, next seq: got %+v, %v, want ErrFillMoved with the movement at seq 2", prev, err)
	}
	if m, err := f.store.LastMovement(ctx, f.med.ID); err != nil || m.Seq != 2 || m.Balance != 99 {
		t.Errorf("last movement: got %+v, %v, want seq 2 at 99", m, err)
	}
	if m, err := f.store.LastMovement(ctx, ident.New()); err != nil || m.Seq != 0 || m.Balance != 0 {
		t.Errorf("no movements: got %+v, %v, want seq 0 at 0", m, err)
	}
}

// TestPharmacyRekey: sealed fields move to the new key, once; values then open with the new key alone.
func TestPharmacyRekey(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.svc.Cancel(ctx, f.doctor, f.rx.ID, shared.ReasonRequest{Reason: "changed plan"}); err != nil {
		t.Fatal(err)
	}
	// A prescription written before its medication, dose and frequency were sealed reads as it was.
	legacy := ident.New()
	if _, err := f.db.Collection("prescriptions").InsertOne(ctx, bson.D{{Key: "_id", Value: legacy}, {Key: "patient_id", Value: ident.New()},
		{Key: "medication_id", Value: f.med.ID}, {Key: "medication_name", Value: "Metformin 500 mg"}, {Key: "dose", Value: "1 tab"},
		{Key: "frequency", Value: "OD"}, {Key: "status", Value: "active"}}); err != nil {
		t.Fatal(err)
	}
	if rx, err := f.store.Prescription(ctx, legacy); err != nil || rx.MedicationName != "Metformin 500 mg" || rx.Dose != "1 tab" || rx.Frequency != "OD" {
		t.Fatalf("legacy prescription: %+v %v", rx, err)
	}
	rotated := mongostore.NewPharmacy(f.db, keyring(t, "k2", "k1"))
	// One prescription (6 fields), the legacy one's 3 plain fields, one cancellation, one movement with
	// a reason.
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 11 {
		t.Fatalf("rekey re-sealed %d (%v), want 11", n, err)
	}
	for _, id := range []string{f.rx.ID, legacy} {
		raw, err := f.db.Collection("prescriptions").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"medication_name", "dose", "frequency"} {
			if v := raw.Lookup(field); v.Type != bson.TypeEmbeddedDocument {
				t.Errorf("prescription %s: %s stored as %s, want sealed", id, field, v.Type)
			}
		}
		if bytes.Contains(raw, []byte("Metformin")) {
			t.Errorf("prescription %s: plaintext medication name in %s", id, raw)
		}
	}
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 0 {
		t.Fatalf("second rekey re-sealed %d (%v), want 0", n, err)
	}
	only := mongostore.NewPharmacy(f.db, keyring(t, "k2"))
	rx, err := only.Prescription(ctx, f.rx.ID)
	if err != nil || rx.Instructions != "with food" || rx.MedicationName != "Metformin 500 mg" || rx.Dose != "500 mg" || rx.Frequency != "BID" {
		t.Fatalf("with only k2: %+v %v", rx, err)
	}
	c, ok, err := only.Cancellation(ctx, f.rx.ID)
	if err != nil || !ok || c.Reason != "changed plan" {
		t.Fatalf("cancellation with only k2: %+v %v %v", c, ok, err)
	}
	if m, err := only.LastMovement(ctx, f.med.ID); err != nil || m.Reason != "opening stock" {
		t.Fatalf("movement with only k2: %+v %v", m, err)
	}
}

// closedAccess refuses every clinical access: no care relationship with anyone.
type closedAccess struct{}

func (closedAccess) Clinical(context.Context, auth.Principal, string) error {
	return fault.New(fault.ErrForbidden, "no care relationship")
}

// TestStaffDispensable: without a care relationship, staff may read a prescription that is still to be
// dispensed (fills left), and no longer once it is cancelled; other roles get nothing from it.
func TestStaffDispensable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	svc := pharmacy.NewService(f.store, noAllergies{}, closedAccess{}, audit.NewLog(mongostore.NewAudit(f.db)), f.pub, slog.New(slog.DiscardHandler), f.clock)
	for _, tt := range []struct {
		p    auth.Principal
		want bool
	}{{f.staff, true}, {f.doctor, false}, {auth.Principal{UserID: "x", Role: shared.RoleAdmin}, false}} {
		if _, err := svc.Get(ctx, tt.p, f.rx.ID); (err == nil) != tt.want {
			t.Errorf("%s reads the prescription: got %v, want allowed %v", tt.p.Role, err, tt.want)
		}
	}
	if _, err := f.svc.Cancel(ctx, f.doctor, f.rx.ID, shared.ReasonRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, f.staff, f.rx.ID); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("after cancelling: got %v, want forbidden", err)
	}
}

// TestTwoInstancesRace: two services on one database (two server instances: their in-process ledger
// locks do not see each other) race 20 receipts and 20 repeats of one dispense. The unique indexes
// alone keep every receipt and move the stock for the fill exactly once.
func TestTwoInstancesRace(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // balance 100
	other := pharmacy.NewService(f.store, noAllergies{}, openAccess{}, audit.NewLog(mongostore.NewAudit(f.db)), f.pub, slog.New(slog.DiscardHandler), f.clock)
	svcs := []*pharmacy.Service{f.svc, other}
	var wg sync.WaitGroup
	answers := make([]shared.Dispensation, 20)
	for i := range 20 {
		wg.Go(func() {
			if _, err := svcs[i%2].MoveStock(ctx, f.staff, f.med.ID, shared.StockRequest{Quantity: 1}); err != nil {
				t.Errorf("receipt %d: %v", i, err)
			}
		})
		wg.Go(func() {
			d, _, err := svcs[i%2].Dispense(ctx, f.staff, f.rx.ID, "same-key", shared.DispenseRequest{})
			if err != nil {
				t.Errorf("dispense %d: %v", i, err)
			}
			answers[i] = d
		})
	}
	wg.Wait()
	for i, d := range answers {
		if d.Fill != 1 || d.At != answers[0].At || d.Balance != answers[0].Balance {
			t.Errorf("answer %d: got %+v, want the same as %+v", i, d, answers[0])
		}
	}
	bal, _ := f.balance(t)
	if bal != 100+20-10 {
		t.Fatalf("got balance %d, want 110: every receipt kept, the fill moved once", bal)
	}
	st, err := f.svc.Stock(ctx, f.med.ID)
	if err != nil || st.Movements[0].Seq != 22 {
		t.Fatalf("got newest seq %d (%v), want 22: 1 opening + 20 receipts + 1 dispense", st.Movements[0].Seq, err)
	}
}

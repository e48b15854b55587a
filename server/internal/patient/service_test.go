package patient_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/audit"
	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
	"hms/shared"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// refuseAll is an access rule that refuses every clinical access.
type refuseAll struct{}

func (refuseAll) Clinical(context.Context, auth.Principal, string) error {
	return fault.New(fault.ErrForbidden, "no care relationship")
}

func (refuseAll) Sees(context.Context, auth.Principal, string) (bool, error) { return false, nil }

func newService(t *testing.T, rule ...clinicalRule) (*patient.Service, *mongostore.DB) {
	t.Helper()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	key, err := seal.FromSecret("patient service test")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	// These tests are about records, not the access rule (the app tests cover it): everyone on the
	// staff side has a care relationship.
	var access clinicalRule = allowAll()
	if len(rule) > 0 {
		access = rule[0]
	}
	return patient.NewService(mongostore.NewPatients(db, keys), audit.NewLog(mongostore.NewAudit(db)), nil, access), db
}

var staff = auth.Principal{UserID: ident.New(), Role: shared.RoleStaff}

// TestEnsureMRNs: a record stored before MRNs gets one at start, once.
func TestEnsureMRNs(t *testing.T) {
	ctx := context.Background()
	s, db := newService(t)
	id := ident.New()
	if _, err := db.Collection("patients").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "Old"},
		{Key: "revision", Value: 0}, {Key: "created_at", Value: time.Now()}, {Key: "updated_at", Value: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EnsureMRNs(ctx); err != nil || n != 1 {
		t.Fatalf("numbered %d (%v), want 1", n, err)
	}
	if n, err := s.EnsureMRNs(ctx); err != nil || n != 0 {
		t.Fatalf("second run numbered %d (%v), want 0", n, err)
	}
	r, err := s.Get(ctx, staff, id)
	if err != nil || !patient.ValidMRN(r.MRN) {
		t.Fatalf("got MRN %q (%v), want a valid one", r.MRN, err)
	}
}

// TestAccessRuleGuardsClinicalContent: with the access rule refusing, the record, the history and a
// change of allergies are refused, while a demographic change and search still work.
func TestAccessRuleGuardsClinicalContent(t *testing.T) {
	ctx := context.Background()
	rule := &toggle{allow: allowAll()}
	s, _ := newService(t, rule)
	r, _, err := s.Register(ctx, staff, shared.RegisterPatientRequest{Name: "Ada", Allergies: []string{"latex"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	rule.refuse = true
	if _, err := s.Get(ctx, staff, r.ID); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("Get: got %v, want forbidden", err)
	}
	if _, _, err := s.History(ctx, staff, r.ID, 1, 10); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("History: got %v, want forbidden", err)
	}
	if _, err := s.Patch(ctx, staff, r.ID, shared.PatchPatientRequest{Allergies: &[]string{}}); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("Patch allergies: got %v, want forbidden", err)
	}
	if _, err := s.Patch(ctx, staff, r.ID, shared.PatchPatientRequest{Phone: new("555 0100")}); err != nil {
		t.Errorf("Patch phone: %v", err)
	}
	if rs, n, err := s.Search(ctx, staff, patient.SearchParams{Q: "ada", Page: 1, Limit: 10}); err != nil || n != 1 || len(rs) != 1 {
		t.Errorf("Search: %d (%v), want 1", n, err)
	}
}

// TestConcurrentMerges: of many merges of one source into the same target at once, exactly one
// wins, and the target's history holds the source's history once.
func TestConcurrentMerges(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	doctor := auth.Principal{UserID: ident.New(), Role: shared.RoleDoctor}
	src, _, err := s.Register(ctx, staff, shared.RegisterPatientRequest{Name: "Unknown", Unidentified: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	dst, _, err := s.Register(ctx, staff, shared.RegisterPatientRequest{Name: "Known"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateHistory(ctx, doctor, src.ID, new("found on the street")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = s.Merge(ctx, doctor, src.ID, dst.ID) }()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else if !errors.Is(err, fault.ErrConflict) {
			t.Errorf("a losing merge: got %v, want a conflict", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d merges won, want 1", wins)
	}
	got, err := s.Get(ctx, doctor, dst.ID)
	if err != nil || bytes.Count([]byte(got.MedicalHistory), []byte("found on the street")) != 1 {
		t.Fatalf("target history %q (%v), want the source's once", got.MedicalHistory, err)
	}
}

// clinicalRule is the access rule the service asks.
type clinicalRule = patient.AccessRule

// allowAll is an access rule under which everyone on the staff side has a care relationship.
func allowAll() *patient.Access {
	a := patient.NewAccess(nil)
	a.AddRelation(func(context.Context, auth.Principal, string) (bool, error) { return true, nil })
	return a
}

// toggle allows everyone until refuse is set, then refuses everyone.
type toggle struct {
	allow  *patient.Access
	refuse bool
}

func (r *toggle) Clinical(ctx context.Context, p auth.Principal, patientID string) error {
	if r.refuse {
		return refuseAll{}.Clinical(ctx, p, patientID)
	}
	return r.allow.Clinical(ctx, p, patientID)
}

func (r *toggle) Sees(ctx context.Context, p auth.Principal, patientID string) (bool, error) {
	if r.refuse {
		return false, nil
	}
	return r.allow.Sees(ctx, p, patientID)
}

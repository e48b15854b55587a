package mongostore_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/server/internal/testenv"
)

func newPatients(t *testing.T) (*mongostore.DB, *mongostore.Patients) {
	t.Helper()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, mongostore.NewPatients(db, testKeys(t, "k1"))
}

func insert(t *testing.T, s *mongostore.Patients, r patient.Record) patient.Record {
	t.Helper()
	if r.ID == "" {
		r.ID = ident.New()
	}
	if r.MRN == "" {
		r.MRN = patient.NewMRN()
	}
	r.CreatedAt, r.UpdatedAt = time.Now().UTC(), time.Now().UTC()
	if err := s.InsertPatient(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func names(rs []patient.Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Name)
	}
	slices.Sort(out)
	return out
}

// TestPatientSearchQueries checks every search query's RESULT on the database the tests run on
// (FerretDB on PostgreSQL here): an anchored $regex on the array of folded name words, exact id and
// MRN, blind-index terms with $in inside $or, merged records left out, skip/limit and the total.
func TestPatientSearchQueries(t *testing.T) {
	ctx := context.Background()
	_, s := newPatients(t)
	jose := insert(t, s, patient.Record{Name: "José Álvarez", Conditions: []string{"Type 2 diabetes"}, MedicalHistory: "Asthma since childhood"})
	insert(t, s, patient.Record{Name: "Josephine Baker", Conditions: []string{"asthma"}})
	insert(t, s, patient.Record{Name: "Ana Salvador", Conditions: []string{"hypertension"}})
	merged := insert(t, s, patient.Record{Name: "Jose Unknown", MergedInto: jose.ID})

	for _, tc := range []struct {
		name string
		q    patient.Query
		want []string
	}{
		{"prefix of first word", patient.Query{Prefixes: patient.Words("JOSÉ")}, []string{"Josephine Baker", "José Álvarez"}},
		{"folded prefix", patient.Query{Prefixes: patient.Words("jose")}, []string{"Josephine Baker", "José Álvarez"}},
		{"prefix of a later word, accented", patient.Query{Prefixes: patient.Words("Álv")}, []string{"José Álvarez"}},
		{"middle of a word does not match", patient.Query{Prefixes: patient.Words("lva")}, []string{}},
		{"two prefixes must both match", patient.Query{Prefixes: patient.Words("jo al")}, []string{"José Álvarez"}},
		{"exact id", patient.Query{ID: jose.ID}, []string{"José Álvarez"}},
		{"exact mrn", patient.Query{MRN: jose.MRN}, []string{"José Álvarez"}},
		{"condition word", patient.Query{Terms: []string{"diabetes"}}, []string{"José Álvarez"}},
		{"history or condition", patient.Query{Terms: []string{"asthma"}}, []string{"Josephine Baker", "José Álvarez"}},
		{"condition is a whole word, not a prefix", patient.Query{Terms: []string{"diab"}}, []string{}},
		{"name and condition combine", patient.Query{Prefixes: []string{"jos"}, Terms: []string{"diabetes"}}, []string{"José Álvarez"}},
		{"a merged record by id", patient.Query{ID: merged.ID, WithMerged: true}, []string{"Jose Unknown"}},
		{"everyone", patient.Query{}, []string{"Ana Salvador", "Josephine Baker", "José Álvarez"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.q.Limit == 0 {
				tc.q.Limit = 10
			}
			rs, n, err := s.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(rs); !slices.Equal(got, tc.want) || n != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v", got, n, tc.want)
			}
			for _, r := range rs {
				if r.MedicalHistory != "" || r.Conditions != nil || r.Allergies != nil {
					t.Fatalf("search returned medical content: %+v", r)
				}
			}
		})
	}
	rs, n, err := s.Search(ctx, patient.Query{Skip: 1, Limit: 1})
	if err != nil || n != 3 || len(rs) != 1 || rs[0].Name != "José Álvarez" {
		t.Fatalf("page 2 of 1: got %v total %d (%v), want [José Álvarez] of 3 (name order: ana, jose, josephine)", names(rs), n, err)
	}
}

// TestPatientClinicalFieldsAtRest is docs/security.md row 30 for allergies and conditions: sealed in the
// raw document, bound to the record; the search keys hold no plaintext; rekey moves them to a new key
// and recomputes the blind indexes, which search keeps finding throughout.
func TestPatientClinicalFieldsAtRest(t *testing.T) {
	ctx := context.Background()
	db, s := newPatients(t)
	r := insert(t, s, patient.Record{Name: "Ada Byron", Allergies: []string{"Penicillin"}, Conditions: []string{"Epilepsy"},
		MedicalHistory: "seizures since 2001"})
	got, err := s.PatientByID(ctx, r.ID)
	if err != nil || !slices.Equal(got.Allergies, []string{"Penicillin"}) || !slices.Equal(got.Conditions, []string{"Epilepsy"}) {
		t.Fatalf("read back %v %v (%v)", got.Allergies, got.Conditions, err)
	}
	raw, err := db.Collection("patients").FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"Penicillin", "penicillin", "Epilepsy", "epilepsy", "seizures"} {
		if bytes.Contains(raw, []byte(word)) {
			t.Fatalf("plaintext %q in the raw document %s", word, raw)
		}
	}
	if raw.Lookup("allergies").Type != bson.TypeEmbeddedDocument || raw.Lookup("conditions").Type != bson.TypeEmbeddedDocument {
		t.Fatalf("allergies/conditions not sealed values: %s", raw)
	}
	if err := s.UpdateFields(ctx, r.ID, patient.Changes{Conditions: &[]string{"Epilepsy", "Migraine"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	rotated := mongostore.NewPatients(db, testKeys(t, "k2", "k1"))
	for _, term := range []string{"migraine", "seizures"} {
		if rs, _, err := rotated.Search(ctx, patient.Query{Terms: []string{term}, Limit: 5}); err != nil || len(rs) != 1 {
			t.Fatalf("before rekey, %q under the rotated ring: %d results (%v), want 1", term, len(rs), err)
		}
	}
	n, err := rotated.Rekey(ctx, nil)
	if err != nil || n != 3 {
		t.Fatalf("rekey re-sealed %d (%v), want 3: history, allergies, conditions", n, err)
	}
	onlyNew := mongostore.NewPatients(db, testKeys(t, "k2"))
	got, err = onlyNew.PatientByID(ctx, r.ID)
	if err != nil || !slices.Equal(got.Conditions, []string{"Epilepsy", "Migraine"}) || !slices.Equal(got.Allergies, []string{"Penicillin"}) {
		t.Fatalf("with only k2: %v %v (%v)", got.Conditions, got.Allergies, err)
	}
	for _, term := range []string{"migraine", "seizures"} {
		if rs, _, err := onlyNew.Search(ctx, patient.Query{Terms: []string{term}, Limit: 5}); err != nil || len(rs) != 1 {
			t.Fatalf("after rekey, %q with only k2: %d results (%v), want 1", term, len(rs), err)
		}
	}
}

// TestPatientClaims: an MRN has one owner and a patient one MRN; a source is merged once, however
// many merges race.
func TestPatientClaims(t *testing.T) {
	ctx := context.Background()
	_, s := newPatients(t)
	a, b := ident.New(), ident.New()
	if got, err := s.ClaimMRN(ctx, "H12345674", a); err != nil || got != "H12345674" {
		t.Fatalf("first claim: %q %v", got, err)
	}
	if _, err := s.ClaimMRN(ctx, "H12345674", b); !errors.Is(err, patient.ErrMRNTaken) {
		t.Fatalf("someone else's MRN: got %v, want ErrMRNTaken", err)
	}
	if got, err := s.ClaimMRN(ctx, patient.NewMRN(), a); err != nil || got != "H12345674" {
		t.Fatalf("a second MRN for the same patient: got %q %v, want the first", got, err)
	}

	src := ident.New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.ClaimMerge(ctx, patient.Merge{Source: src, Into: ident.New(), At: time.Now()})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, patient.ErrMergeTaken) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent merge claims won, want 1", wins)
	}
}

// TestPatientDuplicatesAndRevisions checks the duplicate query (name+birth date, phone, name when
// unidentified) and the revision listing's order and paging.
func TestPatientDuplicatesAndRevisions(t *testing.T) {
	ctx := context.Background()
	_, s := newPatients(t)
	r := insert(t, s, patient.Record{Name: "José Álvarez", DateOfBirth: "1980-02-03", Phone: "+34 600 111 222"})
	insert(t, s, patient.Record{Name: "JOSE ALVAREZ", DateOfBirth: "1980-02-03"})
	insert(t, s, patient.Record{Name: "J. Alvarez", Phone: "+34600111222"})
	insert(t, s, patient.Record{Name: "Jose Alvarez", DateOfBirth: "1990-01-01"})
	insert(t, s, patient.Record{Name: "José Álvarez", DateOfBirth: "1980-02-03", MergedInto: r.ID})
	got, err := s.Duplicates(ctx, r)
	if err != nil || len(got) != 2 {
		t.Fatalf("duplicates: %v (%v), want JOSE ALVAREZ and J. Alvarez", names(got), err)
	}
	unknown := insert(t, s, patient.Record{Name: "Unknown male", Unidentified: true})
	insert(t, s, patient.Record{Name: "unknown MALE"})
	if got, err := s.Duplicates(ctx, unknown); err != nil || len(got) != 1 {
		t.Fatalf("unidentified duplicates: %v (%v), want 1", names(got), err)
	}

	for i := 1; i <= 3; i++ {
		if err := s.InsertRevision(ctx, patient.Revision{PatientID: r.ID, Rev: i, MedicalHistory: string(rune('a' + i - 1)), At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	revs, n, err := s.Revisions(ctx, r.ID, 0, 2)
	if err != nil || n != 3 || len(revs) != 2 || revs[0].Rev != 3 || revs[0].MedicalHistory != "c" || revs[1].Rev != 2 {
		t.Fatalf("revisions: %+v total %d (%v), want 3 and 2 of 3", revs, n, err)
	}
}

// TestPatientIndexSearchKeys: a record stored before search keys (plain fields only) is indexed once
// at start and then found by name prefix and by a history word.
func TestPatientIndexSearchKeys(t *testing.T) {
	ctx := context.Background()
	db, s := newPatients(t)
	id := ident.New()
	now := time.Now().UTC()
	if _, err := db.Collection("patients").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "Óscar Legacy"},
		{Key: "medical_history", Value: "gout"}, {Key: "revision", Value: 0}, {Key: "created_at", Value: now}, {Key: "updated_at", Value: now}}); err != nil {
		t.Fatal(err)
	}
	if rs, _, err := s.Search(ctx, patient.Query{Prefixes: []string{"osc"}, Limit: 5}); err != nil || len(rs) != 0 {
		t.Fatalf("before indexing: %d results (%v), want 0", len(rs), err)
	}
	if n, err := s.IndexSearchKeys(ctx); err != nil || n != 1 {
		t.Fatalf("indexed %d (%v), want 1", n, err)
	}
	if n, err := s.IndexSearchKeys(ctx); err != nil || n != 0 {
		t.Fatalf("second run indexed %d (%v), want 0", n, err)
	}
	for _, q := range []patient.Query{{Prefixes: []string{"osc"}}, {Prefixes: []string{"legacy"}}, {Terms: []string{"gout"}}} {
		q.Limit = 5
		if rs, _, err := s.Search(ctx, q); err != nil || len(rs) != 1 || rs[0].ID != id {
			t.Fatalf("%+v: %v (%v), want the legacy record", q, names(rs), err)
		}
	}
}

// TestErasedPatientKeepsNoSearchKeys is docs/security.md row 36 at the store: a record indexed every way
// (inserted, its name, phone and conditions changed) and then erased holds only the fields erasure
// keeps, so no search key that indexing writes survives it, and neither the start-up indexing nor a
// rekey computes them again.
func TestErasedPatientKeepsNoSearchKeys(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	s := mongostore.NewPatients(db, testKeys(t, "k1"))
	id, now := ident.New(), time.Now().UTC()
	if err := s.InsertPatient(ctx, patient.Record{ID: id, UserID: ident.New(), Name: "Quentin Vanish", Email: "q@example.org",
		MRN: "H00000017", DateOfBirth: "1970-01-02", Sex: "male", Phone: "+44 7700 900123", Address: "1 Lane",
		MedicalHistory: "asthma", Allergies: []string{"latex"}, Conditions: []string{"gout"}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	name, phone, conditions := "Quentin Vanishing", "+44 7700 900999", []string{"gout", "eczema"}
	if err := s.UpdateFields(ctx, id, patient.Changes{Name: &name, Phone: &phone, Conditions: &conditions}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ErasePatient(ctx, id, "Erased patient 1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexSearchKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := mongostore.NewPatients(db, testKeys(t, "k2", "k1")).Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{"_id": true, "user_id": true, "name": true, "revision": true, "unidentified": true,
		"created_at": true, "updated_at": true, "mrn": true, "sex": true, "merged_into": true, "erased_at": true,
		"medical_history": true, "allergies": true, "conditions": true, "history_by_patient": true}
	var doc bson.M
	if err := db.Collection("patients").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for k := range doc {
		if !kept[k] {
			t.Errorf("erased record still has %s = %v, want only the fields erasure keeps", k, doc[k])
		}
	}
	for _, q := range []patient.Query{{Prefixes: []string{"quen"}, Limit: 10}, {Prefixes: []string{"vanish"}, Limit: 10}, {Terms: []string{"gout"}, Limit: 10}, {MRN: "H00000017", Limit: 10}} {
		rs, _, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want := q.MRN != ""; len(rs) == 1 != want {
			t.Errorf("search %+v after erasure: got %d records, want found only by MRN", q, len(rs))
		}
	}
}

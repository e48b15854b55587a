package mongostore_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
)

// testKeys is a keyring of the given key ids (the first seals), each with its own fixed secret.
func testKeys(t testing.TB, ids ...string) *seal.Keyring {
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

// rawHistories returns every stored medical_history value of the two collections, as raw BSON.
func rawHistories(t *testing.T, db *mongostore.DB) []bson.RawValue {
	t.Helper()
	var out []bson.RawValue
	for _, col := range []string{"patients", "patient_revisions"} {
		cur, err := db.Collection(col).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(context.Background()) {
			out = append(out, cur.Current.Lookup("medical_history"))
		}
		_ = cur.Close(context.Background())
	}
	return out
}

// TestMedicalHistoryIsCiphertextAtRest is docs/security.md row 30: the raw MongoDB documents hold no
// plaintext history, only sealed values naming their key; a sealed value moved to another patient does
// not open; `hms rekey` seals histories written before encryption, and old keys' values, under the
// active key, after which the old key can go.
func TestMedicalHistoryIsCiphertextAtRest(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewPatients(db, testKeys(t, "k1"))
	id := ident.New()
	now := time.Now().UTC()
	if err := s.InsertPatient(ctx, patient.Record{ID: id, Name: "Ada Byron", MedicalHistory: "penicillin allergy", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	rev := patient.Revision{PatientID: id, Rev: 1, MedicalHistory: "penicillin allergy; asthma since 2010", At: now}
	if err := s.InsertRevision(ctx, rev); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCurrent(ctx, rev); err != nil {
		t.Fatal(err)
	}
	got, err := s.PatientByID(ctx, id)
	if err != nil || got.MedicalHistory != "penicillin allergy; asthma since 2010" {
		t.Fatalf("read back %q, %v", got.MedicalHistory, err)
	}
	for _, raw := range rawHistories(t, db) {
		var v seal.Value
		if raw.Type != bson.TypeEmbeddedDocument || raw.Unmarshal(&v) != nil || v.Key != "k1" {
			t.Fatalf("stored medical_history %s, want a sealed value under k1", raw)
		}
		if bytes.Contains(raw.Value, []byte("penicillin")) || bytes.Contains(raw.Value, []byte("asthma")) {
			t.Fatalf("plaintext in the raw document: %s", raw)
		}
	}

	// A sealed history copied into another patient's record does not open there.
	other := ident.New()
	if err := s.InsertPatient(ctx, patient.Record{ID: other, Name: "Bo", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	stolen := rawHistories(t, db)[0]
	if _, err := db.Collection("patients").UpdateOne(ctx, bson.D{{Key: "_id", Value: other}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "medical_history", Value: stolen}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PatientByID(ctx, other); !errors.Is(err, seal.ErrTampered) {
		t.Fatalf("moved ciphertext: got %v, want ErrTampered", err)
	}
	if _, err := db.Collection("patients").DeleteOne(ctx, bson.D{{Key: "_id", Value: other}}); err != nil {
		t.Fatal(err)
	}

	// A record written before encryption (plain text) still reads; rekey under a new key k2 seals it
	// and re-seals the k1 values.
	legacy := ident.New()
	if _, err := db.Collection("patients").InsertOne(ctx, bson.D{{Key: "_id", Value: legacy}, {Key: "name", Value: "Old"},
		{Key: "medical_history", Value: "hypertension"}, {Key: "revision", Value: 0}, {Key: "created_at", Value: now}, {Key: "updated_at", Value: now}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PatientByID(ctx, legacy); err != nil || got.MedicalHistory != "hypertension" {
		t.Fatalf("legacy plain text: %q %v", got.MedicalHistory, err)
	}
	rotated := mongostore.NewPatients(db, testKeys(t, "k2", "k1"))
	n, err := rotated.Rekey(ctx, nil)
	if err != nil || n != 5 {
		t.Fatalf("rekey re-sealed %d values (%v), want 5: one record's history, allergies and conditions, the legacy history, one revision", n, err)
	}
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 0 {
		t.Fatalf("second rekey re-sealed %d (%v), want 0", n, err)
	}
	for _, raw := range rawHistories(t, db) {
		var v seal.Value
		if raw.Type != bson.TypeEmbeddedDocument || raw.Unmarshal(&v) != nil || v.Key != "k2" || bytes.Contains(raw.Value, []byte("hypertension")) {
			t.Fatalf("after rekey: %s, want sealed under k2", raw)
		}
	}
	onlyNew := mongostore.NewPatients(db, testKeys(t, "k2"))
	for id, want := range map[string]string{id: "penicillin allergy; asthma since 2010", legacy: "hypertension"} {
		if got, err := onlyNew.PatientByID(ctx, id); err != nil || got.MedicalHistory != want {
			t.Fatalf("with only k2: %q %v, want %q", got.MedicalHistory, err, want)
		}
	}
}

// TestHistoryRevisionIsBound: a medical history is sealed bound to its revision number, so an older
// revision's ciphertext swapped in for the current history, or for another revision, does not open;
// a value sealed before the binding (patient only) still opens, and rekey seals it again bound.
func TestHistoryRevisionIsBound(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	keys := testKeys(t, "k1")
	s := mongostore.NewPatients(db, keys)
	id, now := ident.New(), time.Now().UTC()
	if err := s.InsertPatient(ctx, patient.Record{ID: id, Name: "Rev Swap", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for rev, text := range []string{"", "no known allergies", "severe penicillin allergy"} {
		if rev == 0 {
			continue
		}
		r := patient.Revision{PatientID: id, Rev: rev, MedicalHistory: text, At: now}
		if err := s.InsertRevision(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCurrent(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	revs := db.Collection("patient_revisions")
	old, err := revs.FindOne(ctx, bson.D{{Key: "patient_id", Value: id}, {Key: "rev", Value: 1}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	stale := old.Lookup("medical_history")
	if _, err := db.Collection("patients").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "medical_history", Value: stale}}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PatientByID(ctx, id); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("revision 1 swapped in as current: got %q, %v, want ErrTampered", got.MedicalHistory, err)
	}
	if _, err := revs.UpdateOne(ctx, bson.D{{Key: "patient_id", Value: id}, {Key: "rev", Value: 2}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "medical_history", Value: stale}}}}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.Revisions(ctx, id, 0, 10); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("revision 1 swapped in as revision 2: got %+v, %v, want ErrTampered", got, err)
	}

	// Sealed before the binding: bound to the patient only. It opens, and rekey binds it.
	legacy := ident.New()
	v, err := keys.Seal("asthma", "patient/"+legacy+"/medical_history")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("patients").InsertOne(ctx, bson.D{{Key: "_id", Value: legacy}, {Key: "name", Value: "Old"},
		{Key: "medical_history", Value: v}, {Key: "revision", Value: 3}, {Key: "created_at", Value: now}, {Key: "updated_at", Value: now}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PatientByID(ctx, legacy); err != nil || got.MedicalHistory != "asthma" {
		t.Fatalf("history sealed before the binding: %q %v", got.MedicalHistory, err)
	}
	strict := testKeys(t, "k1")
	strict.AcceptPlaintext(false)
	if _, err := mongostore.NewPatients(db, strict).PatientByID(ctx, legacy); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("history sealed before the binding, without the legacy setting: %v, want ErrTampered", err)
	}
	if _, err := db.Collection("patients").DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		t.Fatal(err)
	}
	if _, err := revs.DeleteMany(ctx, bson.D{{Key: "patient_id", Value: id}}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Rekey(ctx, nil); err != nil || n != 1 {
		t.Fatalf("rekey re-sealed %d (%v), want 1: the history sealed before the binding", n, err)
	}
	raw, err := db.Collection("patients").FindOne(ctx, bson.D{{Key: "_id", Value: legacy}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	var now2 seal.Value
	if err := raw.Lookup("medical_history").Unmarshal(&now2); err != nil {
		t.Fatal(err)
	}
	if text, err := keys.Open(now2, "patient/"+legacy+"/medical_history/rev/3"); err != nil || text != "asthma" {
		t.Errorf("after rekey: %q %v, want it bound to revision 3", text, err)
	}
}

// TestPlaintextRefusedUnlessLegacy: plain text where a sealed value belongs (data stored before a field
// was sealed, or planted in the database) is read, and sealed by rekey, only while the keyring accepts
// plaintext (SEAL_LEGACY_PLAINTEXT); otherwise reads and rekey refuse it with seal.ErrPlaintext.
func TestPlaintextRefusedUnlessLegacy(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	now := time.Now().UTC()
	planted := ident.New()
	if _, err := db.Collection("patients").InsertOne(ctx, bson.D{{Key: "_id", Value: planted}, {Key: "name", Value: "Planted"},
		{Key: "medical_history", Value: "no allergies (planted)"}, {Key: "allergies", Value: bson.A{}}, {Key: "revision", Value: 0},
		{Key: "created_at", Value: now}, {Key: "updated_at", Value: now}}); err != nil {
		t.Fatal(err)
	}
	strict := testKeys(t, "k1")
	strict.AcceptPlaintext(false)
	s := mongostore.NewPatients(db, strict)
	if got, err := s.PatientByID(ctx, planted); !errors.Is(err, seal.ErrPlaintext) {
		t.Errorf("read plain text without the legacy setting: got %q, %v, want ErrPlaintext", got.MedicalHistory, err)
	}
	if n, err := s.Rekey(ctx, nil); !errors.Is(err, seal.ErrPlaintext) || n != 0 {
		t.Errorf("rekey without the legacy setting: sealed %d, %v, want ErrPlaintext and nothing sealed", n, err)
	}
	legacy := testKeys(t, "k1") // accepts plaintext, as with SEAL_LEGACY_PLAINTEXT=true
	if got, err := mongostore.NewPatients(db, legacy).PatientByID(ctx, planted); err != nil || got.MedicalHistory != "no allergies (planted)" {
		t.Errorf("read with the legacy setting: got %q, %v", got.MedicalHistory, err)
	}
}

package mongostore_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/ident"
	"hms/server/internal/lab"
	"hms/server/internal/mongostore"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
	"hms/shared"
)

// rawDocs returns every document of a collection as raw BSON.
func rawDocs(t *testing.T, db *mongostore.DB, col string) []bson.Raw {
	t.Helper()
	cur, err := db.Collection(col).Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	var out []bson.Raw
	for cur.Next(context.Background()) {
		out = append(out, bytes.Clone(cur.Current))
	}
	return out
}

// TestLabStoreSealsAndRekeys is docs/security.md row 30 for lab data: the raw documents hold no test name,
// note, result value, comment, file name or file byte; revisions and closures (release or cancel) are exclusive inserts;
// rekey re-seals everything under the active key, after which the old key can go.
func TestLabStoreSealsAndRekeys(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewLab(db, testKeys(t, "k1"))
	now := time.Now().UTC().Truncate(time.Millisecond)
	o := lab.Order{ID: ident.New(), PatientID: ident.New(), OrderedBy: ident.New(), Priority: "urgent", OrderedAt: now,
		Tests: []shared.LabTest{{Code: "HIVAB", Name: "Zanzibar antibody"}}, Note: "suspected quokka fever"}
	if err := s.InsertOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	v := 987.654
	r := lab.Results{OrderID: o.ID, Rev: 1, At: now, Interpretation: "consistent with wombat syndrome",
		Results: []shared.LabResult{{LabResultInput: shared.LabResultInput{Code: "HIVAB", Value: &v, Unit: "mg/dL", Comment: "haemolysed sample"}, Flag: "HH"}}}
	if err := s.InsertResults(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertResults(ctx, r); !errors.Is(err, lab.ErrRevisionTaken) {
		t.Fatalf("second revision 1: got %v, want ErrRevisionTaken", err)
	}
	if err := s.InsertClosure(ctx, lab.Closure{OrderID: o.ID, Kind: shared.LabReleased, Rev: 1, At: now}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{shared.LabReleased, shared.LabCancelled} {
		if err := s.InsertClosure(ctx, lab.Closure{OrderID: o.ID, Kind: kind, At: now}); !errors.Is(err, lab.ErrClosed) {
			t.Fatalf("%s after release: got %v, want ErrClosed", kind, err)
		}
	}
	if cs, err := s.ClosuresOf(ctx, []string{o.ID, ident.New()}); err != nil || len(cs) != 1 || cs[0].Kind != shared.LabReleased || cs[0].Rev != 1 {
		t.Fatalf("got closures %+v, %v; want the one release of revision 1", cs, err)
	}
	fileID, secret := ident.New(), []byte("%PDF-1.4 xylophone-secret-bytes")
	if err := s.InsertChunk(ctx, fileID, 0, secret); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertChunk(ctx, fileID, 0, secret); err == nil {
		t.Fatal("a second chunk 0 of one file was accepted, want the unique {file_id, n} index to refuse it")
	}
	if err := s.InsertFile(ctx, lab.File{ID: fileID, OrderID: o.ID, PatientID: o.PatientID, Name: "quokka-report.pdf",
		ContentType: "application/pdf", Size: int64(len(secret)), Chunks: 1, At: now}); err != nil {
		t.Fatal(err)
	}

	plaintexts := []string{"Zanzibar", "quokka", "987.654", "wombat", "haemolysed", "mg/dL", "xylophone"}
	checkRaw := func(key string) {
		t.Helper()
		for _, col := range []string{"lab_orders", "lab_results", "lab_files", "lab_file_chunks"} {
			docs := rawDocs(t, db, col)
			if len(docs) == 0 {
				t.Fatalf("%s: no documents", col)
			}
			for _, d := range docs {
				for _, p := range plaintexts {
					if bytes.Contains(d, []byte(p)) {
						t.Errorf("%s holds the plaintext %q: %s", col, p, d)
					}
				}
				if !strings.Contains(d.String(), `"k": "`+key+`"`) {
					t.Errorf("%s: got %s, want values sealed under %s", col, d, key)
				}
			}
		}
	}
	checkRaw("k1")

	// Rotate: k2 seals, k1 still opens; rekey; then a keyring without k1 reads everything.
	s2 := mongostore.NewLab(db, testKeys(t, "k2", "k1"))
	n, err := s2.Rekey(ctx, nil)
	if err != nil || n != 5 {
		t.Fatalf("rekey: got %d, %v; want 5 values (tests, note, results, name, chunk)", n, err)
	}
	checkRaw("k2")
	s3 := mongostore.NewLab(db, testKeys(t, "k2"))
	got, err := s3.Order(ctx, o.ID)
	if err != nil || got.Note != o.Note || got.Tests[0].Name != "Zanzibar antibody" {
		t.Fatalf("order after rekey: got %+v, %v", got, err)
	}
	revs, err := s3.ResultsOf(ctx, []string{o.ID})
	if err != nil || len(revs) != 1 || *revs[0].Results[0].Value != v || revs[0].Results[0].Flag != "HH" || revs[0].Interpretation != r.Interpretation {
		t.Fatalf("results after rekey: got %+v, %v", revs, err)
	}
	var chunk []byte
	err = s3.Chunks(ctx, fileID, func(n int, data []byte) error { chunk = append(chunk, data...); return nil })
	if err != nil || !bytes.Equal(chunk, secret) {
		t.Fatalf("chunk after rekey: got %q, %v", chunk, err)
	}
	files, err := s3.FilesOf(ctx, []string{o.ID})
	if err != nil || len(files) != 1 || files[0].Name != "quokka-report.pdf" {
		t.Fatalf("files after rekey: got %+v, %v", files, err)
	}

	// A chunk moved to another position does not open (its number is bound into the ciphertext).
	raw := rawDocs(t, db, "lab_file_chunks")[0]
	var moved seal.Value
	if err := raw.Lookup("data").Unmarshal(&moved); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("lab_file_chunks").InsertOne(ctx, bson.D{{Key: "_id", Value: ident.New()},
		{Key: "file_id", Value: fileID}, {Key: "n", Value: 1}, {Key: "data", Value: moved}}); err != nil {
		t.Fatal(err)
	}
	if err := s3.Chunks(ctx, fileID, func(int, []byte) error { return nil }); !errors.Is(err, seal.ErrTampered) {
		t.Fatalf("a chunk copied to position 1: got %v, want ErrTampered", err)
	}

	// A gap in the chunks is an error, not a silently shorter file.
	gap := ident.New()
	for _, n := range []int{0, 2} {
		if err := s3.InsertChunk(ctx, gap, n, []byte("chunk")); err != nil {
			t.Fatal(err)
		}
	}
	got0 := 0
	err = s3.Chunks(ctx, gap, func(int, []byte) error { got0++; return nil })
	if err == nil || !strings.Contains(err.Error(), "chunk 1 is missing") || got0 != 1 {
		t.Fatalf("chunks 0 and 2: got %d chunks and %v, want chunk 0 then an error naming chunk 1", got0, err)
	}
}

package mongostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestEmbeddedSQLiteDefault starts the default storage (`make run` with no DATABASE_URL) in a temp dir,
// writes, reopens and reads back.
func TestEmbeddedSQLiteDefault(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func() *mongostore.DB {
		db, err := mongostore.Open(ctx, mongostore.Options{DataDir: dir, Database: "hms"})
		if err != nil {
			t.Fatalf("open embedded: %v", err)
		}
		if db.Embedded != "sqlite" {
			t.Fatalf("got backend %q, want sqlite", db.Embedded)
		}
		if err := db.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	users := mongostore.NewUsers(db)
	u := auth.User{ID: ident.New(), Name: "A", Email: "a@example.org", Role: shared.RoleStaff, CreatedAt: time.Now().UTC()}
	if err := users.InsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := users.InsertUser(ctx, auth.User{ID: ident.New(), Email: "a@example.org"}); !errors.Is(err, auth.ErrEmailTaken) {
		t.Fatalf("got %v for a duplicate email, want ErrEmailTaken (unique index on SQLite)", err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	db = open()
	defer db.Close(ctx)
	got, err := mongostore.NewUsers(db).UserByEmail(ctx, "a@example.org")
	if err != nil || got.ID != u.ID {
		t.Fatalf("got %+v, %v after reopening, want the stored user", got, err)
	}
}

func TestUserStore(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewUsers(db)
	if _, err := s.UserByID(ctx, ident.New()); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("got %v, want ErrUserNotFound", err)
	}
	has, err := s.HasAdmin(ctx)
	if err != nil || has {
		t.Fatalf("got %v, %v, want no admin in an empty database", has, err)
	}
	u := auth.User{ID: ident.New(), Name: "Ada", Email: "ada@example.org", Role: shared.RoleAdmin, PasswordHash: "h", Epoch: 7,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := s.InsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if has, _ := s.HasAdmin(ctx); !has {
		t.Fatal("got no admin, want one")
	}
	role, epoch, disabled := shared.RoleStaff, int64(8), true
	if err := s.UpdateUser(ctx, u.ID, auth.UserChange{Role: &role, Epoch: &epoch, Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(ctx, u.ID)
	if err != nil || got.Role != role || got.Epoch != 8 || !got.Disabled || got.Name != "Ada" || !got.CreatedAt.Equal(u.CreatedAt) {
		t.Fatalf("got %+v, %v, want role staff, epoch 8, disabled, name kept", got, err)
	}
	if err := s.UpdateUser(ctx, ident.New(), auth.UserChange{Role: &role}); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("got %v updating a missing user, want ErrUserNotFound", err)
	}

	doc := auth.User{ID: ident.New(), Name: "Dan", Email: "dan@example.org", Role: shared.RoleDoctor, PasswordHash: "h",
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := s.InsertUser(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if all, total, err := s.ListUsers(ctx, "", 0, 10); err != nil || total != 2 || len(all) != 2 {
		t.Fatalf("got %d of %d users, %v, want 2 of 2", len(all), total, err)
	}
	docs, total, err := s.ListUsers(ctx, shared.RoleDoctor, 0, 10)
	if err != nil || total != 1 || len(docs) != 1 || docs[0].ID != doc.ID {
		t.Fatalf("got %+v (total %d), %v, want only the doctor", docs, total, err)
	}
	if none, total, err := s.ListUsers(ctx, shared.RolePatient, 0, 10); err != nil || total != 0 || len(none) != 0 {
		t.Fatalf("got %d patients (total %d), %v, want none", len(none), total, err)
	}

	jti := ident.New()
	if err := s.SpendToken(ctx, jti, "s", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SpendToken(ctx, jti, "s", time.Now()); !errors.Is(err, auth.ErrTokenSpent) {
		t.Fatalf("got %v on the second claim, want ErrTokenSpent", err)
	}
}

// TestRevisionsAreExclusive has many writers race for the next revision of one record: the unique
// index lets exactly one take each number, so no revision is lost or doubled.
func TestRevisionsAreExclusive(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	s := mongostore.NewPatients(db, testKeys(t, "k1"))
	id := ident.New()
	if err := s.InsertPatient(ctx, patient.Record{ID: id, Name: "P", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	const writers = 16
	var wg sync.WaitGroup
	wins := make(chan int, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InsertRevision(ctx, patient.Revision{PatientID: id, Rev: 1, MedicalHistory: "x", At: time.Now().UTC()})
			switch {
			case err == nil:
				wins <- 1
			case !errors.Is(err, patient.ErrRevisionTaken):
				t.Errorf("got %v, want nil or ErrRevisionTaken", err)
			}
		}()
	}
	wg.Wait()
	close(wins)
	if n := len(wins); n != 1 {
		t.Fatalf("got %d writers holding revision 1, want exactly 1", n)
	}
	// An older revision never overwrites a newer current one.
	if err := s.SetCurrent(ctx, patient.Revision{PatientID: id, Rev: 2, MedicalHistory: "two", At: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCurrent(ctx, patient.Revision{PatientID: id, Rev: 1, MedicalHistory: "one", At: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	r, err := s.PatientByID(ctx, id)
	if err != nil || r.MedicalHistory != "two" || r.Revision != 2 {
		t.Fatalf("got %q rev %d (%v), want \"two\" rev 2", r.MedicalHistory, r.Revision, err)
	}
}

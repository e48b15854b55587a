package mongostore_test

import (
	"context"
	"testing"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

// BenchmarkRequestCheck measures the reads every signed-in request makes to check its caller: the
// session, the account, and since roles can change at run time the account's role (docs/roles.md),
// a stored custom role or a built-in one never changed (a miss), over 10,000 accounts.
func BenchmarkRequestCheck(b *testing.B) {
	ctx := context.Background()
	db := testenv.DB(b)
	if err := db.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	s := mongostore.NewUsers(db)
	now := time.Now().UTC()
	var u auth.User
	for i := range 10_000 {
		u = auth.User{ID: ident.New(), Name: "User", Email: ident.New() + "@test.hms", Role: shared.RoleStaff, RoleID: "nurse",
			PasswordHash: "x", Epoch: int64(i), CreatedAt: now}
		if err := s.InsertUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	sess := auth.Session{ID: ident.New(), UserID: u.ID, CreatedAt: now, LastUsedAt: now}
	if err := s.InsertSession(ctx, sess); err != nil {
		b.Fatal(err)
	}
	if err := s.PutRole(ctx, auth.Role{ID: "nurse", Name: "Nurse", Kind: shared.RoleStaff, Grants: []shared.Permission{shared.PermVitals},
		Revision: 1, UpdatedAt: now}, 0); err != nil {
		b.Fatal(err)
	}
	b.Run("session", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.SessionByID(ctx, sess.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("account", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.UserByID(ctx, u.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("custom-role", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.RoleByID(ctx, "nurse"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("built-in-role", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.RoleByID(ctx, "staff"); err != auth.ErrRoleNotFound {
				b.Fatal(err)
			}
		}
	})
}

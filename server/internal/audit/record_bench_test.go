package audit_test

import (
	"context"
	"testing"

	"hms/server/internal/audit"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/shared"
)

// benchLog opens the embedded default storage (FerretDB on SQLite, in a temporary directory) with its
// indexes, and a Log on it.
func benchLog(b *testing.B) *audit.Log {
	ctx := context.Background()
	db, err := mongostore.Open(ctx, mongostore.Options{DataDir: b.TempDir(), Database: "hms"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close(context.Background()) })
	if err := db.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	return audit.NewLog(mongostore.NewAudit(db))
}

// BenchmarkRecord measures one audit entry (a patient read) written at a time on the embedded store:
// what every audited request pays.
func BenchmarkRecord(b *testing.B) {
	l, ctx := benchLog(b), context.Background()
	actor, patient := ident.New(), ident.New()
	for b.Loop() {
		if err := l.Record(ctx, actor, shared.RoleDoctor, patient, "patient.read", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordParallel measures entries written by 16 concurrent requests of one process.
func BenchmarkRecordParallel(b *testing.B) {
	l, ctx := benchLog(b), context.Background()
	actor, patient := ident.New(), ident.New()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Record(ctx, actor, shared.RoleDoctor, patient, "patient.read", nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

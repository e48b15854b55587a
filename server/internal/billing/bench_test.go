package billing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hms/server/internal/billing"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
)

// BenchmarkListAccount lists a patient's account of 1,000 issued invoices (three lines each) on the
// store the tests use (FerretDB, on PostgreSQL where it runs, else SQLite): the desk's first page of
// 20, and all 1,000 at once.
func BenchmarkListAccount(b *testing.B) {
	ctx := context.Background()
	db := testenv.IndexedDB(b)
	store := mongostore.NewBilling(db, keys)
	svc := billing.NewService(store, billing.Options{Currency: "GBP"})
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 1000 {
		t := at.Add(time.Duration(i) * time.Hour)
		inv := billing.Invoice{ID: fmt.Sprintf("%024x", i+1), PatientID: "p-bench", Status: billing.Issued, Currency: "GBP",
			Rev: 4, ChangedAt: t, CreatedAt: t, CreatedBy: "staff", Number: billing.Number(2026, i+1), Year: 2026, Seq: i + 1, IssuedAt: &t}
		for j := range 3 {
			inv.Lines = append(inv.Lines, billing.Line{ChargeID: fmt.Sprintf("chg:%d:%d", i, j), Kind: billing.Procedure, Code: "XRAY",
				Description: "Chest X-ray", Quantity: 1, UnitAmount: 4500, Net: 4500, Total: 4500})
		}
		inv.Totals = billing.Totals{Net: 13500, Total: 13500}
		if err := store.InsertInvoice(ctx, inv); err != nil {
			b.Fatal(err)
		}
	}
	for _, limit := range []int{20, 1000} {
		b.Run(fmt.Sprintf("page_of_%d", limit), func(b *testing.B) {
			for b.Loop() {
				invs, total, err := svc.Invoices(ctx, "p-bench", "", 1, limit)
				if err != nil || total != 1000 || len(invs) != limit {
					b.Fatalf("got %d of %d, %v; want %d of 1000", len(invs), total, err, limit)
				}
			}
		})
	}
}

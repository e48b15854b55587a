package billing_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
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

// BenchmarkIssue issues b.N drafts (one line each) by 16 concurrent callers spread over two instances
// of the service, on the store the tests use: ns/op is the wall time per issue at that concurrency,
// p50-ms and p99-ms the latency of one issue. The numbers must come out 1..b.N. Run it with a fixed
// count (-benchtime 200x): every draft is made before the clock starts.
func BenchmarkIssue(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	f.price(b, "PROC", billing.Procedure, "", 1000, 2000)
	drafts := make([]billing.Invoice, b.N)
	for i := range drafts {
		p := fmt.Sprintf("bench-%d", i)
		f.post(b, "proc:"+p, p, "PROC", 1)
		d, err := f.svc.Draft(ctx, p, nil, "staff")
		if err != nil {
			b.Fatal(err)
		}
		drafts[i] = d
	}
	svcs := []*billing.Service{f.svc, f.instance()}
	latencies := make([]time.Duration, b.N)
	seqs := make([]int, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(drafts) {
					return
				}
				t0 := time.Now()
				inv, err := svcs[w%2].Issue(ctx, drafts[i].ID, drafts[i].Rev, "staff")
				latencies[i] = time.Since(t0)
				if err != nil {
					b.Error(err)
					return
				}
				seqs[i] = inv.Seq
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			b.Fatalf("numbers %v: want 1..%d", seqs, b.N)
		}
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}

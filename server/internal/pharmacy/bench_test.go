package pharmacy_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hms/server/internal/ident"
	"hms/server/internal/pharmacy"
	"hms/shared"
)

// BenchmarkMoveStock measures one stock movement (read the ledger's end, insert the next seq) on the
// test database, sequentially and with 8 writers racing for one medication's ledger.
func BenchmarkMoveStock(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			f := newFixtureB(b)
			b.SetParallelism(writers)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := f.svc.MoveStock(context.Background(), f.staff, f.med.ID, shared.StockRequest{Quantity: 1}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkDueAlerts measures one DueAlerts call over 2,000 prescriptions, each with its latest fill
// dispensed on one of the last 730 days (about half of them within the read window of 395 days),
// written through the store by 8 writers.
func BenchmarkDueAlerts(b *testing.B) {
	ctx := context.Background()
	f := newFixtureB(b)
	now := time.Now()
	const prescriptions = 2000
	durations := []int{7, 14, 30, 90}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < prescriptions; i += 8 {
				rx := pharmacy.Prescription{ID: ident.New(), PatientID: ident.New(), MedicationID: f.med.ID, MedicationName: "Metformin 500 mg",
					Dose: "1", Frequency: "QD", DurationDays: durations[i%len(durations)], Quantity: 5, Refills: i % 4,
					PrescribedBy: f.doctor.UserID, Status: shared.PrescriptionActive, CreatedAt: now}
				at := now.AddDate(0, 0, -(i % 730)).UTC().Truncate(time.Millisecond)
				fill := 1 + i%(1+rx.Refills)
				c := pharmacy.FillClaim{ID: pharmacy.FillID(rx.ID, fill), PrescriptionID: rx.ID, PatientID: rx.PatientID,
					MedicationID: f.med.ID, Fill: fill, Quantity: 5, Key: pharmacy.FillID(rx.ID, fill), By: f.staff.UserID, At: at}
				err := f.store.InsertPrescription(ctx, rx)
				if err == nil {
					err = f.store.ClaimFill(ctx, c)
				}
				if err == nil {
					err = f.store.CompleteFill(ctx, c.ID, pharmacy.Movement{Seq: i + 2, Balance: 1, At: at})
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var n int
	for b.Loop() {
		due, err := f.svc.DueAlerts(ctx, now, time.UTC)
		if err != nil {
			b.Fatal(err)
		}
		n = len(due)
	}
	b.ReportMetric(float64(n), "alerts")
}

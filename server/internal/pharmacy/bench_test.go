package pharmacy_test

import (
	"context"
	"fmt"
	"testing"

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

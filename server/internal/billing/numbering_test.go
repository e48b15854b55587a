package billing_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"hms/server/internal/billing"
)

// TestNumberOnceWhenFinishedTwice: an invoice a crash left issuing is finished at once by ten requests on
// two instances while other drafts are issued; it gets one number, every request answers that number,
// and the numbers stay 1..n. Each instance remembers the last number it claimed, so this also runs the
// claims whose remembered number another instance has taken meanwhile.
func TestNumberOnceWhenFinishedTwice(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 1000, 0)
	var drafts []billing.Invoice
	for i := range 11 {
		p := fmt.Sprintf("p%02d", i)
		f.post(t, "proc:"+p, p, "PROC", 1)
		d, err := f.svc.Draft(ctx, p, nil, "staff")
		if err != nil {
			t.Fatal(err)
		}
		drafts = append(drafts, d)
	}
	stuck := drafts[0]
	stuck.Status, stuck.Rev = billing.Issuing, stuck.Rev+1
	if err := f.store.UpdateInvoice(ctx, stuck, billing.Draft, drafts[0].Rev); err != nil {
		t.Fatal(err)
	}
	svcs := []*billing.Service{f.svc, f.instance()}
	// Each instance claims a number first, so that both remember one the other will overtake.
	for i, svc := range svcs {
		if _, err := svc.Issue(ctx, drafts[1+i].ID, drafts[1+i].Rev, "staff"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	stuckNumbers := map[string]int{}
	seqs := []int{1, 2}
	for i := range 10 {
		wg.Go(func() {
			inv, err := svcs[i%2].Issue(ctx, stuck.ID, stuck.Rev, "staff")
			if err != nil {
				t.Errorf("finish the stuck invoice (%d): %v", i, err)
				return
			}
			mu.Lock()
			stuckNumbers[inv.Number]++
			mu.Unlock()
		})
	}
	for i, d := range drafts[3:] {
		wg.Go(func() {
			inv, err := svcs[i%2].Issue(ctx, d.ID, d.Rev, "staff")
			if err != nil {
				t.Errorf("issue %d: %v", i, err)
				return
			}
			mu.Lock()
			seqs = append(seqs, inv.Seq)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(stuckNumbers) != 1 {
		t.Fatalf("the stuck invoice was answered with numbers %v, want one", stuckNumbers)
	}
	got, err := f.svc.Invoice(ctx, stuck.ID)
	if err != nil || got.Status != billing.Issued || stuckNumbers[got.Number] != 10 {
		t.Fatalf("the stuck invoice: got %+v %v, want issued under the number all ten answers gave (%v)", got, err, stuckNumbers)
	}
	seqs = append(seqs, got.Seq)
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("numbers %v: want 1..%d with no gap or repeat", seqs, len(drafts))
		}
	}
}

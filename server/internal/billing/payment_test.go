package billing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/billing"
	"hms/server/internal/fault"
)

// issued makes an issued invoice for patient of one line of code.
func (f *fixture) issued(t testing.TB, patient, code string) billing.Invoice {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.Post(ctx, billing.ChargeRequest{Key: "act:" + patient + ":" + code, PatientID: patient, Source: "test",
		Code: code, Quantity: 1, By: "staff"}); err != nil {
		t.Fatal(err)
	}
	inv, err := f.svc.Draft(ctx, patient, nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	inv, err = f.svc.Issue(ctx, inv.ID, inv.Rev, "staff")
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func pay(svc *billing.Service, invoiceID string, method billing.Method, amount int64, key, by string) (billing.Payment, bool, error) {
	return svc.Pay(context.Background(), billing.PaymentRequest{InvoiceID: invoiceID, Method: method, Amount: amount, Key: key, By: by})
}

func wantFault(t *testing.T, what string, err error, code string) {
	t.Helper()
	got := fault.CodeOf(err)
	if got == "" && errors.Is(err, fault.ErrInvalid) {
		got = "invalid_request"
	}
	if err == nil || got != code {
		t.Fatalf("%s: got %v (code %q), want %s", what, err, got, code)
	}
}

func (f *fixture) detail(t *testing.T, id string) billing.InvoiceDetail {
	t.Helper()
	d, err := f.svc.Detail(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPartialPaymentsThenOverpayment: payments add up to the total, a payment above the balance is
// 409 overpayment, a draft takes none, the same key records once, and the invoice says what is paid.
func TestPartialPaymentsThenOverpayment(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	if inv.Balance != 10000 || inv.PaymentStatus != billing.Unpaid {
		t.Fatalf("issued: got balance %d status %q, want 10000 unpaid", inv.Balance, inv.PaymentStatus)
	}

	_, _, err := pay(f.svc, inv.ID, billing.Cash, 0, "k0", "desk")
	wantFault(t, "a payment of 0", err, "invalid_request")
	_, _, err = pay(f.svc, inv.ID, "cheque", 10, "k0", "desk")
	wantFault(t, "an unknown method", err, "invalid_request")

	first, replayed, err := pay(f.svc, inv.ID, billing.Cash, 3000, "k1", "desk")
	if err != nil || replayed || first.Amount != 3000 || first.ReceiptNumber != "RCT-2026-000001" || first.PatientID != "p1" {
		t.Fatalf("first payment: got %+v replayed=%v %v, want 3000 with the year's first receipt", first, replayed, err)
	}
	again, replayed, err := pay(f.svc, inv.ID, billing.Cash, 3000, "k1", "desk")
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("the same key again: got %+v replayed=%v %v, want the first payment", again, replayed, err)
	}
	if other, _, err := pay(f.svc, inv.ID, billing.Cash, 1, "k1", "another-desk"); err != nil || other.ID == first.ID {
		t.Fatalf("another user's key k1: got %+v %v, want a payment of its own", other, err)
	}
	if _, _, err := pay(f.svc, inv.ID, billing.Card, 4999, "k2", "desk"); err != nil {
		t.Fatal(err)
	}
	d := f.detail(t, inv.ID)
	if d.Paid != 8000 || d.Balance != 2000 || d.PaymentStatus != billing.PartiallyPaid || len(d.Payments) != 3 {
		t.Fatalf("after 3000 + 1 + 4999: got paid %d balance %d %q, %d payments; want 8000, 2000, partially_paid, 3", d.Paid, d.Balance, d.PaymentStatus, len(d.Payments))
	}
	_, _, err = pay(f.svc, inv.ID, billing.Cash, 2001, "k3", "desk")
	wantFault(t, "2001 of a balance of 2000", err, "overpayment")
	if _, _, err := pay(f.svc, inv.ID, billing.Cash, 2000, "k4", "desk"); err != nil {
		t.Fatal(err)
	}
	_, _, err = pay(f.svc, inv.ID, billing.Cash, 1, "k5", "desk")
	wantFault(t, "a payment on a paid invoice", err, "overpayment")
	if d := f.detail(t, inv.ID); d.Paid != 10000 || d.Balance != 0 || d.PaymentStatus != billing.Paid {
		t.Fatalf("paid in full: got paid %d balance %d %q", d.Paid, d.Balance, d.PaymentStatus)
	}

	f.post(t, "act:p2", "p2", "PROC", 1)
	draft, err := f.svc.Draft(ctx, "p2", nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = pay(f.svc, draft.ID, billing.Cash, 100, "k6", "desk")
	wantFault(t, "a payment on a draft", err, "invoice_not_issued")
	list, _, err := f.svc.Invoices(ctx, "p1", "", 1, 10)
	if err != nil || len(list) != 1 || list[0].Paid != 10000 || list[0].PaymentStatus != billing.Paid {
		t.Fatalf("the list: got %+v %v, want the invoice paid", list, err)
	}
}

// TestLastBalanceOnTwoInstances: desks on two instances take the last of a balance at once: exactly one
// payment is recorded, the rest are 409 overpayment, and nothing is paid twice.
func TestLastBalanceOnTwoInstances(t *testing.T) {
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	if _, _, err := pay(f.svc, inv.ID, billing.Cash, 6000, "first", "desk"); err != nil {
		t.Fatal(err)
	}
	svcs := []*billing.Service{f.svc, f.instance()}
	var ok, over atomic.Int32
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			_, _, err := pay(svcs[i%2], inv.ID, billing.Card, 4000, fmt.Sprintf("last-%d", i), fmt.Sprintf("desk-%d", i))
			switch {
			case err == nil:
				ok.Add(1)
			case fault.CodeOf(err) == "overpayment":
				over.Add(1)
			default:
				t.Errorf("payment %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || over.Load() != 9 {
		t.Fatalf("got %d recorded and %d refused, want 1 and 9", ok.Load(), over.Load())
	}
	if d := f.detail(t, inv.ID); d.Paid != 10000 || len(d.Payments) != 2 {
		t.Fatalf("got paid %d in %d payments, want 10000 in 2", d.Paid, len(d.Payments))
	}
}

// TestOneKeyConcurrently: the same request sent ten times at once on two instances records one payment.
func TestOneKeyConcurrently(t *testing.T) {
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	svcs := []*billing.Service{f.svc, f.instance()}
	ids := make([]string, 10)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			p, _, err := pay(svcs[i%2], inv.ID, billing.Cash, 2500, "one-key", "desk")
			if err != nil {
				t.Errorf("payment %d: %v", i, err)
			}
			ids[i] = p.ID
		})
	}
	wg.Wait()
	d := f.detail(t, inv.ID)
	if d.Paid != 2500 || len(d.Payments) != 1 {
		t.Fatalf("got paid %d in %+v, want one payment of 2500", d.Paid, d.Payments)
	}
	for i, id := range ids {
		if id != d.Payments[0].ID {
			t.Errorf("request %d answered %q, want the one payment %q", i, id, d.Payments[0].ID)
		}
	}
}

// TestRefunds: a refund needs a reason, is at most what is left of the payment (409 over_refund, also
// when two admins refund the rest at once), lowers what is paid, and the same key refunds once.
func TestRefunds(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	p, _, err := pay(f.svc, inv.ID, billing.Card, 6000, "k1", "desk")
	if err != nil {
		t.Fatal(err)
	}
	refund := func(svc *billing.Service, amount int64, reason, key string) (billing.Payment, bool, error) {
		return svc.Refund(ctx, billing.RefundRequest{PaymentID: p.ID, Amount: amount, Reason: reason, Key: key, By: "admin"})
	}
	_, _, err = refund(f.svc, 1000, " ", "r0")
	wantFault(t, "a refund without a reason", err, "invalid_request")
	_, _, err = refund(f.svc, 6001, "overcharged", "r0")
	wantFault(t, "a refund above the payment", err, "over_refund")
	if _, _, err := f.svc.Refund(ctx, billing.RefundRequest{PaymentID: "pay_nope", Amount: 1, Reason: "x", Key: "r0", By: "admin"}); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("a refund of no payment: got %v, want not found", err)
	}
	got, _, err := refund(f.svc, 1000, "overcharged", "r1")
	if err != nil || got.Refunded != 1000 || got.Amount != 6000 {
		t.Fatalf("refund 1000: got %+v %v", got, err)
	}
	if again, replayed, err := refund(f.svc, 1000, "overcharged", "r1"); err != nil || !replayed || again.Refunded != 1000 {
		t.Fatalf("the same key again: got %+v replayed=%v %v, want refunded still 1000", again, replayed, err)
	}
	if d := f.detail(t, inv.ID); d.Paid != 5000 || d.Balance != 5000 {
		t.Fatalf("after the refund: got paid %d balance %d, want 5000 and 5000", d.Paid, d.Balance)
	}
	// Two admins refund the remaining 5000 at once on two instances: one does.
	svcs := []*billing.Service{f.svc, f.instance()}
	var ok, over atomic.Int32
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			_, _, err := refund(svcs[i%2], 5000, "cancelled", fmt.Sprintf("rest-%d", i))
			switch {
			case err == nil:
				ok.Add(1)
			case fault.CodeOf(err) == "over_refund":
				over.Add(1)
			default:
				t.Errorf("refund %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || over.Load() != 5 {
		t.Fatalf("got %d refunds and %d refused, want 1 and 5", ok.Load(), over.Load())
	}
	if d := f.detail(t, inv.ID); d.Paid != 0 || d.Payments[0].Refunded != 6000 || d.PaymentStatus != billing.Unpaid {
		t.Fatalf("refunded in full: got %+v", d)
	}
}

// TestReceiptNumbersGapless: 20 payments at once on two instances, over several invoices, take receipt
// numbers 1..20 of the year, each once.
func TestReceiptNumbersGapless(t *testing.T) {
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	invs := make([]billing.Invoice, 4)
	for i := range invs {
		invs[i] = f.issued(t, fmt.Sprintf("p%d", i), "PROC")
	}
	svcs := []*billing.Service{f.svc, f.instance()}
	receipts := make([]string, 20)
	var wg sync.WaitGroup
	for i := range receipts {
		wg.Go(func() {
			p, _, err := pay(svcs[i%2], invs[i%4].ID, billing.Cash, 100, fmt.Sprintf("k%d", i), "desk")
			if err != nil {
				t.Errorf("payment %d: %v", i, err)
			}
			receipts[i] = p.ReceiptNumber
		})
	}
	wg.Wait()
	slices.Sort(receipts)
	for i, r := range receipts {
		if want := billing.ReceiptSeries.Number(2026, i+1); r != want {
			t.Fatalf("receipts %v: want RCT-2026-000001..000020 with no gap or repeat", receipts)
		}
	}
	// Invoice numbers are their own series: still 1..4.
	for _, inv := range invs {
		if inv.Seq < 1 || inv.Seq > 4 {
			t.Errorf("invoice %s: got number %s, want one of the first four", inv.ID, inv.Number)
		}
	}
}

// TestPaymentReferenceSealed: a payment's reference and a refund's reason are ciphertext at rest.
func TestPaymentReferenceSealed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	p, _, err := f.svc.Pay(ctx, billing.PaymentRequest{InvoiceID: inv.ID, Method: billing.Card, Amount: 500,
		Reference: "slip 4471 for Jane Roe", Key: "k1", By: "desk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Refund(ctx, billing.RefundRequest{PaymentID: p.ID, Amount: 100, Reason: "Jane Roe was overcharged",
		Key: "r1", By: "admin"}); err != nil {
		t.Fatal(err)
	}
	cur, err := f.db.Collection("billing_ledger").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.Raw
	if err := cur.All(ctx, &docs); err != nil || len(docs) != 2 {
		t.Fatalf("got %d ledger entries %v, want 2", len(docs), err)
	}
	for _, raw := range docs {
		if text := strings.ToLower(raw.String()); strings.Contains(text, "jane") || strings.Contains(text, "4471") {
			t.Errorf("the ledger holds the reference or reason in clear: %s", raw)
		}
	}
	if back, err := f.svc.Payment(ctx, p.ID); err != nil || back.Reference != "slip 4471 for Jane Roe" || back.Refunded != 100 {
		t.Fatalf("read back: got %+v %v", back, err)
	}
}

// TestRecoverNumbersPayments: a payment a crash left without a receipt number gets the next one.
func TestRecoverNumbersPayments(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	if err := f.store.InsertEntry(ctx, billing.Entry{InvoiceID: inv.ID, Seq: 1, Op: "pay_crashed", Kind: billing.PaymentEntry,
		PaymentID: "pay_crashed", PatientID: "p1", Method: billing.Cash, Amount: 700, Currency: "GBP", By: "desk", At: f.clock()}); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	if n, err := f.svc.Recover(ctx, 30*time.Second); err != nil || n != 1 {
		t.Fatalf("recover: got %d %v, want 1 fixed", n, err)
	}
	if p, err := f.svc.Payment(ctx, "pay_crashed"); err != nil || p.ReceiptNumber != "RCT-2026-000001" {
		t.Fatalf("got %+v %v, want the first receipt number", p, err)
	}
}

// BenchmarkRecordPayment records payments at the desk, one after another, each on its own invoice's
// ledger entry (a ledger read, the entry's insert, the receipt number's claim and a read back).
func BenchmarkRecordPayment(b *testing.B) {
	f := newFixture(b)
	f.price(b, "PROC", billing.Procedure, "", 1_000_000_000, 0)
	inv := f.issued(b, "p1", "PROC")
	for i := 0; b.Loop(); i++ {
		if _, _, err := pay(f.svc, inv.ID, billing.Cash, 1, fmt.Sprintf("k%d", i), "desk"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCreditedLeavesLessToPay: a credit note lowers what is owed, so a payment of the whole total after
// it is an overpayment, and paying what is left settles the invoice.
func TestCreditedLeavesLessToPay(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	inv := f.issued(t, "p1", "PROC")
	if _, _, err := f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "goodwill",
		Lines: []billing.CreditLine{{ChargeID: inv.Lines[0].ChargeID, Quantity: 1}}}, "staff", "c1"); err != nil {
		t.Fatal(err)
	}
	// The whole line is credited: nothing is owed.
	d := f.detail(t, inv.ID)
	if d.Credited != 10000 || d.Balance != 0 || d.PaymentStatus != billing.Paid || len(d.CreditNotes) != 1 {
		t.Fatalf("after crediting the whole line: got credited %d balance %d %q, %d notes; want 10000, 0, paid, 1",
			d.Credited, d.Balance, d.PaymentStatus, len(d.CreditNotes))
	}
	_, _, err := pay(f.svc, inv.ID, billing.Cash, 1, "k1", "desk")
	wantFault(t, "paying a credited invoice", err, "overpayment")
	invs, _, err := f.svc.Invoices(ctx, "p1", billing.Issued, 1, 20)
	if err != nil || len(invs) != 1 || invs[0].Credited != 10000 || invs[0].Balance != 0 {
		t.Fatalf("the list: got %+v %v, want the invoice credited 10000 with nothing to pay", invs, err)
	}
}

package billing_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/billing"
	"hms/server/internal/fault"
)

// TestShares: insurer = round((total − co-pay) × coverage), half up; patient = total − insurer; a co-pay
// at or above the total leaves the insurer nothing; no coverage leaves the patient everything; the
// arithmetic is exact for any amount (checked against big integers).
func TestShares(t *testing.T) {
	cov := func(bp int, copay int64) *billing.Coverage { return &billing.Coverage{CoverageBP: bp, CoPay: copay} }
	for _, c := range []struct {
		name           string
		total          int64
		cov            *billing.Coverage
		insurer, owing int64
	}{
		{"80% after a co-pay", 10000, cov(8000, 1000), 7200, 2800},
		{"half of an odd amount rounds up", 1001, cov(5000, 0), 501, 500},
		{"just under a half rounds down", 1003, cov(3333, 0), 334, 669}, // 334.2999
		{"a third", 100, cov(3333, 0), 33, 67},
		{"co-pay above the total", 500, cov(8000, 1000), 0, 500},
		{"co-pay equal to the total", 1000, cov(8000, 1000), 0, 1000},
		{"full cover, no co-pay", 4321, cov(10000, 0), 4321, 0},
		{"no cover at all", 4321, cov(0, 0), 0, 4321},
		{"no policy", 4321, nil, 0, 4321},
		{"nothing to share", 0, cov(8000, 0), 0, 0},
	} {
		ins, pat := billing.Shares(c.total, c.cov)
		if ins != c.insurer || pat != c.owing {
			t.Errorf("%s: Shares(%d) = %d, %d; want %d, %d", c.name, c.total, ins, pat, c.insurer, c.owing)
		}
	}
	for _, total := range []int64{math.MaxInt64, math.MaxInt64 - 1, 9_223_372_036_854_775_000, 123_456_789_012_345_678} {
		for _, bp := range []int{1, 3333, 5000, 9999, 10000} {
			for _, copay := range []int64{0, 1, 999_999} {
				ins, pat := billing.Shares(total, &billing.Coverage{CoverageBP: bp, CoPay: copay})
				// want = floor(((total − copay) × bp + 5000) / 10000)
				want := new(big.Int).Mul(big.NewInt(total-copay), big.NewInt(int64(bp)))
				want.Add(want, big.NewInt(5000)).Quo(want, big.NewInt(10000))
				if ins != want.Int64() || pat != total-ins || ins < 0 || pat < 0 {
					t.Errorf("Shares(%d, %d bp, co-pay %d) = %d, %d; want insurer %s", total, bp, copay, ins, pat, want)
				}
			}
		}
	}
}

// insured sets up a payer and a policy for patient: coverage bp, co-pay, valid from a date.
func (f *fixture) insured(t testing.TB, patient string, bp int, copay int64, from string) (billing.Payer, billing.Policy) {
	t.Helper()
	ctx := context.Background()
	payer, err := f.svc.CreatePayer(ctx, billing.Payer{Code: "ACME-" + patient, Name: "Acme Health " + patient, Contact: "claims@acme.example"}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	pol, err := f.svc.AddPolicy(ctx, patient, billing.PolicyRequest{PayerID: payer.ID, MemberID: "M-" + patient + "-77",
		Plan: "Gold", CoverageBP: &bp, CoPay: copay, ValidFrom: from}, "staff")
	if err != nil {
		t.Fatal(err)
	}
	return payer, pol
}

func move(svc *billing.Service, c billing.Claim, st billing.ClaimStatus, approved, paid *int64, reason string) (billing.Claim, error) {
	rev := c.Rev
	out, _, err := svc.MoveClaim(context.Background(), c.ID, billing.MoveRequest{Status: st, Rev: &rev, ApprovedAmount: approved,
		PaidAmount: paid, Reason: reason}, "staff")
	return out, err
}

func amount(n int64) *int64 { return &n }

// TestIssueFreezesShares: an invoice issued while a policy covers the day carries the coverage and its
// shares; ending or adding a policy afterwards leaves it as issued; a policy not yet valid, or ended,
// covers nothing; of two that cover the day, the one valid from the later day decides.
func TestIssueFreezesShares(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // the clock: 2026-12-07
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	payer, pol := f.insured(t, "p1", 8000, 1000, "2026-01-01")
	inv := f.issued(t, "p1", "PROC")
	if inv.Coverage == nil || inv.Coverage.PolicyID != pol.ID || inv.Coverage.PayerName != payer.Name ||
		inv.InsurerShare != 7200 || inv.PatientShare != 2800 {
		t.Fatalf("issued: got coverage %+v, shares %d/%d; want the policy, 7200 and 2800", inv.Coverage, inv.InsurerShare, inv.PatientShare)
	}
	if inv.Balance != 2800 || inv.InsurerDue != 7200 || inv.PatientDue != 2800 || inv.PaymentStatus != billing.Unpaid {
		t.Fatalf("issued: got balance %d, due %d/%d, %s; want the patient's 2800 to pay", inv.Balance, inv.InsurerDue, inv.PatientDue, inv.PaymentStatus)
	}
	if _, err := f.svc.EndPolicy(ctx, pol.ID, "", "staff"); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.EndPolicy(ctx, pol.ID, "", "staff")
	wantFault(t, "ending it twice", err, "policy_ended")
	again := f.detail(t, inv.ID)
	if again.Coverage == nil || again.InsurerShare != 7200 || again.PatientShare != 2800 {
		t.Fatalf("after the policy ended: got %+v %d/%d, want the issued shares", again.Coverage, again.InsurerShare, again.PatientShare)
	}
	// Ended today: today's invoice is not covered.
	if ps, err := f.svc.Policies(ctx, "p1"); err != nil || len(ps) != 1 || ps[0].ValidTo != "2026-12-06" || ps[0].Ended == nil {
		t.Fatalf("policies after ending: %+v %v, want valid to the day before", ps, err)
	}
	f.post(t, "second", "p1", "PROC", 1)
	uncovered := f.issue(t, f.svc, "p1")
	if uncovered.Coverage != nil || uncovered.InsurerShare != 0 || uncovered.PatientShare != 10000 || uncovered.Balance != 10000 {
		t.Fatalf("after the end: got %+v %d/%d balance %d, want the patient to pay all", uncovered.Coverage,
			uncovered.InsurerShare, uncovered.PatientShare, uncovered.Balance)
	}

	// Not valid yet, then two policies covering the day.
	bp := 5000
	_, err = f.svc.AddPolicy(ctx, "p2", billing.PolicyRequest{PayerID: payer.ID, MemberID: "later", CoverageBP: &bp, ValidFrom: "2026-12-08"}, "staff")
	if err != nil {
		t.Fatal(err)
	}
	f.post(t, "p2-1", "p2", "PROC", 1)
	if inv := f.issue(t, f.svc, "p2"); inv.Coverage != nil || inv.Balance != 10000 {
		t.Fatalf("a policy valid from tomorrow: got %+v balance %d, want no cover", inv.Coverage, inv.Balance)
	}
	older, err := f.svc.AddPolicy(ctx, "p2", billing.PolicyRequest{PayerID: payer.ID, MemberID: "old", CoverageBP: &bp, ValidFrom: "2025-01-01",
		ValidTo: "2027-12-31"}, "staff")
	if err != nil {
		t.Fatal(err)
	}
	bp2 := 9000
	newer, err := f.svc.AddPolicy(ctx, "p2", billing.PolicyRequest{PayerID: payer.ID, MemberID: "new", CoverageBP: &bp2, ValidFrom: "2026-06-01"}, "staff")
	if err != nil {
		t.Fatal(err)
	}
	f.post(t, "p2-2", "p2", "PROC", 1)
	if inv := f.issue(t, f.svc, "p2"); inv.Coverage == nil || inv.Coverage.PolicyID != newer.ID || inv.InsurerShare != 9000 {
		t.Fatalf("two policies: got %+v %d, want the one valid from the later day (%s, not %s)", inv.Coverage, inv.InsurerShare, newer.ID, older.ID)
	}

	// Checks on what a policy may say.
	for name, r := range map[string]billing.PolicyRequest{
		"no coverage":      {PayerID: payer.ID, MemberID: "m", ValidFrom: "2026-01-01"},
		"coverage > 100%":  {PayerID: payer.ID, MemberID: "m", CoverageBP: ptr(10001), ValidFrom: "2026-01-01"},
		"negative co-pay":  {PayerID: payer.ID, MemberID: "m", CoverageBP: ptr(1), CoPay: -1, ValidFrom: "2026-01-01"},
		"no member id":     {PayerID: payer.ID, CoverageBP: ptr(1), ValidFrom: "2026-01-01"},
		"not a date":       {PayerID: payer.ID, MemberID: "m", CoverageBP: ptr(1), ValidFrom: "1 Jan"},
		"ends before":      {PayerID: payer.ID, MemberID: "m", CoverageBP: ptr(1), ValidFrom: "2026-01-01", ValidTo: "2025-01-01"},
		"no payer":         {MemberID: "m", CoverageBP: ptr(1), ValidFrom: "2026-01-01"},
		"an unknown payer": {PayerID: "0123456789abcdef01234567", MemberID: "m", CoverageBP: ptr(1), ValidFrom: "2026-01-01"},
	} {
		if _, err := f.svc.AddPolicy(ctx, "p3", r, "staff"); !isInvalid(err) {
			t.Errorf("%s: got %v, want 400", name, err)
		}
	}
	retired, err := f.svc.UpdatePayer(ctx, payer.ID, billing.Payer{Code: payer.Code, Name: payer.Name, Retired: true}, payer.Rev, "admin")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UpdatePayer(ctx, payer.ID, billing.Payer{Code: payer.Code, Name: "Stale"}, payer.Rev, "admin")
	wantFault(t, "a stale payer change", err, "payer_changed")
	_, err = f.svc.AddPolicy(ctx, "p3", billing.PolicyRequest{PayerID: retired.ID, MemberID: "m", CoverageBP: ptr(1), ValidFrom: "2026-01-01"}, "staff")
	wantFault(t, "a retired payer", err, "payer_retired")
	_, err = f.svc.CreatePayer(ctx, billing.Payer{Code: payer.Code, Name: "Copy"}, "admin")
	wantFault(t, "a payer code twice", err, "payer_code_taken")
}

func ptr[T any](v T) *T { return &v }

func isInvalid(err error) bool { return errors.Is(err, fault.ErrInvalid) }

// TestClaimLifecycle: a claim made from an issued invoice for the insurer's share goes draft →
// submitted → in review → approved → paid, each move numbered and kept in its history; the invoice
// shows the claim; the patient owes their share throughout, and pays it.
func TestClaimLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 2000) // 12000 with tax
	f.insured(t, "p1", 8000, 2000, "2026-01-01")
	inv := f.issued(t, "p1", "PROC")
	if inv.InsurerShare != 8000 || inv.PatientShare != 4000 {
		t.Fatalf("shares: got %d/%d, want 8000/4000", inv.InsurerShare, inv.PatientShare)
	}
	c, err := f.svc.CreateClaim(ctx, inv.ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != billing.ClaimDraft || c.Rev != 1 || c.Amount != 8000 || c.InvoiceNumber != inv.Number || c.PayerName == "" {
		t.Fatalf("created: got %+v, want a draft for 8000", c)
	}
	for _, st := range []billing.ClaimStatus{billing.ClaimSubmitted, billing.ClaimInReview} {
		f.advance(time.Minute)
		if c, err = move(f.svc, c, st, nil, nil, ""); err != nil {
			t.Fatalf("move to %s: %v", st, err)
		}
	}
	d := f.detail(t, inv.ID)
	if d.Claim == nil || d.Claim.Status != billing.ClaimInReview || d.Balance != 4000 || d.InsurerDue != 8000 {
		t.Fatalf("in review: got claim %+v, balance %d, insurer due %d; want the patient's 4000", d.Claim, d.Balance, d.InsurerDue)
	}
	_, _, err = pay(f.svc, inv.ID, billing.Cash, 4001, "over", "desk")
	wantFault(t, "paying the insurer's share at the desk", err, "overpayment")
	if _, _, err := pay(f.svc, inv.ID, billing.Cash, 4000, "share", "desk"); err != nil {
		t.Fatal(err)
	}
	if d := f.detail(t, inv.ID); d.PaymentStatus != billing.Paid || d.Balance != 0 {
		t.Fatalf("after the patient's share: %s balance %d, want paid", d.PaymentStatus, d.Balance)
	}
	if c, err = move(f.svc, c, billing.ClaimApproved, nil, nil, ""); err != nil || c.ApprovedAmount != 8000 {
		t.Fatalf("approve: %+v %v", c, err)
	}
	if c, err = move(f.svc, c, billing.ClaimPaid, nil, nil, ""); err != nil || c.PaidAmount != 8000 || c.Status != billing.ClaimPaid || c.Rev != 5 {
		t.Fatalf("paid: %+v %v", c, err)
	}
	back, err := f.instance().Claim(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range back.History {
		got = append(got, string(e.Status))
	}
	if strings.Join(got, ",") != "draft,submitted,in_review,approved,paid" || back.Rev != 5 || back.PaidAmount != 8000 {
		t.Fatalf("history: got %v rev %d, want the five statuses", got, back.Rev)
	}
	if d := f.detail(t, inv.ID); d.Balance != 0 || d.InsurerDue != 8000 || d.Claim.Status != billing.ClaimPaid {
		t.Fatalf("after the payer paid: balance %d, insurer %d, claim %+v", d.Balance, d.InsurerDue, d.Claim)
	}
	board, err := f.svc.Claims(ctx, billing.ClaimFilter{Status: billing.ClaimPaid})
	if err != nil || len(board) != 1 || board[0].ID != c.ID {
		t.Fatalf("the board's paid column: %+v %v", board, err)
	}
	if other, err := f.svc.Claims(ctx, billing.ClaimFilter{Status: billing.ClaimDraft}); err != nil || len(other) != 0 {
		t.Fatalf("the board's draft column: %+v %v, want none", other, err)
	}
	// The same move by the same user again (a retried request) answers the claim as it is.
	rev := 4
	if again, replayed, err := f.svc.MoveClaim(ctx, c.ID, billing.MoveRequest{Status: billing.ClaimPaid, Rev: &rev}, "staff"); err != nil || !replayed || again.Rev != 5 {
		t.Fatalf("the move retried: %+v replayed %v %v", again, replayed, err)
	}
}

// TestClaimInvalidMoves: every move outside a claim's life is 409 claim_transition with words; a stale
// revision is 409 claim_changed; amounts and reasons are checked; a claim is made once per invoice and
// only from an issued, insured invoice with an insurer's share.
func TestClaimInvalidMoves(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	f.price(t, "CHEAP", billing.Procedure, "", 500, 0)
	f.insured(t, "p1", 8000, 1000, "2026-01-01")

	f.post(t, "d", "p1", "PROC", 1)
	draft, err := f.svc.Draft(ctx, "p1", nil, "staff")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateClaim(ctx, draft.ID, "staff")
	wantFault(t, "a claim on a draft", err, "invoice_not_issued")
	inv, err := f.svc.Issue(ctx, draft.ID, draft.Rev, "staff")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateClaim(ctx, inv.ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateClaim(ctx, inv.ID, "staff")
	wantFault(t, "a second claim", err, "claim_exists")
	f.post(t, "cheap", "p1", "CHEAP", 1) // under the co-pay: nothing for the insurer
	cheap := f.issue(t, f.svc, "p1")
	_, err = f.svc.CreateClaim(ctx, cheap.ID, "staff")
	wantFault(t, "a claim for nothing", err, "nothing_to_claim")
	f.post(t, "u", "uninsured", "PROC", 1)
	_, err = f.svc.CreateClaim(ctx, f.issue(t, f.svc, "uninsured").ID, "staff")
	wantFault(t, "a claim on an uninsured invoice", err, "not_insured")

	for _, st := range []billing.ClaimStatus{billing.ClaimDraft, billing.ClaimInReview, billing.ClaimApproved, billing.ClaimDenied, billing.ClaimPaid} {
		_, err := move(f.svc, c, st, nil, nil, "r")
		if st == billing.ClaimDenied {
			_, err = move(f.svc, c, st, nil, nil, "no cover")
		}
		wantFault(t, "draft → "+string(st), err, "claim_transition")
	}
	if _, err := move(f.svc, c, "closed", nil, nil, ""); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("an unknown status: got %v, want 400", err)
	}
	sub, err := move(f.svc, c, billing.ClaimSubmitted, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = move(f.svc, c, billing.ClaimSubmitted, nil, nil, "") // from the draft's revision, by another user below
	if err != nil {
		t.Fatalf("the same move from the same revision by the same user is a replay: %v", err)
	}
	rev := c.Rev
	_, _, err = f.svc.MoveClaim(ctx, c.ID, billing.MoveRequest{Status: billing.ClaimInReview, Rev: &rev}, "someone-else")
	wantFault(t, "a move from a stale revision", err, "claim_changed")
	for name, m := range map[string]struct {
		st             billing.ClaimStatus
		approved, paid *int64
		reason         string
	}{
		"approved for less":             {billing.ClaimApproved, amount(100), nil, ""},
		"partially approved, no amount": {billing.ClaimPartiallyApproved, nil, nil, ""},
		"partially approved, all":       {billing.ClaimPartiallyApproved, amount(sub.Amount), nil, ""},
		"partially approved, nothing":   {billing.ClaimPartiallyApproved, amount(0), nil, ""},
		"denied without a reason":       {billing.ClaimDenied, nil, nil, ""},
		"denied with an amount":         {billing.ClaimDenied, amount(1), nil, "x"},
		"in review with a reason":       {billing.ClaimInReview, nil, nil, "x"},
		"in review with an amount":      {billing.ClaimInReview, amount(1), nil, ""},
	} {
		if _, err := move(f.svc, sub, m.st, m.approved, m.paid, m.reason); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: got %v, want 400", name, err)
		}
	}
	part, err := move(f.svc, sub, billing.ClaimPartiallyApproved, amount(5000), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := move(f.svc, part, billing.ClaimPaid, nil, amount(5001), ""); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("paid more than approved: got %v, want 400", err)
	}
	_, err = move(f.svc, part, billing.ClaimDenied, nil, nil, "late")
	wantFault(t, "partially approved → denied", err, "claim_transition")
	paid, err := move(f.svc, part, billing.ClaimPaid, nil, nil, "")
	if err != nil || paid.PaidAmount != 5000 {
		t.Fatalf("paid: %+v %v", paid, err)
	}
	_, err = move(f.svc, paid, billing.ClaimSubmitted, nil, nil, "")
	wantFault(t, "a paid claim moved", err, "claim_transition")
	if !strings.Contains(err.Error(), "cannot be moved any more") {
		t.Errorf("the refusal's words: %q", err)
	}
}

// TestClaimMovesConcurrently: twelve staff on two instances move one submitted claim at once, to
// different statuses, from the same revision: one move is stored, the others are 409 claim_changed,
// and the claim's history has that one move.
func TestClaimMovesConcurrently(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	f.insured(t, "p1", 8000, 0, "2026-01-01")
	inv := f.issued(t, "p1", "PROC")
	c, err := f.svc.CreateClaim(ctx, inv.ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if c, err = move(f.svc, c, billing.ClaimSubmitted, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
	svcs := []*billing.Service{f.svc, f.instance()}
	targets := []billing.MoveRequest{{Status: billing.ClaimInReview}, {Status: billing.ClaimApproved},
		{Status: billing.ClaimDenied, Reason: "not covered"}, {Status: billing.ClaimPartiallyApproved, ApprovedAmount: amount(100)}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, conflicts := []billing.Claim{}, 0
	for i := range 12 {
		wg.Go(func() {
			r := targets[i%len(targets)]
			rev := c.Rev
			r.Rev = &rev
			got, _, err := svcs[i%2].MoveClaim(ctx, c.ID, r, "staff-"+string(rune('a'+i)))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won = append(won, got)
			case fault.CodeOf(err) == "claim_changed":
				conflicts++
			default:
				t.Errorf("move %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if len(won) != 1 || conflicts != 11 {
		t.Fatalf("got %d moves stored and %d conflicts, want 1 and 11", len(won), conflicts)
	}
	back, err := f.svc.Claim(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Rev != 3 || len(back.History) != 3 || back.Status != won[0].Status {
		t.Fatalf("after the race: got rev %d, %d events, %s; want the winner's one move (%s)", back.Rev, len(back.History), back.Status, won[0].Status)
	}
	board, err := f.svc.Claims(ctx, billing.ClaimFilter{Status: won[0].Status})
	if err != nil || len(board) != 1 {
		t.Fatalf("the board's %s column: %+v %v", won[0].Status, board, err)
	}
}

// TestBalanceFollowsClaim: while a claim is pending the patient owes their share; approved: still their
// share; partially approved: their share and what was not approved; denied: the whole invoice; paid
// for less than approved: the shortfall too. Payments never pay more than the patient's part; credit
// notes lower both shares, and refunds still work.
func TestBalanceFollowsClaim(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	type step struct {
		st             billing.ClaimStatus
		approved, paid *int64
		reason         string
		insurer, owes  int64
	}
	for name, steps := range map[string][]step{
		"approved then paid": {{billing.ClaimSubmitted, nil, nil, "", 7200, 2800}, {billing.ClaimApproved, nil, nil, "", 7200, 2800},
			{billing.ClaimPaid, nil, nil, "", 7200, 2800}},
		"partially approved": {{billing.ClaimSubmitted, nil, nil, "", 7200, 2800}, {billing.ClaimPartiallyApproved, amount(5000), nil, "", 5000, 5000},
			{billing.ClaimPaid, nil, amount(4000), "", 4000, 6000}},
		"denied": {{billing.ClaimSubmitted, nil, nil, "", 7200, 2800}, {billing.ClaimInReview, nil, nil, "", 7200, 2800},
			{billing.ClaimDenied, nil, nil, "not covered by the plan", 0, 10000}},
	} {
		t.Run(name, func(t *testing.T) {
			patient := strings.ReplaceAll(name, " ", "-")
			f.insured(t, patient, 8000, 1000, "2026-01-01")
			inv := f.issued(t, patient, "PROC")
			if _, _, err := pay(f.svc, inv.ID, billing.Card, 2800, "share-"+patient, "desk"); err != nil {
				t.Fatal(err)
			}
			c, err := f.svc.CreateClaim(ctx, inv.ID, "staff")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				if c, err = move(f.svc, c, s.st, s.approved, s.paid, s.reason); err != nil {
					t.Fatalf("%s: %v", s.st, err)
				}
				d := f.detail(t, inv.ID)
				status := billing.Paid
				if s.owes > 2800 {
					status = billing.PartiallyPaid
				}
				if d.InsurerDue != s.insurer || d.PatientDue != s.owes || d.Balance != s.owes-2800 || d.PaymentStatus != status {
					t.Fatalf("%s: insurer %d, patient %d, balance %d, %s; want %d, %d, %d, %s", s.st, d.InsurerDue, d.PatientDue,
						d.Balance, d.PaymentStatus, s.insurer, s.owes, s.owes-2800, status)
				}
			}
			d := f.detail(t, inv.ID)
			if d.Balance > 0 {
				_, _, err := pay(f.svc, inv.ID, billing.Cash, d.Balance+1, "too-much-"+patient, "desk")
				wantFault(t, "more than the patient's balance", err, "overpayment")
				if _, _, err := pay(f.svc, inv.ID, billing.Cash, d.Balance, "rest-"+patient, "desk"); err != nil {
					t.Fatalf("paying what the claim left: %v", err)
				}
			}
			if d := f.detail(t, inv.ID); d.Balance != 0 || d.PaymentStatus != billing.Paid {
				t.Fatalf("at the end: balance %d, %s", d.Balance, d.PaymentStatus)
			}
		})
	}

	// Credit notes: half the invoice credited before the claim; the claim is for the insurer's share of
	// the rest; a refund gives the patient back what they overpaid.
	f.price(t, "PAIR", billing.Procedure, "", 5000, 0)
	f.insured(t, "credited", 8000, 1000, "2026-01-01")
	f.post(t, "pair", "credited", "PAIR", 2)
	inv := f.issue(t, f.svc, "credited") // 10000: insurer 7200, patient 2800
	p, _, err := pay(f.svc, inv.ID, billing.Cash, 2800, "share-credited", "desk")
	if err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	if _, _, err := f.svc.Credit(ctx, inv.ID, billing.CreditRequest{Reason: "one was not done",
		Lines: []billing.CreditLine{{ChargeID: inv.Lines[0].ChargeID, Quantity: 1}}}, "staff", "cn1"); err != nil {
		t.Fatal(err)
	}
	d := f.detail(t, inv.ID) // 5000 left: insurer (5000−1000)×80% = 3200, patient 1800, paid 2800
	if d.Credited != 5000 || d.InsurerDue != 3200 || d.PatientDue != 1800 || d.Balance != -1000 || d.InsurerShare != 7200 {
		t.Fatalf("credited: got credited %d, insurer %d, patient %d, balance %d, share %d", d.Credited, d.InsurerDue, d.PatientDue, d.Balance, d.InsurerShare)
	}
	c, err := f.svc.CreateClaim(ctx, inv.ID, "staff")
	if err != nil || c.Amount != 3200 {
		t.Fatalf("the claim after a credit note: %+v %v, want 3200", c, err)
	}
	if _, _, err := f.svc.Refund(ctx, billing.RefundRequest{PaymentID: p.ID, Amount: 1000, Reason: "credited", Key: "r1", By: "admin"}); err != nil {
		t.Fatal(err)
	}
	if d := f.detail(t, inv.ID); d.Balance != 0 || d.Paid != 1800 {
		t.Fatalf("after the refund: balance %d, paid %d; want 0 and 1800", d.Balance, d.Paid)
	}
	if c, err = move(f.svc, c, billing.ClaimSubmitted, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err = move(f.svc, c, billing.ClaimDenied, nil, nil, "lapsed"); err != nil {
		t.Fatal(err)
	}
	if d := f.detail(t, inv.ID); d.PatientDue != 5000 || d.Balance != 3200 || d.Claim.DenialReason != "lapsed" {
		t.Fatalf("denied after a credit note: patient %d, balance %d, claim %+v; want 5000 and 3200", d.PatientDue, d.Balance, d.Claim)
	}
	// The receipt of the first payment shows what the patient owed right after it (the claim not yet
	// denied then).
	if r, err := f.svc.Receipt(ctx, p.ID); err != nil || r.BalanceAfter != 0 {
		t.Fatalf("the receipt's balance after: %+v %v, want 0", r.BalanceAfter, err)
	}
}

// TestInsuranceSealedAtRest: a policy's member id and a denial's reason are ciphertext in the
// database and read back in clear.
func TestInsuranceSealedAtRest(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	payer, err := f.svc.CreatePayer(ctx, billing.Payer{Code: "SEAL", Name: "Seal Mutual"}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	bp := 8000
	pol, err := f.svc.AddPolicy(ctx, "p1", billing.PolicyRequest{PayerID: payer.ID, MemberID: "MBR-SECRET-4471", CoverageBP: &bp,
		ValidFrom: "2026-01-01"}, "staff")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateClaim(ctx, f.issued(t, "p1", "PROC").ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if c, err = move(f.svc, c, billing.ClaimSubmitted, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err = move(f.svc, c, billing.ClaimDenied, nil, nil, "Jane Roe's oncology is excluded"); err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"billing_policies", "billing_claim_events"} {
		cur, err := f.db.Collection(col).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil || len(docs) == 0 {
			t.Fatalf("%s: %d documents %v", col, len(docs), err)
		}
		for _, raw := range docs {
			if s := strings.ToLower(raw.String()); strings.Contains(s, "4471") || strings.Contains(s, "oncology") {
				t.Errorf("%s holds patient data in clear: %s", col, raw)
			}
		}
	}
	if back, err := f.instance().Policy(ctx, pol.ID); err != nil || back.MemberID != "MBR-SECRET-4471" || back.PayerName != "Seal Mutual" {
		t.Fatalf("read back: %+v %v", back, err)
	}
	if back, err := f.svc.Claim(ctx, c.ID); err != nil || back.DenialReason != "Jane Roe's oncology is excluded" {
		t.Fatalf("read back: %+v %v", back, err)
	}
}

// TestRecoverRecordsClaimStatus: a move whose event was stored but whose status a crash left
// unrecorded on the claim counts at once when the claim is read, and Recover records it so that the
// board selects it under its status.
func TestRecoverRecordsClaimStatus(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "PROC", billing.Procedure, "", 10000, 0)
	f.insured(t, "p1", 8000, 0, "2026-01-01")
	c, err := f.svc.CreateClaim(ctx, f.issued(t, "p1", "PROC").ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	// The crash: the event is stored, nothing after it.
	if err := f.store.InsertClaimEvent(ctx, billing.ClaimEvent{ClaimID: c.ID, InvoiceID: c.InvoiceID, Seq: 2,
		Status: billing.ClaimSubmitted, By: "staff", At: f.clock()}); err != nil {
		t.Fatal(err)
	}
	if raw, err := f.store.Claim(ctx, c.ID); err != nil || raw.Status != billing.ClaimDraft {
		t.Fatalf("recorded status: %+v %v, want draft still", raw.Status, err)
	}
	f.advance(time.Minute)
	n, err := f.instance().Recover(ctx, 30*time.Second)
	if err != nil || n != 1 {
		t.Fatalf("Recover: fixed %d, %v; want 1", n, err)
	}
	board, err := f.svc.Claims(ctx, billing.ClaimFilter{Status: billing.ClaimSubmitted})
	if err != nil || len(board) != 1 || board[0].Rev != 2 {
		t.Fatalf("the submitted column: %+v %v", board, err)
	}
	if n, err := f.svc.Recover(ctx, 30*time.Second); err != nil || n != 0 {
		t.Fatalf("Recover again: %d %v, want nothing to do", n, err)
	}
}

// TestClaimFHIR: a claim exported as FHIR R4 is a Claim resource with the required elements (status,
// type, use, patient, created, provider, priority, insurance with sequence, focal and coverage), the
// insurer, items with code, display, quantity, unit price and net, and the total, money with its
// currency as decimals; it parses back as an R4 Claim.
func TestClaimFHIR(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.price(t, "XRAY", billing.Procedure, "", 4550, 2000)
	payer, pol := f.insured(t, "p1", 8000, 0, "2026-01-01")
	f.post(t, "x", "p1", "XRAY", 2)
	inv := f.issue(t, f.svc, "p1") // 9100 + 1820 tax = 10920
	c, err := f.svc.CreateClaim(ctx, inv.ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.ClaimFHIR(ctx, c, "Jane Roe")
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"resourceType", "status", "type", "use", "patient", "created", "insurer", "provider", "priority",
		"insurance", "item", "total"} {
		if raw[k] == nil {
			t.Errorf("the resource has no %s: %s", k, body)
		}
	}
	if raw["resourceType"] != "Claim" || raw["use"] != "claim" || raw["status"] != "draft" {
		t.Fatalf("resourceType, use, status: %v %v %v", raw["resourceType"], raw["use"], raw["status"])
	}
	back, err := fhir.UnmarshalClaim(body)
	if err != nil {
		t.Fatalf("parse back as R4: %v", err)
	}
	if back.Patient.Reference == nil || *back.Patient.Reference != "Patient/p1" || back.Insurer == nil ||
		*back.Insurer.Reference != "Organization/"+payer.ID || *back.Insurer.Identifier.Value != payer.Code {
		t.Errorf("patient, insurer: %+v %+v", back.Patient, back.Insurer)
	}
	if _, err := time.Parse(time.RFC3339, back.Created); err != nil {
		t.Errorf("created %q: %v", back.Created, err)
	}
	if len(back.Type.Coding) != 1 || *back.Type.Coding[0].Code != "institutional" || len(back.Priority.Coding) != 1 || *back.Priority.Coding[0].Code != "normal" {
		t.Errorf("type, priority: %+v %+v", back.Type, back.Priority)
	}
	if back.Provider.Display == nil || *back.Provider.Display == "" {
		t.Errorf("provider: %+v", back.Provider)
	}
	if len(back.Insurance) != 1 || back.Insurance[0].Sequence != 1 || !back.Insurance[0].Focal ||
		*back.Insurance[0].Coverage.Reference != "Coverage/"+pol.ID || *back.Insurance[0].Coverage.Identifier.Value != pol.MemberID {
		t.Errorf("insurance: %+v", back.Insurance)
	}
	if len(back.Item) != 2 {
		t.Fatalf("items: got %d, want the line and its tax", len(back.Item))
	}
	line, tax := back.Item[0], back.Item[1]
	if line.Sequence != 1 || *line.ProductOrService.Coding[0].Code != "XRAY" || *line.ProductOrService.Coding[0].Display != "Item XRAY" ||
		string(*line.Quantity.Value) != "2" || string(*line.UnitPrice.Value) != "45.50" || string(*line.Net.Value) != "91.00" ||
		*line.Net.Currency != "GBP" || *line.UnitPrice.Currency != "GBP" {
		t.Errorf("the line: %s", mustJSON(line))
	}
	if tax.Sequence != 2 || *tax.ProductOrService.Coding[0].Code != "tax" || string(*tax.Net.Value) != "18.20" {
		t.Errorf("the tax: %s", mustJSON(tax))
	}
	if string(*back.Total.Value) != "109.20" || *back.Total.Currency != "GBP" {
		t.Errorf("total: %s", mustJSON(back.Total))
	}
	// Once submitted, the resource is active.
	if c, err = move(f.svc, c, billing.ClaimSubmitted, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.ClaimFHIR(ctx, c, ""); err != nil || r.Status != fhir.FinancialResourceStatusCodesActive || r.Patient.Display != nil {
		t.Fatalf("submitted: %v %v", r.Status, err)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

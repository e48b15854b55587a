package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// priceSeed is an entry of the demo's price list (PUT /api/billing/prices/{code}). Amounts are minor
// units of the server's HOSPITAL_CURRENCY; tax is in basis points (2000 is 20%).
type priceSeed struct {
	code, name, kind, ref string
	amount                int64
	taxBP                 int
}

// generalConsultation prices a visit whose doctor's specialty has no entry of its own (ref empty).
var generalConsultation = priceSeed{"CONS-GEN", "Consultation", "consultation", "", 9000, 0}

// consultationPrices is one consultation per seeded specialty, keyed by the specialty: a finished visit
// is charged by the entry whose ref is its doctor's specialty in lower case. Care is tax-exempt.
var consultationPrices = map[string]priceSeed{
	"General practice":          {"CONS-GP", "General practice consultation", "consultation", "", 8500, 0},
	"Internal medicine":         {"CONS-IM", "Internal medicine consultation", "consultation", "", 14000, 0},
	"Cardiology":                {"CONS-CARD", "Cardiology consultation", "consultation", "", 22000, 0},
	"Cardiac electrophysiology": {"CONS-EP", "Electrophysiology consultation", "consultation", "", 28000, 0},
	"Pediatrics":                {"CONS-PED", "Pediatric consultation", "consultation", "", 11000, 0},
	"Emergency medicine":        {"CONS-ER", "Emergency department visit", "consultation", "", 35000, 0},
}

// Lab tests, a certificate (an administrative service, so taxed) and a bed-day per seeded ward.
var (
	labCBC      = priceSeed{"LAB-CBC", "Complete blood count", "lab_test", "cbc", 3500, 0}
	labLipid    = priceSeed{"LAB-LIPID", "Lipid panel", "lab_test", "lipid", 4800, 0}
	certificate = priceSeed{"CERT", "Medical certificate", "procedure", "certificate", 2500, 2000}
	bedDays     = map[string]priceSeed{
		"ward-a":       {"BED-WARD-A", "Bed-day, general ward", "bed_day", "ward-a", 65000, 0},
		"cardiac-unit": {"BED-CARDIAC", "Bed-day, cardiac unit", "bed_day", "cardiac-unit", 120000, 0},
	}
)

// wirePrice, wireCharge, wireInvoice and wirePayment are the fields of the billing answers the demo reads.
type wirePrice struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Ref    string `json:"ref"`
	Amount int64  `json:"amount"`
	TaxBP  int    `json:"tax_bp"`
}

type wireCharge struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Total       int64  `json:"total"`
}

type wireInvoice struct {
	ID        string `json:"id"`
	PatientID string `json:"patient_id"`
	Status    string `json:"status"`
	Rev       int    `json:"rev"`
	Number    string `json:"number"`
	Lines     []struct {
		ChargeID    string `json:"charge_id"`
		Description string `json:"description"`
		Total       int64  `json:"total"`
	} `json:"lines"`
	Totals struct {
		Total int64 `json:"total"`
	} `json:"totals"`
	Credited     int64 `json:"credited"`
	Paid         int64 `json:"paid"`
	Balance      int64 `json:"balance"`
	InsurerShare int64 `json:"insurer_share"`
	InsurerDue   int64 `json:"insurer_due"`
	Coverage     *struct {
		PayerName string `json:"payer_name"`
	} `json:"coverage"`
}

type wirePayment struct {
	Amount        int64  `json:"amount"`
	ReceiptNumber string `json:"receipt_number"`
}

// biller does the demo's billing as reception, with the admin for the price list.
type biller struct {
	a        *api
	h        *hospital
	currency string
}

// seedPrices puts the demo's price list on the server: an entry the server already has as seeded is
// left alone (a PUT always makes a new version), so a second run changes nothing.
func seedPrices(ctx context.Context, a *api, h *hospital) (string, error) {
	var list struct {
		Items    []wirePrice `json:"items"`
		Currency string      `json:"currency"`
	}
	if _, err := a.call(ctx, h.admin, http.MethodGet, "/api/billing/prices", nil, &list, http.StatusOK); err != nil {
		return "", err
	}
	want := []priceSeed{generalConsultation, labCBC, labLipid, certificate}
	seen := map[string]bool{}
	for _, d := range h.doctors {
		if p, ok := consultationPrices[d.specialty]; ok && !seen[d.specialty] {
			seen[d.specialty] = true
			p.ref = strings.ToLower(d.specialty)
			want = append(want, p)
		}
	}
	for _, w := range wards {
		if p, ok := bedDays[w.ward.ID]; ok {
			want = append(want, p)
		}
	}
	set := 0
	for _, p := range want {
		cur := wirePrice{Code: p.code, Name: p.name, Kind: p.kind, Ref: p.ref, Amount: p.amount, TaxBP: p.taxBP}
		if slices.Contains(list.Items, cur) {
			continue
		}
		body := map[string]any{"name": p.name, "kind": p.kind, "ref": p.ref, "amount": p.amount, "tax_bp": p.taxBP}
		if _, err := a.call(ctx, h.admin, http.MethodPut, "/api/billing/prices/"+p.code, body, nil, http.StatusOK); err != nil {
			return "", err
		}
		set++
	}
	logf("price list: %d entries (%d set now), amounts in %s", len(want), set, list.Currency)
	return list.Currency, nil
}

// billingRun is what the demo billed this run, for its summary.
type billingRun struct {
	invoices                []wireInvoice
	cash, card, credited    int64
	creditNote, cashRcpt    string
	cardRcpt                string
	issuedOnServer          int
	manual, skippedNoCharge int
	claim                   wireClaim
}

// bill drafts and issues an invoice for each patient with unbilled charges among patientIDs (the first
// of them insured with the demo's payer, their invoice claimed: submitted, then approved), takes a
// part payment in cash on the first (of the patient's share), the patient's whole balance by card on
// the second and credits a line of the last uninsured one, then prints a summary. extra charges are posted by hand first (patient → price code, reason),
// under an Idempotency-Key of today's date, so a second run on the same day posts nothing new.
func (b *biller) bill(ctx context.Context, patientIDs []string, extra []manualCharge) error {
	var r billingRun
	visited := slices.Clone(patientIDs)
	for _, m := range extra {
		key := fmt.Sprintf("demo-%s-%s-%s", b.h.today, m.code, m.patientID)
		body := map[string]any{"code": m.code, "quantity": 1, "reason": m.reason}
		if _, err := b.keyed(ctx, http.MethodPost, "/api/patients/"+m.patientID+"/charges", key, body, nil); err != nil {
			return err
		}
		r.manual++
		if !slices.Contains(patientIDs, m.patientID) {
			patientIDs = append(patientIDs, m.patientID)
		}
	}
	// The first patient is insured: their invoice is split with the payer, and claimed.
	insured := ""
	if len(patientIDs) > 0 {
		insured = patientIDs[0]
		if _, err := b.insure(ctx, insured); err != nil {
			return err
		}
	}
	for _, id := range patientIDs {
		if slices.Contains(visited, id) { // a visit's charge is posted by a reaction, soon after
			if err := b.waitForCharges(ctx, id); err != nil {
				return err
			}
		}
		var inv wireInvoice
		status, err := b.a.call(ctx, b.h.reception, http.MethodPost, "/api/invoices", map[string]any{"patient_id": id}, &inv,
			http.StatusCreated, http.StatusBadRequest)
		if err != nil {
			return err
		}
		if status == http.StatusBadRequest { // no unbilled charges: an earlier run billed them
			r.skippedNoCharge++
			continue
		}
		if _, err := b.a.call(ctx, b.h.reception, http.MethodPost, "/api/invoices/"+inv.ID+"/issue",
			map[string]any{"rev": inv.Rev}, &inv, http.StatusOK); err != nil {
			return err
		}
		r.invoices = append(r.invoices, inv)
		logf("invoice %s issued: %d line(s), %s", inv.Number, len(inv.Lines), b.money(inv.Totals.Total))
		if inv.Coverage != nil {
			logf("  insurer's share %s (%s), the patient's %s", b.money(inv.InsurerShare), inv.Coverage.PayerName, b.money(inv.Balance))
			if id == insured {
				if err := b.claim(ctx, inv, &r); err != nil {
					return err
				}
			}
		}
	}
	if err := b.settle(ctx, &r); err != nil {
		return err
	}
	return b.summary(ctx, &r)
}

// manualCharge is a charge the desk posts by hand.
type manualCharge struct {
	patientID, code, reason string
}

// waitForCharges gives the server's reaction to a finished visit (billing.charge-visit, run through
// the reaction bus) a few seconds to post its charge.
func (b *biller) waitForCharges(ctx context.Context, patientID string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var list struct {
			Items []wireCharge `json:"items"`
		}
		path := "/api/patients/" + patientID + "/charges?unbilled=true"
		if _, err := b.a.call(ctx, b.h.reception, http.MethodGet, path, nil, &list, http.StatusOK); err != nil {
			return err
		}
		if len(list.Items) > 0 || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// settle takes the payments and makes the credit note, each under an Idempotency-Key of its invoice.
func (b *biller) settle(ctx context.Context, r *billingRun) error {
	invs := r.invoices
	if len(invs) == 0 {
		return nil
	}
	if first := invs[0]; first.Balance >= 200 {
		amount := first.Balance / 2 / 100 * 100 // about half of what the patient owes, in whole units
		var p wirePayment
		body := map[string]any{"method": "cash", "amount": amount}
		if _, err := b.keyed(ctx, http.MethodPost, "/api/invoices/"+first.ID+"/payments", "demo-cash-"+first.ID, body, &p); err != nil {
			return err
		}
		r.cash, r.cashRcpt = p.Amount, p.ReceiptNumber
		logf("cash payment %s on %s: %s of %s", p.ReceiptNumber, first.Number, b.money(p.Amount), b.money(first.Balance))
	}
	if len(invs) >= 2 {
		second := invs[1]
		var p wirePayment
		body := map[string]any{"method": "card", "amount": second.Balance} // the patient's part, all of it
		if _, err := b.keyed(ctx, http.MethodPost, "/api/invoices/"+second.ID+"/payments", "demo-card-"+second.ID, body, &p); err != nil {
			return err
		}
		r.card, r.cardRcpt = p.Amount, p.ReceiptNumber
		logf("card payment %s on %s: %s, paid in full", p.ReceiptNumber, second.Number, b.money(p.Amount))
	}
	// The credit note takes back the first line of the last invoice that is neither insured (its claim
	// is the demo's) nor paid in full by card (the second): a consultation cut short, or a certificate
	// not needed after all.
	var target *wireInvoice
	for i := len(invs) - 1; i >= 0 && target == nil; i-- {
		if invs[i].Coverage == nil && !(i == 1 && r.card > 0) && len(invs[i].Lines) > 0 {
			target = &invs[i]
		}
	}
	if target == nil {
		return nil
	}
	line := target.Lines[0]
	var cn struct {
		Number string `json:"number"`
		Totals struct {
			Total int64 `json:"total"`
		} `json:"totals"`
	}
	body := map[string]any{"reason": "goodwill: the patient waited past their appointment",
		"lines": []map[string]any{{"charge_id": line.ChargeID, "quantity": 1}}}
	if _, err := b.keyed(ctx, http.MethodPost, "/api/invoices/"+target.ID+"/credit-notes", "demo-credit-"+target.ID, body, &cn); err != nil {
		return err
	}
	r.creditNote, r.credited = cn.Number, -cn.Totals.Total
	logf("credit note %s on %s: %s (%s)", cn.Number, target.Number, b.money(r.credited), line.Description)
	return nil
}

// keyed is a POST with an Idempotency-Key: a replay of an earlier run's request answers as the first.
func (b *biller) keyed(ctx context.Context, method, path, key string, body, out any) (int, error) {
	return b.a.callKeyed(ctx, b.h.reception, method, path, key, body, out, http.StatusCreated, http.StatusOK)
}

// summary prints this run's invoices read back from the server: their payment state and what is
// still owed on them, and how many invoices the server has issued in all.
func (b *biller) summary(ctx context.Context, r *billingRun) error {
	var issued struct {
		Total int `json:"total"`
	}
	if _, err := b.a.call(ctx, b.h.reception, http.MethodGet, "/api/invoices?status=issued&limit=1", nil, &issued, http.StatusOK); err != nil {
		return err
	}
	var total, paid, credited, balance, insurer int64
	states := map[string]int{}
	for i, inv := range r.invoices {
		if _, err := b.a.call(ctx, b.h.reception, http.MethodGet, "/api/invoices/"+inv.ID, nil, &r.invoices[i], http.StatusOK); err != nil {
			return err
		}
		inv = r.invoices[i]
		total, paid, credited, balance = total+inv.Totals.Total, paid+inv.Paid, credited+inv.Credited, balance+inv.Balance
		insurer += inv.InsurerDue
		switch {
		case inv.Balance > 0 && inv.Paid > 0:
			states["partly paid"]++
		case inv.Balance > 0:
			states["unpaid"]++
		case inv.Paid > 0:
			states["paid"]++
		default:
			states["credited"]++ // nothing left to pay: a credit note took it all back
		}
	}
	fmt.Printf("\nBilling (%s):\n", b.currency)
	if r.manual > 0 {
		fmt.Printf("  charges posted by hand     %d (a second run today finds them)\n", r.manual)
	}
	if len(r.invoices) == 0 {
		fmt.Printf("  no patient had unbilled charges (%d already billed by an earlier run)\n", r.skippedNoCharge)
	} else {
		fmt.Printf("  invoices issued this run   %d (%s … %s), total %s\n", len(r.invoices), r.invoices[0].Number,
			r.invoices[len(r.invoices)-1].Number, b.money(total))
		fmt.Printf("  paid in full               %d; partly paid %d; unpaid %d; credited in full %d\n",
			states["paid"], states["partly paid"], states["unpaid"], states["credited"])
		fmt.Printf("  payments taken             %s (cash %s %s, card %s %s)\n", b.money(paid), b.money(r.cash), r.cashRcpt,
			b.money(r.card), r.cardRcpt)
		if r.creditNote != "" {
			fmt.Printf("  credit note                %s, %s taken back\n", r.creditNote, b.money(credited))
		}
		if r.claim.ID != "" {
			fmt.Printf("  insurance claim            %s to %s for %s: %s\n", r.claim.InvoiceNumber, r.claim.PayerName,
				b.money(r.claim.Amount), r.claim.Status)
		}
		fmt.Printf("  due from insurers          %s\n", b.money(insurer))
		fmt.Printf("  balance outstanding        %s (the patients' part)\n", b.money(balance))
	}
	fmt.Printf("  issued on this server      %d invoices in all\n", issued.Total)
	return nil
}

// money writes minor units as units with two decimals and the currency's code.
func (b *biller) money(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%s %d.%02d", sign, b.currency, minor/100, minor%100)
}

// billable is the first few patients seen this run, whose visits the server has charged.
func (s *sim) billable() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, ap := range s.done {
		if len(ids) < 5 && ap.PatientID != "" && !slices.Contains(ids, ap.PatientID) {
			ids = append(ids, ap.PatientID)
		}
	}
	return ids
}

// labCharges posts a blood count for the first patient seen, drawn at the visit: the lab orders' own
// charging needs the lab flow, which the demo does not play.
func (s *sim) labCharges() []manualCharge {
	ids := s.billable()
	if len(ids) == 0 {
		return nil
	}
	return []manualCharge{{patientID: ids[0], code: labCBC.code, reason: "blood drawn at the visit"}}
}

package main

import (
	"context"
	"fmt"
	"net/http"
)

// The demo's insurer and the policy it gives one patient: 80% of what an invoice leaves after a
// co-pay of 20.00 (in the server's currency), valid from the first of January.
const (
	demoPayerCode = "DEMO-HEALTH"
	demoPayerName = "Demo Health Mutual"
	demoCoverage  = 8000
	demoCoPay     = 2000
)

type wirePayer struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

type wirePolicy struct {
	ID      string `json:"id"`
	PayerID string `json:"payer_id"`
	Ended   any    `json:"ended"`
}

type wireClaim struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Rev           int    `json:"rev"`
	Amount        int64  `json:"amount"`
	InvoiceNumber string `json:"invoice_number"`
	PayerName     string `json:"payer_name"`
}

// payer returns the demo's payer, adding it (as the admin) when the server has none with its code.
func (b *biller) payer(ctx context.Context) (wirePayer, error) {
	var list struct {
		Items []wirePayer `json:"items"`
	}
	if _, err := b.a.call(ctx, b.h.admin, http.MethodGet, "/api/billing/payers", nil, &list, http.StatusOK); err != nil {
		return wirePayer{}, err
	}
	for _, p := range list.Items {
		if p.Code == demoPayerCode {
			return p, nil
		}
	}
	var p wirePayer
	body := map[string]any{"code": demoPayerCode, "name": demoPayerName, "contact": "claims@demo-health.example, +1 555 0100"}
	if _, err := b.a.call(ctx, b.h.admin, http.MethodPost, "/api/billing/payers", body, &p, http.StatusCreated); err != nil {
		return wirePayer{}, err
	}
	logf("payer %s (%s) added", p.Name, p.Code)
	return p, nil
}

// insure gives the patient a running policy with the demo's payer unless they have one (a second run
// adds none).
func (b *biller) insure(ctx context.Context, patientID string) (wirePayer, error) {
	payer, err := b.payer(ctx)
	if err != nil {
		return wirePayer{}, err
	}
	path := "/api/patients/" + patientID + "/policies"
	var list struct {
		Items []wirePolicy `json:"items"`
	}
	if _, err := b.a.call(ctx, b.h.reception, http.MethodGet, path, nil, &list, http.StatusOK); err != nil {
		return wirePayer{}, err
	}
	for _, p := range list.Items {
		if p.PayerID == payer.ID && p.Ended == nil {
			return payer, nil
		}
	}
	body := map[string]any{"payer_id": payer.ID, "member_id": fmt.Sprintf("DHM-%s", patientID[len(patientID)-6:]), "plan": "Gold",
		"coverage_bp": demoCoverage, "copay": demoCoPay, "valid_from": b.h.today[:4] + "-01-01"}
	if _, err := b.a.call(ctx, b.h.reception, http.MethodPost, path, body, nil, http.StatusCreated); err != nil {
		return wirePayer{}, err
	}
	logf("policy with %s added for patient %s: 80%% after a co-pay of %s", payer.Name, patientID, b.money(demoCoPay))
	return payer, nil
}

// claim makes the claim of an insured invoice and moves it: submitted, then approved. An invoice
// whose insurer's share is nothing (the co-pay is the whole bill) has none.
func (b *biller) claim(ctx context.Context, inv wireInvoice, r *billingRun) error {
	var c wireClaim
	status, err := b.a.call(ctx, b.h.reception, http.MethodPost, "/api/invoices/"+inv.ID+"/claims", nil, &c,
		http.StatusCreated, http.StatusConflict)
	if err != nil || status == http.StatusConflict {
		return err
	}
	for _, to := range []string{"submitted", "approved"} {
		if _, err := b.a.call(ctx, b.h.reception, http.MethodPost, "/api/claims/"+c.ID+"/status",
			map[string]any{"status": to, "rev": c.Rev}, &c, http.StatusOK); err != nil {
			return err
		}
	}
	r.claim = c
	logf("claim on %s to %s: %s, %s", c.InvoiceNumber, c.PayerName, b.money(c.Amount), c.Status)
	return nil
}

package billing

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
	"golang.org/x/text/currency"
)

// The code systems a FHIR claim names. HMS's own (its price-list codes, its claim and payer ids) are
// URNs under urn:hms.
const (
	fhirClaimType   = "http://terminology.hl7.org/CodeSystem/claim-type"
	fhirPriority    = "http://terminology.hl7.org/CodeSystem/processpriority"
	fhirPriceList   = "urn:hms:price-list"
	fhirClaimIDs    = "urn:hms:claim"
	fhirPayerCodes  = "urn:hms:payer"
	fhirTaxCode     = "tax"
	fhirMemberIDsOf = "urn:hms:payer:" // + the payer's code + ":member"
)

// ClaimFHIR is a claim as a FHIR R4 Claim resource (github.com/samply/golang-fhir-models, R4): its
// status (draft while the claim is a draft, active after), the institutional claim type, use "claim",
// the patient, when it was made, the payer as insurer, the hospital as provider, normal priority, the
// policy as its one (focal) insurance with the member id, one item per invoice line (the price-list code
// and description, quantity, unit price and net before tax) and, when the invoice has tax, one item for
// it, and the invoice's total. Money is the invoice's currency, with as many decimals as the currency
// has (Money.value is a decimal, never a float).
func (s *Service) ClaimFHIR(ctx context.Context, c Claim, patientName string) (fhir.Claim, error) {
	inv, err := s.Invoice(ctx, c.InvoiceID)
	if err != nil {
		return fhir.Claim{}, err
	}
	policy, err := s.store.Policy(ctx, c.PolicyID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fhir.Claim{}, err
	}
	payer, err := s.store.Payer(ctx, c.PayerID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fhir.Claim{}, err
	}
	money, err := fhirMoney(inv.Currency)
	if err != nil {
		return fhir.Claim{}, err
	}
	status := fhir.FinancialResourceStatusCodesActive
	if c.Status == ClaimDraft {
		status = fhir.FinancialResourceStatusCodesDraft
	}
	payerName := c.PayerName
	if payer.Name != "" {
		payerName = payer.Name
	}
	insurer := fhir.Reference{Reference: ptr("Organization/" + c.PayerID), Type: ptr("Organization"), Display: ptr(payerName)}
	coverage := fhir.Reference{Reference: ptr("Coverage/" + c.PolicyID), Type: ptr("Coverage"), Display: ptr(payerName)}
	if c.Plan != "" {
		coverage.Display = ptr(payerName + ", " + c.Plan)
	}
	if payer.Code != "" {
		insurer.Identifier = &fhir.Identifier{System: ptr(fhirPayerCodes), Value: ptr(payer.Code)}
		if policy.MemberID != "" {
			coverage.Identifier = &fhir.Identifier{System: ptr(fhirMemberIDsOf + payer.Code + ":member"), Value: ptr(policy.MemberID)}
		}
	}
	patient := fhir.Reference{Reference: ptr("Patient/" + c.PatientID), Type: ptr("Patient")}
	if patientName != "" {
		patient.Display = ptr(patientName)
	}
	provider := fhir.Reference{Type: ptr("Organization"), Display: ptr(s.hospital)}
	if s.hospital == "" {
		provider.Display = ptr("Hospital")
	}
	r := fhir.Claim{
		Id:         ptr(c.ID),
		Identifier: []fhir.Identifier{{System: ptr(fhirClaimIDs), Value: ptr(c.ID)}},
		Status:     status,
		Type: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(fhirClaimType), Code: ptr("institutional"),
			Display: ptr("Institutional")}}},
		Use:      fhir.UseClaim,
		Patient:  patient,
		Created:  c.CreatedAt.UTC().Format(time.RFC3339),
		Insurer:  &insurer,
		Provider: provider,
		Priority: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(fhirPriority), Code: ptr("normal"), Display: ptr("Normal")}}},
		Insurance: []fhir.ClaimInsurance{{Sequence: 1, Focal: true, Coverage: coverage,
			Identifier: &fhir.Identifier{System: ptr(fhirClaimIDs), Value: ptr(c.InvoiceNumber)}}},
		Total: money(inv.Totals.Total),
	}
	for i, l := range inv.Lines {
		r.Item = append(r.Item, fhir.ClaimItem{
			Sequence: i + 1,
			ProductOrService: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(fhirPriceList), Code: ptr(l.Code),
				Display: ptr(l.Description)}}, Text: ptr(l.Description)},
			Quantity:  &fhir.Quantity{Value: ptr(json.Number(strconv.Itoa(l.Quantity)))},
			UnitPrice: money(l.UnitAmount),
			Net:       money(l.Net),
		})
	}
	if inv.Totals.Tax != 0 {
		r.Item = append(r.Item, fhir.ClaimItem{
			Sequence: len(inv.Lines) + 1,
			ProductOrService: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(fhirPriceList), Code: ptr(fhirTaxCode),
				Display: ptr("Tax")}}, Text: ptr("Tax")},
			Quantity:  &fhir.Quantity{Value: ptr(json.Number("1"))},
			UnitPrice: money(inv.Totals.Tax),
			Net:       money(inv.Totals.Tax),
		})
	}
	return r, nil
}

func ptr[T any](v T) *T { return &v }

// fhirMoney returns how amounts (minor units) of code are written as FHIR Money: a decimal with the
// currency's number of decimals (12345 GBP is 123.45; 500 JPY is 500).
func fhirMoney(code string) (func(int64) *fhir.Money, error) {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return nil, err
	}
	scale, _ := currency.Standard.Rounding(unit)
	cur := unit.String()
	return func(amount int64) *fhir.Money {
		return &fhir.Money{Value: ptr(json.Number(decimal(amount, scale))), Currency: ptr(cur)}
	}, nil
}

// decimal writes amount minor units with scale decimals, from the integer: 12345, 2 → "123.45".
func decimal(amount int64, scale int) string {
	sign := ""
	u := uint64(amount)
	if amount < 0 {
		sign, u = "-", uint64(-(amount+1))+1
	}
	s := strconv.FormatUint(u, 10)
	if scale == 0 {
		return sign + s
	}
	for len(s) <= scale {
		s = "0" + s
	}
	return sign + s[:len(s)-scale] + "." + s[len(s)-scale:]
}

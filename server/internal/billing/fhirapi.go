package billing

import (
	"context"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/auth"
	"hms/server/internal/ident"
)

// The FHIR API's reads (package fhir, docs/fhir.md) of policies and claims. They make the same
// decisions as the REST handlers — a patient reads only their own (mayRead), another's claim or policy
// does not exist for them (404) — and write the same audit entries, so the two APIs cannot drift.

// FHIRPolicies is GET /api/patients/{id}/policies for the FHIR API: the patient's policies, audited as
// billing.policies.read.
func (h *Handlers) FHIRPolicies(ctx context.Context, p auth.Principal, patientID string) ([]Policy, error) {
	err := mayRead(p, patientID)
	var ps []Policy
	if err == nil {
		ps, err = h.svc.Policies(ctx, patientID)
	}
	return ps, h.record(ctx, p, patientID, "billing.policies.read", err)
}

// FHIRPolicy reads one policy, audited as billing.policies.read: another patient's does not exist for a
// patient (404), as a claim.
func (h *Handlers) FHIRPolicy(ctx context.Context, p auth.Principal, id string) (Policy, error) {
	if !ident.Valid(id) {
		return Policy{}, errNoPolicy
	}
	pol, err := h.svc.Policy(ctx, id)
	if err == nil && mayRead(p, pol.PatientID) != nil {
		err = errNoPolicy
	}
	if err = h.record(ctx, p, pol.PatientID, "billing.policies.read", err); err != nil {
		return Policy{}, err
	}
	return pol, nil
}

// FHIRClaims is GET /api/claims?patient_id= for the FHIR API: a patient's claims (every claim for
// staff and admins when patientID is empty; a patient only their own), newest first, audited as
// billing.claims.read.
func (h *Handlers) FHIRClaims(ctx context.Context, p auth.Principal, patientID string) ([]Claim, error) {
	err := mayRead(p, patientID)
	var cs []Claim
	if err == nil {
		cs, err = h.svc.Claims(ctx, ClaimFilter{PatientID: patientID})
	}
	return cs, h.record(ctx, p, patientID, "billing.claims.read", err)
}

// FHIRClaim is GET /api/claims/{id} for the FHIR API, audited as billing.claim.read.
func (h *Handlers) FHIRClaim(ctx context.Context, p auth.Principal, id string) (Claim, error) {
	cl, err := h.readClaim(ctx, p, id)
	if err = h.record(ctx, p, cl.PatientID, "billing.claim.read", err); err != nil {
		return Claim{}, err
	}
	return cl, nil
}

// FHIRClaimResource is a claim the caller was allowed to read as a FHIR Claim (ClaimFHIR, the
// resource of GET /api/claims/{id}/fhir), with the patient's name.
func (h *Handlers) FHIRClaimResource(ctx context.Context, cl Claim) (fhir.Claim, error) {
	return h.svc.ClaimFHIR(ctx, cl, h.svc.nameOfPatient(ctx, cl.PatientID))
}

// FHIRPayer is a payer, for the Organization a FHIR Coverage, Claim or ClaimResponse contains.
func (h *Handlers) FHIRPayer(ctx context.Context, id string) (Payer, error) {
	return h.svc.Payer(ctx, id)
}

// FHIRMoney writes an amount in minor units of the hospital's currency (HOSPITAL_CURRENCY) as FHIR
// Money, as ClaimFHIR does.
func (h *Handlers) FHIRMoney(amount int64) (*fhir.Money, error) {
	money, err := fhirMoney(h.svc.currency)
	if err != nil {
		return nil, err
	}
	return money(amount), nil
}

// Answered reports whether the payer has answered the claim: approved (wholly or in part), denied or
// paid. Only an answered claim has a ClaimResponse.
func (c Claim) Answered() bool {
	switch c.Status {
	case ClaimApproved, ClaimPartiallyApproved, ClaimDenied, ClaimPaid:
		return true
	}
	return false
}

// The code systems of a ClaimResponse.
const (
	fhirAdjudication = "http://terminology.hl7.org/CodeSystem/adjudication"
	fhirPaymentType  = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
)

// ClaimResponseFHIR is the payer's answer to an answered claim as a FHIR R4 ClaimResponse: status
// active, the claim's type and use, the patient, when the payer answered (created: the decision's
// time), the payer as insurer (insurer references the contained Organization "#payer"), the Claim as
// request, outcome complete (the payer decided the whole claim: approved, partially approved, denied or
// paid), the disposition in words (with the denial reason), the totals submitted (the amount claimed)
// and benefit (approved; 0 when denied), and once paid the payment (complete when all that was approved
// was paid, partial otherwise) with its date. Money is in the claim's currency, the hospital's.
func (h *Handlers) ClaimResponseFHIR(c Claim, patientName string) (fhir.ClaimResponse, error) {
	money, err := fhirMoney(c.Currency)
	if err != nil {
		return fhir.ClaimResponse{}, err
	}
	decided := c.CreatedAt
	var paidAt time.Time
	for _, e := range c.History {
		switch e.Status {
		case ClaimApproved, ClaimPartiallyApproved, ClaimDenied:
			decided = e.At
		case ClaimPaid:
			paidAt = e.At
		}
	}
	patient := fhir.Reference{Reference: ptr("Patient/" + c.PatientID), Type: ptr("Patient")}
	if patientName != "" {
		patient.Display = ptr(patientName)
	}
	disposition := map[ClaimStatus]string{ClaimApproved: "Approved", ClaimPartiallyApproved: "Partially approved",
		ClaimDenied: "Denied", ClaimPaid: "Paid"}[c.Status]
	if c.Status == ClaimDenied && c.DenialReason != "" {
		disposition += ": " + c.DenialReason
	}
	category := func(code, display string) fhir.CodeableConcept {
		return fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(fhirAdjudication), Code: ptr(code), Display: ptr(display)}}}
	}
	approved := c.ApprovedAmount
	if c.Status == ClaimDenied {
		approved = 0
	}
	r := fhir.ClaimResponse{
		Id:         ptr(c.ID),
		Identifier: []fhir.Identifier{{System: ptr(fhirClaimIDs), Value: ptr(c.ID)}},
		Status:     fhir.FinancialResourceStatusCodesActive,
		Type: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(fhirClaimType), Code: ptr("institutional"),
			Display: ptr("Institutional")}}},
		Use:         fhir.UseClaim,
		Patient:     patient,
		Created:     decided.UTC().Format(time.RFC3339),
		Insurer:     fhir.Reference{Reference: ptr("#payer"), Type: ptr("Organization"), Display: ptr(c.PayerName)},
		Request:     &fhir.Reference{Reference: ptr("Claim/" + c.ID), Type: ptr("Claim")},
		Outcome:     fhir.ClaimProcessingCodesComplete,
		Disposition: ptr(disposition),
		Total: []fhir.ClaimResponseTotal{
			{Category: category("submitted", "Submitted Amount"), Amount: *money(c.Amount)},
			{Category: category("benefit", "Benefit Amount"), Amount: *money(approved)},
		},
	}
	if c.PayerName == "" {
		r.Insurer.Display = nil
	}
	if c.Status == ClaimPaid {
		kind, display := "complete", "Complete"
		if c.PaidAmount < c.ApprovedAmount {
			kind, display = "partial", "Partial"
		}
		r.Payment = &fhir.ClaimResponsePayment{Type: fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(fhirPaymentType),
			Code: ptr(kind), Display: ptr(display)}}}, Amount: *money(c.PaidAmount), Date: ptr(paidAt.In(h.loc()).Format(dateLayout))}
	}
	return r, nil
}

// loc is the hospital's time zone (UTC when none is set).
func (h *Handlers) loc() *time.Location {
	if h.svc.loc == nil {
		return time.UTC
	}
	return h.svc.loc
}

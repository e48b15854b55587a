package fhir

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hms/server/internal/billing"
)

// The Coverage search parameters: patient and beneficiary are the same (one of them at most).
var coverageParams = []string{"_id", "patient", "beneficiary"}

// costToBeneficiary is Coverage.costToBeneficiary with one value: the samply struct writes both
// valueQuantity and valueMoney.
type costToBeneficiary struct {
	Type          fhir.CodeableConcept `json:"type"`
	ValueQuantity *fhir.Quantity       `json:"valueQuantity,omitempty"`
	ValueMoney    *fhir.Money          `json:"valueMoney,omitempty"`
}

// coverageResource maps an insurance policy to a FHIR Coverage: status active (a policy is never
// cancelled; an ended one is active with the end of its period), the member id as subscriberId and as
// an identifier (system urn:hms:payer:<payer code>:member, as the Claim's), the patient as
// beneficiary with relationship self, the period it is valid (valid_from to valid_to, dates in the
// hospital's zone), the payer as payor (a contained Organization, #payer, with its code under
// urn:hms:payer), the plan as a class of type plan, and what the patient pays: the co-pay (copay, in
// the hospital's currency) and the share of the rest (copaypct, 100% less the policy's coverage).
func (cl *Clinical) coverageResource(ctx context.Context, pol billing.Policy) (json.RawMessage, error) {
	payer, err := cl.payer(ctx, pol.PayerID, pol.PayerName)
	if err != nil {
		return nil, err
	}
	cv := fhir.Coverage{Id: ptr(pol.ID), Status: fhir.FinancialResourceStatusCodesActive,
		Beneficiary: *reference("Patient", pol.PatientID),
		Relationship: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/subscriber-relationship"),
			Code: ptr("self"), Display: ptr("Self")}}},
		Payor:  []fhir.Reference{{Reference: ptr("#payer"), Type: ptr("Organization"), Display: payer.Name}},
		Period: &fhir.Period{Start: ptr(pol.ValidFrom)}}
	if pol.ValidTo != "" {
		cv.Period.End = ptr(pol.ValidTo)
	}
	if pol.MemberID != "" {
		cv.SubscriberId = ptr(pol.MemberID)
		if len(payer.Identifier) > 0 {
			cv.Identifier = []fhir.Identifier{{System: ptr(SystemPayer + ":" + *payer.Identifier[0].Value + ":member"), Value: ptr(pol.MemberID)}}
		}
	}
	if pol.Plan != "" {
		cv.Class = []fhir.CoverageClass{{Type: concept("http://terminology.hl7.org/CodeSystem/coverage-class", "plan", "Plan"),
			Value: pol.Plan, Name: ptr(pol.Plan)}}
	}
	copay, err := cl.Billing.FHIRMoney(pol.CoPay)
	if err != nil {
		return nil, err
	}
	pct := strconv.FormatFloat(float64(10_000-pol.CoverageBP)/100, 'f', -1, 64)
	costs := []costToBeneficiary{
		{Type: concept("http://terminology.hl7.org/CodeSystem/coverage-copay-type", "copay", "Copay Amount"), ValueMoney: copay},
		{Type: concept("http://terminology.hl7.org/CodeSystem/coverage-copay-type", "copaypct", "Copay Percentage"),
			ValueQuantity: &fhir.Quantity{Value: ptr(json.Number(pct)), Unit: ptr("%"), System: ptr(SystemUCUM), Code: ptr("%")}},
	}
	return reshape(cv, map[string]any{"costToBeneficiary": costs, "contained": []any{payer}})
}

// ReadCoverage handles GET /fhir/R4/Coverage/{id}: an insurance policy, for those who may read the
// patient's policies over REST (billing.read, checked by the route; a patient only their own: another's
// is 404, as a claim), audited as billing.policies.read.
func (cl *Clinical) ReadCoverage(c *gin.Context) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	ctx := c.Request.Context()
	pol, err := cl.Billing.FHIRPolicy(ctx, principal(c), c.Param("id"))
	if err != nil {
		Error(c, err)
		return
	}
	r, err := cl.coverageResource(ctx, pol)
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, r)
}

// SearchCoverages handles GET /fhir/R4/Coverage?patient=|beneficiary=&_id=: one patient's policies (GET
// /api/patients/{id}/policies: billing.read; a patient their own), newest valid_from first, audited
// as billing.policies.read. A patient searches their own; the staff-side roles name the patient.
func (cl *Clinical) SearchCoverages(c *gin.Context) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, coverageParams, nil)
	if !ok {
		return
	}
	p, ctx := principal(c), c.Request.Context()
	patientID, ok := patientParam(c, s, p, "patient", "beneficiary")
	if !ok {
		return
	}
	ps, err := cl.Billing.FHIRPolicies(ctx, p, patientID)
	if err != nil {
		Error(c, err)
		return
	}
	id := idParam(s)
	matches := []sortedEntry{}
	for _, pol := range ps {
		if id != "" && pol.ID != id {
			continue
		}
		r, err := cl.coverageResource(ctx, pol)
		if err != nil {
			Error(c, err)
			return
		}
		matches = append(matches, sortedEntry{entry: entry{pol.ID, r}, at: pol.CreatedAt})
	}
	cl.answer(c, "Coverage", s, matches)
}

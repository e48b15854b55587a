package fhir

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/billing"
	"hms/server/internal/fault"
	"hms/shared"
)

// The Claim and ClaimResponse search parameters.
var claimParams = []string{"_id", "patient", "status"}

// claimResource is billing's FHIR Claim (the resource of GET /api/claims/{id}/fhir) as this API serves
// it: the hospital as provider references Organization/hospital, and the payer as insurer is the
// contained Organization #payer (payers are not served as resources of their own).
func (cl *Clinical) claimResource(ctx context.Context, c billing.Claim) (json.RawMessage, error) {
	r, err := cl.Billing.FHIRClaimResource(ctx, c)
	if err != nil {
		return nil, err
	}
	payer, err := cl.payer(ctx, c.PayerID, c.PayerName)
	if err != nil {
		return nil, err
	}
	r.Provider.Reference = ptr("Organization/" + HospitalID)
	if r.Insurer != nil {
		r.Insurer.Reference, r.Insurer.Identifier = ptr("#payer"), nil
	}
	return reshape(r, map[string]any{"contained": []any{payer}})
}

// claimResponseResource is billing's ClaimResponse of an answered claim, its insurer the contained
// Organization #payer.
func (cl *Clinical) claimResponseResource(ctx context.Context, c billing.Claim) (json.RawMessage, error) {
	r, err := cl.Billing.ClaimResponseFHIR(c, "")
	if err != nil {
		return nil, err
	}
	payer, err := cl.payer(ctx, c.PayerID, c.PayerName)
	if err != nil {
		return nil, err
	}
	r.Insurer.Display = payer.Name
	return reshape(r, map[string]any{"contained": []any{payer}})
}

// claimPatient is the patient a Claim or ClaimResponse search is about: the patient parameter; a
// patient's own record when they give none; none (every claim, as the REST claims board) for staff
// and admins.
func claimPatient(c *gin.Context, s search, p auth.Principal) (string, bool) {
	if s.values.Get("patient") == "" && p.Role != shared.RolePatient {
		return "", true
	}
	return patientParam(c, s, p, "patient")
}

// ReadClaim handles GET /fhir/R4/Claim/{id}: a claim to a payer made from an invoice, for those who may
// read it over REST (GET /api/claims/{id}: billing.read, checked by the route; a patient only their
// own, another's is 404), audited as billing.claim.read.
func (cl *Clinical) ReadClaim(c *gin.Context) {
	cl.readClaim(c, "Claim")
}

// ReadClaimResponse handles GET /fhir/R4/ClaimResponse/{id}: the payer's answer to the claim of that
// id, as ReadClaim decides who may read it; a claim the payer has not answered yet (draft, submitted,
// in review) has none (404).
func (cl *Clinical) ReadClaimResponse(c *gin.Context) {
	cl.readClaim(c, "ClaimResponse")
}

func (cl *Clinical) readClaim(c *gin.Context, resource string) {
	if !formatOK(c) || !noParams(c) {
		return
	}
	ctx := c.Request.Context()
	claim, err := cl.Billing.FHIRClaim(ctx, principal(c), c.Param("id"))
	if err != nil {
		Error(c, err)
		return
	}
	var r json.RawMessage
	switch {
	case resource == "Claim":
		r, err = cl.claimResource(ctx, claim)
	case claim.Answered():
		r, err = cl.claimResponseResource(ctx, claim)
	default:
		err = fault.New(fault.ErrNotFound, "no ClaimResponse with id %s: the payer has not answered the claim yet (it is %s)",
			quote(claim.ID), strings.ReplaceAll(string(claim.Status), "_", " "))
	}
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, r)
}

// SearchClaims handles GET /fhir/R4/Claim?patient=&status=&_id=: claims, newest first (GET
// /api/claims: billing.read; a patient their own; staff and admins every claim, or one patient's),
// audited as billing.claims.read. status is the Claim's: draft or active (every claim past its draft).
func (cl *Clinical) SearchClaims(c *gin.Context) {
	cl.searchClaims(c, "Claim")
}

// SearchClaimResponses handles GET /fhir/R4/ClaimResponse?patient=&status=&_id=: the payers' answers
// to the claims SearchClaims finds (status active: every answer served).
func (cl *Clinical) SearchClaimResponses(c *gin.Context) {
	cl.searchClaims(c, "ClaimResponse")
}

func (cl *Clinical) searchClaims(c *gin.Context, resource string) {
	if !formatOK(c) {
		return
	}
	s, ok := parseSearch(c, claimParams, nil)
	if !ok {
		return
	}
	p, ctx := principal(c), c.Request.Context()
	patientID, ok := claimPatient(c, s, p)
	if !ok {
		return
	}
	status := s.values.Get("status")
	switch status {
	case "", "active", "draft", "cancelled", "entered-in-error":
	default:
		invalid(c, "status: "+quote(status)+" is not a "+resource+" status (active, cancelled, draft, entered-in-error)")
		return
	}
	claims, err := cl.Billing.FHIRClaims(ctx, p, patientID)
	if err != nil {
		Error(c, err)
		return
	}
	id := idParam(s)
	matches := []sortedEntry{}
	for _, claim := range claims {
		fhirStatus := "active"
		if resource == "Claim" && claim.Status == billing.ClaimDraft {
			fhirStatus = "draft"
		}
		if (id != "" && claim.ID != id) || (status != "" && status != fhirStatus) || (resource == "ClaimResponse" && !claim.Answered()) {
			continue
		}
		build := func() (any, error) {
			if resource == "Claim" {
				return cl.claimResource(ctx, claim)
			}
			return cl.claimResponseResource(ctx, claim)
		}
		matches = append(matches, sortedEntry{entry: entry{id: claim.ID}, at: claim.CreatedAt, build: build})
	}
	cl.answer(c, resource, s, matches)
}

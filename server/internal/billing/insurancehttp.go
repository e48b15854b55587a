package billing

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/shared"
)

// PayersHandler handles GET /api/billing/payers (staff, admins).
func (h *Handlers) PayersHandler(c *gin.Context) {
	ps, err := h.svc.Payers(c.Request.Context())
	httpx.Reply(c, http.StatusOK)(gin.H{"items": orEmpty(ps)}, err)
}

// PayerRequest creates or changes a payer; Rev is required to change one (the revision the admin saw).
type PayerRequest struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Retired bool   `json:"retired"`
	Rev     *int   `json:"rev"`
}

// CreatePayerHandler handles POST /api/billing/payers (admins).
func (h *Handlers) CreatePayerHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req PayerRequest
	err := httpx.BindJSON(c, &req)
	var payer Payer
	if err == nil {
		payer, err = h.svc.CreatePayer(ctx, Payer{Code: req.Code, Name: req.Name, Contact: req.Contact, Retired: req.Retired}, p.UserID)
	}
	err = h.record(ctx, p, "", "billing.payer.create", err)
	httpx.Reply(c, http.StatusCreated)(payer, err)
}

// UpdatePayerHandler handles PUT /api/billing/payers/{id} (admins).
func (h *Handlers) UpdatePayerHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req PayerRequest
	err := httpx.BindJSON(c, &req)
	if err == nil && req.Rev == nil {
		err = fault.Invalid("rev is required: the payer's revision you saw")
	}
	var payer Payer
	if err == nil {
		payer, err = h.svc.UpdatePayer(ctx, c.Param("id"), Payer{Code: req.Code, Name: req.Name, Contact: req.Contact,
			Retired: req.Retired}, *req.Rev, p.UserID)
	}
	err = h.record(ctx, p, "", "billing.payer.update", err)
	httpx.Reply(c, http.StatusOK)(payer, err)
}

// PoliciesHandler handles GET /api/patients/{id}/policies: staff, admins and the patient themself.
func (h *Handlers) PoliciesHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx, patientID := c.Request.Context(), c.Param("id")
	err := mayRead(p, patientID)
	var ps []Policy
	if err == nil {
		ps, err = h.svc.Policies(ctx, patientID)
	}
	err = h.record(ctx, p, patientID, "billing.policies.read", err)
	httpx.Reply(c, http.StatusOK)(gin.H{"items": orEmpty(ps)}, err)
}

// AddPolicyHandler handles POST /api/patients/{id}/policies (staff, admins).
func (h *Handlers) AddPolicyHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx, patientID := c.Request.Context(), c.Param("id")
	var req PolicyRequest
	err := httpx.BindJSON(c, &req)
	if err == nil {
		err = h.patientExists(ctx, patientID)
	}
	var pol Policy
	if err == nil {
		pol, err = h.svc.AddPolicy(ctx, patientID, req, p.UserID)
	}
	err = h.record(ctx, p, patientID, "billing.policy.add", err)
	httpx.Reply(c, http.StatusCreated)(pol, err)
}

// EndPolicyRequest ends a policy from a day on (today when empty).
type EndPolicyRequest struct {
	From string `json:"from"`
}

// EndPolicyHandler handles POST /api/policies/{id}/end (staff, admins).
func (h *Handlers) EndPolicyHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req EndPolicyRequest
	err := httpx.BindJSON(c, &req)
	var pol Policy
	if err == nil {
		pol, err = h.svc.EndPolicy(ctx, c.Param("id"), req.From, p.UserID)
	}
	patientID := pol.PatientID
	if patientID == "" {
		if prior, perr := h.svc.Policy(ctx, c.Param("id")); perr == nil {
			patientID = prior.PatientID
		}
	}
	err = h.record(ctx, p, patientID, "billing.policy.end", err)
	httpx.Reply(c, http.StatusOK)(pol, err)
}

// CreateClaimHandler handles POST /api/invoices/{id}/claims (staff, admins): a draft claim for the
// insurer's share of an issued invoice. It takes no body.
func (h *Handlers) CreateClaimHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	cl, err := h.svc.CreateClaim(ctx, c.Param("id"), p.UserID)
	patientID := cl.PatientID
	if patientID == "" {
		if inv, ierr := h.svc.Invoice(ctx, c.Param("id")); ierr == nil {
			patientID = inv.PatientID
		}
	}
	if err == nil {
		cl = h.svc.nameClaim(ctx, p, cl)
	}
	err = h.record(ctx, p, patientID, "billing.claim.create", err)
	httpx.Reply(c, http.StatusCreated)(cl, err)
}

// ClaimsHandler handles GET /api/claims?status=&payer_id=&patient_id=: the claims board for staff and
// admins; a patient lists only their own.
func (h *Handlers) ClaimsHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	f := ClaimFilter{PatientID: c.Query("patient_id"), PayerID: c.Query("payer_id"), Status: ClaimStatus(c.Query("status"))}
	if p.Role == shared.RolePatient && f.PatientID == "" {
		f.PatientID = p.PatientID
	}
	err := mayRead(p, f.PatientID)
	var cs []Claim
	if err == nil {
		cs, err = h.svc.Claims(ctx, f)
	}
	if err == nil {
		h.svc.nameClaims(ctx, p, cs)
	}
	err = h.record(ctx, p, f.PatientID, "billing.claims.read", err)
	httpx.Reply(c, http.StatusOK)(gin.H{"items": orEmpty(cs), "statuses": ClaimStatuses}, err)
}

// readClaim reads a claim for p: another patient's does not exist for a patient (404).
func (h *Handlers) readClaim(ctx context.Context, p auth.Principal, id string) (Claim, error) {
	cl, err := h.svc.Claim(ctx, id)
	if err == nil && mayRead(p, cl.PatientID) != nil {
		return Claim{}, errNoClaim
	}
	return cl, err
}

// ClaimHandler handles GET /api/claims/{id}: the claim with its history.
func (h *Handlers) ClaimHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	cl, err := h.readClaim(ctx, p, c.Param("id"))
	if err == nil {
		cl = h.svc.nameClaim(ctx, p, cl)
	}
	err = h.record(ctx, p, cl.PatientID, "billing.claim.read", err)
	httpx.Reply(c, http.StatusOK)(cl, err)
}

// MoveClaimHandler handles POST /api/claims/{id}/status (staff, admins).
func (h *Handlers) MoveClaimHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req MoveRequest
	err := httpx.BindJSON(c, &req)
	var cl Claim
	var replayed bool
	if err == nil {
		cl, replayed, err = h.svc.MoveClaim(ctx, c.Param("id"), req, p.UserID)
	}
	patientID := cl.PatientID
	if patientID == "" {
		if prior, perr := h.svc.Claim(ctx, c.Param("id")); perr == nil {
			patientID = prior.PatientID
		}
	}
	if err == nil {
		cl = h.svc.nameClaim(ctx, p, cl)
	}
	err = h.record(ctx, p, patientID, "billing.claim.status", err)
	httpx.ReplyKeyed(c, http.StatusOK)(cl, replayed, err)
}

// ClaimFHIRHandler handles GET /api/claims/{id}/fhir: the claim as a FHIR R4 Claim resource
// (application/fhir+json), for staff, admins and the claim's patient.
func (h *Handlers) ClaimFHIRHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	cl, err := h.readClaim(ctx, p, c.Param("id"))
	var body []byte
	if err == nil {
		name := h.svc.nameOfPatient(ctx, cl.PatientID)
		r, ferr := h.svc.ClaimFHIR(ctx, cl, name)
		if err = ferr; err == nil {
			body, err = json.Marshal(r)
		}
	}
	if err = h.record(ctx, p, cl.PatientID, "billing.claim.fhir", err); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/fhir+json; charset=utf-8", body)
}

// nameClaims fills in the patients' names for staff and admins (a patient knows their own).
func (s *Service) nameClaims(ctx context.Context, p auth.Principal, cs []Claim) {
	if p.Role == shared.RolePatient || s.patientName == nil {
		return
	}
	names := map[string]string{}
	for i := range cs {
		id := cs[i].PatientID
		if _, ok := names[id]; !ok {
			names[id] = s.nameOfPatient(ctx, id)
		}
		cs[i].PatientName = names[id]
	}
}

func (s *Service) nameOfPatient(ctx context.Context, patientID string) string {
	if s.patientName == nil {
		return ""
	}
	name, err := s.patientName(ctx, patientID)
	if err != nil {
		s.log.WarnContext(ctx, "name a claim's patient", "patient_id", patientID, "err", err)
		return ""
	}
	return name
}

func (s *Service) nameClaim(ctx context.Context, p auth.Principal, c Claim) Claim {
	cs := []Claim{c}
	s.nameClaims(ctx, p, cs)
	return cs[0]
}

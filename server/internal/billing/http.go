package billing

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
	"hms/server/internal/ident"
	"hms/shared"
)

// Auditor records who did what to whose bill.
type Auditor interface {
	Record(ctx context.Context, actorID string, role shared.Role, patientID, action string, err error) error
}

// Handlers serve the billing routes. Staff and admins bill; a patient reads only their own charges and
// invoices. Every action, and every refusal, is audited against the patient.
type Handlers struct {
	svc   *Service
	audit Auditor
	// patientExists answers nil for a patient on record, or a not-found error.
	patientExists func(ctx context.Context, id string) error
}

// NewHandlers returns the billing routes' handlers.
func NewHandlers(svc *Service, audit Auditor, patientExists func(ctx context.Context, id string) error) *Handlers {
	return &Handlers{svc: svc, audit: audit, patientExists: patientExists}
}

// record audits an action on a patient's bill and returns err (or the audit's failure when err is nil).
func (h *Handlers) record(ctx context.Context, p auth.Principal, patientID, action string, err error) error {
	if !ident.Valid(patientID) {
		patientID = ""
	}
	if aerr := h.audit.Record(ctx, p.UserID, p.Role, patientID, action, err); aerr != nil && err == nil {
		return aerr
	}
	return err
}

// mayRead refuses a patient who asks for someone else's bills.
func mayRead(p auth.Principal, patientID string) error {
	if p.Role == shared.RolePatient && (patientID == "" || patientID != p.PatientID) {
		return fault.New(fault.ErrForbidden, "you can only see your own bills")
	}
	return nil
}

// PricesHandler handles GET /api/billing/prices.
func (h *Handlers) PricesHandler(c *gin.Context) {
	ps, err := h.svc.Prices(c.Request.Context())
	httpx.Reply(c, http.StatusOK)(gin.H{"items": ps, "currency": h.svc.currency}, err)
}

// PriceRequest sets a price-list entry.
type PriceRequest struct {
	Name    string `json:"name"`
	Kind    Kind   `json:"kind"`
	Ref     string `json:"ref"`
	Amount  *int64 `json:"amount"`
	TaxBP   int    `json:"tax_bp"`
	Retired bool   `json:"retired"`
}

// SetPriceHandler handles PUT /api/billing/prices/{code} (admins).
func (h *Handlers) SetPriceHandler(c *gin.Context) {
	var req PriceRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	if req.Amount == nil {
		httpx.Error(c, fault.Invalid("amount is required (in minor units of %s)", h.svc.currency))
		return
	}
	p, _ := auth.PrincipalOf(c)
	price, err := h.svc.SetPrice(c.Request.Context(), Price{Code: c.Param("code"), Name: req.Name, Kind: req.Kind,
		Ref: req.Ref, Amount: *req.Amount, TaxBP: req.TaxBP, Retired: req.Retired}, p.UserID)
	err = h.record(c.Request.Context(), p, "", "billing.price.set", err)
	httpx.Reply(c, http.StatusOK)(price, err)
}

// ChargesHandler handles GET /api/patients/{id}/charges?unbilled=true.
func (h *Handlers) ChargesHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx, patientID := c.Request.Context(), c.Param("id")
	unbilled, err := httpx.Flag(c, "unbilled")
	if err == nil {
		err = mayRead(p, patientID)
	}
	var cs []Charge
	if err == nil {
		cs, err = h.svc.Charges(ctx, patientID, unbilled)
	}
	err = h.record(ctx, p, patientID, "billing.charges.read", err)
	httpx.Reply(c, http.StatusOK)(gin.H{"items": orEmpty(cs)}, err)
}

// ChargeRequest is a charge staff post by hand.
type ManualChargeRequest struct {
	Code        string `json:"code"`
	Quantity    int    `json:"quantity"`
	Description string `json:"description"`
	Reason      string `json:"reason"`
}

// PostChargeHandler handles POST /api/patients/{id}/charges (staff, with a reason; an Idempotency-Key
// makes a retried request post nothing twice).
func (h *Handlers) PostChargeHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx, patientID := c.Request.Context(), c.Param("id")
	var req ManualChargeRequest
	err := httpx.BindJSON(c, &req)
	key, kerr := httpx.IdempotencyKey(c)
	err = errors.Join(err, kerr)
	if err == nil && key == "" {
		err = fault.Invalid("an Idempotency-Key header is required, so that a retried request posts the charge once")
	}
	if err == nil && req.Reason == "" {
		err = fault.Invalid("reason is required for a charge posted by hand")
	}
	if err == nil {
		err = h.patientExists(ctx, patientID)
	}
	var ch Charge
	if err == nil {
		ch, err = h.svc.Post(ctx, ChargeRequest{Key: "manual:" + p.UserID + ":" + key, PatientID: patientID,
			Source: "manual", Code: req.Code, Quantity: req.Quantity, Description: req.Description, Reason: req.Reason, By: p.UserID})
	}
	err = h.record(ctx, p, patientID, "billing.charge.post", err)
	httpx.Reply(c, http.StatusCreated)(ch, err)
}

// VoidRequest voids a charge.
type VoidRequest struct {
	Reason string `json:"reason"`
}

// VoidChargeHandler handles POST /api/charges/{id}/void.
func (h *Handlers) VoidChargeHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req VoidRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	ch, err := h.svc.VoidCharge(ctx, c.Param("id"), p.UserID, req.Reason)
	err = h.record(ctx, p, ch.PatientID, "billing.charge.void", err)
	httpx.Reply(c, http.StatusOK)(ch, err)
}

// DraftRequest drafts an invoice.
type DraftRequest struct {
	PatientID string   `json:"patient_id"`
	ChargeIDs []string `json:"charge_ids"`
}

// DraftHandler handles POST /api/invoices.
func (h *Handlers) DraftHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req DraftRequest
	err := httpx.BindJSON(c, &req)
	if err == nil {
		err = h.patientExists(ctx, req.PatientID)
	}
	var inv Invoice
	if err == nil {
		inv, err = h.svc.Draft(ctx, req.PatientID, req.ChargeIDs, p.UserID)
	}
	err = h.record(ctx, p, req.PatientID, "billing.invoice.draft", err)
	httpx.Reply(c, http.StatusCreated)(inv, err)
}

// InvoicesHandler handles GET /api/invoices?patient_id=&status=&page=&limit=.
func (h *Handlers) InvoicesHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx, patientID := c.Request.Context(), c.Query("patient_id")
	if p.Role == shared.RolePatient && patientID == "" {
		patientID = p.PatientID // a patient's invoices are their own
	}
	page, limit, err := httpx.Page(c)
	if err == nil {
		err = mayRead(p, patientID)
	}
	var invs []Invoice
	var total int
	if err == nil {
		invs, total, err = h.svc.Invoices(ctx, patientID, Status(c.Query("status")), page, limit)
	}
	if patientID != "" {
		err = h.record(ctx, p, patientID, "billing.invoices.read", err)
	}
	httpx.Reply(c, http.StatusOK)(gin.H{"items": orEmpty(invs), "total": total, "page": page, "limit": limit}, err)
}

// InvoiceHandler handles GET /api/invoices/{id}: the invoice with its credit notes and payments, and
// what is credited, paid and owed.
func (h *Handlers) InvoiceHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	inv, err := h.svc.Detail(ctx, c.Param("id"))
	if err == nil {
		if err = mayRead(p, inv.PatientID); err != nil {
			inv = InvoiceDetail{}
			err = fault.New(fault.ErrNotFound, "no such invoice") // another patient's invoice does not exist for you
		}
	}
	err = h.record(ctx, p, inv.PatientID, "billing.invoice.read", err)
	httpx.Reply(c, http.StatusOK)(inv, err)
}

// InvoicePDFHandler handles GET /api/invoices/{id}/pdf: an issued invoice's PDF, the same bytes every
// time, as an attachment named by its number. A draft has none (409).
func (h *Handlers) InvoicePDFHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	inv, err := h.svc.Invoice(ctx, c.Param("id"))
	if err == nil && mayRead(p, inv.PatientID) != nil {
		inv = Invoice{}
		err = fault.New(fault.ErrNotFound, "no such invoice")
	}
	var data []byte
	if err == nil {
		inv, data, err = h.svc.InvoicePDF(ctx, inv.ID)
	}
	if err = h.record(ctx, p, inv.PatientID, "billing.invoice.pdf", err); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+inv.Number+`.pdf"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", data)
}

// CreditNoteHandler handles POST /api/invoices/{id}/credit-notes (staff, admins; Idempotency-Key
// required): a credit note of some or all of an issued invoice's lines, with a reason.
func (h *Handlers) CreditNoteHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req CreditRequest
	err := httpx.BindJSON(c, &req)
	key, kerr := httpx.IdempotencyKey(c)
	err = errors.Join(err, kerr)
	if err == nil && key == "" {
		err = fault.Invalid("an Idempotency-Key header is required, so that a retried request credits once")
	}
	var cn CreditNote
	var replayed bool
	patientID := ""
	if err == nil {
		cn, replayed, err = h.svc.Credit(ctx, c.Param("id"), req, p.UserID, key)
		patientID = cn.PatientID
		if patientID == "" {
			if inv, ierr := h.svc.Invoice(ctx, c.Param("id")); ierr == nil {
				patientID = inv.PatientID
			}
		}
	}
	err = h.record(ctx, p, patientID, "billing.credit_note.issue", err)
	httpx.ReplyKeyed(c, http.StatusCreated)(cn, replayed, err)
}

// RevRequest names the revision of a draft the caller saw.
type RevRequest struct {
	Rev int `json:"rev"`
}

// IssueHandler handles POST /api/invoices/{id}/issue.
func (h *Handlers) IssueHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req RevRequest
	err := httpx.BindJSON(c, &req)
	var inv Invoice
	if err == nil {
		inv, err = h.svc.Issue(ctx, c.Param("id"), req.Rev, p.UserID)
	}
	err = h.record(ctx, p, inv.PatientID, "billing.invoice.issue", err)
	httpx.Reply(c, http.StatusOK)(inv, err)
}

// RemoveLineHandler handles DELETE /api/invoices/{id}/lines/{charge_id}?rev=.
func (h *Handlers) RemoveLineHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	rev, err := strconv.Atoi(c.Query("rev"))
	if err != nil {
		err = fault.Invalid("rev must be the draft's revision, a number")
	}
	var inv Invoice
	if err == nil {
		inv, err = h.svc.RemoveLine(ctx, c.Param("id"), c.Param("charge_id"), rev)
	}
	err = h.record(ctx, p, inv.PatientID, "billing.invoice.remove_line", err)
	httpx.Reply(c, http.StatusOK)(inv, err)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

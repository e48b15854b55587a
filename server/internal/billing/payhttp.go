package billing

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/httpx"
)

// ConfigHandler handles GET /api/billing/config: the currency, and whether patients can pay online (the
// screens offer "Pay online" only then).
func (h *Handlers) ConfigHandler(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"currency": h.svc.Currency(), "online_payment": h.svc.OnlinePayment()})
}

// PayRequest is a payment taken at the desk.
type PayRequest struct {
	Method    Method `json:"method"`
	Amount    *int64 `json:"amount"`
	Reference string `json:"reference"`
}

// bindAmount reads a keyed request with an amount: the body into req, whose amount field is amount, and
// the Idempotency-Key, which is required so that a retried request <does> once.
func (h *Handlers) bindAmount(c *gin.Context, req any, amount **int64, does string) (string, error) {
	err := httpx.BindJSON(c, req)
	key, kerr := httpx.IdempotencyKey(c)
	err = errors.Join(err, kerr)
	if err == nil && key == "" {
		err = fault.Invalid("an Idempotency-Key header is required, so that a retried request %s once", does)
	}
	if err == nil && *amount == nil {
		err = fault.Invalid("amount is required (in minor units of %s)", h.svc.currency)
	}
	return key, err
}

// PayHandler handles POST /api/invoices/{id}/payments (staff, admins; Idempotency-Key required).
func (h *Handlers) PayHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req PayRequest
	key, err := h.bindAmount(c, &req, &req.Amount, "records the payment")
	var pay Payment
	var replayed bool
	patientID := ""
	if err == nil {
		pay, replayed, err = h.svc.Pay(ctx, PaymentRequest{InvoiceID: c.Param("id"), Method: req.Method, Amount: *req.Amount,
			Reference: req.Reference, Key: key, By: p.UserID})
		patientID = pay.PatientID
		if err != nil {
			if inv, ierr := h.svc.Invoice(ctx, c.Param("id")); ierr == nil {
				patientID = inv.PatientID
			}
		}
	}
	err = h.record(ctx, p, patientID, "billing.payment.record", err)
	httpx.ReplyKeyed(c, http.StatusCreated)(pay, replayed, err)
}

// RefundBody is the body of a refund.
type RefundBody struct {
	Amount *int64 `json:"amount"`
	Reason string `json:"reason"`
}

// RefundHandler handles POST /api/payments/{id}/refund (admins; Idempotency-Key required).
func (h *Handlers) RefundHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	var req RefundBody
	key, err := h.bindAmount(c, &req, &req.Amount, "refunds")
	var pay Payment
	var replayed bool
	patientID := ""
	if err == nil {
		pay, replayed, err = h.svc.Refund(ctx, RefundRequest{PaymentID: c.Param("id"), Amount: *req.Amount, Reason: req.Reason,
			Key: key, By: p.UserID})
		patientID = pay.PatientID
		if err != nil {
			if prior, perr := h.svc.Payment(ctx, c.Param("id")); perr == nil {
				patientID = prior.PatientID
			}
		}
	}
	err = h.record(ctx, p, patientID, "billing.payment.refund", err)
	httpx.ReplyKeyed(c, http.StatusCreated)(pay, replayed, err)
}

// ReceiptHandler handles GET /api/payments/{id}/receipt: a payment's receipt as PDF, an attachment named
// by its receipt number, for staff, admins and the payment's patient (another patient's is 404). It is
// rendered on each request, so it shows what was refunded of the payment so far.
func (h *Handlers) ReceiptHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	r, err := h.svc.Receipt(ctx, c.Param("id"))
	if err == nil && mayRead(p, r.PatientID) != nil {
		r, err = Receipt{}, errNoPayment // another patient's payment does not exist for you
	}
	var data []byte
	if err == nil {
		data, err = h.svc.ReceiptPDF(ctx, r)
	}
	if err = h.record(ctx, p, r.PatientID, "billing.receipt.pdf", err); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+r.ReceiptNumber+`.pdf"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", data)
}

// CheckoutHandler handles POST /api/invoices/{id}/checkout: the invoice's patient, staff or admins get a
// payment provider's page for its balance. Another patient's invoice is 404.
func (h *Handlers) CheckoutHandler(c *gin.Context) {
	p, _ := auth.PrincipalOf(c)
	ctx := c.Request.Context()
	inv, err := h.svc.Invoice(ctx, c.Param("id"))
	if err == nil && mayRead(p, inv.PatientID) != nil {
		inv, err = Invoice{}, fault.New(fault.ErrNotFound, "no such invoice")
	}
	var pageURL, session string
	if err == nil {
		pageURL, session, err = h.svc.Checkout(ctx, inv)
	}
	err = h.record(ctx, p, inv.PatientID, "billing.invoice.checkout", err)
	httpx.Reply(c, http.StatusCreated)(gin.H{"url": pageURL, "session_id": session}, err)
}

// WebhookHandler handles POST /api/payments/stripe/webhook: no token, the provider's signature instead.
// A payment it reports is recorded once and audited against the patient; a bad or stale signature is 400
// and records nothing.
func (h *Handlers) WebhookHandler(c *gin.Context) {
	ctx := c.Request.Context()
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		httpx.Error(c, fault.Invalid("could not read the request body"))
		return
	}
	pay, recorded, err := h.svc.Webhook(ctx, body, c.Request.Header)
	if err != nil || recorded {
		err = h.record(ctx, auth.Principal{UserID: "provider:" + h.provider()}, pay.PatientID, "billing.payment.online", err)
	}
	httpx.Reply(c, http.StatusOK)(gin.H{"received": true}, err)
}

func (h *Handlers) provider() string {
	if h.svc.online == nil {
		return "none"
	}
	return h.svc.online.Name()
}

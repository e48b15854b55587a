package app_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/server/internal/testenv"
	"hms/shared"
)

// exerciseBilling is the billing part of TestResponsesMatchDocument: the price list, a charge posted by
// hand (with and without its key), voiding, drafting, issuing and reading invoices, each through the
// contract helper, errors included.
func exerciseBilling(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin, staff := env.Admin(), env.NewUser(shared.RoleStaff)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID

	c.call(t, "the admin prices a procedure", send("PUT", "/api/billing/prices/XRAY-CHEST", admin.Token,
		map[string]any{"name": "Chest X-ray", "kind": "procedure", "amount": 4500, "tax_bp": 0}), http.StatusOK)
	c.exchange(t, "a price without an amount", send("PUT", "/api/billing/prices/XRAY-CHEST", admin.Token,
		map[string]any{"name": "Chest X-ray", "kind": "procedure"}), http.StatusBadRequest, true)
	c.call(t, "staff may not set prices", send("PUT", "/api/billing/prices/XRAY-CHEST", staff.Token,
		map[string]any{"name": "Chest X-ray", "kind": "procedure", "amount": 1}), http.StatusForbidden)
	c.call(t, "staff read the price list", get("/api/billing/prices", staff.Token), http.StatusOK)

	charges := "/api/patients/" + pid + "/charges"
	keyed := func(key string, body any) apptest.Request {
		r := send("POST", charges, staff.Token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	charge := map[string]any{"code": "XRAY-CHEST", "quantity": 1, "reason": "X-ray in the emergency room"}
	var ch billing.Charge
	c.call(t, "staff post a charge by hand", keyed("er-xray-1", charge), http.StatusCreated).Decode(t, &ch)
	c.call(t, "the same key again", keyed("er-xray-1", charge), http.StatusCreated)
	c.call(t, "a charge without a key", send("POST", charges, staff.Token, charge), http.StatusBadRequest)
	c.call(t, "a price that is not on the list", keyed("er-2", map[string]any{"code": "NOPE", "reason": "r"}), http.StatusBadRequest)
	c.call(t, "the patient reads their charges", get(charges+"?unbilled=true", pat.Token), http.StatusOK)
	c.call(t, "another patient may not", get(charges, other.Token), http.StatusForbidden)

	var spare billing.Charge
	c.call(t, "a second charge", keyed("er-xray-2", charge), http.StatusCreated).Decode(t, &spare)
	c.call(t, "staff void it", send("POST", "/api/charges/"+spare.ID+"/void", staff.Token, billing.VoidRequest{Reason: "entered twice"}), http.StatusOK)
	c.exchange(t, "a void without a reason", send("POST", "/api/charges/"+spare.ID+"/void", staff.Token, map[string]any{}), http.StatusBadRequest, true)

	var inv billing.Invoice
	c.call(t, "staff draft an invoice", send("POST", "/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}), http.StatusCreated).Decode(t, &inv)
	c.call(t, "nothing left to bill", send("POST", "/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}), http.StatusBadRequest)
	c.call(t, "a charge on the draft cannot be voided", send("POST", "/api/charges/"+ch.ID+"/void", staff.Token,
		billing.VoidRequest{Reason: "x"}), http.StatusConflict)
	c.call(t, "take the line off", send("DELETE", "/api/invoices/"+inv.ID+"/lines/"+ch.ID+"?rev=2", staff.Token, nil), http.StatusOK).Decode(t, &inv)
	c.call(t, "from a stale revision", send("DELETE", "/api/invoices/"+inv.ID+"/lines/"+ch.ID+"?rev=2", staff.Token, nil), http.StatusConflict)
	c.call(t, "an empty draft cannot be issued", send("POST", "/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}), http.StatusBadRequest)
	c.call(t, "draft again", send("POST", "/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}), http.StatusCreated).Decode(t, &inv)
	c.call(t, "a draft has no PDF", get("/api/invoices/"+inv.ID+"/pdf", staff.Token), http.StatusConflict)
	c.call(t, "issue it", send("POST", "/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}), http.StatusOK).Decode(t, &inv)
	c.call(t, "the patient reads it", get("/api/invoices/"+inv.ID, pat.Token), http.StatusOK)
	c.call(t, "another patient cannot", get("/api/invoices/"+inv.ID, other.Token), http.StatusNotFound)
	c.call(t, "the patient lists their invoices", get("/api/invoices?patient_id="+pid+"&status=issued", pat.Token), http.StatusOK)
	c.call(t, "staff list every draft", get("/api/invoices?status=draft&limit=5", staff.Token), http.StatusOK)
	c.exchange(t, "an unknown status", get("/api/invoices?status=paid", staff.Token), http.StatusBadRequest, true)
	c.call(t, "an unknown invoice", get("/api/invoices/0123456789abcdef01234567", staff.Token), http.StatusNotFound)
	exercisePayments(t, c, inv, admin, staff, pat, other)
	exerciseBillingDocuments(t, c, staff, pat, other, inv)
}

// exerciseBillingDocuments is the part of exerciseBilling on an issued invoice: its PDF and its credit
// notes, and the invoice read back with them.
func exerciseBillingDocuments(t *testing.T, c *contract, staff, pat, other apptest.User, inv billing.Invoice) {
	t.Helper()
	c.call(t, "staff fetch the invoice's PDF", get("/api/invoices/"+inv.ID+"/pdf", staff.Token), http.StatusOK)
	c.call(t, "the patient fetches theirs", get("/api/invoices/"+inv.ID+"/pdf", pat.Token), http.StatusOK)
	c.call(t, "another patient cannot", get("/api/invoices/"+inv.ID+"/pdf", other.Token), http.StatusNotFound)

	notes := "/api/invoices/" + inv.ID + "/credit-notes"
	keyed := func(key string, body any) apptest.Request {
		r := send("POST", notes, staff.Token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	part := billing.CreditRequest{Reason: "charged in error", Lines: []billing.CreditLine{{ChargeID: inv.Lines[0].ChargeID}}}
	c.call(t, "staff credit the invoice", keyed("cn-1", part), http.StatusCreated)
	c.call(t, "the same key again", keyed("cn-1", part), http.StatusCreated)
	c.call(t, "a credit note without a key", send("POST", notes, staff.Token, part), http.StatusBadRequest)
	c.exchange(t, "a credit note without a reason", keyed("cn-2", map[string]any{}), http.StatusBadRequest, true)
	c.call(t, "more than was invoiced", keyed("cn-3", part), http.StatusConflict)
	c.call(t, "the patient may not credit", send("POST", notes, pat.Token, part), http.StatusForbidden)
	c.call(t, "the invoice with its credit note", get("/api/invoices/"+inv.ID, staff.Token), http.StatusOK)
}

// exercisePayments is the payments part of the billing contract on a server without Stripe: the
// settings, desk payments, their receipts and refunds with their errors, and online payment switched off.
func exercisePayments(t *testing.T, c *contract, inv billing.Invoice, admin, staff, pat, other apptest.User) {
	t.Helper()
	keyed := func(path, token, key string, body any) apptest.Request {
		r := send("POST", path, token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	c.call(t, "the patient reads the billing settings", get("/api/billing/config", pat.Token), http.StatusOK)
	payments := "/api/invoices/" + inv.ID + "/payments"
	var p billing.Payment
	c.call(t, "the desk takes part of the bill in cash", keyed(payments, staff.Token, "cash-1",
		map[string]any{"method": "cash", "amount": 1000, "reference": "till 2"}), http.StatusCreated).Decode(t, &p)
	c.call(t, "the same payment again", keyed(payments, staff.Token, "cash-1", map[string]any{"method": "cash", "amount": 1000}), http.StatusCreated)
	c.exchange(t, "a payment of nothing", keyed(payments, staff.Token, "cash-2", map[string]any{"method": "cash", "amount": 0}), http.StatusBadRequest, true)
	c.call(t, "a payment without a key", send("POST", payments, staff.Token, map[string]any{"method": "card", "amount": 10}), http.StatusBadRequest)
	c.call(t, "more than the balance", keyed(payments, staff.Token, "card-1", map[string]any{"method": "card", "amount": inv.Totals.Total}), http.StatusConflict)
	c.call(t, "a patient may not take payments", keyed(payments, pat.Token, "cash-3", map[string]any{"method": "cash", "amount": 1}), http.StatusForbidden)
	c.call(t, "the invoice shows the payment", get("/api/invoices/"+inv.ID, pat.Token), http.StatusOK)
	c.call(t, "the list shows what is paid", get("/api/invoices?patient_id="+inv.PatientID, staff.Token), http.StatusOK)

	refund := "/api/payments/" + p.ID + "/refund"
	c.call(t, "the admin refunds part", keyed(refund, admin.Token, "refund-1", map[string]any{"amount": 200, "reason": "charged twice"}), http.StatusCreated)
	c.call(t, "more than is left", keyed(refund, admin.Token, "refund-2", map[string]any{"amount": 900, "reason": "charged twice"}), http.StatusConflict)
	c.exchange(t, "a refund without a reason", keyed(refund, admin.Token, "refund-3", map[string]any{"amount": 1}), http.StatusBadRequest, true)
	c.call(t, "staff may not refund", keyed(refund, staff.Token, "refund-4", map[string]any{"amount": 1, "reason": "x"}), http.StatusForbidden)
	c.call(t, "an unknown payment", keyed("/api/payments/pay_0123/refund", admin.Token, "refund-5", map[string]any{"amount": 1, "reason": "x"}), http.StatusNotFound)

	receipt := "/api/payments/" + p.ID + "/receipt"
	c.call(t, "staff fetch the payment's receipt", get(receipt, staff.Token), http.StatusOK)
	c.call(t, "the patient fetches theirs", get(receipt, pat.Token), http.StatusOK)
	c.call(t, "another patient's receipt", get(receipt, other.Token), http.StatusNotFound)
	c.call(t, "an unknown payment's receipt", get("/api/payments/pay_0123/receipt", admin.Token), http.StatusNotFound)

	checkout := "/api/invoices/" + inv.ID + "/checkout"
	c.call(t, "another patient's invoice", send("POST", checkout, other.Token, nil), http.StatusNotFound)
	c.call(t, "no online payment here", send("POST", checkout, pat.Token, nil), http.StatusConflict)
	c.call(t, "a webhook with online payment off", apptest.Request{Method: "POST", Path: "/api/payments/stripe/webhook",
		Body: map[string]any{"id": "evt_1", "type": "checkout.session.completed"}, Header: map[string]string{"Stripe-Signature": "t=1,v1=00"}}, http.StatusConflict)
}

// TestPaymentsMatchDocument checks online payment against the document, with a stripe-mock as Stripe:
// a checkout page, the webhook with a good signature and with a stale one, and a paid invoice that has
// nothing left to pay.
func TestPaymentsMatchDocument(t *testing.T) {
	t.Parallel()
	const secret = "whsec_contract"
	env := apptest.New(t, apptest.WithEnv("STRIPE_SECRET_KEY", "sk_test_contract"), apptest.WithEnv("STRIPE_WEBHOOK_SECRET", secret),
		apptest.WithEnv("STRIPE_API_BASE", testenv.StripeMock(t)), apptest.WithEnv("PUBLIC_URL", "https://hms.example.org"))
	c := newContract(t, env)
	admin, staff, pat := env.Admin(), env.NewUser(shared.RoleStaff), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	env.Put("/api/billing/prices/XRAY", admin.Token, map[string]any{"name": "X-ray", "kind": "procedure", "amount": 4500}).Want(t, 200)
	env.Do(apptest.Request{Method: "POST", Path: "/api/patients/" + pid + "/charges", Token: staff.Token,
		Body: map[string]any{"code": "XRAY", "reason": "r"}, Header: map[string]string{"Idempotency-Key": "x1"}}).Want(t, 201)
	var inv billing.Invoice
	env.Post("/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200)

	c.call(t, "the settings say online payment is on", get("/api/billing/config", pat.Token), http.StatusOK)
	checkout := "/api/invoices/" + inv.ID + "/checkout"
	var page struct {
		SessionID string `json:"session_id"`
	}
	c.call(t, "the patient checks out", send("POST", checkout, pat.Token, nil), http.StatusCreated).Decode(t, &page)
	event := func(at time.Time) apptest.Request {
		body, _ := json.Marshal(map[string]any{"id": "evt_c1", "object": "event", "type": "checkout.session.completed",
			"api_version": stripe.APIVersion, "created": at.Unix(), "data": map[string]any{"object": map[string]any{
				"id": page.SessionID, "object": "checkout.session", "payment_status": "paid", "amount_total": 4500,
				"currency": "usd", "metadata": map[string]string{"invoice_id": inv.ID}}}})
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: at})
		return apptest.Request{Method: "POST", Path: "/api/payments/stripe/webhook", Body: signed.Payload,
			Header: map[string]string{"Stripe-Signature": signed.Header}}
	}
	c.call(t, "a stale delivery", event(time.Now().Add(-time.Hour)), http.StatusBadRequest)
	c.call(t, "Stripe reports the payment", event(time.Now()), http.StatusOK)
	c.call(t, "nothing left to pay", send("POST", checkout, pat.Token, nil), http.StatusConflict)
	c.call(t, "the paid invoice", get("/api/invoices/"+inv.ID, pat.Token), http.StatusOK)
}

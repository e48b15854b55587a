package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/server/internal/webhook"
	"hms/shared"
)

// partnerSend signs body as the partner with secret (timestamp at) and posts it under webhook-id id.
func partnerSend(t *testing.T, env *apptest.Env, partnerID, secret, id string, at time.Time, body any) *apptest.Response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := body.(string); ok {
		raw = []byte(s)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, at, raw)
	if err != nil {
		t.Fatal(err)
	}
	return env.Do(apptest.Request{Method: "POST", Path: "/api/webhooks/inbound/" + partnerID, Body: raw, Header: map[string]string{
		"webhook-id": id, "webhook-timestamp": strconv.FormatInt(at.Unix(), 10), "webhook-signature": sig}})
}

func newPartner(t *testing.T, env *apptest.Env, token string, r webhook.PartnerRequest) webhook.Created[webhook.Partner] {
	t.Helper()
	var p webhook.Created[webhook.Partner]
	env.Post("/api/webhooks/partners", token, r).Want(t, http.StatusCreated).Decode(t, &p)
	if !strings.HasPrefix(p.Secret, "whsec_") {
		t.Fatalf("got secret %q, want whsec_…", p.Secret)
	}
	return p
}

// submittedClaim makes a payer, a policy, an issued invoice and its claim, submitted, as the desk
// would; the claim is 7200 of a 10000 invoice (80% after a 1000 co-pay).
func submittedClaim(t *testing.T, env *apptest.Env, admin, staff apptest.User, pid string) (billing.Payer, billing.Invoice, billing.Claim) {
	t.Helper()
	var p billing.Payer
	env.Post("/api/billing/payers", admin.Token, map[string]any{"code": "ACME" + pid[:6], "name": "Acme Health"}).Want(t, 201).Decode(t, &p)
	env.Post("/api/patients/"+pid+"/policies", staff.Token, map[string]any{"payer_id": p.ID, "member_id": "ACM-1", "coverage_bp": 8000,
		"copay": 1000, "valid_from": "2020-01-01"}).Want(t, 201)
	env.Put("/api/billing/prices/PROC", admin.Token, map[string]any{"name": "Procedure", "kind": "procedure", "amount": 10000}).Want(t, 200)
	env.Do(apptest.Request{Method: "POST", Path: "/api/patients/" + pid + "/charges", Token: staff.Token,
		Body: map[string]any{"code": "PROC", "reason": "done"}, Header: map[string]string{"Idempotency-Key": "c-" + pid}}).Want(t, 201)
	var inv billing.Invoice
	env.Post("/api/invoices", staff.Token, billing.DraftRequest{PatientID: pid}).Want(t, 201).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", staff.Token, billing.RevRequest{Rev: inv.Rev}).Want(t, 200).Decode(t, &inv)
	var c billing.Claim
	env.Post("/api/invoices/"+inv.ID+"/claims", staff.Token, nil).Want(t, 201).Decode(t, &c)
	env.Post("/api/claims/"+c.ID+"/status", staff.Token, map[string]any{"status": "submitted", "rev": c.Rev}).Want(t, 200).Decode(t, &c)
	return p, inv, c
}

// TestInboundClaimPaid: an insurer's signed claim.status moves the claim as the desk would (the
// patient's balance and the board follow, and the desk's live channel hears it); a bad signature, an
// old timestamp, an unknown partner, a malformed body or another insurer's claim change nothing; a
// replayed webhook-id answers 200 and changes nothing.
func TestInboundClaimPaid(t *testing.T) {
	env := apptest.New(t)
	admin, staff, pat := env.Admin(), env.NewUser(shared.RoleStaff), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	payer, inv, claim := submittedClaim(t, env, admin, staff, pid)
	other := newPartner(t, env, admin.Token, webhook.PartnerRequest{Name: "Other pharmacy", Kind: webhook.Pharmacy})
	env.Post("/api/webhooks/partners", admin.Token, webhook.PartnerRequest{Name: "X", Kind: webhook.Insurer}).Want(t, http.StatusBadRequest)
	env.Post("/api/webhooks/partners", admin.Token, webhook.PartnerRequest{Name: "X", Kind: webhook.Insurer, PayerID: "0123456789abcdef01234567"}).Want(t, http.StatusBadRequest)
	env.Post("/api/webhooks/partners", staff.Token, webhook.PartnerRequest{Name: "X", Kind: webhook.Pharmacy}).Want(t, http.StatusForbidden)
	ins := newPartner(t, env, admin.Token, webhook.PartnerRequest{Name: "Acme Health", Kind: webhook.Insurer, PayerID: payer.ID})

	desk := env.MustDialWS(staff.Token, "")
	if ans, _ := desk.Subscribe(shared.ChannelBilling, nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("subscribe: %+v", ans)
	}

	paid := map[string]any{"type": "claim.status", "timestamp": time.Now().UTC(),
		"data": map[string]any{"claim_id": claim.ID, "status": "paid", "approved_amount": 6000, "paid_amount": 6000}}
	now := time.Now()
	unchanged := func(why string) {
		t.Helper()
		var c billing.Claim
		env.Get("/api/claims/"+claim.ID, staff.Token).Want(t, 200).Decode(t, &c)
		if c.Status != billing.ClaimSubmitted || c.Rev != claim.Rev {
			t.Fatalf("%s: the claim is %s at rev %d, want submitted at %d", why, c.Status, c.Rev, claim.Rev)
		}
	}
	for _, tc := range []struct {
		why       string
		partner   string
		secret    string
		at        time.Time
		body      any
		status    int
		code      string
		tamperSig bool
	}{
		{"signed with another secret", ins.Item.ID, other.Secret, now, paid, 401, "bad_signature", false},
		{"a tampered signature", ins.Item.ID, ins.Secret, now, paid, 401, "bad_signature", true},
		{"ten minutes old", ins.Item.ID, ins.Secret, now.Add(-10 * time.Minute), paid, 401, "stale_timestamp", false},
		{"ten minutes ahead", ins.Item.ID, ins.Secret, now.Add(10 * time.Minute), paid, 401, "stale_timestamp", false},
		{"an unknown partner", "0123456789abcdef01234567", ins.Secret, now, paid, 401, "unknown_partner", false},
		{"a malformed partner id", "nope", ins.Secret, now, paid, 401, "unknown_partner", false},
		{"not JSON", ins.Item.ID, ins.Secret, now, "{not json", 400, "invalid_request", false},
		{"an unknown field", ins.Item.ID, ins.Secret, now, map[string]any{"type": "claim.status", "data": map[string]any{"claim_id": claim.ID, "status": "paid", "extra": 1}}, 400, "invalid_request", false},
		{"an unknown status", ins.Item.ID, ins.Secret, now, map[string]any{"type": "claim.status", "data": map[string]any{"claim_id": claim.ID, "status": "closed"}}, 400, "invalid_request", false},
		{"a pharmacy's event from an insurer", ins.Item.ID, ins.Secret, now, map[string]any{"type": "prescription.dispensed", "data": map[string]any{"prescription_id": claim.ID}}, 400, "invalid_request", false},
		{"another insurer's claim", other.Item.ID, other.Secret, now, paid, 400, "invalid_request", false},
		{"paid more than approved", ins.Item.ID, ins.Secret, now, map[string]any{"type": "claim.status",
			"data": map[string]any{"claim_id": claim.ID, "status": "paid", "approved_amount": 6000, "paid_amount": 7000}}, 400, "invalid_request", false},
	} {
		raw, _ := json.Marshal(tc.body)
		if s, ok := tc.body.(string); ok {
			raw = []byte(s)
		}
		wh, _ := standardwebhooks.NewWebhook(tc.secret)
		id := "msg_" + strconv.FormatInt(time.Now().UnixNano(), 36)
		sig, _ := wh.Sign(id, tc.at, raw)
		if tc.tamperSig {
			sig = sig[:len(sig)-4] + "AAA="
		}
		resp := env.Do(apptest.Request{Method: "POST", Path: "/api/webhooks/inbound/" + tc.partner, Body: raw, Header: map[string]string{
			"webhook-id": id, "webhook-timestamp": strconv.FormatInt(tc.at.Unix(), 10), "webhook-signature": sig}})
		if e := resp.Error(); resp.Status != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
			t.Errorf("%s: got %d %s %q, want %d %s with a message", tc.why, resp.Status, e.Error.Code, e.Error.Message, tc.status, tc.code)
		}
		unchanged(tc.why)
	}
	env.Do(apptest.Request{Method: "POST", Path: "/api/webhooks/inbound/" + ins.Item.ID, Body: "{}"}).WantError(t, 401, "missing_headers")
	unchanged("no signature headers")

	// Paid: approved for 6000 of 7200, then paid; the patient owes the rest.
	var got webhook.Received
	partnerSend(t, env, ins.Item.ID, ins.Secret, "msg_paid_1", time.Now(), paid).Want(t, 200).Decode(t, &got)
	if got.Outcome != "applied" || got.Replayed {
		t.Errorf("got %+v, want applied", got)
	}
	var detail billing.InvoiceDetail
	env.Get("/api/invoices/"+inv.ID, pat.Token).Want(t, 200).Decode(t, &detail)
	if detail.Claim == nil || detail.Claim.Status != billing.ClaimPaid || detail.Claim.PaidAmount != 6000 || detail.Balance != 4000 {
		t.Fatalf("the invoice: claim %+v balance %d; want paid 6000, 4000 left for the patient", detail.Claim, detail.Balance)
	}
	for range 2 { // approved, then paid: the board hears both
		if ev := billingEvent(t, desk, shared.ChannelBilling); ev.Kind != "claim" || ev.InvoiceID != inv.ID {
			t.Fatalf("desk: %+v, want the claim's change", ev)
		}
	}
	var board struct {
		Items []billing.Claim `json:"items"`
	}
	env.Get("/api/claims?status=paid", staff.Token).Want(t, 200).Decode(t, &board)
	if len(board.Items) != 1 || board.Items[0].ID != claim.ID {
		t.Errorf("the board's paid claims: %+v", board.Items)
	}

	// The same webhook-id again: 200, nothing changes.
	partnerSend(t, env, ins.Item.ID, ins.Secret, "msg_paid_1", time.Now(), paid).Want(t, 200).Decode(t, &got)
	if !got.Replayed {
		t.Errorf("got %+v, want replayed", got)
	}
	var after billing.Claim
	env.Get("/api/claims/"+claim.ID, staff.Token).Want(t, 200).Decode(t, &after)
	if after.Rev != claim.Rev+2 {
		t.Errorf("the replay moved the claim to rev %d, want %d (approved, paid)", after.Rev, claim.Rev+2)
	}
	var rs webhook.List[webhook.Receipt]
	env.Get("/api/webhooks/partners/"+ins.Item.ID+"/received", admin.Token).Want(t, 200).Decode(t, &rs)
	if len(rs.Items) == 0 || rs.Items[0].MessageID != "msg_paid_1" || rs.Items[0].Outcome != "applied" {
		t.Errorf("received: %+v", rs.Items)
	}
}

// TestInboundPharmacyDispensed: an external pharmacy's prescription.dispensed shows on the
// prescription and tells the patient, once; prescription.unavailable likewise.
func TestInboundPharmacyDispensed(t *testing.T) {
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	rx := f.Prescribe(shared.PrescribeRequest{Quantity: 30})
	ph := newPartner(t, env, f.Admin.Token, webhook.PartnerRequest{Name: "Corner Pharmacy", Kind: webhook.Pharmacy})
	msg := map[string]any{"type": "prescription.dispensed", "timestamp": time.Now().UTC(),
		"data": map[string]any{"prescription_id": rx.ID, "note": "Collected at the counter"}}
	partnerSend(t, env, ph.Item.ID, ph.Secret, "msg_rx_1", time.Now(), msg).Want(t, 200)
	partnerSend(t, env, ph.Item.ID, ph.Secret, "msg_rx_1", time.Now(), msg).Want(t, 200)
	var got shared.Prescription
	env.Get("/api/prescriptions/"+rx.ID, f.Doctor.Token).Want(t, 200).Decode(t, &got)
	if got.External == nil || got.External.Outcome != "dispensed" || got.External.Pharmacy != "Corner Pharmacy" || got.External.Note != "Collected at the counter" {
		t.Errorf("got external %+v, want dispensed by Corner Pharmacy", got.External)
	}
	var inbox shared.NotificationList
	env.Get("/api/notifications", f.Patient.Token).Want(t, 200).Decode(t, &inbox)
	n := 0
	for _, m := range inbox.Items {
		if m.Kind == shared.KindPrescriptionExternal {
			n++
		}
	}
	if n != 1 {
		t.Errorf("got %d pharmacy notifications, want 1: %+v", n, inbox.Items)
	}
	partnerSend(t, env, ph.Item.ID, ph.Secret, "msg_rx_x", time.Now(), map[string]any{"type": "prescription.dispensed",
		"data": map[string]any{"prescription_id": "0123456789abcdef01234567"}}).WantError(t, 400, "invalid_request")
	f.Clock.Advance(time.Minute)
	partnerSend(t, env, ph.Item.ID, ph.Secret, "msg_rx_2", time.Now(), map[string]any{"type": "prescription.unavailable",
		"data": map[string]any{"prescription_id": rx.ID, "note": "Out of stock until Friday"}}).Want(t, 200)
	env.Get("/api/prescriptions/"+rx.ID, f.Doctor.Token).Want(t, 200).Decode(t, &got)
	if got.External == nil || got.External.Outcome != "unavailable" {
		t.Errorf("got external %+v, want unavailable", got.External)
	}
}

// billingEvent reads the next billing.changed on channel.
func billingEvent(t *testing.T, ws *apptest.WS, channel string) shared.BillingChangedEvent {
	t.Helper()
	f := ws.NextEvent(channel, 10*time.Second)
	var ev shared.BillingChangedEvent
	if f.Type != shared.EventBillingChanged || json.Unmarshal(f.Data, &ev) != nil {
		t.Fatalf("got %+v on %s, want billing.changed", f, channel)
	}
	return ev
}

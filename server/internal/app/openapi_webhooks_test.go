package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"hms/server/internal/apptest"
	"hms/server/internal/webhook"
	"hms/shared"
)

// exerciseWebhooks is the webhooks part of TestResponsesMatchDocument: the catalogue, a subscription
// made, listed, disabled, logged, tested and deleted; a redelivery refused; a partner registered,
// its signed webhook received and listed.
func exerciseWebhooks(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin, staff := env.Admin(), env.NewUser(shared.RoleStaff)
	c.call(t, "the catalogue", get("/api/webhooks/catalogue", admin.Token), http.StatusOK)
	c.call(t, "staff may not read it", get("/api/webhooks/catalogue", staff.Token), http.StatusForbidden)
	var made webhook.Created[webhook.Subscription]
	c.call(t, "a subscription", send("POST", "/api/webhooks/subscriptions", admin.Token, webhook.SubscriptionRequest{
		URL: "https://receiver.example/hooks", Events: []string{webhook.AppointmentBooked, webhook.ClaimSubmitted}}), http.StatusCreated).Decode(t, &made)
	c.call(t, "an http URL", send("POST", "/api/webhooks/subscriptions", admin.Token, webhook.SubscriptionRequest{
		URL: "http://receiver.example/hooks", Events: []string{webhook.AppointmentBooked}}), http.StatusBadRequest)
	c.exchange(t, "an event not in the catalogue", send("POST", "/api/webhooks/subscriptions", admin.Token, webhook.SubscriptionRequest{
		URL: "https://receiver.example/hooks", Events: []string{"appointment.finished"}}), http.StatusBadRequest, true)
	c.call(t, "the subscriptions", get("/api/webhooks/subscriptions", admin.Token), http.StatusOK)
	sub := "/api/webhooks/subscriptions/" + made.Item.ID
	c.call(t, "disabled", send("PATCH", sub, admin.Token, map[string]bool{"enabled": false}), http.StatusOK)
	c.call(t, "an unknown subscription", send("PATCH", "/api/webhooks/subscriptions/0123456789abcdef01234567", admin.Token, map[string]bool{"enabled": true}), http.StatusNotFound)
	var test webhook.Delivery
	c.call(t, "a test event", send("POST", sub+"/test", admin.Token, nil), http.StatusAccepted).Decode(t, &test)
	c.call(t, "the delivery log", get(sub+"/deliveries?limit=10", admin.Token), http.StatusOK)
	c.call(t, "the dead letters", get(sub+"/deliveries?state=dead", admin.Token), http.StatusOK)
	c.exchange(t, "an unknown state", get(sub+"/deliveries?state=lost", admin.Token), http.StatusBadRequest, true)
	c.call(t, "a pending delivery redelivered", send("POST", "/api/webhooks/redeliver", admin.Token, webhook.RedeliverRequest{DeliveryID: test.ID}), http.StatusConflict)
	c.call(t, "an unknown delivery", send("POST", "/api/webhooks/redeliver", admin.Token, webhook.RedeliverRequest{DeliveryID: "nothing"}), http.StatusNotFound)

	var partner webhook.Created[webhook.Partner]
	c.call(t, "a pharmacy partner", send("POST", "/api/webhooks/partners", admin.Token, webhook.PartnerRequest{Name: "Corner Pharmacy", Kind: webhook.Pharmacy}),
		http.StatusCreated).Decode(t, &partner)
	c.call(t, "an insurer without its payer", send("POST", "/api/webhooks/partners", admin.Token, webhook.PartnerRequest{Name: "Acme", Kind: webhook.Insurer}), http.StatusBadRequest)
	c.call(t, "the partners", get("/api/webhooks/partners", admin.Token), http.StatusOK)
	inbound := "/api/webhooks/inbound/" + partner.Item.ID
	body, _ := json.Marshal(map[string]any{"type": "prescription.dispensed", "timestamp": time.Now().UTC(),
		"data": map[string]any{"prescription_id": "0123456789abcdef01234567"}})
	wh, _ := standardwebhooks.NewWebhook(partner.Secret)
	now := time.Now()
	sig, _ := wh.Sign("msg_contract", now, body)
	signed := apptest.Request{Method: "POST", Path: inbound, Body: body, Header: map[string]string{
		"webhook-id": "msg_contract", "webhook-timestamp": strconv.FormatInt(now.Unix(), 10), "webhook-signature": sig}}
	c.call(t, "a signed webhook naming no prescription", signed, http.StatusBadRequest)
	c.call(t, "the same webhook-id again", signed, http.StatusOK)
	c.call(t, "an unsigned webhook", apptest.Request{Method: "POST", Path: inbound, Body: body}, http.StatusUnauthorized)
	c.call(t, "what the partner sent", get("/api/webhooks/partners/"+partner.Item.ID+"/received", admin.Token), http.StatusOK)
	c.call(t, "deleted", apptest.Request{Method: "DELETE", Path: sub, Token: admin.Token}, http.StatusNoContent)
}

package app_test

import (
	"net/http"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exerciseNotifications is the notifications part of TestResponsesMatchDocument: mark read, read all,
// preferences, the deliveries list and retrying a dead letter, errors included. The contract's server
// emails through a relay that is not there, one attempt each, so an emailed message becomes dead.
func exerciseNotifications(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin, doc := env.Admin(), env.NewUser(shared.RoleDoctor)
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	const unknown = "0123456789abcdef01234567"

	var n shared.Notification
	c.call(t, "a doctor messages a patient by email too", send("POST", "/api/notifications/send", doc.Token,
		shared.SendNotificationRequest{RecipientID: pat.ID(), Message: "Please bring your inhaler", Channels: []string{"email"}}),
		http.StatusCreated).Decode(t, &n)
	var texted shared.Notification
	c.call(t, "a doctor messages a patient by SMS, which this server does not send", send("POST", "/api/notifications/send", doc.Token,
		shared.SendNotificationRequest{RecipientID: pat.ID(), Message: "Clinic moved to room 4", Channels: []string{"sms"}}),
		http.StatusCreated).Decode(t, &texted)
	if len(texted.Deliveries) != 1 || texted.Deliveries[0].Status != shared.DeliverySkipped {
		t.Errorf("got deliveries %+v, want one skipped SMS (no SMS provider)", texted.Deliveries)
	}
	c.call(t, "the patient lists unread notifications", get("/api/notifications?unread=true", pat.Token), http.StatusOK)
	c.call(t, "the patient marks it read", send("POST", "/api/notifications/"+n.ID+"/read", pat.Token, nil), http.StatusOK)
	c.call(t, "the patient marks all read", send("POST", "/api/notifications/read-all", pat.Token, nil), http.StatusOK)
	c.call(t, "the patient reads their preferences", get("/api/me/notification-preferences", pat.Token), http.StatusOK)
	c.call(t, "the patient turns SMS off with quiet hours", send("PUT", "/api/me/notification-preferences", pat.Token,
		shared.NotificationPreferences{Email: true, SMS: false, Phone: "+44 7911 123456", QuietHours: shared.QuietHours{Start: "22:00", End: "07:00"}}),
		http.StatusOK)
	c.call(t, "the doctor goes on call", send("PUT", "/api/me/notification-preferences", doc.Token,
		shared.NotificationPreferences{Email: true, SMS: true, Phone: "+447911123457", OnCall: true}), http.StatusOK)
	c.call(t, "the admin lists deliveries", get("/api/deliveries?channel=email&page=1&limit=10", admin.Token), http.StatusOK)

	// The email fails at once (nothing listens on port 9) and, with one attempt allowed, is dead.
	id := n.ID + "-email"
	deadline := time.Now().Add(20 * time.Second)
	for {
		var list shared.DeliveryList
		env.Get("/api/deliveries?status=dead&limit=100", admin.Token).Want(t, http.StatusOK).Decode(t, &list)
		if containsDelivery(list, id) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s did not become dead: %+v", id, list.Items)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.call(t, "the admin retries the dead letter", send("POST", "/api/deliveries/"+id+"/retry", admin.Token, nil), http.StatusOK)

	for _, tc := range []struct {
		name       string
		req        apptest.Request
		status     int
		docRejects bool
	}{
		{"mark another user's notification read", send("POST", "/api/notifications/"+n.ID+"/read", other.Token, nil), 404, false},
		{"mark an unknown notification read", send("POST", "/api/notifications/"+unknown+"/read", pat.Token, nil), 404, false},
		{"mark a malformed id read", send("POST", "/api/notifications/nope/read", pat.Token, nil), 400, true},
		{"unread filter with a bad flag", get("/api/notifications?unread=maybe", pat.Token), 400, true},
		{"send on an unknown channel", send("POST", "/api/notifications/send", doc.Token,
			map[string]any{"recipient_id": pat.ID(), "message": "hi", "channels": []string{"fax"}}), 400, true},
		{"quiet hours with only a start", send("PUT", "/api/me/notification-preferences", pat.Token,
			shared.NotificationPreferences{Email: true, QuietHours: shared.QuietHours{Start: "22:00"}}), 400, false},
		{"quiet hours at 25:00", send("PUT", "/api/me/notification-preferences", pat.Token,
			shared.NotificationPreferences{Email: true, QuietHours: shared.QuietHours{Start: "25:00", End: "07:00"}}), 400, true},
		{"a phone that is not E.164", send("PUT", "/api/me/notification-preferences", pat.Token,
			shared.NotificationPreferences{SMS: true, Phone: "07911 123456"}), 400, false},
		{"a patient goes on call", send("PUT", "/api/me/notification-preferences", pat.Token,
			shared.NotificationPreferences{SMS: true, Phone: "+447911123456", OnCall: true}), 400, false},
		{"preferences with an unknown field", send("PUT", "/api/me/notification-preferences", pat.Token,
			map[string]any{"email": true, "sms": true, "phone": "", "quiet_hours": map[string]string{"start": "", "end": ""}, "on_call": false, "push": true}), 400, true},
		{"deliveries of a bad status", get("/api/deliveries?status=lost", admin.Token), 400, true},
		{"a doctor lists deliveries", get("/api/deliveries", doc.Token), 403, false},
		{"retry a delivery that is not dead", send("POST", "/api/deliveries/"+texted.ID+"-sms/retry", admin.Token, nil), 409, false},
		{"retry an unknown delivery", send("POST", "/api/deliveries/"+unknown+"-sms/retry", admin.Token, nil), 404, false},
		{"retry a malformed delivery id", send("POST", "/api/deliveries/nope/retry", admin.Token, nil), 400, true},
	} {
		c.exchange(t, tc.name, tc.req, tc.status, tc.docRejects)
	}
}

func containsDelivery(list shared.DeliveryList, id string) bool {
	for _, d := range list.Items {
		if d.ID == id {
			return true
		}
	}
	return false
}

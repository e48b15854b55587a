package app_test

import (
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestDocumentedFlow walks the seed's documented endpoints end to end: register a patient, log in,
// read and update the record, and send a notification.
func TestDocumentedFlow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)

	env.Post("/api/auth/register", "", map[string]string{
		"name": "Ann Lee", "email": "Ann@Example.org", "password": apptest.Password, "role": "patient",
	}).Want(t, 202)
	// The account is made when the emailed link is followed.
	env.Post("/api/auth/confirm", "", shared.ConfirmRequest{Token: env.EmailedToken("ann@example.org", shared.KindAccountConfirm)}).Want(t, 201)

	ann := env.Login("ann@example.org", apptest.Password)
	if ann.Token == "" || ann.RefreshToken == "" || ann.ExpiresIn <= 0 {
		t.Fatalf("got login %+v, want token, refresh_token and expires_in", ann.TokenResponse)
	}
	// The account's ids come with its sign-in.
	reg := ann.User
	if reg.ID == "" || reg.PatientID == "" {
		t.Fatalf("got id %q patient_id %q, want both set", reg.ID, reg.PatientID)
	}
	if reg.Email != "ann@example.org" {
		t.Errorf("got email %q, want it lowercased", reg.Email)
	}

	var p shared.Patient
	env.Get("/api/patient/"+reg.PatientID, ann.Token).Want(t, 200).Decode(t, &p)
	if p.ID != reg.PatientID || p.Name != "Ann Lee" || p.MedicalHistory != "" {
		t.Fatalf("got patient %+v, want Ann's empty record", p)
	}

	env.Put("/api/patient/"+reg.PatientID, ann.Token, map[string]string{"medical_history": "asthma since 2010"}).Want(t, 200).Decode(t, &p)
	if p.MedicalHistory != "asthma since 2010" || p.Revision != 1 {
		t.Fatalf("got %q rev %d, want the new history at revision 1", p.MedicalHistory, p.Revision)
	}
	env.Get("/api/patient/"+reg.PatientID, ann.Token).Want(t, 200).Decode(t, &p)
	if p.MedicalHistory != "asthma since 2010" {
		t.Fatalf("got %q after re-read, want the update kept", p.MedicalHistory)
	}

	doctor := env.NewUser(shared.RoleDoctor)
	var n shared.Notification
	env.Post("/api/notifications/send", doctor.Token, map[string]string{"recipient_id": reg.ID, "message": "Your results are ready"}).
		Want(t, 201).Decode(t, &n)
	if n.RecipientID != reg.ID || n.SenderID != doctor.ID() || n.Message != "Your results are ready" {
		t.Fatalf("got notification %+v", n)
	}
	var list shared.NotificationList
	env.Get("/api/notifications", ann.Token).Want(t, 200).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != n.ID {
		t.Fatalf("got %d notifications for Ann, want the one sent", len(list.Items))
	}
	env.Get("/api/notifications", doctor.Token).Want(t, 200).Decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("got %d notifications for the doctor, want none (a user sees only their own)", len(list.Items))
	}
}

package app_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestSecurity13ObjectLevelAccess is row 13's object-level half, beside the route-role matrix: the
// clinical routes, called with another patient's ids, refuse patient A's token, and a doctor without a
// care relationship (who booked the patient with himself: a relationship made alone, row 34) → 403 or
// 404 on every one of them.
func TestSecurity13ObjectLevelAccess(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	a, b := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	bID := b.User.PatientID
	env.Attend(h.Staff.Token, h.Doctor.ID(), bID, apptest.At(9, 0)) // h.Doctor's care relationship with B
	encounter := matrixEncounter(t, env, h, bID)
	orderID, fileID := labFixture(t, env, h.Doctor.Token, h.Staff.Token, bID)
	third := env.NewDoctor(h.Dept, "dermatology")
	env.Post("/api/patients/"+bID+"/referrals", h.Doctor.Token,
		shared.ReferralRequest{DoctorID: third.ID(), Reason: "object-level matrix"}).Want(t, http.StatusCreated)
	env.Book(h.Doctor2.Token, h.Doctor2.ID(), bID, apptest.At(16, 0)) // Doctor2's own booking, nothing more

	routes := []string{
		"/api/patient/" + bID,
		"/api/patients/" + bID + "/history",
		"/api/patients/" + bID + "/encounters",
		encounter,
		encounter + "/history",
		"/api/patients/" + bID + "/prescriptions",
		"/api/patients/" + bID + "/lab-orders",
		"/api/lab-orders/" + orderID,
		"/api/lab-files/" + fileID,
		"/api/patients/" + bID + "/admissions",
		"/api/patients/" + bID + "/referrals",
	}
	for _, who := range []struct {
		name string
		user apptest.User
	}{{"patient A", a}, {"a doctor without a relationship", h.Doctor2}} {
		for _, path := range routes {
			t.Run(who.name+" GET "+path, func(t *testing.T) {
				r := env.Get(path, who.user.Token)
				if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
					t.Errorf("got %d, want 403 or 404; body: %s", r.Status, r.Body)
				}
			})
		}
	}
	// The doctor who attended B reads every one of them (the routes are right, not merely closed).
	for _, path := range routes {
		env.Get(path, h.Doctor.Token).Want(t, http.StatusOK)
	}
}

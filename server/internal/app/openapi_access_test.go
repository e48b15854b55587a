package app_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exerciseAccess is the access part of TestResponsesMatchDocument: referrals, break the glass and the
// review of grants, the GDPR export and erasure; each through the contract helper, errors included.
// It runs after exerciseScheduling (department "general" exists, the clock is the fixture's).
func exerciseAccess(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin := env.Admin()
	doc, stranger, derm := env.NewDoctor("general", "general practice"), env.NewUser(shared.RoleDoctor), env.NewUser(shared.RoleDoctor)
	nurse := env.NewUser(shared.RoleStaff)
	outsider := env.NewUser(shared.RoleDoctor) // no care relationship, no grant
	pat, other := env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	// The doctor's care relationship: the patient is checked in for them (a booking alone opens nothing).
	env.Post("/api/queue/checkin", nurse.Token, shared.CheckInRequest{Department: "general", PatientID: pid, DoctorID: doc.ID(), Triage: 5}).
		Want(t, http.StatusCreated)
	const unknown = "0123456789abcdef01234567"
	const reason = "second opinion on a rash"
	refs := "/api/patients/" + pid + "/referrals"

	c.call(t, "a doctor refers their patient", send("POST", refs, doc.Token, shared.ReferralRequest{DoctorID: derm.ID(), Reason: reason}), http.StatusCreated)
	c.call(t, "the referred doctor lists referrals", get(refs+"?page=1&limit=5", derm.Token), http.StatusOK)
	c.call(t, "the patient lists their referrals", get(refs, pat.Token), http.StatusOK)
	c.call(t, "a doctor breaks the glass", send("POST", "/api/patients/"+pid+"/access", stranger.Token,
		shared.BreakGlassRequest{Reason: "covering the night shift"}), http.StatusCreated)
	c.call(t, "the admin reviews active grants", get("/api/access/grants?active=true&page=1&limit=10", admin.Token), http.StatusOK)
	c.call(t, "the admin reviews a patient's grants", get("/api/access/grants?patient_id="+pid, admin.Token), http.StatusOK)
	c.call(t, "the patient exports their data", get("/api/me/export", pat.Token), http.StatusOK)

	for _, tc := range []struct {
		name       string
		req        apptest.Request
		status     int
		docRejects bool
	}{
		{"refer without access", send("POST", refs, outsider.Token, shared.ReferralRequest{DoctorID: derm.ID(), Reason: reason}), 403, false},
		{"refer with a short reason", send("POST", refs, doc.Token, shared.ReferralRequest{DoctorID: derm.ID(), Reason: "rash"}), 400, true},
		{"refer with an unknown field", send("POST", refs, doc.Token, map[string]string{"doctor_id": derm.ID(), "reason": reason, "by": doc.ID()}), 400, true},
		{"refer to an unknown doctor", send("POST", refs, doc.Token, shared.ReferralRequest{DoctorID: unknown, Reason: reason}), 404, false},
		{"a patient refers", send("POST", refs, pat.Token, shared.ReferralRequest{DoctorID: derm.ID(), Reason: reason}), 403, false},
		{"referrals of a malformed id", get("/api/patients/nope/referrals", doc.Token), 400, true},
		{"another patient's referrals", get(refs, other.Token), 403, false},
		{"referrals without a token", get(refs, ""), 401, false},
		{"break the glass with a short reason", send("POST", "/api/patients/"+pid+"/access", stranger.Token, shared.BreakGlassRequest{Reason: "why"}), 400, true},
		{"break the glass on an unknown patient", send("POST", "/api/patients/"+unknown+"/access", stranger.Token,
			shared.BreakGlassRequest{Reason: "covering the night shift"}), 404, false},
		{"a patient breaks the glass", send("POST", "/api/patients/"+pid+"/access", other.Token,
			shared.BreakGlassRequest{Reason: "covering the night shift"}), 403, false},
		{"grants filtered by a bad flag", get("/api/access/grants?active=maybe", admin.Token), 400, true},
		{"a doctor reviews grants", get("/api/access/grants", doc.Token), 403, false},
		{"a doctor exports", get("/api/me/export", doc.Token), 403, false},
		{"erase without confirming", send("POST", "/api/me/erasure", other.Token, shared.ErasureRequest{Confirm: false}), 400, false},
		{"erase with no body", send("POST", "/api/patients/"+pid+"/erasure", admin.Token, map[string]any{}), 400, true},
		{"staff erase a patient", send("POST", "/api/patients/"+pid+"/erasure", nurse.Token, shared.ErasureRequest{Confirm: true}), 403, false},
		{"erase an unknown patient", send("POST", "/api/patients/"+unknown+"/erasure", admin.Token, shared.ErasureRequest{Confirm: true}), 404, false},
	} {
		t.Run(tc.name, func(t *testing.T) { c.exchange(t, tc.name, tc.req, tc.status, tc.docRejects) })
	}

	c.call(t, "the admin erases a patient", send("POST", "/api/patients/"+other.User.PatientID+"/erasure", admin.Token,
		shared.ErasureRequest{Confirm: true}), http.StatusOK)
	c.call(t, "the patient erases themself", send("POST", "/api/me/erasure", pat.Token, shared.ErasureRequest{Confirm: true}), http.StatusOK)
	c.call(t, "an erased patient's token", get("/api/me/export", pat.Token), http.StatusUnauthorized)
}

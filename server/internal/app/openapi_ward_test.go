package app_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exerciseWards is the wards-and-admissions part of TestResponsesMatchDocument.
func exerciseWards(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin := env.Admin()
	c.call(t, "the admin creates a department for wards", send("POST", "/api/departments", admin.Token,
		shared.Department{ID: "inpatients", Name: "Inpatients"}), http.StatusCreated)
	doc := env.NewDoctor("inpatients", "internal medicine")
	staff := env.NewUser(shared.RoleStaff)
	pat := env.NewUser(shared.RolePatient)
	env.Attend(staff.Token, doc.ID(), pat.User.PatientID, apptest.At(14, 0))
	const unknown = "0123456789abcdef01234567"

	c.call(t, "the admin creates a ward", send("POST", "/api/wards", admin.Token,
		shared.CreateWardRequest{ID: "ward-7", Name: "Ward 7", Department: "inpatients"}), http.StatusCreated)
	c.exchange(t, "a ward id that is no slug", send("POST", "/api/wards", admin.Token,
		shared.CreateWardRequest{ID: "Ward 7", Name: "Ward 7", Department: "inpatients"}), http.StatusBadRequest, true)
	c.call(t, "a ward id taken", send("POST", "/api/wards", admin.Token,
		shared.CreateWardRequest{ID: "ward-7", Name: "Ward 7", Department: "inpatients"}), http.StatusConflict)
	var beds shared.BedList
	c.call(t, "the admin adds beds", send("POST", "/api/wards/ward-7/beds", admin.Token,
		shared.AddBedsRequest{Labels: []string{"7A", "7B"}}), http.StatusCreated).Decode(t, &beds)
	c.call(t, "beds for no ward", send("POST", "/api/wards/ward-0/beds", admin.Token,
		shared.AddBedsRequest{Labels: []string{"0A"}}), http.StatusNotFound)
	c.call(t, "staff list wards", get("/api/wards", staff.Token), http.StatusOK)
	c.call(t, "a patient lists wards", get("/api/wards", pat.Token), http.StatusForbidden)

	var adm shared.Admission
	c.call(t, "staff admit", send("POST", "/api/admissions", staff.Token, shared.AdmitRequest{PatientID: pat.User.PatientID,
		WardID: "ward-7", BedID: beds.Items[0].ID, DoctorID: doc.ID(), Source: shared.SourcePlanned, Reason: "elective"}),
		http.StatusCreated).Decode(t, &adm)
	c.call(t, "admitting twice", send("POST", "/api/admissions", staff.Token, shared.AdmitRequest{PatientID: pat.User.PatientID,
		WardID: "ward-7", DoctorID: doc.ID(), Source: shared.SourcePlanned, Reason: "elective"}), http.StatusConflict)
	c.exchange(t, "admitting with no source", send("POST", "/api/admissions", staff.Token, shared.AdmitRequest{PatientID: pat.User.PatientID,
		WardID: "ward-7", DoctorID: doc.ID(), Reason: "elective"}), http.StatusBadRequest, true)
	c.call(t, "the bed board", get("/api/wards/ward-7/beds", doc.Token), http.StatusOK)
	c.call(t, "the board of no ward", get("/api/wards/ward-0/beds", doc.Token), http.StatusNotFound)
	c.call(t, "the doctor's inpatients", get("/api/admissions?doctor=me&active=true&page=1&limit=10", doc.Token), http.StatusOK)
	c.exchange(t, "active is no boolean", get("/api/admissions?active=yes", doc.Token), http.StatusBadRequest, true)
	c.call(t, "the patient reads the admission", get("/api/admissions/"+adm.ID, pat.Token), http.StatusOK)
	c.call(t, "an unknown admission", get("/api/admissions/"+unknown, staff.Token), http.StatusNotFound)
	c.call(t, "the patient's admissions", get("/api/patients/"+pat.User.PatientID+"/admissions", pat.Token), http.StatusOK)
	c.call(t, "the doctor transfers", send("POST", "/api/admissions/"+adm.ID+"/transfer", doc.Token,
		shared.TransferRequest{WardID: "ward-7"}), http.StatusOK)
	c.call(t, "a transfer to no ward", send("POST", "/api/admissions/"+adm.ID+"/transfer", doc.Token,
		shared.TransferRequest{WardID: "ward-0"}), http.StatusNotFound)
	c.call(t, "staff discharge", send("POST", "/api/admissions/"+adm.ID+"/discharge", staff.Token,
		shared.DischargeRequest{Summary: "uneventful", Disposition: "home"}), http.StatusOK)
	c.call(t, "discharging twice", send("POST", "/api/admissions/"+adm.ID+"/discharge", staff.Token,
		shared.DischargeRequest{Summary: "uneventful", Disposition: "home"}), http.StatusConflict)
}

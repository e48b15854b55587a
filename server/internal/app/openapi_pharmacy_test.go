package app_test

import (
	"net/http"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// exercisePharmacy is the pharmacy part of TestResponsesMatchDocument: the catalogue, the stock
// ledger, prescribing (with an allergy override), dispensing with a replay, and cancelling, each
// through the contract helper, errors included.
func exercisePharmacy(t *testing.T, c *contract) {
	t.Helper()
	env := c.env
	admin := env.Admin()
	env.Post("/api/departments", admin.Token, shared.Department{ID: "pharmacy-clinic", Name: "Pharmacy clinic"}).Want(t, http.StatusCreated)
	doc := env.NewDoctor("pharmacy-clinic", "general practice")
	staff, pat, other := env.NewUser(shared.RoleStaff), env.NewUser(shared.RolePatient), env.NewUser(shared.RolePatient)
	env.Attend(staff.Token, doc.ID(), pat.User.PatientID, apptest.At(10, 0)) // the doctor's care relationship
	const unknown = "0123456789abcdef01234567"
	allergies := apptest.Allergies{pat.User.PatientID: []string{"Pénicilline"}}
	env.App.Pharmacy.SetAllergies(allergies)

	var med shared.Medication
	c.call(t, "staff add a medication", send("POST", "/api/medications", staff.Token, shared.CreateMedicationRequest{Code: "PEN-V",
		Name: "Pénicilline V", Form: "tablet", Strength: "250 mg", Substances: []string{"phenoxymethylpenicillin", "pénicilline"},
		LowStockThreshold: 10}), http.StatusCreated).Decode(t, &med)
	c.call(t, "the code is taken", send("POST", "/api/medications", admin.Token, shared.CreateMedicationRequest{Code: "pen-v",
		Name: "Again", Form: "tablet", Strength: "1 mg"}), http.StatusConflict)
	c.exchange(t, "a medication without a name", send("POST", "/api/medications", staff.Token, map[string]any{"code": "X", "form": "t", "strength": "1"}),
		http.StatusBadRequest, true)
	c.call(t, "a doctor may not add one", send("POST", "/api/medications", doc.Token, shared.CreateMedicationRequest{Code: "X", Name: "X",
		Form: "t", Strength: "1"}), http.StatusForbidden)
	c.call(t, "a doctor searches the catalogue", get("/api/medications?q=penici&limit=5", doc.Token), http.StatusOK)
	c.call(t, "a patient may not", get("/api/medications", pat.Token), http.StatusForbidden)

	stock := "/api/medications/" + med.ID + "/stock"
	c.call(t, "staff receive stock", send("POST", stock, staff.Token, shared.StockRequest{Kind: "receive", Quantity: 40, Reason: "delivery 17"}),
		http.StatusCreated)
	c.call(t, "more than there is", send("POST", stock, staff.Token, shared.StockRequest{Quantity: -41}), http.StatusConflict)
	c.exchange(t, "a zero movement", send("POST", stock, staff.Token, shared.StockRequest{Quantity: 0}), http.StatusBadRequest, false)
	c.call(t, "stock of an unknown medication", send("POST", "/api/medications/"+unknown+"/stock", staff.Token, shared.StockRequest{Quantity: 1}),
		http.StatusNotFound)
	c.call(t, "a doctor reads the stock", get(stock, doc.Token), http.StatusOK)
	c.call(t, "the stock of an unknown medication", get("/api/medications/"+unknown+"/stock", doc.Token), http.StatusNotFound)
	c.exchange(t, "a malformed medication id", get("/api/medications/nope/stock", doc.Token), http.StatusBadRequest, true)

	rxs := "/api/patients/" + pat.User.PatientID + "/prescriptions"
	req := shared.PrescribeRequest{MedicationID: med.ID, Dose: "250 mg", Frequency: "QID", DurationDays: 10, Quantity: 20, Refills: 1,
		Instructions: "one hour before meals"}
	c.call(t, "a prescription meets an allergy", send("POST", rxs, doc.Token, req), http.StatusConflict)
	req.OverrideAllergy, req.OverrideReason = true, "skin test negative"
	var rx shared.Prescription
	c.call(t, "the doctor overrides", send("POST", rxs, doc.Token, req), http.StatusCreated).Decode(t, &rx)
	c.exchange(t, "refills out of range", send("POST", rxs, doc.Token, map[string]any{"medication_id": med.ID, "dose": "1",
		"frequency": "QD", "duration_days": 1, "quantity": 1, "refills": 13}), http.StatusBadRequest, true)
	c.call(t, "staff may not prescribe", send("POST", rxs, staff.Token, req), http.StatusForbidden)
	c.call(t, "the patient lists their prescriptions", get(rxs+"?limit=5", pat.Token), http.StatusOK)
	c.call(t, "the pharmacy's queue of fills to dispense", get("/api/prescriptions?status=pending&limit=5", staff.Token), http.StatusOK)
	c.call(t, "a doctor has no dispensing queue", get("/api/prescriptions?status=pending", doc.Token), http.StatusForbidden)
	c.call(t, "another patient may not", get(rxs, other.Token), http.StatusForbidden)
	c.call(t, "staff read the prescription", get("/api/prescriptions/"+rx.ID, staff.Token), http.StatusOK)
	c.call(t, "another patient reads it", get("/api/prescriptions/"+rx.ID, other.Token), http.StatusNotFound)

	dispense := "/api/prescriptions/" + rx.ID + "/dispense"
	keyed := func(key string, body any) apptest.Request {
		r := send("POST", dispense, staff.Token, body)
		r.Header = map[string]string{"Idempotency-Key": key}
		return r
	}
	c.call(t, "staff dispense the first fill", keyed("fill-1", nil), http.StatusCreated)
	replay := c.call(t, "the desk retries", keyed("fill-1", nil), http.StatusCreated)
	if replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("got no Idempotent-Replayed header on a replay")
	}
	c.call(t, "staff dispense the refill by number", send("POST", dispense, staff.Token, shared.DispenseRequest{Fill: 2}), http.StatusCreated)
	c.call(t, "no refills left", keyed("fill-3", nil), http.StatusConflict)
	c.exchange(t, "neither a key nor a fill", send("POST", dispense, staff.Token, nil), http.StatusBadRequest, false)
	byDoctor := keyed("x", nil)
	byDoctor.Token = doc.Token
	c.call(t, "a doctor may not dispense", byDoctor, http.StatusForbidden)

	c.call(t, "the doctor cancels", send("POST", "/api/prescriptions/"+rx.ID+"/cancel", doc.Token, shared.ReasonRequest{Reason: "course complete"}),
		http.StatusOK)
	c.call(t, "cancelled already", send("POST", "/api/prescriptions/"+rx.ID+"/cancel", doc.Token, nil), http.StatusConflict)
	c.call(t, "cancel an unknown prescription", send("POST", "/api/prescriptions/"+unknown+"/cancel", doc.Token, nil), http.StatusNotFound)
}

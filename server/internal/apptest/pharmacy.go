package apptest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"hms/shared"
)

// Allergies stands in for the patient record's allergy lists (patient id → allergies), for
// App.Pharmacy.SetAllergies: tests say what a patient is allergic to without editing the record.
type Allergies map[string][]string

// Allergies returns the patient's allergies.
func (a Allergies) Allergies(_ context.Context, patientID string) ([]string, error) {
	return a[patientID], nil
}

// Pharmacy is the fixture hospital with a patient checked in today for the doctor (so
// both the doctor and the staff have a care relationship), and one medication in the catalogue
// (Amoxicillin, substances amoxicillin and penicillin, low-stock threshold 5, no stock).
type Pharmacy struct {
	*Hospital
	env       *Env
	Patient   User
	PatientID string
	MedID     string
	MedCode   string
}

var medCounter struct {
	sync.Mutex
	n int
}

// Pharmacy sets up the pharmacy fixture on the env. With allergies, the pharmacy reads the patients'
// allergies from it (the test may fill it in later).
func (e *Env) Pharmacy(allergies Allergies) *Pharmacy {
	e.T.Helper()
	h := e.Hospital()
	pat := e.NewUser(shared.RolePatient)
	e.Attend(h.Staff.Token, h.Doctor.ID(), pat.User.PatientID, At(9, 0))
	if allergies != nil {
		e.App.Pharmacy.SetAllergies(allergies)
	}
	f := &Pharmacy{Hospital: h, env: e, Patient: pat, PatientID: pat.User.PatientID}
	f.MedID, f.MedCode = f.Medication("Amoxicillin", []string{"amoxicillin", "penicillin"}, 5)
	return f
}

// Medication adds a catalogue entry with a unique code as staff and returns its id and code.
func (f *Pharmacy) Medication(name string, substances []string, threshold int) (id, code string) {
	f.env.T.Helper()
	medCounter.Lock()
	medCounter.n++
	code = fmt.Sprintf("T-%d", medCounter.n)
	medCounter.Unlock()
	var m shared.Medication
	f.env.Post("/api/medications", f.Staff.Token, shared.CreateMedicationRequest{Code: code, Name: name, Form: "tablet",
		Strength: "500 mg", Substances: substances, LowStockThreshold: threshold}).Want(f.env.T, http.StatusCreated).Decode(f.env.T, &m)
	return m.ID, strings.ToUpper(code)
}

// Receive records a delivery of n units of the medication.
func (f *Pharmacy) Receive(medID string, n int) {
	f.env.T.Helper()
	f.env.Post("/api/medications/"+medID+"/stock", f.Staff.Token, shared.StockRequest{Quantity: n, Reason: "delivery"}).
		Want(f.env.T, http.StatusCreated)
}

// Balance returns the medication's stock and movements.
func (f *Pharmacy) Balance(medID string) shared.Stock {
	f.env.T.Helper()
	var st shared.Stock
	f.env.Get("/api/medications/"+medID+"/stock", f.Staff.Token).Want(f.env.T, http.StatusOK).Decode(f.env.T, &st)
	return st
}

// Prescribe prescribes for the patient as the doctor; the medication, dose (500 mg tid for 10 days)
// and quantity (30) default to the fixture's.
func (f *Pharmacy) Prescribe(req shared.PrescribeRequest) shared.Prescription {
	f.env.T.Helper()
	if req.MedicationID == "" {
		req.MedicationID = f.MedID
	}
	if req.Dose == "" {
		req.Dose, req.Frequency, req.DurationDays = "500 mg", "tid", 10
	}
	if req.Quantity == 0 {
		req.Quantity = 30
	}
	var rx shared.Prescription
	f.env.Post("/api/patients/"+f.PatientID+"/prescriptions", f.Doctor.Token, req).Want(f.env.T, http.StatusCreated).Decode(f.env.T, &rx)
	return rx
}

// Dispense asks to dispense the prescription as staff, with the Idempotency-Key unless key is empty.
func (f *Pharmacy) Dispense(key, rxID string, body any) *Response {
	req := Request{Method: "POST", Path: "/api/prescriptions/" + rxID + "/dispense", Token: f.Staff.Token, Body: body}
	if key != "" {
		req.Header = map[string]string{"Idempotency-Key": key}
	}
	return f.env.Do(req)
}

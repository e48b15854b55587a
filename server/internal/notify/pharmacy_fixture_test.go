package notify_test

import (
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// pharmacyFixture is apptest's Pharmacy under the names triggers_http_test.go uses.
type pharmacyFixture struct {
	*apptest.Pharmacy
	pat   apptest.User
	medID string
}

func newPharmacy(t *testing.T, env *apptest.Env, allergies apptest.Allergies) *pharmacyFixture {
	t.Helper()
	p := env.Pharmacy(allergies)
	return &pharmacyFixture{Pharmacy: p, pat: p.Patient, medID: p.MedID}
}

func (f *pharmacyFixture) receive(t *testing.T, medID string, n int) { t.Helper(); f.Receive(medID, n) }

func (f *pharmacyFixture) prescribe(t *testing.T, req shared.PrescribeRequest) shared.Prescription {
	t.Helper()
	return f.Prescribe(req)
}

func (f *pharmacyFixture) dispense(key, rxID string, body any) *apptest.Response {
	return f.Dispense(key, rxID, body)
}

package billing_test

import (
	"net/http"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/server/internal/billing"
	"hms/shared"
)

// TestClinicalActsChargedThroughReactions: through the real router and the reaction bus, a placed lab
// order posts one charge per priced test (the unpriced ones none), its cancellation voids them with the
// reason "order cancelled", and a dispensed fill posts quantity × the medication's price once, however
// often the dispense is repeated.
func TestClinicalActsChargedThroughReactions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("REACTION_POLL", "100ms"))
	f := env.Pharmacy(nil)
	admin := f.Admin.Token
	env.Put("/api/billing/prices/LAB-K", admin, map[string]any{"name": "Potassium", "kind": "lab_test", "ref": "K", "amount": 500}).Want(t, 200)
	env.Put("/api/billing/prices/LAB-NA", admin, map[string]any{"name": "Sodium", "kind": "lab_test", "ref": "NA", "amount": 400}).Want(t, 200)
	env.Put("/api/billing/prices/MED-AMOX", admin, map[string]any{"name": "Amoxicillin", "kind": "medication", "ref": f.MedID, "amount": 25}).Want(t, 200)
	charges := "/api/patients/" + f.PatientID + "/charges"
	list := func() []billing.Charge {
		var cs chargeList
		env.Get(charges, f.Staff.Token).Want(t, 200).Decode(t, &cs)
		return cs.Items
	}

	var o shared.LabOrder
	env.Post("/api/patients/"+f.PatientID+"/lab-orders", f.Doctor.Token, apptest.LabOrder).Want(t, http.StatusCreated).Decode(t, &o)
	eventually(t, "the lab order's charges", func() bool { return len(list()) >= 2 })
	time.Sleep(300 * time.Millisecond) // a second run of the reaction would show now
	cs := list()
	byCode := map[string]billing.Charge{}
	for _, c := range cs {
		byCode[c.Code] = c
	}
	if len(cs) != 2 || byCode["LAB-K"].Total != 500 || byCode["LAB-NA"].Total != 400 || byCode["LAB-K"].Kind != billing.LabTest {
		t.Fatalf("got %+v, want potassium (500) and sodium (400) once, the unpriced tests not charged", cs)
	}
	env.Post("/api/lab-orders/"+o.ID+"/cancel", f.Doctor.Token, nil).Want(t, http.StatusOK)
	eventually(t, "the cancelled order's charges voided", func() bool {
		for _, c := range list() {
			if c.Void == nil || c.Void.Reason != "order cancelled" {
				return false
			}
		}
		return true
	})

	f.Receive(f.MedID, 100)
	rx := f.Prescribe(shared.PrescribeRequest{Quantity: 30})
	for range 3 {
		if r := f.Dispense("desk-1", rx.ID, nil); r.Status != http.StatusCreated {
			t.Fatalf("dispense: got %d %s", r.Status, r.Body)
		}
	}
	med := func() []billing.Charge {
		var out []billing.Charge
		for _, c := range list() {
			if c.Kind == billing.Medication {
				out = append(out, c)
			}
		}
		return out
	}
	eventually(t, "the dispensed fill's charge", func() bool { return len(med()) > 0 })
	time.Sleep(300 * time.Millisecond)
	if m := med(); len(m) != 1 || m[0].Quantity != 30 || m[0].Total != 750 || m[0].Code != "MED-AMOX" {
		t.Fatalf("got %+v, want one charge of 30 × 25", m)
	}
}

// TestDischargeChargesNights: through the router and the reaction bus, discharging a patient two
// midnights after admission posts two bed-days at the ward's price, once.
func TestDischargeChargesNights(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("REACTION_POLL", "100ms"))
	h := env.Hospital()
	env.Post("/api/wards", h.Admin.Token, shared.CreateWardRequest{ID: "ward-a", Name: "Ward A", Department: h.Dept}).Want(t, http.StatusCreated)
	var beds shared.BedList
	env.Post("/api/wards/ward-a/beds", h.Admin.Token, shared.AddBedsRequest{Labels: []string{"A1"}}).Want(t, http.StatusCreated).Decode(t, &beds)
	env.Put("/api/billing/prices/BED-A", h.Admin.Token, map[string]any{"name": "Ward A bed-day", "kind": "bed_day", "ref": "ward-a", "amount": 20000}).Want(t, 200)
	pat := env.NewUser(shared.RolePatient)
	pid := pat.User.PatientID
	appt := env.Attend(h.Staff.Token, h.Doctor.ID(), pid, apptest.At(9, 0))
	var adm shared.Admission
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: pid, WardID: "ward-a", BedID: beds.Items[0].ID,
		DoctorID: h.Doctor.ID(), Source: shared.SourceAppointment, AppointmentID: appt.ID, Reason: "observation"}).
		Want(t, http.StatusCreated).Decode(t, &adm)
	h.Clock.Advance(48 * time.Hour)
	env.Post("/api/admissions/"+adm.ID+"/discharge", h.Doctor.Token, shared.DischargeRequest{Summary: "well", Disposition: shared.Dispositions[0]}).
		Want(t, http.StatusOK)
	charges := "/api/patients/" + pid + "/charges"
	var cs chargeList
	eventually(t, "the stay's nights", func() bool {
		env.Get(charges, h.Staff.Token).Want(t, 200).Decode(t, &cs)
		return len(cs.Items) >= 2
	})
	time.Sleep(300 * time.Millisecond)
	env.Get(charges, h.Staff.Token).Want(t, 200).Decode(t, &cs)
	if len(cs.Items) != 2 || cs.Items[0].Kind != billing.BedDay || cs.Items[0].Total+cs.Items[1].Total != 40000 {
		t.Fatalf("got %+v, want two bed-days of 20000", cs.Items)
	}
}

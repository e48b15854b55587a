package pharmacy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestPharmacyCatalogueAndLedger: catalogue entries with unique codes and an accent-insensitive prefix
// search; stock as a ledger of numbered movements, each with the balance after it, never below zero.
func TestPharmacyCatalogueAndLedger(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	paraID, _ := f.Medication("Paracétamol", []string{"paracetamol"}, 0)

	var dup shared.Error
	env.Post("/api/medications", f.Admin.Token, shared.CreateMedicationRequest{Code: strings.ToLower(f.MedCode), Name: "Again",
		Form: "tablet", Strength: "1 mg"}).Want(t, http.StatusConflict).Decode(t, &dup)
	env.Post("/api/medications", f.Doctor.Token, shared.CreateMedicationRequest{Code: "X1", Name: "X", Form: "t", Strength: "1"}).
		Want(t, http.StatusForbidden)
	for name, req := range map[string]shared.CreateMedicationRequest{
		"no code":        {Name: "X", Form: "tablet", Strength: "1 mg"},
		"bad code":       {Code: "a b", Name: "X", Form: "tablet", Strength: "1 mg"},
		"no name":        {Code: "X2", Form: "tablet", Strength: "1 mg"},
		"no strength":    {Code: "X3", Name: "X", Form: "tablet"},
		"negative limit": {Code: "X4", Name: "X", Form: "tablet", Strength: "1 mg", LowStockThreshold: -1},
	} {
		t.Run(name, func(t *testing.T) {
			env.Post("/api/medications", f.Staff.Token, req).Want(t, http.StatusBadRequest)
		})
	}

	for q, want := range map[string]string{"PARA": paraID, "paracé": paraID, "amox": f.MedID, strings.ToLower(f.MedCode): f.MedID} {
		var list shared.MedicationList
		env.Get("/api/medications?q="+q, f.Doctor.Token).Want(t, http.StatusOK).Decode(t, &list)
		if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != want {
			t.Errorf("search %q: got %+v, want only %s", q, list.Items, want)
		}
	}
	var all shared.MedicationList
	env.Get("/api/medications?limit=1", f.Admin.Token).Want(t, http.StatusOK).Decode(t, &all)
	if all.Total != 2 || len(all.Items) != 1 || all.Items[0].Name != "Amoxicillin" {
		t.Errorf("got %+v, want 2 in total, the first by name on a page of 1", all)
	}
	env.Get("/api/medications", f.Patient.Token).Want(t, http.StatusForbidden)

	f.Receive(f.MedID, 10)
	env.Post("/api/medications/"+f.MedID+"/stock", f.Admin.Token, shared.StockRequest{Quantity: -3, Reason: "broken packs"}).
		Want(t, http.StatusCreated)
	var refused shared.Error
	env.Post("/api/medications/"+f.MedID+"/stock", f.Staff.Token, shared.StockRequest{Quantity: -8}).
		Want(t, http.StatusConflict).Decode(t, &refused)
	if refused.Error.Message != "not enough stock" {
		t.Errorf("got %q, want \"not enough stock\"", refused.Error.Message)
	}
	for name, req := range map[string]shared.StockRequest{
		"zero":              {Quantity: 0},
		"negative receipt":  {Kind: "receive", Quantity: -1},
		"dispense by hand":  {Kind: "dispense", Quantity: -1},
		"reason too long":   {Quantity: 1, Reason: strings.Repeat("x", 501)},
		"absurdly too many": {Quantity: 2_000_000},
	} {
		t.Run(name, func(t *testing.T) {
			env.Post("/api/medications/"+f.MedID+"/stock", f.Staff.Token, req).Want(t, http.StatusBadRequest)
		})
	}
	env.Post("/api/medications/0123456789abcdef01234567/stock", f.Staff.Token, shared.StockRequest{Quantity: 1}).Want(t, http.StatusNotFound)
	env.Get("/api/medications/nope/stock", f.Staff.Token).Want(t, http.StatusBadRequest)

	st := f.Balance(f.MedID)
	if st.Balance != 7 || len(st.Movements) != 2 || st.Low {
		t.Fatalf("got %+v, want balance 7 from two movements, not low", st)
	}
	if m := st.Movements[0]; m.Seq != 2 || m.Kind != "adjust" || m.Quantity != -3 || m.Balance != 7 || m.Reason != "broken packs" {
		t.Errorf("got newest movement %+v, want seq 2: adjust -3 → 7 (broken packs)", m)
	}
	if m := st.Movements[1]; m.Seq != 1 || m.Kind != "receive" || m.Balance != 10 {
		t.Errorf("got first movement %+v, want seq 1: receive → 10", m)
	}
}

// TestPharmacyConcurrentStockMovements: 20 receipts at once all land, numbered 1..20 without a gap.
func TestPharmacyConcurrentStockMovements(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Go(func() {
			codes[i] = env.Post("/api/medications/"+f.MedID+"/stock", f.Staff.Token, shared.StockRequest{Quantity: 1}).Status
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusCreated {
			t.Errorf("receipt %d: got %d, want 201", i, c)
		}
	}
	st := f.Balance(f.MedID)
	if st.Balance != 20 || st.Movements[0].Seq != 20 {
		t.Fatalf("got balance %d at seq %d, want 20 at 20: no receipt lost", st.Balance, st.Movements[0].Seq)
	}
}

// TestPharmacyDispenseExactlyOnce: the same dispense (one Idempotency-Key) sent by 20 goroutines at
// once takes the stock down by one fill's quantity, and every one of them gets the same answer.
func TestPharmacyDispenseExactlyOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	f.Receive(f.MedID, 100)
	rx := f.Prescribe(shared.PrescribeRequest{Quantity: 30, Refills: 2, Instructions: "after meals"})

	const n = 20
	var wg sync.WaitGroup
	resps := make([]*apptest.Response, n)
	for i := range n {
		wg.Go(func() { resps[i] = f.Dispense("desk-42", rx.ID, nil) })
	}
	wg.Wait()
	replays := 0
	for i, r := range resps {
		if r.Status != http.StatusCreated {
			t.Fatalf("repeat %d: got %d, want 201; body %s", i, r.Status, r.Body)
		}
		if !bytes.Equal(r.Body, resps[0].Body) {
			t.Errorf("repeat %d answered %s, want the same as %s", i, r.Body, resps[0].Body)
		}
		if r.Header.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if replays != n-1 {
		t.Errorf("got %d answers marked replayed, want %d", replays, n-1)
	}
	var d shared.Dispensation
	resps[0].Decode(t, &d)
	if d.Fill != 1 || d.Quantity != 30 || d.Balance != 70 || d.RefillsLeft != 2 || d.RefillDue == "" {
		t.Errorf("got %+v, want fill 1 of 30 leaving 70, 2 refills left with a due date", d)
	}
	if st := f.Balance(f.MedID); st.Balance != 70 || len(st.Movements) != 2 {
		t.Errorf("got balance %d after %d movements, want 70 after 2: stock moved once", st.Balance, len(st.Movements))
	}
	// The same key later: still the same answer. A new key: the next fill. The explicit fill 1: the
	// same fill again, not another.
	again := f.Dispense("desk-42", rx.ID, nil).Want(t, http.StatusCreated)
	if !bytes.Equal(again.Body, resps[0].Body) {
		t.Errorf("a later repeat answered %s, want %s", again.Body, resps[0].Body)
	}
	f.Dispense("", rx.ID, shared.DispenseRequest{Fill: 1}).Want(t, http.StatusCreated)
	var second shared.Dispensation
	f.Dispense("desk-43", rx.ID, nil).Want(t, http.StatusCreated).Decode(t, &second)
	if second.Fill != 2 || second.Balance != 40 {
		t.Errorf("got %+v, want fill 2 leaving 40", second)
	}
	var got shared.Prescription
	env.Get("/api/prescriptions/"+rx.ID, f.Patient.Token).Want(t, http.StatusOK).Decode(t, &got)
	if len(got.Fills) != 2 || got.FillsLeft != 1 || got.Fills[0].Status != "dispensed" || got.Instructions != "after meals" {
		t.Errorf("got %+v, want 2 dispensed fills, 1 left, the instructions", got)
	}
	// The key names one request: used on another prescription it is refused.
	other := f.Prescribe(shared.PrescribeRequest{})
	f.Dispense("desk-42", other.ID, nil).Want(t, http.StatusConflict)
	f.Dispense("", rx.ID, nil).Want(t, http.StatusBadRequest)
	f.Dispense("", rx.ID, map[string]any{"fill": -1}).Want(t, http.StatusBadRequest)
	f.Dispense("k", "0123456789abcdef01234567", nil).Want(t, http.StatusNotFound)
}

// TestPharmacyConcurrentFillsNeverNegative: ten different dispenses race for stock that covers four;
// exactly four get it, the rest are told there is not enough, and the balance ends at zero.
func TestPharmacyConcurrentFillsNeverNegative(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	f.Receive(f.MedID, 4)
	rx := f.Prescribe(shared.PrescribeRequest{Quantity: 1, Refills: 12})
	var rxs []shared.Prescription
	for range 3 {
		rxs = append(rxs, f.Prescribe(shared.PrescribeRequest{Quantity: 1}))
	}
	var wg sync.WaitGroup
	codes := make([]int, 10)
	for i := range codes {
		wg.Go(func() {
			id := rx.ID
			if i < len(rxs) {
				id = rxs[i].ID
			}
			r := f.Dispense(fmt.Sprintf("race-%d", i), id, nil)
			codes[i] = r.Status
			if r.Status == http.StatusConflict && r.Error().Error.Message != "not enough stock" {
				t.Errorf("got %q, want \"not enough stock\"", r.Error().Error.Message)
			}
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			ok++
		case http.StatusConflict:
		default:
			t.Errorf("got status %d, want 201 or 409", c)
		}
	}
	st := f.Balance(f.MedID)
	if ok != 4 || st.Balance != 0 {
		t.Fatalf("got %d dispensed and balance %d, want 4 and 0", ok, st.Balance)
	}
	for _, m := range st.Movements {
		if m.Balance < 0 {
			t.Errorf("movement %+v went below zero", m)
		}
	}
}

// TestPharmacyAllergiesRefillsAndCancel: a medication matching a known allergy (any case, any
// accents) is refused naming the allergy unless overridden with a reason; the warning then shows on
// the prescription and at dispensing. Fills stop after the refills, and at cancellation.
func TestPharmacyAllergiesRefillsAndCancel(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	allergies := apptest.Allergies{}
	f := env.Pharmacy(allergies)
	allergies[f.PatientID] = []string{"PÉNICILLIN", "latex"}
	f.Receive(f.MedID, 100)

	req := shared.PrescribeRequest{MedicationID: f.MedID, Dose: "500 mg", Frequency: "every 8 hours", DurationDays: 7, Quantity: 21}
	var refused shared.Error
	env.Post("/api/patients/"+f.PatientID+"/prescriptions", f.Doctor.Token, req).Want(t, http.StatusConflict).Decode(t, &refused)
	if !strings.Contains(refused.Error.Message, "PÉNICILLIN") || strings.Contains(refused.Error.Message, "latex") {
		t.Errorf("got %q, want the message to name the matching allergy only", refused.Error.Message)
	}
	req.OverrideAllergy = true
	env.Post("/api/patients/"+f.PatientID+"/prescriptions", f.Doctor.Token, req).Want(t, http.StatusBadRequest) // no reason
	req.OverrideReason = "tolerated amoxicillin in 2024 under supervision"
	var rx shared.Prescription
	env.Post("/api/patients/"+f.PatientID+"/prescriptions", f.Doctor.Token, req).Want(t, http.StatusCreated).Decode(t, &rx)
	if len(rx.AllergyWarnings) != 1 || rx.AllergyWarnings[0] != "PÉNICILLIN" || rx.OverrideReason == "" || rx.Refills != 0 {
		t.Errorf("got %+v, want the penicillin warning and the override reason", rx)
	}
	var got shared.Prescription
	env.Get("/api/prescriptions/"+rx.ID, f.Staff.Token).Want(t, http.StatusOK).Decode(t, &got)
	if len(got.AllergyWarnings) != 1 {
		t.Errorf("GET: got warnings %v, want the penicillin warning", got.AllergyWarnings)
	}
	var d shared.Dispensation
	f.Dispense("a1", rx.ID, nil).Want(t, http.StatusCreated).Decode(t, &d)
	if len(d.AllergyWarnings) != 1 || d.RefillsLeft != 0 || d.RefillDue != "" {
		t.Errorf("got %+v, want the warning at dispensing, no refills left", d)
	}
	var none shared.Error
	f.Dispense("a2", rx.ID, nil).Want(t, http.StatusConflict).Decode(t, &none)
	if none.Error.Message != "no refills left" {
		t.Errorf("got %q, want \"no refills left\"", none.Error.Message)
	}
	f.Dispense("", rx.ID, shared.DispenseRequest{Fill: 2}).Want(t, http.StatusConflict)

	// A medication with nothing in common is prescribed without a warning.
	otherMed, _ := f.Medication("Ibuprofène", []string{"ibuprofen"}, 0)
	clean := f.Prescribe(shared.PrescribeRequest{MedicationID: otherMed, Refills: 3})
	if len(clean.AllergyWarnings) != 0 || clean.Frequency != "TID" {
		t.Errorf("got %+v, want no warnings and the frequency code upper-cased", clean)
	}
	for name, bad := range map[string]shared.PrescribeRequest{
		"too many refills": {MedicationID: otherMed, Dose: "1", Frequency: "QD", DurationDays: 1, Quantity: 1, Refills: 13},
		"no dose":          {MedicationID: otherMed, Frequency: "QD", DurationDays: 1, Quantity: 1},
		"no duration":      {MedicationID: otherMed, Dose: "1", Frequency: "QD", Quantity: 1},
		"unknown med":      {MedicationID: "0123456789abcdef01234567", Dose: "1", Frequency: "QD", DurationDays: 1, Quantity: 1},
		"bad encounter":    {MedicationID: otherMed, Dose: "1", Frequency: "QD", DurationDays: 1, Quantity: 1, EncounterID: "x"},
	} {
		t.Run(name, func(t *testing.T) {
			env.Post("/api/patients/"+f.PatientID+"/prescriptions", f.Doctor.Token, bad).Want(t, http.StatusBadRequest)
		})
	}

	var cancelled shared.Prescription
	env.Post("/api/prescriptions/"+clean.ID+"/cancel", f.Doctor.Token, shared.ReasonRequest{Reason: "switched therapy"}).
		Want(t, http.StatusOK).Decode(t, &cancelled)
	if cancelled.Status != "cancelled" || cancelled.CancelReason != "switched therapy" || cancelled.FillsLeft != 0 {
		t.Errorf("got %+v, want cancelled with the reason and no fills left", cancelled)
	}
	env.Post("/api/prescriptions/"+clean.ID+"/cancel", f.Doctor.Token, nil).Want(t, http.StatusConflict)
	f.Dispense("a3", clean.ID, nil).Want(t, http.StatusConflict)
	env.Post("/api/prescriptions/"+clean.ID+"/cancel", f.Staff.Token, nil).Want(t, http.StatusForbidden)
}

// TestPharmacyEvents: a movement that takes the balance to the threshold or below announces low stock
// once per crossing; a dispensed fill with refills left announces when the next is due, to the
// pharmacy and to the patient.
func TestPharmacyEvents(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil) // threshold 5
	staffWS := env.MustDialWS(f.Staff.Token, "")
	if ans, _ := staffWS.Subscribe(shared.ChannelPharmacy, nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("staff subscribe: got %+v", ans)
	}
	patChan := shared.ChannelPatient + ":" + f.PatientID
	patWS := env.MustDialWS(f.Patient.Token, "")
	if ans, _ := patWS.Subscribe(patChan, nil); ans.Op != shared.OpSubscribed {
		t.Fatalf("patient subscribe: got %+v", ans)
	}
	if ans, _ := patWS.Subscribe(shared.ChannelPharmacy, nil); ans.Op != shared.OpError {
		t.Fatalf("a patient subscribing to the pharmacy channel: got %+v, want an error", ans)
	}

	f.Receive(f.MedID, 8)
	rx := f.Prescribe(shared.PrescribeRequest{Quantity: 4, Refills: 1, DurationDays: 10})
	// The queue's prescription.changed (ids only) follows each write and dispense; the rest of this
	// test is about the other events, so it counts those and skips them.
	changed := 0
	stock := func() apptest.Frame {
		for {
			ev := staffWS.NextEvent(shared.ChannelPharmacy, 5*time.Second)
			if ev.Type != shared.EventPrescription {
				return ev
			}
			var pe shared.PrescriptionEvent
			if err := json.Unmarshal(ev.Data, &pe); err != nil || pe.PrescriptionID != rx.ID {
				t.Fatalf("got %s %s, want prescription.changed of %s", ev.Type, ev.Data, rx.ID)
			}
			changed++
		}
	}
	var d shared.Dispensation
	f.Dispense("ev-1", rx.ID, nil).Want(t, http.StatusCreated).Decode(t, &d) // 8 → 4: crosses 5

	low := stock()
	var le shared.LowStockEvent
	if err := json.Unmarshal(low.Data, &le); err != nil || low.Type != shared.EventLowStock || le.Balance != 4 || le.Threshold != 5 || le.MedicationID != f.MedID {
		t.Fatalf("got %s %s, want low stock at 4 of 5", low.Type, low.Data)
	}
	due := stock()
	var re shared.RefillDueEvent
	if err := json.Unmarshal(due.Data, &re); err != nil || due.Type != shared.EventRefillDue || re.PrescriptionID != rx.ID ||
		re.RefillsLeft != 1 || re.DueDate != d.At.AddDate(0, 0, 8).Format(time.DateOnly) {
		t.Fatalf("got %s %s, want refill due 8 days after %s", due.Type, due.Data, d.At)
	}
	if strings.Contains(string(due.Data), "Test patient") {
		t.Errorf("event carries a name: %s", due.Data)
	}
	mine := patWS.NextEvent(patChan, 5*time.Second)
	if mine.Type != shared.EventRefillDue {
		t.Fatalf("patient channel: got %s, want %s", mine.Type, shared.EventRefillDue)
	}

	// Still below: no new event. Up above the threshold and down again: a second crossing.
	move := func(q int) {
		env.Post("/api/medications/"+f.MedID+"/stock", f.Staff.Token, shared.StockRequest{Quantity: q}).Want(t, http.StatusCreated)
	}
	move(-1) // 4 → 3, seq 3
	move(10) // 3 → 13, seq 4
	move(-9) // 13 → 4, seq 5
	again := stock()
	if err := json.Unmarshal(again.Data, &le); err != nil || again.Type != shared.EventLowStock || le.Seq != 5 {
		t.Fatalf("got %s %s, want the second crossing at seq 5 only", again.Type, again.Data)
	}
	// The last fill (no refills left after it) announces no refill: the next event is the next crossing.
	f.Dispense("ev-2", rx.ID, nil).Want(t, http.StatusCreated) // 4 → 0: still low, no crossing
	move(20)                                                   // 0 → 20
	move(-15)                                                  // 20 → 5: crossing, seq 8
	next := stock()
	if err := json.Unmarshal(next.Data, &le); err != nil || next.Type != shared.EventLowStock || le.Seq != 8 || le.Balance != 5 {
		t.Fatalf("got %s %s, want low stock at seq 8 (no refill due after the last fill)", next.Type, next.Data)
	}
	if changed != 3 { // written, first fill, last fill
		t.Errorf("got %d prescription.changed events, want 3", changed)
	}
}

// TestPharmacyAccessAuditAndSealing covers docs/security.md rows 12, 28 and 30 for prescriptions: patient A
// cannot list or read patient B's prescriptions (refusals audited like every read and change); the
// raw MongoDB documents hold no instructions, reasons or allergy names in plain text; the export
// section lists the patient's prescriptions with their fills, decrypted.
func TestPharmacyAccessAuditAndSealing(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	allergies := apptest.Allergies{}
	f := env.Pharmacy(allergies)
	allergies[f.PatientID] = []string{"penicillin"}
	f.Receive(f.MedID, 50)
	const secret, override, why = "take-with-yoghurt-5c1d", "override-why-77ab", "cancel-why-91fe"
	const dose, freq = "dose-7d2e mg", "freq-a1b2 daily"
	rx := f.Prescribe(shared.PrescribeRequest{Instructions: secret, OverrideAllergy: true, OverrideReason: override, Refills: 1,
		Dose: dose, Frequency: freq, DurationDays: 10})
	f.Dispense("s-1", rx.ID, nil).Want(t, http.StatusCreated)
	env.Post("/api/prescriptions/"+rx.ID+"/cancel", f.Doctor.Token, shared.ReasonRequest{Reason: why}).Want(t, http.StatusOK)
	env.Post("/api/medications/"+f.MedID+"/stock", f.Staff.Token, shared.StockRequest{Quantity: -1, Reason: "stock-why-3e3e"}).
		Want(t, http.StatusCreated)

	// Row 12.
	other := env.NewUser(shared.RolePatient)
	env.Get("/api/patients/"+f.PatientID+"/prescriptions", other.Token).Want(t, http.StatusForbidden)
	env.Get("/api/prescriptions/"+rx.ID, other.Token).Want(t, http.StatusNotFound)
	env.Post("/api/prescriptions/"+rx.ID+"/dispense", other.Token, nil).Want(t, http.StatusForbidden)
	env.Post("/api/patients/"+f.PatientID+"/prescriptions", other.Token, shared.PrescribeRequest{}).Want(t, http.StatusForbidden)
	env.Post("/api/patients/"+f.PatientID+"/prescriptions", f.Admin.Token, shared.PrescribeRequest{}).Want(t, http.StatusForbidden)
	var own shared.PrescriptionList
	env.Get("/api/patients/"+f.PatientID+"/prescriptions", f.Patient.Token).Want(t, http.StatusOK).Decode(t, &own)
	if own.Total != 1 || own.Items[0].Instructions != secret || len(own.Items[0].Fills) != 1 || own.Items[0].Status != "cancelled" ||
		own.Items[0].Dose != dose || own.Items[0].Frequency != freq || !strings.HasPrefix(own.Items[0].MedicationName, "Amoxicillin") {
		t.Errorf("got %+v, want the patient's one cancelled prescription with its fill", own)
	}
	var empty shared.PrescriptionList
	env.Get("/api/patients/"+other.User.PatientID+"/prescriptions", other.Token).Want(t, http.StatusOK).Decode(t, &empty)
	if empty.Total != 0 || empty.Items == nil {
		t.Errorf("got %+v, want an empty list", empty)
	}

	// Row 28: every read and change, allowed or refused, against the patient; no PHI inside.
	var trail struct {
		Items []struct {
			ActorRole string `json:"actor_role"`
			Action    string `json:"action"`
			Outcome   string `json:"outcome"`
		} `json:"items"`
	}
	res := env.Get("/api/audit?limit=100&patient_id="+f.PatientID, f.Admin.Token).Want(t, http.StatusOK)
	res.Decode(t, &trail)
	seen := map[string]bool{}
	for _, e := range trail.Items {
		seen[e.Action+" "+e.ActorRole+" "+e.Outcome] = true
	}
	for _, want := range []string{
		"prescription.create doctor ok", "prescription.dispense staff ok", "prescription.cancel doctor ok",
		"prescription.list patient ok", "prescription.list patient denied", "prescription.read patient denied",
		"prescription.create patient denied", "prescription.create admin denied",
	} {
		if !seen[want] {
			t.Errorf("no audit entry %q; got %v", want, seen)
		}
	}
	for _, s := range []string{secret, override, why, "penicillin"} {
		if strings.Contains(string(res.Body), s) {
			t.Errorf("audit trail holds %q", s)
		}
	}

	// Row 30.
	for col, plain := range map[string][]string{
		"prescriptions":              {secret, override, "penicillin", "Amoxicillin", "dose-7d2e", "freq-a1b2"},
		"prescription_cancellations": {why},
		"stock_movements":            {"stock-why-3e3e", "delivery"},
	} {
		cur, err := env.App.DB.Collection(col).Find(t.Context(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for cur.Next(t.Context()) {
			n++
			for _, s := range plain {
				if bytes.Contains(cur.Current, []byte(s)) {
					t.Errorf("%s: plaintext %q in the raw document %s", col, s, cur.Current)
				}
			}
		}
		_ = cur.Close(t.Context())
		if n == 0 {
			t.Errorf("%s: no documents read", col)
		}
	}

	// Row 31: the export section.
	section, data, err := env.App.Pharmacy.ExportPatient(t.Context(), f.PatientID)
	if err != nil || section != "prescriptions" {
		t.Fatalf("export: got %q, %v", section, err)
	}
	list, _ := data.([]shared.Prescription)
	if len(list) != 1 || list[0].Instructions != secret || len(list[0].Fills) != 1 || list[0].CancelReason != why {
		t.Errorf("export: got %+v, want the prescription with its fill and texts, decrypted", data)
	}
}

// TestPendingPrescriptionDoesNotOpenTheChart: a prescription waiting to be dispensed lets staff read
// and dispense that prescription, but opens neither the patient's chart nor their other prescriptions
// (docs/security.md rows 12 and 34).
func TestPendingPrescriptionDoesNotOpenTheChart(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := env.Pharmacy(nil)
	f.Receive(f.MedID, 100)
	rx := f.Prescribe(shared.PrescribeRequest{Refills: 1})
	f.Clock.Advance(24 * time.Hour) // yesterday's check-in no longer links the staff to the patient
	pharmacist := env.NewUser(shared.RoleStaff)

	for _, who := range []apptest.User{f.Staff, pharmacist} {
		env.Get("/api/patient/"+f.PatientID, who.Token).WantError(t, http.StatusForbidden, shared.CodeBreakGlassRequired)
		env.Get("/api/patients/"+f.PatientID+"/prescriptions", who.Token).WantError(t, http.StatusForbidden, shared.CodeBreakGlassRequired)
		env.Get("/api/patients/"+f.PatientID+"/encounters", who.Token).WantError(t, http.StatusForbidden, shared.CodeBreakGlassRequired)
		env.Get("/api/prescriptions/"+rx.ID, who.Token).Want(t, http.StatusOK)
	}
	env.Do(apptest.Request{Method: "POST", Path: "/api/prescriptions/" + rx.ID + "/dispense", Token: pharmacist.Token,
		Body: shared.DispenseRequest{Fill: 1}}).Want(t, http.StatusCreated)
	f.Dispense("", rx.ID, shared.DispenseRequest{Fill: 2}).Want(t, http.StatusCreated)
	f.Clock.Advance(31 * 24 * time.Hour) // fully dispensed a month ago: the prescription is closed to staff
	env.Get("/api/prescriptions/"+rx.ID, pharmacist.Token).WantError(t, http.StatusForbidden, shared.CodeBreakGlassRequired)
}

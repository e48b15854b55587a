package report_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/apptest"
	"hms/server/internal/report"
	"hms/server/internal/testenv"
	"hms/shared"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReportsFromEvents: through the real router and the reaction bus, a day of a hospital (three
// bookings: one seen after a 20-minute wait and a 15-minute consultation, one cancelled, one no-show;
// an admission and its discharge two hours later; the visit's consultation charged, invoiced and paid)
// shows in every report with exactly those counts, as JSON and as CSV. Recording the same facts again
// (a reaction run twice) changes nothing; once the day is closed its figures are stored and read back
// the same, and a late fact for it is counted after all.
func TestReportsFromEvents(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("REACTION_POLL", "100ms"))
	h := env.Hospital()
	admin := h.Admin.Token
	env.Put("/api/billing/prices/CONS", admin, map[string]any{"name": "Consultation", "kind": "consultation", "amount": 5000}).Want(t, 200)
	env.Post("/api/wards", admin, shared.CreateWardRequest{ID: "ward-a", Name: "Ward A", Department: h.Dept}).Want(t, http.StatusCreated)
	env.Post("/api/wards/ward-a/beds", admin, shared.AddBedsRequest{Labels: []string{"A1", "A2"}}).Want(t, http.StatusCreated)
	p1, p2, p3 := env.NewUser(shared.RolePatient).User.PatientID, env.NewUser(shared.RolePatient).User.PatientID, env.NewUser(shared.RolePatient).User.PatientID

	seen := env.Attend(h.Staff.Token, h.Doctor.ID(), p1, apptest.At(9, 0))
	cancelled := env.Book(h.Staff.Token, h.Doctor.ID(), p2, apptest.At(9, 15))
	env.Post("/api/appointments/"+cancelled.ID+"/cancel", h.Staff.Token, shared.ReasonRequest{Reason: "feels better"}).Want(t, 200)
	missed := env.Attend(h.Staff.Token, h.Doctor.ID(), p3, apptest.At(9, 30))
	h.Clock.Advance(20 * time.Minute)
	env.Post("/api/queue/tickets/"+seen.ID+"/call", h.Doctor.Token, nil).Want(t, 200)
	env.Post("/api/queue/tickets/"+seen.ID+"/start", h.Doctor.Token, nil).Want(t, 200)
	h.Clock.Advance(15 * time.Minute)
	env.Post("/api/queue/tickets/"+seen.ID+"/finish", h.Doctor.Token, nil).Want(t, 200)
	env.Post("/api/queue/tickets/"+missed.ID+"/no-show", h.Staff.Token, nil).Want(t, 200)

	var adm shared.Admission
	env.Post("/api/admissions", h.Staff.Token, shared.AdmitRequest{PatientID: p1, WardID: "ward-a", DoctorID: h.Doctor.ID(),
		Source: shared.SourcePlanned, Reason: "observation"}).Want(t, http.StatusCreated).Decode(t, &adm)
	h.Clock.Advance(2 * time.Hour)
	env.Post("/api/admissions/"+adm.ID+"/discharge", h.Doctor.Token, shared.DischargeRequest{Summary: "well", Disposition: "home"}).Want(t, 200)

	var charges struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	eventually(t, "the visit's charge", func() bool {
		env.Get("/api/patients/"+p1+"/charges", h.Staff.Token).Want(t, 200).Decode(t, &charges)
		return len(charges.Items) > 0
	})
	var inv struct {
		ID  string `json:"id"`
		Rev int    `json:"rev"`
	}
	env.Post("/api/invoices", h.Staff.Token, map[string]any{"patient_id": p1}).Want(t, http.StatusCreated).Decode(t, &inv)
	env.Post("/api/invoices/"+inv.ID+"/issue", h.Staff.Token, map[string]any{"rev": inv.Rev}).Want(t, 200)
	env.Do(apptest.Request{Method: "POST", Path: "/api/invoices/" + inv.ID + "/payments", Token: h.Staff.Token,
		Body: map[string]any{"method": "card", "amount": 5000}, Header: map[string]string{"Idempotency-Key": "pay-1"}}).Want(t, http.StatusCreated)

	day := "from=2030-01-07&to=2030-01-07"
	var ops shared.OperationsReport
	eventually(t, "the operations figures", func() bool {
		env.Get("/api/reports/operations?"+day, admin).Want(t, 200).Decode(t, &ops)
		return ops.Totals.Booked == 3 && ops.Totals.Completed == 1 && ops.Totals.Cancelled == 1 && ops.Totals.NoShow == 1 && ops.Totals.Waits == 1
	})
	if p := ops.Totals.WaitP50; p == nil || *p != 20 {
		t.Fatalf("wait p50: got %v, want 20 minutes", p)
	}
	if len(ops.Days) != 1 || ops.Days[0].Department != h.Dept || ops.Hours[7].Waits != 1 || ops.Hours[7].Seen != 0 || ops.Hours[8].Seen != 1 {
		t.Fatalf("got rows %+v and hours 7–8 %+v, want one row of %s, the wait at 07:00 and the visit seen at 08:00", ops.Days, ops.Hours[7:9], h.Dept)
	}
	var adms shared.AdmissionsReport
	eventually(t, "the admissions figures", func() bool {
		env.Get("/api/reports/admissions?"+day, admin).Want(t, 200).Decode(t, &adms)
		return adms.Totals.Admitted == 1 && adms.Totals.Discharged == 1
	})
	if s := adms.Totals.AverageStayDays; s == nil || *s != 0.08 { // two hours = 0.083 days
		t.Fatalf("average stay: got %v, want 0.08 days", s)
	}
	var docs shared.DoctorsReport
	eventually(t, "the doctor's figures", func() bool {
		env.Get("/api/reports/doctors?"+day, admin).Want(t, 200).Decode(t, &docs)
		return len(docs.Doctors) == 1 && docs.Doctors[0].Revenue == 5000
	})
	d := docs.Doctors[0]
	if d.DoctorID != h.Doctor.ID() || d.Name == "" || d.Seen != 1 || d.NoShow != 1 || d.Booked != 3 || *d.NoShowRate != 0.5 ||
		*d.AverageConsultMinutes != 15 || *d.AverageWaitMinutes != 20 {
		t.Fatalf("got %+v, want the doctor: 3 booked, 1 seen in 15 minutes after 20 waiting, 1 no-show, 5000 revenue", d)
	}
	var bill shared.BillingReport
	eventually(t, "the billing figures", func() bool {
		env.Get("/api/reports/billing?"+day, admin).Want(t, 200).Decode(t, &bill)
		return bill.Totals.Invoiced == 5000 && bill.Totals.Paid == 5000 && bill.Totals.Settled == 1
	})
	if bill.Totals.Outstanding != 0 || bill.Currency != "GBP" || len(bill.Days) != 1 {
		t.Fatalf("got %+v, want nothing outstanding, in GBP, one day", bill)
	}

	csv := env.Get("/api/reports/operations?"+day+"&format=csv", admin).Want(t, 200)
	if ct := csv.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") ||
		!strings.Contains(csv.Header.Get("Content-Disposition"), `filename="operations-2030-01-07-to-2030-01-07.csv"`) {
		t.Fatalf("got %s, %s; want a CSV attachment", ct, csv.Header.Get("Content-Disposition"))
	}
	if want := "2030-01-07,general,3,1,1,1,1,20,20"; !strings.Contains(string(csv.Body), want) {
		t.Fatalf("CSV:\n%s\nwant a row %s", csv.Body, want)
	}

	// A reaction run again records the same facts: nothing changes.
	r := env.App.Reports
	again := r.VisitFacts(report.Visit{AppointmentID: cancelled.ID, Step: 2, Action: "cancelled", At: apptest.At(7, 31), Department: h.Dept, DoctorID: h.Doctor.ID()})
	if err := r.Record(context.Background(), again...); err != nil {
		t.Fatal(err)
	}
	env.Get("/api/reports/operations?"+day, admin).Want(t, 200).Decode(t, &ops)
	if ops.Totals.Cancelled != 1 {
		t.Fatalf("cancelled after recording its fact again: got %d, want 1", ops.Totals.Cancelled)
	}

	// Two days later Monday is closed: its figures are stored, and read back the same.
	h.Clock.Advance(48 * time.Hour)
	var closed shared.OperationsReport
	env.Get("/api/reports/operations?"+day, admin).Want(t, 200).Decode(t, &closed)
	if got, want := jsonOf(t, closed.Totals), jsonOf(t, ops.Totals); got != want {
		t.Fatalf("closed day: got %s, want %s", got, want)
	}
	if n := len(env.RawDocs(t, "report_days_2030_01", bson.D{{Key: "_id", Value: "2030-01-07"}})); n != 1 {
		t.Fatalf("stored days for Monday: got %d, want 1", n)
	}
	// A late fact (a reaction retried for hours) forgets the stored day, and counts.
	late := report.Fact{ID: "appt:late:1", Day: "2030-01-07", Kind: report.Booked, Dept: h.Dept}
	if err := r.Record(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	env.Get("/api/reports/operations?"+day, admin).Want(t, 200).Decode(t, &closed)
	if closed.Totals.Booked != 4 {
		t.Fatalf("booked after a late fact: got %d, want 4", closed.Totals.Booked)
	}
}

// TestReportRanges: a bad range is 400 saying what is wrong; reports are for admins.
func TestReportRanges(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	for _, c := range []struct{ query, says string }{
		{"from=2030-01-09&to=2030-01-07", "from (2030-01-09) is after to (2030-01-07)"},
		{"from=2027-01-01&to=2030-01-07", "at most 731 days"},
		{"from=07/01/2030", "from must be a date"},
		{"to=tomorrow", "to must be a date"},
		{"department=Bad%20Dept", "department must be"},
		{"format=xml", "format must be json or csv"},
	} {
		e := env.Get("/api/reports/operations?"+c.query, h.Admin.Token).WantError(t, 400, "invalid_request")
		if !strings.Contains(e.Error.Message, c.says) {
			t.Errorf("%s: got %q, want it to say %q", c.query, e.Error.Message, c.says)
		}
	}
	for _, path := range []string{"operations", "admissions", "doctors", "billing"} {
		env.Get("/api/reports/"+path, h.Doctor.Token).Want(t, http.StatusForbidden)
		env.Get("/api/reports/"+path, h.Staff.Token).Want(t, http.StatusForbidden)
		env.Get("/api/reports/"+path, h.Admin.Token).Want(t, http.StatusOK)
	}
}

// TestClaimsByStatus: through the real router and the reaction bus, an insurance claim made,
// submitted, partially approved and paid, and another submitted and denied, show in the billing report
// by the status each moved to, with their amounts claimed, approved and paid, per day in the CSV;
// recording a move's facts again changes nothing.
func TestClaimsByStatus(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("HOSPITAL_CURRENCY", "GBP"), apptest.WithEnv("REACTION_POLL", "100ms"))
	h := env.Hospital()
	admin, staff := h.Admin.Token, h.Staff.Token
	env.Put("/api/billing/prices/PROC", admin, map[string]any{"name": "Procedure", "kind": "procedure", "amount": 10000}).Want(t, 200)
	var payer struct {
		ID string `json:"id"`
	}
	env.Post("/api/billing/payers", admin, map[string]any{"code": "ACME", "name": "Acme Health"}).Want(t, 201).Decode(t, &payer)
	type claim struct {
		ID  string `json:"id"`
		Rev int    `json:"rev"`
	}
	claimFor := func(key string) claim {
		pid := env.NewUser(shared.RolePatient).User.PatientID
		env.Post("/api/patients/"+pid+"/policies", staff, map[string]any{"payer_id": payer.ID, "member_id": "M-" + key,
			"coverage_bp": 8000, "valid_from": "2020-01-01"}).Want(t, 201)
		env.Do(apptest.Request{Method: "POST", Path: "/api/patients/" + pid + "/charges", Token: staff,
			Body: map[string]any{"code": "PROC", "reason": "done in clinic"}, Header: map[string]string{"Idempotency-Key": key}}).Want(t, 201)
		var inv struct {
			ID  string `json:"id"`
			Rev int    `json:"rev"`
		}
		env.Post("/api/invoices", staff, map[string]any{"patient_id": pid}).Want(t, http.StatusCreated).Decode(t, &inv)
		env.Post("/api/invoices/"+inv.ID+"/issue", staff, map[string]any{"rev": inv.Rev}).Want(t, 200)
		var c claim
		env.Post("/api/invoices/"+inv.ID+"/claims", staff, nil).Want(t, 201).Decode(t, &c)
		return c
	}
	move := func(c *claim, body map[string]any) {
		body["rev"] = c.Rev
		env.Post("/api/claims/"+c.ID+"/status", staff, body).Want(t, 200).Decode(t, c)
	}
	paid, denied := claimFor("c1"), claimFor("c2") // 8000 claimed each
	move(&paid, map[string]any{"status": "submitted"})
	move(&paid, map[string]any{"status": "partially_approved", "approved_amount": 6000})
	move(&paid, map[string]any{"status": "paid", "paid_amount": 5500})
	move(&denied, map[string]any{"status": "submitted"})
	move(&denied, map[string]any{"status": "denied", "reason": "not covered"})

	day := "from=2030-01-07&to=2030-01-07"
	want := `[{"status":"draft","claims":2,"claimed":16000,"approved":0,"paid":0},` +
		`{"status":"submitted","claims":2,"claimed":16000,"approved":0,"paid":0},` +
		`{"status":"partially_approved","claims":1,"claimed":8000,"approved":6000,"paid":0},` +
		`{"status":"denied","claims":1,"claimed":8000,"approved":0,"paid":0},` +
		`{"status":"paid","claims":1,"claimed":8000,"approved":6000,"paid":5500}]`
	var bill shared.BillingReport
	eventually(t, "the claims by status", func() bool {
		env.Get("/api/reports/billing?"+day, admin).Want(t, 200).Decode(t, &bill)
		return jsonOf(t, bill.Claims) == want
	})
	if len(bill.Days) != 1 || bill.Days[0].ClaimsSubmitted != 2 || bill.Days[0].ClaimsPaid != 5500 {
		t.Fatalf("days: got %+v, want 2 claims submitted and 5500 paid by the payer", bill.Days)
	}
	csv := env.Get("/api/reports/billing?"+day+"&format=csv", admin).Want(t, 200)
	if !strings.Contains(string(csv.Body), "outstanding,claims_submitted,claims_paid,currency") ||
		!strings.Contains(string(csv.Body), ",2,5500,GBP") {
		t.Fatalf("CSV:\n%s\nwant the claims columns", csv.Body)
	}

	// A reaction run again records the same facts: nothing changes.
	r := env.App.Reports
	if err := r.Record(context.Background(), r.ClaimFacts(report.ClaimMove{ClaimID: paid.ID, Seq: 4, Status: "paid",
		At: apptest.At(8, 0), Amount: 8000, Approved: 6000, Paid: 5500})...); err != nil {
		t.Fatal(err)
	}
	env.Get("/api/reports/billing?"+day, admin).Want(t, 200).Decode(t, &bill)
	if got := jsonOf(t, bill.Claims); got != want {
		t.Fatalf("after recording a move again: got %s, want %s", got, want)
	}
}

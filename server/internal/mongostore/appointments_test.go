package mongostore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/appointment"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestAppointmentReasonsSealedAndRekeyed is docs/security.md row 41 for appointments: the reason of an
// appointment (in the record, its queue copy and every step's state) and a step's own reason are
// ciphertext in the raw documents and read back; values stored in clear before sealing still read;
// `hms rekey` seals them and moves every value to the new key, once.
func TestAppointmentReasonsSealedAndRekeyed(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	s := mongostore.NewAppointments(db, testKeys(t, "k1"))
	now := time.Now().UTC()
	r := appointment.Record{ID: ident.New(), PatientID: ident.New(), PatientName: "P", DoctorID: ident.New(),
		Department: "general", Start: now, End: now.Add(15 * time.Minute), Reason: "reason-chest-pain-6a1f",
		Status: shared.StatusScheduled, Step: 1, CreatedAt: now,
		Ticket: appointment.Ticket{Number: 1, Department: "general", Day: now.Format(time.DateOnly), Triage: 3, CheckedInAt: now}}
	if err := s.InsertAppointment(ctx, r, appointment.Step{AppointmentID: r.ID, Step: 1, Action: "booked", Status: r.Status, At: now, State: r}); err != nil {
		t.Fatal(err)
	}
	r.Status, r.Step = shared.StatusCancelled, 2
	if err := s.InsertStep(ctx, appointment.Step{AppointmentID: r.ID, Step: 2, Action: "cancelled", Status: r.Status, At: now,
		Reason: "step-why-pregnancy-2b9c", State: r}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetState(ctx, r); err != nil {
		t.Fatal(err)
	}
	plain := [][]byte{[]byte("chest-pain"), []byte("pregnancy")}
	rawAll := func(t *testing.T) int {
		t.Helper()
		n := 0
		for _, col := range []string{"appointments", "queue_tickets", "appointment_steps"} {
			cur, err := db.Collection(col).Find(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			for cur.Next(ctx) {
				n++
				for _, p := range plain {
					if bytes.Contains(cur.Current, p) {
						t.Errorf("%s: plaintext %q in %s", col, p, cur.Current)
					}
				}
			}
			_ = cur.Close(ctx)
		}
		return n
	}
	if n := rawAll(t); n != 4 {
		t.Fatalf("read %d documents, want 4: the appointment, its queue copy, two steps", n)
	}
	check := func(t *testing.T, s *mongostore.Appointments) {
		t.Helper()
		got, err := s.Appointment(ctx, r.ID)
		if err != nil || got.Reason != r.Reason {
			t.Fatalf("appointment: got %q, %v, want %q", got.Reason, err, r.Reason)
		}
		steps, err := s.Steps(ctx, r.ID, 2)
		if err != nil || len(steps) != 2 || steps[1].Reason != "step-why-pregnancy-2b9c" || steps[0].State.Reason != r.Reason {
			t.Fatalf("steps: got %+v, %v, want both, the second with its reason", steps, err)
		}
		day, err := s.Day(ctx, "general", r.Ticket.Day)
		if err != nil || len(day) != 1 || day[0].Reason != r.Reason {
			t.Fatalf("queue: got %+v, %v", day, err)
		}
	}
	check(t, s)

	// An appointment and a step stored before sealing (plain reasons) still read.
	legacy := ident.New()
	if _, err := db.Collection("appointments").InsertOne(ctx, bson.D{{Key: "_id", Value: legacy}, {Key: "patient_id", Value: ident.New()},
		{Key: "reason", Value: "old-plain-reason"}, {Key: "status", Value: "scheduled"}, {Key: "step", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("appointment_steps").InsertOne(ctx, bson.D{{Key: "_id", Value: legacy + "#00001"}, {Key: "appointment_id", Value: legacy},
		{Key: "step", Value: 1}, {Key: "reason", Value: "old-step-reason"},
		{Key: "state", Value: bson.D{{Key: "_id", Value: legacy}, {Key: "reason", Value: "old-plain-reason"}}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Appointment(ctx, legacy); err != nil || got.Reason != "old-plain-reason" {
		t.Fatalf("legacy appointment: %q %v", got.Reason, err)
	}
	if st, err := s.Step(ctx, legacy, 1); err != nil || st.Reason != "old-step-reason" || st.State.Reason != "old-plain-reason" {
		t.Fatalf("legacy step: %+v %v", st, err)
	}

	rotated := mongostore.NewAppointments(db, testKeys(t, "k2", "k1"))
	// Sealed under k1: the record's, the queue copy's, two steps' states and one step's own reason (5);
	// in clear: the legacy record's, its step's and its step state's (3).
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 8 {
		t.Fatalf("rekey re-sealed %d (%v), want 8", n, err)
	}
	if n, err := rotated.Rekey(ctx, nil); err != nil || n != 0 {
		t.Fatalf("second rekey re-sealed %d (%v), want 0", n, err)
	}
	plain = append(plain, []byte("old-plain-reason"), []byte("old-step-reason"))
	rawAll(t)
	only := mongostore.NewAppointments(db, testKeys(t, "k2"))
	check(t, only)
	if st, err := only.Step(ctx, legacy, 1); err != nil || st.Reason != "old-step-reason" || st.State.Reason != "old-plain-reason" {
		t.Fatalf("legacy step with only k2: %+v %v", st, err)
	}
}

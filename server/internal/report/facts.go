package report

import (
	"fmt"
	"time"
)

// Visit is one stored step of an appointment, as the figures read it (the composition root makes it
// from the appointment domain's step). No patient in it.
type Visit struct {
	AppointmentID string
	Step          int
	// Action is the step's action: booked, cancelled, no_show, called, started, finished.
	Action string
	// At is when the step was stored: the day it counts on.
	At         time.Time
	Department string
	// DoctorID is the appointment's doctor (booked with, or who took the ticket).
	DoctorID string
	// The ticket, when checked in: its queue's department and day, and its times.
	TicketDepartment string
	TicketDay        string
	CheckedInAt      time.Time
	CalledAt         time.Time
	CalledBy         string
	StartedAt        time.Time
	FinishedAt       time.Time
}

// VisitFacts returns the facts a step of an appointment contributes, each under an id derived from
// the step, so that recording them again changes nothing:
//
//   - booked, cancelled, no_show: one count on the step's day, for the appointment's department and
//     doctor (appt:<id>:<step>);
//   - called (or started straight from the queue): the ticket's wait from check-in to that call, on the
//     ticket's day and check-in hour, once per ticket (wait:<id>: a ticket called again after being
//     put back keeps its first wait);
//   - finished: a consultation seen, on the step's day and hour, with its length (start to finish) and
//     the patient's wait, for the seeing doctor (appt:<id>:<step>).
func (s *Service) VisitFacts(v Visit) []Fact {
	id := fmt.Sprintf("appt:%s:%d", v.AppointmentID, v.Step)
	dept := v.Department
	if v.TicketDepartment != "" {
		dept = v.TicketDepartment
	}
	switch v.Action {
	case "booked", "cancelled", "no_show":
		kind := map[string]Kind{"booked": Booked, "cancelled": Cancelled, "no_show": NoShow}[v.Action]
		return []Fact{{ID: id, Day: s.DayOf(v.At), Kind: kind, Dept: dept, Doctor: v.DoctorID}}
	case "called", "started":
		if v.CheckedInAt.IsZero() || v.CalledAt.IsZero() {
			return nil
		}
		day := v.TicketDay
		if day == "" {
			day = s.DayOf(v.CheckedInAt)
		}
		return []Fact{{ID: "wait:" + v.AppointmentID, Day: day, Kind: Waited, Dept: dept, Hour: s.HourOf(v.CheckedInAt),
			Minutes: minutes(v.CalledAt.Sub(v.CheckedInAt))}}
	case "finished":
		doctor := v.CalledBy
		if doctor == "" {
			doctor = v.DoctorID
		}
		f := Fact{ID: id, Day: s.DayOf(v.At), Kind: Completed, Dept: dept, Doctor: doctor, Hour: s.HourOf(v.At), Minutes: -1}
		if !v.StartedAt.IsZero() && !v.FinishedAt.IsZero() {
			f.Seconds = max(int64(v.FinishedAt.Sub(v.StartedAt)/time.Second), 1)
		}
		if !v.CheckedInAt.IsZero() && !v.CalledAt.IsZero() {
			f.Minutes = minutes(v.CalledAt.Sub(v.CheckedInAt))
		}
		return []Fact{f}
	}
	return nil
}

// Stay is an admission as the figures read it: its department (the ward's) and its times.
type Stay struct {
	AdmissionID  string
	Department   string
	AdmittedAt   time.Time
	DischargedAt time.Time
}

// AdmittedFacts is an admission's count on its day (adm:<id>).
func (s *Service) AdmittedFacts(st Stay) []Fact {
	return []Fact{{ID: "adm:" + st.AdmissionID, Day: s.DayOf(st.AdmittedAt), Kind: Admitted, Dept: st.Department}}
}

// DischargedFacts is a discharge's count and length of stay on its day (dis:<id>).
func (s *Service) DischargedFacts(st Stay) []Fact {
	return []Fact{{ID: "dis:" + st.AdmissionID, Day: s.DayOf(st.DischargedAt), Kind: Discharged, Dept: st.Department,
		Minutes: minutes(st.DischargedAt.Sub(st.AdmittedAt))}}
}

// InvoiceFacts is an issued invoice's total on its issue day (inv:<id>).
func (s *Service) InvoiceFacts(invoiceID string, issuedAt time.Time, total int64) []Fact {
	return []Fact{{ID: "inv:" + invoiceID, Day: s.DayOf(issuedAt), Kind: Invoiced, Amount: total}}
}

// CreditFacts is an issued credit note's amount (positive) on its issue day (cn:<id>).
func (s *Service) CreditFacts(noteID string, issuedAt time.Time, amount int64) []Fact {
	return []Fact{{ID: "cn:" + noteID, Day: s.DayOf(issuedAt), Kind: Credited, Amount: amount}}
}

// Entry is a payment or refund as the figures read it.
type Entry struct {
	Op        string
	InvoiceID string
	Refund    bool
	Amount    int64
	At        time.Time
	// SettledFrom is the invoice's issue time when this payment brought its balance to zero (zero
	// otherwise): the invoice counts as paid in full that day, once (settled:<invoice>).
	SettledFrom time.Time
}

// EntryFacts is a ledger entry's amount on its day (led:<op>), and the invoice's settlement when it
// paid the invoice in full.
func (s *Service) EntryFacts(e Entry) []Fact {
	kind := Paid
	if e.Refund {
		kind = Refunded
	}
	out := []Fact{{ID: "led:" + e.Op, Day: s.DayOf(e.At), Kind: kind, Amount: e.Amount}}
	if !e.SettledFrom.IsZero() {
		out = append(out, Fact{ID: "settled:" + e.InvoiceID, Day: s.DayOf(e.At), Kind: Settled, Minutes: minutes(e.At.Sub(e.SettledFrom))})
	}
	return out
}

// RevenueFacts is a consultation charge posted for a doctor (rev:<charge id>), on the charge's day.
func (s *Service) RevenueFacts(chargeID, doctorID, dept string, at time.Time, total int64) []Fact {
	if doctorID == "" || total == 0 {
		return nil
	}
	return []Fact{{ID: "rev:" + chargeID, Day: s.DayOf(at), Kind: Revenue, Doctor: doctorID, Dept: dept, Amount: total}}
}

// ClaimMove is an insurance claim's move as the figures read it: the status it moved to (draft when
// made) at Seq, and its amounts claimed, approved and paid as they stood after it.
type ClaimMove struct {
	ClaimID  string
	Seq      int
	Status   string
	At       time.Time
	Amount   int64
	Approved int64
	Paid     int64
}

// ClaimFacts is a claim's move on its day, under its status (claim:<id>:<seq>).
func (s *Service) ClaimFacts(m ClaimMove) []Fact {
	return []Fact{{ID: fmt.Sprintf("claim:%s:%d", m.ClaimID, m.Seq), Day: s.DayOf(m.At), Kind: Claim, Status: m.Status,
		Amount: m.Amount, Approved: m.Approved, PaidOut: m.Paid}}
}

func minutes(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return int64(d / time.Minute)
}

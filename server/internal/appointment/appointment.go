// Package appointment books appointments, checks patients in, orders each department's queue by triage
// with aging, estimates waits, and moves tickets through the consultation. Every state change is a step
// inserted under a unique {appointment_id, step} index (two people pressing "call" on one ticket cannot
// both win), every slot is a claim under a unique _id, and every change is published on the live stream.
//
// An appointment and its queue ticket are one record: a walk-in or an emergency admission is an
// appointment created already checked in.
package appointment

import (
	"context"
	"time"

	"hms/server/internal/doctor"
	"hms/server/internal/fault"
	"hms/server/internal/idem"
	"hms/shared"
)

// Record is an appointment as stored.
type Record struct {
	ID          string
	PatientID   string
	PatientName string
	DoctorID    string
	DoctorName  string
	Department  string
	Start, End  time.Time
	Reason      string
	Status      shared.AppointmentStatus
	WalkIn      bool
	Emergency   bool
	// SlotKey is the slot claim this appointment holds ("" for walk-ins and once released).
	SlotKey   string
	Ticket    Ticket
	Step      int
	CreatedBy string
	CreatedAt time.Time
}

// Ticket is the queue part of an appointment; Number 0 means not checked in. Zero times are unset.
type Ticket struct {
	Number      int
	Department  string
	Day         string
	Triage      int
	CheckedInAt time.Time
	// CheckedInBy is the user who checked the ticket in (booked or walk-in) or admitted the emergency:
	// a doctor's own check-in is not care someone else sent them (docs/security.md row 34).
	CheckedInBy string
	// Alerted is set on an emergency admitted at ESI 1–2, which raised an alert on every staff screen.
	Alerted  bool
	CalledAt time.Time
	CalledBy string
	// CalledByName is the calling doctor's name, for the waiting-room display.
	CalledByName string
	StartedAt    time.Time
	FinishedAt   time.Time
}

// Step is one change of an appointment, with the whole record as it is after the change: replaying
// the newest step repairs a record whose update was interrupted.
type Step struct {
	AppointmentID string
	Step          int
	Action        string
	Status        shared.AppointmentStatus
	At            time.Time
	By            string
	Role          shared.Role
	Reason        string
	State         Record
}

// Claim holds a slot for an appointment. Key (doctor id + "@" + start) is unique.
type Claim struct {
	Key           string
	AppointmentID string
	DoctorID      string
	Start, End    time.Time
	At            time.Time
}

// Filter narrows a listing; empty fields match everything.
type Filter struct {
	DoctorID  string
	PatientID string
	Status    shared.AppointmentStatus
	// Statuses, when set, keeps the appointments in any of these statuses (with Status, both hold).
	Statuses []shared.AppointmentStatus
	From, To time.Time // start at or after From and before To, each when set
}

// Store keeps appointments, their steps, slot claims, idempotency keys and ticket numbers.
type Store interface {
	CareStore
	doctor.Bookings
	// RenamePatient replaces the patient's name in their appointments, steps and queue tickets.
	RenamePatient(ctx context.Context, patientID, name string) error
	// ClaimSlot fails with ErrSlotTaken when another appointment holds the slot.
	ClaimSlot(ctx context.Context, c Claim) error
	// SlotHolder returns the appointment holding the slot and when it claimed it, ErrNotFound when none.
	SlotHolder(ctx context.Context, key string) (string, time.Time, error)
	// ReleaseSlot deletes the claim if appointmentID still holds it.
	ReleaseSlot(ctx context.Context, key, appointmentID string) error

	// Idempotency-Keys of bookings, check-ins and emergencies; the result is the appointment's id.
	idem.Store

	// InsertAppointment stores a new appointment together with its first step.
	InsertAppointment(ctx context.Context, r Record, first Step) error
	// InsertStep fails with ErrStepTaken when the appointment already has that step.
	InsertStep(ctx context.Context, s Step) error
	// SetState replaces the stored record by r (the writer of step r.Step; steps are exclusive).
	SetState(ctx context.Context, r Record) error
	// Appointment fails with ErrNotFound.
	Appointment(ctx context.Context, id string) (Record, error)
	// Steps returns steps 1 to n of the appointment.
	Steps(ctx context.Context, id string, n int) ([]Step, error)
	// StepsAfter returns the appointment's steps after step n, if any.
	StepsAfter(ctx context.Context, id string, n int) ([]Step, error)
	// Step returns step n of the appointment, ErrNotFound when it has none.
	Step(ctx context.Context, id string, n int) (Step, error)
	List(ctx context.Context, f Filter, skip, limit int) ([]Record, int, error)
	// Day returns every ticket of the department's queue on day (YYYY-MM-DD).
	Day(ctx context.Context, department, day string) ([]Record, error)
	// Departments returns the departments with at least one ticket on day.
	Departments(ctx context.Context, day string) ([]string, error)
	// PruneQueues forgets the queues of days before day (the appointments keep their tickets).
	PruneQueues(ctx context.Context, day string) error
	// PruneClaims deletes the claims of slots that ended before t: past slots cannot be booked.
	PruneClaims(ctx context.Context, t time.Time) error

	// ClaimTicketNumber fails with ErrNumberTaken when the department already issued n that day.
	ClaimTicketNumber(ctx context.Context, department, day string, n int, appointmentID string) error
	// MaxTicketNumber returns the highest number issued by the department on day, 0 when none.
	MaxTicketNumber(ctx context.Context, department, day string) (int, error)
}

// The domain's errors.
var (
	ErrNotFound    = fault.New(fault.ErrNotFound, "appointment not found")
	ErrSlotTaken   = fault.New(fault.ErrConflict, "this slot is already booked")
	ErrStepTaken   = fault.New(fault.ErrConflict, "the appointment was changed at the same moment; reload and try again")
	ErrNumberTaken = fault.New(fault.ErrConflict, "ticket number already issued")
	ErrQueueEmpty  = fault.New(fault.ErrNotFound, "nobody is waiting in this queue for you")
)

// transitions says which statuses each action may start from, and where it leads ("" = unchanged).
var transitions = map[string]struct {
	from []shared.AppointmentStatus
	to   shared.AppointmentStatus
}{
	"rescheduled": {[]shared.AppointmentStatus{shared.StatusScheduled}, ""},
	"cancelled":   {[]shared.AppointmentStatus{shared.StatusScheduled, shared.StatusCheckedIn}, shared.StatusCancelled},
	"checked_in":  {[]shared.AppointmentStatus{shared.StatusScheduled}, shared.StatusCheckedIn},
	"called":      {[]shared.AppointmentStatus{shared.StatusCheckedIn}, shared.StatusCalled},
	"started":     {[]shared.AppointmentStatus{shared.StatusCheckedIn, shared.StatusCalled}, shared.StatusInConsultation},
	"finished":    {[]shared.AppointmentStatus{shared.StatusInConsultation}, shared.StatusCompleted},
	"no_show":     {[]shared.AppointmentStatus{shared.StatusScheduled, shared.StatusCheckedIn, shared.StatusCalled}, shared.StatusNoShow},
	"requeued":    {[]shared.AppointmentStatus{shared.StatusCalled, shared.StatusInConsultation, shared.StatusNoShow}, shared.StatusCheckedIn},
	"triaged":     {[]shared.AppointmentStatus{shared.StatusCheckedIn, shared.StatusCalled}, ""},
}

// allowedFrom checks that action may be taken on r, and moves r to the action's status.
func allowedFrom(r *Record, action string) error {
	t := transitions[action]
	for _, s := range t.from {
		if r.Status == s {
			if t.to != "" {
				r.Status = t.to
			}
			return nil
		}
	}
	return fault.New(fault.ErrConflict, "the appointment is %s: it cannot be %s", r.Status, verb(action))
}

func verb(action string) string {
	switch action {
	case "no_show":
		return "marked no-show"
	case "checked_in":
		return "checked in"
	}
	return action
}

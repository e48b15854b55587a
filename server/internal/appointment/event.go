package appointment

import (
	"context"
	"errors"
	"fmt"

	"hms/server/internal/auth"
	"hms/server/internal/reaction"
)

// Change names one stored change of an appointment: its step. Events carry ids only; a reaction reads
// the change itself through Service.Change.
type Change struct {
	AppointmentID string `json:"appointment_id"`
	Step          int    `json:"step"`
}

// Key implements reaction.Event: a step is made once.
func (c Change) Key() string { return fmt.Sprintf("%s:%d", c.AppointmentID, c.Step) }

// The events the appointment domain announces, each once its step is stored.
type (
	// Booked: an appointment was booked (step 1 of a booking; walk-ins and emergencies are not
	// booked, they are checked in).
	Booked struct{ Change }
	// Rescheduled: an appointment moved to another slot.
	Rescheduled struct{ Change }
	// Cancelled: an appointment was cancelled.
	Cancelled struct{ Change }
	// Finished: a consultation was finished.
	Finished struct{ Change }
	// Called: a ticket was called from the queue (or its consultation started straight from the
	// queue, which calls it too).
	Called struct{ Change }
	// NoShowed: a patient was marked no-show.
	NoShowed struct{ Change }
)

// EventType implements reaction.Event.
func (Booked) EventType() string { return "appointment.booked" }

// EventType implements reaction.Event.
func (Rescheduled) EventType() string { return "appointment.rescheduled" }

// EventType implements reaction.Event.
func (Cancelled) EventType() string { return "appointment.cancelled" }

// EventType implements reaction.Event.
func (Finished) EventType() string { return "appointment.finished" }

// EventType implements reaction.Event.
func (Called) EventType() string { return "appointment.called" }

// EventType implements reaction.Event.
func (NoShowed) EventType() string { return "appointment.no-show" }

// eventFor is the event a step with action announces; nil for the steps nobody reacts to (queue moves
// are published live, not announced).
func eventFor(action string, c Change) reaction.Event {
	switch action {
	case "booked":
		return Booked{c}
	case "rescheduled":
		return Rescheduled{c}
	case "cancelled":
		return Cancelled{c}
	case string(Finish):
		return Finished{c}
	case string(Call):
		return Called{c}
	case string(NoShow):
		return NoShowed{c}
	}
	return nil
}

// expect announces the event of a step before it is stored (see package reaction); a step that
// announces nothing gets a Pending that does nothing.
func (s *Service) expect(ctx context.Context, action string, c Change) (*reaction.Pending, error) {
	ev := eventFor(action, c)
	if ev == nil || s.bus == nil {
		return nil, nil
	}
	return s.bus.Expect(ctx, ev)
}

// Happened reports whether the change c is stored: reaction.Verify for the domain's events.
func (s *Service) Happened(ctx context.Context, c Change) (bool, error) {
	_, err := s.store.Step(ctx, c.AppointmentID, c.Step)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Verify gives the bus the check of every event the domain announces.
func (s *Service) Verify(b *reaction.Bus) {
	reaction.Verify(b, func(ctx context.Context, e Booked) (bool, error) { return s.Happened(ctx, e.Change) })
	reaction.Verify(b, func(ctx context.Context, e Rescheduled) (bool, error) { return s.Happened(ctx, e.Change) })
	reaction.Verify(b, func(ctx context.Context, e Cancelled) (bool, error) { return s.Happened(ctx, e.Change) })
	reaction.Verify(b, func(ctx context.Context, e Finished) (bool, error) { return s.Happened(ctx, e.Change) })
	reaction.Verify(b, func(ctx context.Context, e Called) (bool, error) { return s.Happened(ctx, e.Change) })
	reaction.Verify(b, func(ctx context.Context, e NoShowed) (bool, error) { return s.Happened(ctx, e.Change) })
}

// Change returns the appointment as it was before step c and after it, and who made it.
func (s *Service) Change(ctx context.Context, c Change) (before, after Record, by auth.Principal, err error) {
	st, err := s.store.Step(ctx, c.AppointmentID, c.Step)
	if err != nil {
		return Record{}, Record{}, auth.Principal{}, err
	}
	if c.Step > 1 {
		prev, err := s.store.Step(ctx, c.AppointmentID, c.Step-1)
		if err != nil {
			return Record{}, Record{}, auth.Principal{}, err
		}
		before = prev.State
	}
	return before, st.State, auth.Principal{UserID: st.By, Role: st.Role}, nil
}

// Stepped returns the stored step c: its action, time and the appointment after it.
func (s *Service) Stepped(ctx context.Context, c Change) (Step, error) {
	return s.store.Step(ctx, c.AppointmentID, c.Step)
}

package appointment

import (
	"context"

	"hms/shared"
)

// publish tells everyone concerned about a change: the patient (patient:<id>); for a queue ticket the
// department's queue (queue:dept:<d>), the doctor's queue (queue:doctor:<id>) and the waiting-room
// display (display:<d>, numbers only); before check-in, the doctor's queue. A failure to publish is
// logged, not returned: the change itself is stored, and clients recover missed events from the store.
// Events carry ids and scheduling fields only (docs/security.md row 41): they are stored in clear for
// replay (7 days) and cross Redis, so neither the reason (free text, kept sealed in the record) nor the
// patient's name is in them. A screen that shows either reads it over REST, which asks the access rule
// and audits; doctors' names and departments are not patient data and stay.
func (s *Service) publish(ctx context.Context, action string, r Record) {
	ctx = context.WithoutCancel(ctx)
	a := eventView(r)
	ev := shared.AppointmentEvent{Action: action, Appointment: a}
	s.emit(ctx, shared.ChannelPatient+":"+r.PatientID, shared.EventAppointment, ev)
	doctorID := r.DoctorID
	if doctorID == "" {
		doctorID = r.Ticket.CalledBy
	}
	if r.Ticket.Number == 0 {
		if doctorID != "" {
			s.emit(ctx, shared.ChannelDocQueue+":"+doctorID, shared.EventAppointment, ev)
		}
		return
	}
	dept, day := r.Ticket.Department, r.Ticket.Day
	queueEvent := func(ctx context.Context) (any, error) {
		b, err := s.board(ctx, dept, day)
		if err != nil {
			return nil, err
		}
		return shared.QueueEvent{Action: action, Appointment: a, Waits: b.waits()}, nil
	}
	s.emitWith(ctx, shared.ChannelDeptQueue+":"+dept, shared.EventQueueChanged, queueEvent)
	if doctorID != "" {
		s.emitWith(ctx, shared.ChannelDocQueue+":"+doctorID, shared.EventQueueChanged, queueEvent)
	}
	s.emitWith(ctx, shared.ChannelDisplay+":"+dept, shared.EventDisplay, func(ctx context.Context) (any, error) {
		b, err := s.board(ctx, dept, day)
		if err != nil {
			return nil, err
		}
		return s.display(b, dept, day), nil
	})
}

// eventView is an appointment as events carry it: without its reason and its patient's name.
func eventView(r Record) shared.Appointment {
	a := r.Public()
	a.Reason, a.PatientName = "", ""
	return a
}

func (s *Service) emit(ctx context.Context, channel, typ string, data any) {
	if _, err := s.pub.Publish(ctx, channel, typ, data); err != nil {
		s.log.WarnContext(ctx, "publish event", "channel", channel, "type", typ, "err", err)
	}
}

func (s *Service) emitWith(ctx context.Context, channel, typ string, build func(context.Context) (any, error)) {
	if _, err := s.pub.PublishWith(ctx, channel, typ, build); err != nil {
		s.log.WarnContext(ctx, "publish event", "channel", channel, "type", typ, "err", err)
	}
}

// board loads a department's day and orders it now.
func (s *Service) board(ctx context.Context, dept, day string) (board, error) {
	recs, err := s.store.Day(ctx, dept, day)
	if err != nil {
		return board{}, err
	}
	return s.policy.newBoard(recs, s.now()), nil
}

// waits lists each waiting ticket's position and estimate.
func (b board) waits() []shared.TicketWait {
	out := make([]shared.TicketWait, len(b.waiting))
	for i, r := range b.waiting {
		out[i] = shared.TicketWait{AppointmentID: r.ID, Number: r.Ticket.Number, Position: i + 1, EstimatedWaitMinutes: b.estimates[i]}
	}
	return out
}

// waitingPublic returns the waiting tickets with positions and estimates; keep filters by record.
func (b board) waitingPublic(keep func(Record) bool) []shared.Appointment {
	out := []shared.Appointment{}
	for i, r := range b.waiting {
		if keep != nil && !keep(r) {
			continue
		}
		a := r.Public()
		est := b.estimates[i]
		a.Ticket.Position, a.Ticket.EstimatedWaitMinutes = i+1, &est
		out = append(out, a)
	}
	return out
}

// displayNext is how many waiting tickets a display board lists.
const displayNext = 12

// display builds the waiting-room board: numbers, doctors and waits, never patients' names, nor which
// ticket is urgent (the room would know who the emergency is).
func (s *Service) display(b board, dept, day string) shared.DisplayBoard {
	d := shared.DisplayBoard{Department: dept, Day: day, At: s.clock(), NowServing: []shared.DisplayTicket{},
		Next: []shared.DisplayTicket{}, Waiting: len(b.waiting), AverageWaitMinutes: b.stats.AverageWaitMinutes,
		LongestWaitMinutes: b.stats.LongestWaitMinutes}
	for _, r := range b.serving {
		name := r.Ticket.CalledByName
		if name == "" {
			name = r.DoctorName
		}
		d.NowServing = append(d.NowServing, shared.DisplayTicket{Number: r.Ticket.Number, DoctorName: name,
			Status: string(r.Status)})
	}
	for i, r := range b.waiting {
		if i == displayNext {
			break
		}
		est := b.estimates[i]
		d.Next = append(d.Next, shared.DisplayTicket{Number: r.Ticket.Number, Status: string(r.Status),
			EstimatedWaitMinutes: &est})
	}
	return d
}

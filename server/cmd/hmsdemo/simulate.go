package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"hms/shared"
)

// sim plays a morning at the hospital against the server, with time compressed by speed: reception
// checks patients in, doctors call, see and finish them, and an emergency arrives midway. The server
// stamps everything with real time; only the demo's waits are compressed.
type sim struct {
	a      *api
	h      *hospital
	speed  float64
	length time.Duration // simulated length of the morning
	t0     time.Time     // real start
	open   time.Time     // the simulated clock at t0

	checkedIn, walkIns, seen, noShows, calls atomic.Int64
	arrived                                  atomic.Bool // every planned arrival has come

	mu   sync.Mutex
	done []shared.Appointment // finished this run, with their tickets' timestamps
}

// arrival is something that happens at reception at a simulated offset into the morning.
type arrival struct {
	at time.Duration
	do func(ctx context.Context) error
}

var walkInReasons = map[string][]string{
	"general-medicine": {"sore throat", "rash", "dizziness", "minor burn"},
	"cardiology":       {"shortness of breath on stairs", "irregular pulse"},
	"pediatrics":       {"child with high fever", "child with cough"},
	"emergency":        {"sprained ankle", "cut finger", "fall from a bicycle"},
}

// run plays the morning and prints the departments' figures at the end.
func (s *sim) run(ctx context.Context) error {
	plan, err := s.plan(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("\nSimulated morning %s–%s at %gx (one simulated minute every %.2g s): %d arrivals planned\n",
		s.open.Format("15:04"), s.open.Add(s.length).Format("15:04"), s.speed, 60/s.speed, len(plan))
	fmt.Printf("%-5s  %-16s %-6s %s\n", "time", "department", "ticket", "action")

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	goFail := func(f func() error) {
		wg.Go(func() {
			if err := f(); err != nil {
				cancel(err)
			}
		})
	}
	goFail(func() error {
		defer s.arrived.Store(true)
		for _, ev := range plan {
			if err := s.sleep(ctx, ev.at-s.elapsed()); err != nil {
				return err
			}
			if err := ev.do(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	for _, d := range s.h.doctors {
		goFail(func() error { return s.doctor(ctx, d) })
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	fmt.Printf("\nMorning over: %d booked patients checked in, %d walk-ins, 1 emergency; %d seen, %d no-shows.\n",
		s.checkedIn.Load(), s.walkIns.Load(), s.seen.Load(), s.noShows.Load())
	return s.report(ctx)
}

// plan lists the morning's arrivals: today's booked patients (earliest first, one appointment each),
// walk-ins with triage 3–5 — some with a record, two new — and one emergency admission midway.
func (s *sim) plan(ctx context.Context) ([]arrival, error) {
	var booked []shared.Appointment
	for _, d := range s.h.doctors {
		var list shared.AppointmentList
		q := url.Values{"doctor_id": {d.id}, "date": {s.h.today}, "status": {string(shared.StatusScheduled)}, "limit": {"100"}}
		if _, err := s.a.call(ctx, s.h.reception, http.MethodGet, "/api/appointments?"+q.Encode(), nil, &list, http.StatusOK); err != nil {
			return nil, err
		}
		booked = append(booked, list.Items...)
	}
	slices.SortFunc(booked, func(a, b shared.Appointment) int { return a.Start.Compare(b.Start) })
	busy := map[string]bool{} // patients with an appointment today do not also walk in
	for _, ap := range booked {
		busy[ap.PatientID] = true
	}
	var plan []arrival
	window := s.length * 6 / 10 // arrivals stop well before the end, so doctors can empty the queues
	arriving := map[string]bool{}
	for _, ap := range booked {
		if arriving[ap.PatientID] || len(arriving) >= 12 {
			continue
		}
		arriving[ap.PatientID] = true
		at := window * time.Duration(len(arriving)-1) / 12
		plan = append(plan, arrival{at + s.jitter(5), func(ctx context.Context) error { return s.checkIn(ctx, ap) }})
	}
	depts := []string{"general-medicine", "general-medicine", "pediatrics", "cardiology", "emergency"}
	walkIn := func(p *patient, name string) {
		dept := depts[rand.IntN(len(depts))]
		at := time.Duration(rand.Int64N(int64(window)))
		plan = append(plan, arrival{at, func(ctx context.Context) error { return s.walkIn(ctx, dept, p, name) }})
	}
	known := 0
	for _, p := range s.h.patients {
		if known == 7 {
			break
		}
		if !busy[p.id] {
			busy[p.id] = true
			known++
			walkIn(p, p.name)
		}
	}
	walkIn(nil, "Victor Hale")
	walkIn(nil, "Wendy Brooks")
	plan = append(plan, arrival{s.length / 2, s.emergency})
	slices.SortStableFunc(plan, func(a, b arrival) int { return cmp.Compare(a.at, b.at) })
	return plan, nil
}

func (s *sim) checkIn(ctx context.Context, ap shared.Appointment) error {
	req := shared.CheckInRequest{AppointmentID: ap.ID, Triage: 3 + rand.IntN(3)}
	var out shared.Appointment
	if _, err := s.a.call(ctx, s.h.reception, http.MethodPost, "/api/queue/checkin", req, &out, http.StatusCreated); err != nil {
		return err
	}
	s.checkedIn.Add(1)
	s.log(out, "checked in: %s, booked %s with %s (triage %d)", out.PatientName, clock(ap.Start, s.h.loc), ap.DoctorName, triage(out))
	return nil
}

// walkIn checks in a walk-in: a known patient, or (p nil) someone new, whose record the server creates.
// A known patient already in a queue today (409, from an earlier run) is skipped.
func (s *sim) walkIn(ctx context.Context, dept string, p *patient, name string) error {
	reasons := walkInReasons[dept]
	req := shared.CheckInRequest{Department: dept, Triage: 3 + rand.IntN(3), Reason: reasons[rand.IntN(len(reasons))]}
	if p != nil {
		req.PatientID = p.id
	} else {
		req.Name = name
	}
	var out shared.Appointment
	status, err := s.a.call(ctx, s.h.reception, http.MethodPost, "/api/queue/checkin", req, &out, http.StatusCreated, http.StatusConflict)
	if err != nil {
		return err
	}
	if status == http.StatusConflict {
		s.logf(dept, 0, "walk-in %s not checked in: already in a queue today (409)", name)
		return nil
	}
	s.walkIns.Add(1)
	what := "walk-in"
	if p == nil {
		what = "walk-in, new patient"
	}
	s.log(out, "checked in: %s (%s, %s, triage %d)", name, what, req.Reason, triage(out))
	return nil
}

func (s *sim) emergency(ctx context.Context) error {
	req := shared.EmergencyRequest{Department: "emergency", Triage: 1, Name: "Unknown, male, ~40", Complaint: "collapsed in the car park, unresponsive"}
	var out shared.Appointment
	if _, err := s.a.call(ctx, s.h.reception, http.MethodPost, "/api/queue/emergency", req, &out, http.StatusCreated); err != nil {
		return err
	}
	s.log(out, "EMERGENCY admitted, triage 1: %s — %s (alert raised, front of the queue)", req.Name, req.Complaint)
	return nil
}

// doctor calls the next patient of the doctor's department — a no-show now and then, otherwise a
// consultation of random length — until the morning is over, everyone planned has arrived (a slow
// server makes reception lag behind the clock) and nobody is left for them: everyone who came is seen.
func (s *sim) doctor(ctx context.Context, d *doctor) error {
	ticket := "/api/queue/tickets/"
	for {
		var ap shared.Appointment
		status, err := s.a.call(ctx, d.s, http.MethodPost, "/api/queues/"+d.department+"/next", nil, &ap, http.StatusOK, http.StatusNotFound)
		if err != nil {
			return err
		}
		if status == http.StatusNotFound {
			if s.elapsed() >= s.length && s.arrived.Load() {
				return nil
			}
			if err := s.sleep(ctx, s.minutes(2, 5)); err != nil {
				return err
			}
			continue
		}
		s.log(ap, "called by %s: %s (triage %d)", d.name, ap.PatientName, triage(ap))
		if !ap.Emergency && s.calls.Add(1)%10 == 4 { // every tenth patient called does not come
			if err := s.sleep(ctx, s.minutes(3, 5)); err != nil {
				return err
			}
			body := shared.ReasonRequest{Reason: "did not answer when called"}
			if _, err := s.a.call(ctx, d.s, http.MethodPost, ticket+ap.ID+"/no-show", body, &ap, http.StatusOK); err != nil {
				return err
			}
			s.noShows.Add(1)
			s.log(ap, "no-show: %s did not come when called", ap.PatientName)
			continue
		}
		if err := s.sleep(ctx, s.minutes(1, 2)); err != nil {
			return err
		}
		if _, err := s.a.call(ctx, d.s, http.MethodPost, ticket+ap.ID+"/start", nil, &ap, http.StatusOK); err != nil {
			return err
		}
		s.log(ap, "consultation started with %s", d.name)
		consult := s.minutes(6, 20)
		if ap.Emergency {
			consult = s.minutes(30, 45)
		}
		if err := s.sleep(ctx, consult); err != nil {
			return err
		}
		if _, err := s.a.call(ctx, d.s, http.MethodPost, ticket+ap.ID+"/finish", nil, &ap, http.StatusOK); err != nil {
			return err
		}
		s.seen.Add(1)
		s.mu.Lock()
		s.done = append(s.done, ap)
		s.mu.Unlock()
		s.log(ap, "finished: %s seen by %s in %d min", ap.PatientName, d.name, int(consult.Minutes()))
	}
}

// report prints each department's figures for today as the server gives them (GET
// /api/queues/{department}), then this run's waits and consultations in simulated minutes, from the
// tickets' timestamps: the server's figures are real minutes to one decimal, too coarse at high speed.
func (s *sim) report(ctx context.Context) error {
	fmt.Printf("\nToday's figures per department, GET /api/queues/{department} (real minutes; earlier runs today count too):\n")
	fmt.Printf("%-17s %7s %7s %5s %9s %13s %12s\n", "department", "waiting", "serving", "seen", "avg wait", "longest wait", "avg consult")
	for _, d := range departments {
		var q shared.QueueSnapshot
		if _, err := s.a.call(ctx, s.h.reception, http.MethodGet, "/api/queues/"+d.ID, nil, &q, http.StatusOK); err != nil {
			return err
		}
		st := q.Stats
		fmt.Printf("%-17s %7d %7d %5d %8.1fm %12.1fm %11.1fm\n", d.ID, st.Waiting, st.InConsultation, st.Seen,
			st.AverageWaitMinutes, st.LongestWaitTodayMinutes, st.AverageConsultationMinutes)
	}
	fmt.Printf("\nThis run in simulated minutes (the tickets' timestamps × %g):\n", s.speed)
	fmt.Printf("%-17s %5s %9s %13s %12s\n", "department", "seen", "avg wait", "longest wait", "avg consult")
	for _, d := range departments {
		var n int
		var wait, longest, consult time.Duration
		for _, ap := range s.done {
			t := ap.Ticket
			if ap.Department != d.ID || t == nil || t.CalledAt == nil || t.StartedAt == nil || t.FinishedAt == nil {
				continue
			}
			n++
			w := t.CalledAt.Sub(t.CheckedInAt)
			wait, longest, consult = wait+w, max(longest, w), consult+t.FinishedAt.Sub(*t.StartedAt)
		}
		if n == 0 {
			fmt.Printf("%-17s %5d\n", d.ID, 0)
			continue
		}
		sim := func(d time.Duration) float64 { return d.Minutes() * s.speed }
		fmt.Printf("%-17s %5d %8.1fm %12.1fm %11.1fm\n", d.ID, n, sim(wait)/float64(n), sim(longest), sim(consult)/float64(n))
	}
	return nil
}

// elapsed is the simulated time since the start.
func (s *sim) elapsed() time.Duration { return time.Duration(float64(time.Since(s.t0)) * s.speed) }

// sleep waits for d of simulated time.
func (s *sim) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(float64(d) / s.speed))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// minutes is a random simulated duration from lo to hi minutes.
func (s *sim) minutes(lo, hi int) time.Duration {
	return time.Duration(lo)*time.Minute + time.Duration(rand.Int64N(int64(hi-lo+1)*int64(time.Minute)))
}

func (s *sim) jitter(maxMinutes int) time.Duration { return s.minutes(0, maxMinutes) }

func triage(ap shared.Appointment) int {
	if ap.Ticket == nil {
		return 0
	}
	return ap.Ticket.Triage
}

var logMu sync.Mutex

// log prints one action on ap's ticket: simulated time, department, ticket number, what happened.
func (s *sim) log(ap shared.Appointment, format string, args ...any) {
	n := 0
	if ap.Ticket != nil {
		n = ap.Ticket.Number
	}
	s.logf(ap.Department, n, format, args...)
}

func (s *sim) logf(dept string, ticket int, format string, args ...any) {
	num := ""
	if ticket > 0 {
		num = fmt.Sprintf("#%d", ticket)
	}
	now := s.open.Add(s.elapsed()).Format("15:04")
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Printf("%-5s  %-16s %-6s %s\n", now, dept, num, fmt.Sprintf(format, args...))
}

// logf prints a line of the seeding phase.
func logf(format string, args ...any) {
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Printf("%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

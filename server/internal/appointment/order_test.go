package appointment

import (
	"slices"
	"testing"
	"time"

	"hms/shared"
)

var t0 = time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)

func waiting(n, triage int, checkedIn time.Time) Record {
	return Record{ID: string(rune('a' + n)), Status: shared.StatusCheckedIn, WalkIn: true,
		Ticket: Ticket{Number: n, Triage: triage, CheckedInAt: checkedIn}}
}

func numbers(rs []Record) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Ticket.Number)
	}
	return out
}

func TestOrderTriageThenAging(t *testing.T) {
	p := Policy{Aging: 30 * time.Minute, ConsultDefault: 15 * time.Minute}
	tests := []struct {
		name    string
		tickets []Record
		now     time.Time
		want    []int
	}{
		{"level first, then arrival", []Record{
			waiting(1, 4, t0), waiting(2, 3, t0.Add(time.Minute)), waiting(3, 4, t0.Add(2*time.Minute)), waiting(4, 2, t0.Add(3*time.Minute)),
		}, t0.Add(5 * time.Minute), []int{4, 2, 1, 3}},
		{"ESI 1 before ESI 2 whatever the arrival", []Record{
			waiting(1, 2, t0), waiting(2, 1, t0.Add(time.Minute)),
		}, t0.Add(2 * time.Minute), []int{2, 1}},
		// Ticket 1 (ESI 5) has waited 61 min: two aging steps make it 3, ahead of a later ESI 3.
		{"aging lifts a long wait to level 3", []Record{
			waiting(1, 5, t0), waiting(2, 3, t0.Add(50*time.Minute)),
		}, t0.Add(61 * time.Minute), []int{1, 2}},
		// After 29 min it is still 5 (no step yet): the later ESI 4 goes first.
		{"no aging before one step", []Record{
			waiting(1, 5, t0), waiting(2, 4, t0.Add(10*time.Minute)),
		}, t0.Add(29 * time.Minute), []int{2, 1}},
		// Aging never passes level 3: an ESI 5 waiting for hours stays behind an ESI 2.
		{"aging stops at 3", []Record{
			waiting(1, 5, t0), waiting(2, 2, t0.Add(5*time.Hour)),
		}, t0.Add(5*time.Hour + time.Minute), []int{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := slices.Clone(tt.tickets)
			p.order(rs, tt.now)
			if got := numbers(rs); !slices.Equal(got, tt.want) {
				t.Errorf("got order %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOrderBookedPatientDueAtTheirTime(t *testing.T) {
	p := Policy{Aging: 30 * time.Minute}
	early := Record{Status: shared.StatusCheckedIn, Start: t0.Add(30 * time.Minute),
		Ticket: Ticket{Number: 1, Triage: 4, CheckedInAt: t0}}
	walkIn := waiting(2, 4, t0.Add(10*time.Minute))
	rs := []Record{early, walkIn}
	p.order(rs, t0.Add(15*time.Minute))
	if got := numbers(rs); !slices.Equal(got, []int{2, 1}) {
		t.Errorf("got %v, want the walk-in (due 09:10) before the early arrival booked for 09:30", got)
	}
}

// TestWaitEstimateWorkedExample is the README's worked example: the department's last consultations
// took 8, 10 and 12 minutes (D = 10), two doctors serve (c = 2): one consultation started 4 minutes
// ago (6 left), one patient was just called (10 left), so R = 16. The waiting tickets wait
// (16 + 0·10)/2 = 8, (16 + 10)/2 = 13 and (16 + 20)/2 = 18 minutes.
func TestWaitEstimateWorkedExample(t *testing.T) {
	p := Policy{Aging: 30 * time.Minute, ConsultDefault: 15 * time.Minute}
	now := t0.Add(time.Hour)
	done := func(n int, started time.Time, minutes int) Record {
		return Record{Status: shared.StatusCompleted, Ticket: Ticket{Number: n, Triage: 4, CheckedInAt: t0,
			CalledAt: started, CalledBy: "dr-a", StartedAt: started, FinishedAt: started.Add(time.Duration(minutes) * time.Minute)}}
	}
	day := []Record{
		done(1, t0.Add(5*time.Minute), 8), done(2, t0.Add(15*time.Minute), 10), done(3, t0.Add(30*time.Minute), 12),
		{Status: shared.StatusInConsultation, Ticket: Ticket{Number: 4, Triage: 4, CheckedInAt: t0,
			CalledAt: now.Add(-5 * time.Minute), CalledBy: "dr-a", StartedAt: now.Add(-4 * time.Minute)}},
		{Status: shared.StatusCalled, Ticket: Ticket{Number: 5, Triage: 4, CheckedInAt: t0.Add(time.Minute),
			CalledAt: now, CalledBy: "dr-b"}},
		waiting(6, 4, t0.Add(20*time.Minute)), waiting(7, 4, t0.Add(25*time.Minute)), waiting(8, 4, t0.Add(40*time.Minute)),
	}
	b := p.newBoard(day, now)
	if got := b.estimates; !slices.Equal(got, []int{8, 13, 18}) {
		t.Fatalf("got estimates %v, want [8 13 18]", got)
	}
	want := shared.QueueStats{Waiting: 3, InConsultation: 2, Seen: 3,
		// Actual waits: 5, 15, 30 (done), 55 (no. 4), 59 (no. 5) → mean 32.8.
		AverageWaitMinutes: 32.8, LongestWaitMinutes: 40, LongestWaitTodayMinutes: 59, AverageConsultationMinutes: 10}
	if b.stats != want {
		t.Fatalf("got stats %+v, want %+v", b.stats, want)
	}
}

func TestWaitEstimateDefaultsAndOverrun(t *testing.T) {
	p := Policy{Aging: 30 * time.Minute, ConsultDefault: 15 * time.Minute}
	now := t0
	// No consultation measured yet: D = 15. One doctor 20 minutes into a consultation (overrun: 0 left).
	day := []Record{
		{Status: shared.StatusInConsultation, Ticket: Ticket{Number: 1, Triage: 4, CheckedInAt: now.Add(-time.Hour),
			CalledAt: now.Add(-20 * time.Minute), CalledBy: "dr-a", StartedAt: now.Add(-20 * time.Minute)}},
		waiting(2, 4, now.Add(-10*time.Minute)), waiting(3, 4, now.Add(-5*time.Minute)),
	}
	if got := p.newBoard(day, now).estimates; !slices.Equal(got, []int{0, 15}) {
		t.Fatalf("got %v, want [0 15]", got)
	}
	// Nobody serving and nobody measured: the first waits 0, the next one D.
	if got := p.newBoard([]Record{waiting(1, 4, now)}, now).estimates; !slices.Equal(got, []int{0}) {
		t.Fatalf("got %v, want [0]", got)
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from   shared.AppointmentStatus
		action string
		want   shared.AppointmentStatus // "" = refused
	}{
		{shared.StatusScheduled, "checked_in", shared.StatusCheckedIn},
		{shared.StatusCheckedIn, "called", shared.StatusCalled},
		{shared.StatusCalled, "called", ""},
		{shared.StatusCalled, "started", shared.StatusInConsultation},
		{shared.StatusInConsultation, "finished", shared.StatusCompleted},
		{shared.StatusCompleted, "requeued", ""},
		{shared.StatusNoShow, "requeued", shared.StatusCheckedIn},
		{shared.StatusInConsultation, "cancelled", ""},
		{shared.StatusCancelled, "rescheduled", ""},
		{shared.StatusScheduled, "rescheduled", shared.StatusScheduled},
	}
	for _, tt := range tests {
		r := Record{Status: tt.from}
		err := allowedFrom(&r, tt.action)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%s from %s: allowed, want refused", tt.action, tt.from)
		case tt.want != "" && (err != nil || r.Status != tt.want):
			t.Errorf("%s from %s: got %s, %v; want %s", tt.action, tt.from, r.Status, err, tt.want)
		}
	}
}

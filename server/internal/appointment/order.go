package appointment

import (
	"math"
	"slices"
	"time"

	"hms/shared"
)

// Policy holds the queue's tunables.
type Policy struct {
	// Aging moves a waiting triage level 3–5 ticket up one level per Aging waited (never above 3), so
	// that nobody waits forever behind later, more urgent arrivals.
	Aging time.Duration
	// ConsultDefault is the consultation length assumed before any consultation was measured today.
	ConsultDefault time.Duration
}

// serversWindow: a doctor who called a ticket this recently counts as serving the queue.
const serversWindow = 2 * time.Hour

// recentConsults is how many of the latest consultations make the average duration.
const recentConsults = 20

// level is the ticket's effective triage level now: ESI 1 and 2 keep theirs, 3–5 age towards 3.
func (p Policy) level(r Record, now time.Time) int {
	lvl := r.Ticket.Triage
	if lvl <= 2 || p.Aging <= 0 {
		return lvl
	}
	aged := int(now.Sub(r.Ticket.CheckedInAt) / p.Aging)
	return max(3, lvl-aged)
}

// due is when the patient is due: their booked start, or arrival if later (walk-ins: arrival).
func due(r Record) time.Time {
	if !r.WalkIn && r.Start.After(r.Ticket.CheckedInAt) {
		return r.Start
	}
	return r.Ticket.CheckedInAt
}

// order sorts waiting tickets into call order: effective level, then due time, then ticket number.
func (p Policy) order(waiting []Record, now time.Time) {
	slices.SortStableFunc(waiting, func(a, b Record) int {
		if la, lb := p.level(a, now), p.level(b, now); la != lb {
			return la - lb
		}
		if c := due(a).Compare(due(b)); c != 0 {
			return c
		}
		return a.Ticket.Number - b.Ticket.Number
	})
}

// board is a department's queue on one day.
type board struct {
	waiting   []Record // in call order
	estimates []int    // minutes, one per waiting ticket
	serving   []Record // called or in consultation, by number
	all       []Record // every ticket of the day
	stats     shared.QueueStats
}

// newBoard sorts the day's tickets and works out the figures at now.
func (p Policy) newBoard(day []Record, now time.Time) board {
	b := board{all: day}
	var done []Record
	var waits []float64
	servers := map[string]bool{}
	for _, r := range day {
		t := r.Ticket
		if !t.CalledAt.IsZero() {
			waits = append(waits, minutes(t.CalledAt.Sub(t.CheckedInAt)))
			if now.Sub(t.CalledAt) < serversWindow {
				servers[t.CalledBy] = true
			}
		}
		switch r.Status {
		case shared.StatusCheckedIn:
			b.waiting = append(b.waiting, r)
			b.stats.LongestWaitMinutes = max(b.stats.LongestWaitMinutes, minutes(now.Sub(t.CheckedInAt)))
		case shared.StatusCalled, shared.StatusInConsultation:
			b.serving = append(b.serving, r)
			servers[t.CalledBy] = true
		case shared.StatusCompleted:
			done = append(done, r)
		}
	}
	p.order(b.waiting, now)
	slices.SortFunc(b.serving, func(a, c Record) int { return a.Ticket.Number - c.Ticket.Number })
	slices.SortFunc(done, func(a, c Record) int { return c.Ticket.FinishedAt.Compare(a.Ticket.FinishedAt) })
	var durations []time.Duration
	var total time.Duration
	for i, r := range done {
		if r.Ticket.StartedAt.IsZero() {
			continue
		}
		d := r.Ticket.FinishedAt.Sub(r.Ticket.StartedAt)
		total += d
		if i < recentConsults {
			durations = append(durations, d)
		}
	}
	b.estimates = p.estimates(b.serving, len(b.waiting), durations, len(servers), now)
	b.stats.Waiting, b.stats.InConsultation, b.stats.Seen = len(b.waiting), len(b.serving), len(done)
	b.stats.AverageWaitMinutes = round1(mean(waits))
	b.stats.LongestWaitMinutes = round1(b.stats.LongestWaitMinutes)
	b.stats.LongestWaitTodayMinutes = round1(max(b.stats.LongestWaitMinutes, slices.Max(append(waits, 0))))
	if len(done) > 0 {
		b.stats.AverageConsultationMinutes = round1(minutes(total) / float64(len(done)))
	}
	return b
}

// estimates gives each of n waiting tickets its expected wait in whole minutes (rounded up):
// with D the mean recent consultation (ConsultDefault before any), c the doctors serving (at least 1)
// and R the time the tickets being served still need (D for a called one, D minus elapsed for one in
// consultation, never below 0), the k-th waiting ticket (from 0) waits (R + k·D) / c.
func (p Policy) estimates(serving []Record, n int, durations []time.Duration, servers int, now time.Time) []int {
	d := p.ConsultDefault
	if len(durations) > 0 {
		var sum time.Duration
		for _, x := range durations {
			sum += x
		}
		d = sum / time.Duration(len(durations))
	}
	c := max(1, servers)
	var remaining time.Duration
	for _, r := range serving {
		if r.Status == shared.StatusInConsultation && !r.Ticket.StartedAt.IsZero() {
			remaining += max(0, d-now.Sub(r.Ticket.StartedAt))
		} else {
			remaining += d
		}
	}
	out := make([]int, n)
	for k := range n {
		out[k] = int(math.Ceil(minutes(remaining+time.Duration(k)*d) / float64(c)))
	}
	return out
}

func minutes(d time.Duration) float64 { return d.Minutes() }

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

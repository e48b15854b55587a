package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hms/shared"
)

// result is one measured POST /api/appointments.
type result struct {
	done    bool
	status  int
	latency time.Duration
	err     error
	body    string
}

// runBook measures booking: o.clients clients book distinct free slots, round-robin over the doctors
// and in time order for each, so concurrent bookings hit neighbouring slots of several doctors. Every
// slot is free when the run starts, so every answer should be 201; a 409 is reported as a conflict.
func runBook(o options) error {
	if o.patients < o.doctors || o.doctors < 1 || o.clients < 1 || o.days < 1 {
		return fmt.Errorf("need -doctors ≥ 1, -patients ≥ -doctors (nobody may hold two slots at once), -clients ≥ 1, -days ≥ 1")
	}
	c := newClient(o.url, o.clients)
	f, err := setUp(c, o, o.doctors, o.patients)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	dates := f.days(o.days)
	slots, err := f.freeSlots(dates)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	type job struct {
		doctor string
		start  time.Time
	}
	var jobs []job
	for i, more := 0, true; more; i++ {
		more = false
		for d := range slots {
			if i < len(slots[d]) {
				jobs, more = append(jobs, job{f.doctors[d], slots[d][i].Start}), true
			}
		}
	}
	free := len(jobs)
	n := free
	if o.requests > 0 {
		n = min(n, o.requests)
	}
	if n == 0 {
		return fmt.Errorf("no free slots from %s to %s: check -open/-close", dates[0], dates[len(dates)-1])
	}
	fmt.Printf("set-up %.1f s: department %s, %d doctors × %d days (%s … %s) of %d-min slots %s–%s = %d free slots; %d patients, booking %s\n",
		f.took.Seconds(), f.dept, o.doctors, o.days, dates[0], dates[len(dates)-1], o.slotMinutes, o.open, o.close, free, o.patients, who(o.as))

	results := make([]result, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range o.clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || o.duration > 0 && time.Since(start) >= o.duration {
					return
				}
				token, req := f.booking(f.patients[i%len(f.patients)], jobs[i].doctor, jobs[i].start)
				t0 := time.Now()
				status, data, err := c.send(http.MethodPost, "/api/appointments", token, req)
				r := result{done: true, status: status, latency: time.Since(t0), err: err}
				if status != http.StatusCreated {
					r.body = strings.TrimSpace(string(data))
				}
				results[i] = r
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t := tally(results)
	fmt.Printf("book: %d × POST /api/appointments by %d clients in %.2f s\n", t.total, o.clients, elapsed.Seconds())
	fmt.Printf("  201 created %d   409 conflict %d   other %d   transport errors %d\n", t.created, t.conflict, t.other, t.failed)
	fmt.Printf("  throughput %.0f bookings/s (201s), %.0f requests/s\n", float64(t.created)/elapsed.Seconds(), float64(t.total)/elapsed.Seconds())
	fmt.Printf("  latency %s\n", t.latencies())
	t.samples()

	stored := 0
	for _, d := range f.doctors {
		var list shared.AppointmentList
		q := url.Values{"doctor_id": {d}, "limit": {"1"}}
		if err := c.call(http.MethodGet, "/api/appointments?"+q.Encode(), f.admin, nil, &list, http.StatusOK); err != nil {
			return err
		}
		stored += list.Total
	}
	fmt.Printf("  check: the department's doctors hold %d appointments (201s: %d)\n", stored, t.created)
	switch {
	case t.other > 0 || t.failed > 0:
		return fmt.Errorf("%d bookings failed", t.other+t.failed)
	case stored != t.created:
		return fmt.Errorf("%d appointments stored for %d bookings created", stored, t.created)
	case t.conflict > 0:
		fmt.Printf("  note: %d conflicts although every slot booked was free and distinct\n", t.conflict)
	}
	return nil
}

func who(as string) string {
	if as == "staff" {
		return "staff for patients (patient_id)"
	}
	return "patients for themselves"
}

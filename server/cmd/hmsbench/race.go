package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"hms/shared"
)

// runRace has o.racers distinct patients book the same slot at the same moment: the first free slot
// of tomorrow with a fresh doctor. Exactly one 201 must come back and every other answer must be 409;
// afterwards the doctor must hold one appointment and the slot must no longer be free.
func runRace(o options) error {
	if o.racers < 2 {
		return fmt.Errorf("-racers must be at least 2")
	}
	c := newClient(o.url, o.racers)
	f, err := setUp(c, o, 1, o.racers)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	date := f.days(1)
	slots, err := f.freeSlots(date)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	if len(slots[0]) == 0 {
		return fmt.Errorf("the bench doctor has no free slot on %s", date[0])
	}
	doctor, slot := f.doctors[0], slots[0][0]
	fmt.Printf("set-up %.1f s: %d patients, booking %s; the slot: %s\n",
		f.took.Seconds(), o.racers, who(o.as), slot.Start.In(f.loc).Format("2006-01-02 15:04 MST"))

	// Open the connections first, so that the bookings leave together rather than behind TCP set-up.
	_ = parallel(o.racers, func(int) error {
		_, _, err := c.send(http.MethodGet, "/healthz", "", nil)
		return err
	})
	results := make([]result, o.racers)
	gate := make(chan struct{})
	var ready, wg sync.WaitGroup
	for i := range o.racers {
		ready.Add(1)
		wg.Go(func() {
			token, req := f.booking(f.patients[i], doctor, slot.Start)
			ready.Done()
			<-gate
			t0 := time.Now()
			status, data, err := c.send(http.MethodPost, "/api/appointments", token, req)
			results[i] = result{done: true, status: status, latency: time.Since(t0), err: err}
			if status != http.StatusCreated {
				results[i].body = strings.TrimSpace(string(data))
			}
		})
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	wg.Wait()
	elapsed := time.Since(start)
	t := tally(results)
	fmt.Printf("race: %d concurrent POST /api/appointments for one slot, each by another patient, in %.2f s\n", t.total, elapsed.Seconds())
	fmt.Printf("  201 created %d   409 conflict %d   other %d   transport errors %d   (want exactly one 201)\n", t.created, t.conflict, t.other, t.failed)
	fmt.Printf("  latency %s\n", t.latencies())
	t.samples()

	var list shared.AppointmentList
	q := url.Values{"doctor_id": {doctor}, "date": {date[0]}, "limit": {"100"}}
	if err := c.call(http.MethodGet, "/api/appointments?"+q.Encode(), f.admin, nil, &list, http.StatusOK); err != nil {
		return err
	}
	var after shared.SlotList
	if err := c.call(http.MethodGet, "/api/doctors/"+doctor+"/slots?date="+date[0], f.admin, nil, &after, http.StatusOK); err != nil {
		return err
	}
	stillFree := false
	for _, s := range after.Slots {
		stillFree = stillFree || s.Start.Equal(slot.Start)
	}
	fmt.Printf("  check: the doctor holds %d appointment(s) that day; the slot is listed free afterwards: %v\n", list.Total, stillFree)
	if t.created != 1 || t.other+t.failed > 0 || list.Total != 1 || stillFree {
		return fmt.Errorf("race: want one 201, the rest 409, one appointment stored and the slot taken")
	}
	return nil
}

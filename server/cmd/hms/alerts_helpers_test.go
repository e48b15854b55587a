package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"hms/shared"
)

// raiser posts emergency alerts and remembers the ones that got 201.
type raiser struct {
	c     *cluster
	token string

	mu       sync.Mutex
	n        int
	ids      []string // ids of the alerts that got 201, in answer order
	failures []string // every POST that did not get 201
	wg       sync.WaitGroup
}

func (c *cluster) raiser() *raiser { return &raiser{c: c, token: c.staffToken} }

// raise posts one alert to in and waits for the answer.
func (r *raiser) raise(in *instance) {
	r.mu.Lock()
	r.n++
	k := r.n
	r.mu.Unlock()
	start := time.Now()
	code, body, err := r.c.call(in, "POST", "/api/alerts/emergency", r.token,
		shared.RaiseAlertRequest{Message: fmt.Sprintf("cluster test alert #%d", k), Location: "Ward " + in.name})
	took := time.Since(start).Round(time.Millisecond)
	var a shared.Alert
	if err == nil && code == http.StatusCreated {
		err = json.Unmarshal(body, &a)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil || code != http.StatusCreated || a.ID == "" {
		msg := fmt.Sprintf("POST /api/alerts/emergency #%d to %s: got %d %s (err %v) after %s, want 201", k, in.name, code, body, err, took)
		r.failures = append(r.failures, msg)
		r.c.logf("%s", msg)
		return
	}
	r.ids = append(r.ids, a.ID)
	r.c.logf("alert #%d posted to %s → 201 %s (%s)", k, in.name, a.ID, took)
}

// burst posts an alert every interval, round-robin over nodes, each without waiting for the previous
// answer, for d. Call wait for the answers.
func (r *raiser) burst(nodes []*instance, every, d time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	end := time.Now().Add(d)
	for i := 0; time.Now().Before(end); i++ {
		in := nodes[i%len(nodes)]
		r.wg.Go(func() { r.raise(in) })
		<-tick.C
	}
}

// wait waits for every posted alert's answer and returns the ids that got 201 and the failures.
func (r *raiser) wait() (ids, failures []string) {
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...), append([]string(nil), r.failures...)
}

// expectEveryAlert waits (up to timeout) until every client has seen every alert in ids, gives late
// duplicates a moment to show, stops the clients and checks that each got seqs exactly 1..len(ids),
// in order, each alert once.
func (c *cluster) expectEveryAlert(cs *clients, ids []string, timeout time.Duration) {
	c.t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	start := time.Now()
	done := waitFor(timeout, func() bool {
		for _, w := range cs.list {
			w.mu.Lock()
			got := map[string]bool{}
			for _, e := range w.alerts {
				if want[e.ID] {
					got[e.ID] = true
				}
			}
			w.mu.Unlock()
			if len(got) < len(want) {
				return false
			}
		}
		return true
	})
	if done {
		c.logf("every client has every alert (%s after the last answer)", time.Since(start).Round(time.Millisecond))
		time.Sleep(500 * time.Millisecond)
	} else {
		c.logf("gave up waiting after %s", timeout)
	}
	cs.stop()

	failed := 0
	for _, w := range cs.list {
		w.mu.Lock()
		for _, n := range w.notes {
			c.t.Logf("note: client %s: %s", w.name, n)
		}
		problems := checkAlerts(w.alerts, ids)
		problems = append(problems, w.problems...)
		if len(problems) > 0 {
			failed++
			if failed <= 3 {
				c.t.Errorf("client %s (home %s, %d connections): %s\nalerts (seq via):\n%s\nhistory:\n%s", w.name, w.route[0].name, w.connects,
					strings.Join(problems, "; "), formatAlerts(w.alerts), strings.Join(w.history, "\n"))
			} else {
				c.t.Errorf("client %s (home %s, %d connections): %s", w.name, w.route[0].name, w.connects, strings.Join(problems, "; "))
			}
		}
		w.mu.Unlock()
	}
	if failed == 0 {
		c.t.Logf("%d alerts; all %d clients got seqs 1..%d in order, each alert once", len(ids), len(cs.list), len(ids))
	}
}

// checkAlerts compares what a client got on the alerts channel with the alerts raised.
func checkAlerts(got []alertEvent, ids []string) []string {
	var problems []string
	seqs := make([]int64, len(got))
	inOrder := len(got) == len(ids)
	for i, e := range got {
		seqs[i] = e.Seq
		if e.Seq != int64(i+1) {
			inOrder = false
		}
		if e.Type != "alert.raised" {
			problems = append(problems, fmt.Sprintf("seq %d has type %q, want alert.raised", e.Seq, e.Type))
		}
	}
	if !inOrder {
		problems = append(problems, fmt.Sprintf("got %d alert events with seqs %s, want 1..%d", len(got), formatSeqs(seqs), len(ids)))
	}
	count := map[string]int{}
	for _, e := range got {
		count[e.ID]++
	}
	for _, id := range ids {
		if n := count[id]; n != 1 {
			problems = append(problems, fmt.Sprintf("alert %s arrived %d times, want once", id, n))
		}
		delete(count, id)
	}
	for id, n := range count {
		problems = append(problems, fmt.Sprintf("alert %s (%d times) was not raised by the test", id, n))
	}
	return problems
}

// formatSeqs writes ascending runs as ranges: "1-14,14-40" shows a duplicate 14, "1-9,11-20" a gap.
func formatSeqs(seqs []int64) string {
	var b strings.Builder
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", seqs[i], seqs[j])
		} else {
			fmt.Fprintf(&b, "%d", seqs[i])
		}
		i = j + 1
	}
	return "[" + b.String() + "]"
}

func formatAlerts(got []alertEvent) string {
	var parts []string
	for _, e := range got {
		parts = append(parts, fmt.Sprintf("%d %s", e.Seq, e.Via))
	}
	return strings.Join(parts, ", ")
}

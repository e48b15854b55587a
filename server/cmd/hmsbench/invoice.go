package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// draft is a drafted invoice, ready to issue at its revision.
type draft struct {
	ID  string `json:"id"`
	Rev int    `json:"rev"`
}

// issued is the part of an issued invoice the check reads.
type issued struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Number string `json:"number"`
	Year   int    `json:"year"`
	Seq    int    `json:"seq"`
}

// runInvoice measures issuing invoices: o.invoices patients each get a charge posted by hand (staff,
// Idempotency-Key) and a draft of it, then o.clients clients issue the drafts at once (POST
// /api/invoices/{id}/issue). Every answer must be 200, and the numbers must be distinct and consecutive
// with no gap: 1..N for the year on a fresh server.
func runInvoice(o options) error {
	if o.invoices < 1 || o.clients < 1 {
		return fmt.Errorf("need -invoices ≥ 1 and -clients ≥ 1")
	}
	o.as = "staff"
	t0 := time.Now()
	c := newClient(o.url, o.clients)
	c.hc.Timeout = 5 * time.Minute // an issue waits its turn for a number: seconds each under 16 clients
	f, err := setUp(c, o, 0, o.invoices)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	code := "BENCH-" + strings.ToUpper(randomHex(3))
	price := map[string]any{"name": "Benchmark procedure", "kind": "procedure", "ref": strings.ToLower(code), "amount": 12000, "tax_bp": 0}
	if err := c.call(http.MethodPut, "/api/billing/prices/"+code, f.admin, price, nil, http.StatusOK); err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	drafts := make([]draft, o.invoices)
	err = parallel(o.invoices, func(i int) error {
		p := f.patients[i].id
		charge := map[string]any{"code": code, "quantity": 1, "reason": "benchmark"}
		if err := keyed(c, "/api/patients/"+p+"/charges", f.staff, "bench-charge-"+p, charge); err != nil {
			return err
		}
		return c.call(http.MethodPost, "/api/invoices", f.staff, map[string]any{"patient_id": p}, &drafts[i], http.StatusCreated)
	})
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	fmt.Printf("set-up %.1f s: %d patients, each with a charge posted by hand and a draft invoice; issuing as staff\n",
		time.Since(t0).Seconds(), o.invoices)

	results := make([]result, o.invoices)
	invs := make([]issued, o.invoices)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range o.clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= o.invoices {
					return
				}
				d := drafts[i]
				t0 := time.Now()
				status, data, err := c.send(http.MethodPost, "/api/invoices/"+d.ID+"/issue", f.staff, map[string]int{"rev": d.Rev})
				r := result{done: true, status: status, latency: time.Since(t0), err: err}
				if status == http.StatusOK {
					r.status = http.StatusCreated // tally counts 201s as done; an issue answers 200
					if err := json.Unmarshal(data, &invs[i]); err != nil {
						r.err = err
					}
				} else {
					r.body = strings.TrimSpace(string(data))
				}
				results[i] = r
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t := tally(results)
	fmt.Printf("invoice: %d × POST /api/invoices/{id}/issue by %d clients in %.2f s\n", t.total, o.clients, elapsed.Seconds())
	fmt.Printf("  200 issued %d   409 conflict %d   other %d   transport errors %d\n", t.created, t.conflict, t.other, t.failed)
	fmt.Printf("  throughput %.1f issues/s\n", float64(t.created)/elapsed.Seconds())
	fmt.Printf("  latency %s\n", t.latencies())
	t.samples()
	// An issue whose answer was lost (a client timeout) may still have been made: read it back.
	reread := 0
	for i, inv := range invs {
		if inv.Number == "" {
			reread++
			if err := c.call(http.MethodGet, "/api/invoices/"+drafts[i].ID, f.admin, nil, &invs[i], http.StatusOK); err != nil {
				return err
			}
		}
	}
	if reread > 0 {
		fmt.Printf("  %d invoice(s) without an answer read back from the server\n", reread)
	}
	if err := checkNumbers(c, f.admin, invs); err != nil {
		return err
	}
	if t.other > 0 || t.conflict > 0 {
		return fmt.Errorf("%d issues answered neither 200 nor a timeout", t.other+t.conflict)
	}
	return nil
}

// checkNumbers checks that every issued invoice has a number of its own and that they run on with no
// gap, and says where they start (1 on a fresh server).
func checkNumbers(c *client, admin string, invs []issued) error {
	var seqs []int
	years := map[int]bool{}
	for _, inv := range invs {
		if inv.Status == "issued" && inv.Number != "" {
			seqs = append(seqs, inv.Seq)
			years[inv.Year] = true
		}
	}
	slices.Sort(seqs)
	distinct := len(slices.Compact(slices.Clone(seqs)))
	gapless := len(seqs) > 0 && seqs[len(seqs)-1]-seqs[0]+1 == len(seqs)
	var all struct {
		Total int `json:"total"`
	}
	if err := c.call(http.MethodGet, "/api/invoices?status=issued&limit=1", admin, nil, &all, http.StatusOK); err != nil {
		return err
	}
	first, last := 0, 0
	if len(seqs) > 0 {
		first, last = seqs[0], seqs[len(seqs)-1]
	}
	fmt.Printf("  check: %d numbered, %d distinct, seq %d..%d in %d year(s), gapless %v; the server holds %d issued invoices\n",
		len(seqs), distinct, first, last, len(years), gapless, all.Total)
	switch {
	case len(seqs) != len(invs):
		return fmt.Errorf("%d of %d invoices issued and numbered", len(seqs), len(invs))
	case distinct != len(seqs) || !gapless || len(years) != 1:
		return fmt.Errorf("invoice numbers are not distinct and consecutive")
	case first == 1 && last != all.Total:
		return fmt.Errorf("numbers 1..%d but the server holds %d issued invoices", last, all.Total)
	}
	return nil
}

// keyed posts body with an Idempotency-Key and wants 201.
func keyed(c *client, path, token, key string, body any) error {
	status, data, err := c.sendKeyed(http.MethodPost, path, token, key, body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	if status != http.StatusCreated {
		return fmt.Errorf("POST %s: status %d, want 201: %s", path, status, strings.TrimSpace(string(data)))
	}
	return nil
}

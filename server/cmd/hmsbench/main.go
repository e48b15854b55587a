// Command hmsbench measures the HMS REST API against a running server. It has four modes:
//
//	-mode read (default)  registers a patient, signs in, then reads that patient's record with -c
//	                      concurrent clients for -n requests and prints p50, p99, max and throughput.
//	                      Every request must answer 200; any other status is counted and reported.
//	-mode book            sets up a department, -doctors doctors with long schedules over the next -days
//	                      days and -patients patients, then -clients concurrent clients book distinct free
//	                      slots (POST /api/appointments) for -requests bookings or -duration, and prints
//	                      201/409/other, bookings/s and latency p50/p90/p99/max.
//	-mode race            has -racers distinct patients POST the same slot at once: exactly one 201 is
//	                      expected, every other answer a 409.
//	-mode invoice         gives -invoices patients a charge posted by hand and a draft invoice each, then
//	                      -clients concurrent clients issue the drafts (POST /api/invoices/{id}/issue);
//	                      prints issues/s and latency p50/p90/p99/max and checks that the invoice
//	                      numbers are distinct and consecutive with no gap (1..N on a fresh server).
//
// Every mode needs an admin (-admin-email/-admin-password, or ADMIN_EMAIL/ADMIN_PASSWORD).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hms/shared"
)

func main() {
	var o options
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	mode := flag.String("mode", "read", "read (GET /api/patient/{id}), book (concurrent bookings), race (one slot, many patients) or invoice (concurrent issuing)")
	conc := flag.Int("c", 16, "read: concurrent clients")
	total := flag.Int("n", 4000, "read: requests in all")
	warm := flag.Int("warmup", 200, "read: requests before measuring")
	flag.StringVar(&o.adminEmail, "admin-email", os.Getenv("ADMIN_EMAIL"), "book, race, invoice: an admin's email (env ADMIN_EMAIL)")
	flag.StringVar(&o.adminPassword, "admin-password", os.Getenv("ADMIN_PASSWORD"), "book, race, invoice: the admin's password (env ADMIN_PASSWORD)")
	flag.IntVar(&o.clients, "clients", 32, "book, invoice: concurrent clients")
	flag.IntVar(&o.requests, "requests", 2000, "book: bookings to attempt (0: until -duration or the slots run out)")
	flag.DurationVar(&o.duration, "duration", 0, "book: stop after this long (0: after -requests)")
	flag.IntVar(&o.doctors, "doctors", 8, "book: doctors")
	flag.IntVar(&o.days, "days", 14, "book: days of schedule, from tomorrow")
	flag.IntVar(&o.slotMinutes, "slot", 5, "book: slot length in minutes")
	flag.StringVar(&o.open, "open", "07:00", "book: start of every working day (HH:MM, hospital time)")
	flag.StringVar(&o.close, "close", "21:00", "book: end of every working day")
	flag.IntVar(&o.patients, "patients", 64, "book: patients (at least -doctors, so nobody holds two slots at once)")
	flag.IntVar(&o.racers, "racers", 300, "race: concurrent bookings of the one slot, each by another patient")
	flag.IntVar(&o.invoices, "invoices", 500, "invoice: invoices to draft, then issue concurrently")
	flag.StringVar(&o.as, "as", "patient", "book, race: who books: patient (for themself) or staff (with patient_id)")
	flag.Parse()
	o.url = strings.TrimRight(*base, "/")
	var err error
	switch *mode {
	case "read":
		err = run(o, *conc, *total, *warm)
	case "book":
		err = runBook(o)
	case "race":
		err = runRace(o)
	case "invoice":
		err = runInvoice(o)
	default:
		err = fmt.Errorf("unknown -mode %q: read, book, race or invoice", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hmsbench:", err)
		os.Exit(1)
	}
}

func post(url string, body, out any) error {
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}

func run(o options, conc, total, warm int) error {
	base := o.url
	email := fmt.Sprintf("bench-%d@example.org", time.Now().UnixNano())
	const password = "bench password for hms"
	// A self-registration is made only when its emailed link is followed: the admin registers the patient.
	if o.adminEmail == "" || o.adminPassword == "" {
		return errors.New("read mode needs an admin: -admin-email/-admin-password or ADMIN_EMAIL/ADMIN_PASSWORD")
	}
	var admin shared.TokenResponse
	if err := post(base+"/api/auth/login", shared.LoginRequest{Email: o.adminEmail, Password: o.adminPassword}, &admin); err != nil {
		return err
	}
	c := newClient(base, 1)
	if err := c.call(http.MethodPost, "/api/auth/register", admin.Token, shared.RegisterRequest{Name: "Bench Patient", Email: email, Password: password}, nil, http.StatusCreated); err != nil {
		return err
	}
	var tok shared.TokenResponse
	if err := post(base+"/api/auth/login", shared.LoginRequest{Email: email, Password: password}, &tok); err != nil {
		return err
	}
	reg := tok.User // a self-registered account's ids come with its sign-in
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	get := func() (time.Duration, int, error) {
		req, _ := http.NewRequest("GET", base+"/api/patient/"+reg.PatientID, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(t0), resp.StatusCode, nil
	}
	for i := 0; i < warm; i++ {
		if _, _, err := get(); err != nil {
			return err
		}
	}
	var next, bad atomic.Int64
	lat := make([]time.Duration, total)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				d, status, err := get()
				if err != nil || status != 200 {
					bad.Add(1)
				}
				lat[i] = d
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("GET /api/patient/{id}: %d requests, %d clients, %d non-200\n", total, conc, bad.Load())
	fmt.Printf("p50 %v  p99 %v  max %v  throughput %.0f req/s\n",
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond),
		float64(total)/elapsed.Seconds())
	if bad.Load() > 0 {
		return fmt.Errorf("%d requests failed", bad.Load())
	}
	return nil
}

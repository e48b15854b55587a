// Command hmsdemo fills a running HMS server with a small demo hospital and plays a morning of queues
// on it. The seed is idempotent: departments, a receptionist, six doctors with their weekly schedules
// and twenty patients are created when missing (a 409 means "exists": the account signs in instead),
// and a few of today's free slots are booked. Then, unless -seed-only, it simulates a morning with time
// compressed by -speed: patients arrive and are checked in, doctors call, see and finish them, someone
// does not show up, and an unidentified emergency arrives midway. It ends with each department's
// figures, and bills (billing.go): a price list is seeded, so every finished visit is charged, and the
// desk issues invoices to a few patients, takes a cash and a card payment and issues a credit note
// (with -seed-only, for charges it posts by hand). It exits non-zero on any answer it did not expect,
// printing the status and body.
//
//	scripts/demo                       # or: go run ./server/cmd/hmsdemo -admin-email … -admin-password …
//	scripts/demo -speed 600            # a four-hour morning in 24 seconds
//	scripts/demo -seed-only
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"
	_ "time/tzdata" // the server's HOSPITAL_TZ, even where the machine has no tz database
)

func main() {
	base := flag.String("url", envOr("HMS_URL", "http://127.0.0.1:8080"), "server base URL (env HMS_URL)")
	email := flag.String("admin-email", os.Getenv("ADMIN_EMAIL"), "an admin's email (env ADMIN_EMAIL)")
	password := flag.String("admin-password", os.Getenv("ADMIN_PASSWORD"), "that admin's password (env ADMIN_PASSWORD)")
	speed := flag.Float64("speed", 60, "time compression: 60 plays one simulated minute per real second")
	hours := flag.Float64("hours", 4, "simulated length of the morning, in hours")
	seedOnly := flag.Bool("seed-only", false, "seed the hospital and book slots, then stop")
	flag.Parse()
	if *email == "" || *password == "" {
		fail(errors.New("an admin is needed: set ADMIN_EMAIL and ADMIN_PASSWORD (or -admin-email, -admin-password)"))
	}
	if *speed <= 0 || *hours <= 0 {
		fail(errors.New("-speed and -hours must be positive"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	a := &api{base: strings.TrimRight(*base, "/"), http: &http.Client{Timeout: 30 * time.Second}}
	h, err := seed(ctx, a, *email, *password)
	if err != nil {
		fail(err)
	}
	currency, err := seedPrices(ctx, a, h)
	if err != nil {
		fail(err)
	}
	printCredentials(h, a.base)
	b := &biller{a: a, h: h, currency: currency}
	if *seedOnly {
		// No visit is finished without the simulation, so the desk posts a few charges by hand to bill.
		var extra []manualCharge
		for i, p := range h.patients[len(h.patients)-3:] {
			code := []string{certificate.code, labCBC.code, labLipid.code}[i]
			extra = append(extra, manualCharge{patientID: p.id, code: code, reason: "requested at the desk"})
		}
		if err := b.bill(ctx, nil, extra); err != nil {
			fail(err)
		}
		return
	}
	now := time.Now().In(h.loc)
	s := &sim{
		a: a, h: h, speed: *speed, t0: time.Now(),
		length: time.Duration(*hours * float64(time.Hour)),
		open:   time.Date(now.Year(), now.Month(), now.Day(), 8, 0, 0, 0, h.loc),
	}
	if err := s.run(ctx); err != nil {
		fail(err)
	}
	if err := b.bill(ctx, s.billable(), s.labCharges()); err != nil {
		fail(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "hmsdemo: interrupted")
	} else {
		fmt.Fprintln(os.Stderr, "hmsdemo:", err)
	}
	os.Exit(1)
}

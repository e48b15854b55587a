// Command hmsnotifybench measures the notification service on a fresh database: it stores -n patients
// (each with an account and a phone) and -n appointments all due for their 24-hour reminder, then
//
//  1. times one reminder scan (Triggers.RemindDue), which makes every reminder with its email delivery:
//     reminders processed per second;
//  2. times the delivery workers sending all of those emails to the SMTP server at -smtp: emails
//     accepted per second;
//  3. sends -latency single notifications one after another, each from its trigger (Notify) to the
//     SMTP server's acceptance of the email, with the delivery worker running as in the server, and
//     prints p50, p99 and max.
//
// By default it creates a PostgreSQL database on -pg (dropped at the end) and runs an embedded FerretDB
// on it, as the tests do. scripts/bench-notify.sh starts a mailpit for -smtp.
//
//	go run ./server/cmd/hmsnotifybench -n 10000 -smtp 127.0.0.1:1025
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/appointment"
	"hms/server/internal/auth"
	"hms/server/internal/benchdb"
	"hms/server/internal/ident"
	"hms/server/internal/mail"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/seal"
	"hms/shared"
)

func main() {
	n := flag.Int("n", 10000, "appointments due for a reminder")
	latency := flag.Int("latency", 200, "single notifications timed from trigger to SMTP acceptance")
	workers := flag.Int("workers", 8, "deliveries sent at once")
	smtp := flag.String("smtp", "127.0.0.1:1025", "SMTP server (mailpit) host:port; \"none\" accepts every email at once, to time HMS alone")
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server for the embedded FerretDB")
	url := flag.String("url", "", "mongodb://… to measure a real MongoDB instead")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the delivery phase to this file")
	flag.Parse()
	cpuProfile = *profile
	if err := run(*n, *latency, *workers, *smtp, *pg, *url); err != nil {
		fmt.Fprintln(os.Stderr, "hmsnotifybench:", err)
		os.Exit(1)
	}
}

// timed is an email transport that records when each delivery was accepted.
type timed struct {
	notify.Transport
	mu       sync.Mutex
	accepted map[string]time.Time
}

func (t *timed) Send(ctx context.Context, d notify.Delivery) (string, error) {
	id, err := t.Transport.Send(ctx, d)
	if err == nil {
		t.mu.Lock()
		t.accepted[d.ID] = time.Now()
		t.mu.Unlock()
	}
	return id, err
}

func (t *timed) at(id string) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.accepted[id]
	return at, ok
}

func (t *timed) count() int { t.mu.Lock(); defer t.mu.Unlock(); return len(t.accepted) }

// timedStore adds up the time spent in the store's calls made by the delivery worker.
type timedStore struct {
	notify.Store
	mu    sync.Mutex
	spent map[string]time.Duration
	calls map[string]int
}

func (s *timedStore) add(name string, t0 time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spent[name] += time.Since(t0)
	s.calls[name]++
}

func (s *timedStore) report() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range []string{"Contacts", "Preferences", "Insert", "Due", "Bodies", "ClaimAttempt", "SaveDelivery", "DropBodies"} {
		if n := s.calls[name]; n > 0 {
			fmt.Printf("  store.%s: %d calls, %s each\n", name, n, ms(s.spent[name]/time.Duration(n)))
		}
	}
	clear(s.spent)
	clear(s.calls)
}

func (s *timedStore) Contacts(ctx context.Context, users, patients []string) (map[string]notify.Contact, map[string]notify.Contact, error) {
	defer s.add("Contacts", time.Now())
	return s.Store.Contacts(ctx, users, patients)
}

func (s *timedStore) Preferences(ctx context.Context, ids []string) (map[string]notify.Preferences, error) {
	defer s.add("Preferences", time.Now())
	return s.Store.Preferences(ctx, ids)
}

func (s *timedStore) Insert(ctx context.Context, ns []notify.Notification, ds []notify.Delivery) (map[string]bool, error) {
	defer s.add("Insert", time.Now())
	return s.Store.Insert(ctx, ns, ds)
}

func (s *timedStore) DropBodies(ctx context.Context, ids []string) error {
	defer s.add("DropBodies", time.Now())
	return s.Store.DropBodies(ctx, ids)
}

func (s *timedStore) Due(ctx context.Context, now time.Time, limit int) ([]notify.Delivery, error) {
	defer s.add("Due", time.Now())
	return s.Store.Due(ctx, now, limit)
}

func (s *timedStore) ClaimAttempt(ctx context.Context, a notify.Attempt) error {
	defer s.add("ClaimAttempt", time.Now())
	return s.Store.ClaimAttempt(ctx, a)
}

func (s *timedStore) Bodies(ctx context.Context, ds []notify.Delivery) (map[string]bool, error) {
	defer s.add("Bodies", time.Now())
	return s.Store.Bodies(ctx, ds)
}

func (s *timedStore) SaveDelivery(ctx context.Context, d notify.Delivery, e shared.DeliveryLog) error {
	defer s.add("SaveDelivery", time.Now())
	return s.Store.SaveDelivery(ctx, d, e)
}

// nullTransport accepts every delivery at once (-smtp none).
type nullTransport struct{}

func (nullTransport) Send(context.Context, notify.Delivery) (string, error) { return "", nil }
func (nullTransport) Permanent(error) bool                                  { return false }
func (nullTransport) RetryAfter(error) time.Duration                        { return 0 }

type nopPub struct{}

func (nopPub) Publish(context.Context, string, string, any) (shared.Event, error) {
	return shared.Event{}, nil
}

var cpuProfile string

func run(n, latency, workers int, smtp, pg, url string) error {
	ctx := context.Background()
	backend := "MongoDB " + url
	if url == "" {
		u, drop, err := benchdb.Create(ctx, pg, "hms_notify_bench")
		if err != nil {
			return fmt.Errorf("create a PostgreSQL database on %s: %w", pg, err)
		}
		defer drop()
		url, backend = u, "FerretDB 1.24 (embedded) on PostgreSQL"
	}
	db, err := mongostore.Open(ctx, mongostore.Options{URL: url, Database: "hms_notify_bench"})
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	if err := db.EnsureIndexes(ctx); err != nil {
		return err
	}
	key, err := seal.FromSecret("hmsnotifybench")
	if err != nil {
		return err
	}
	keys, err := seal.NewKeyring(key)
	if err != nil {
		return err
	}
	transport := &timed{Transport: nullTransport{}, accepted: map[string]time.Time{}}
	if smtp != "none" {
		host, portText, err := net.SplitHostPort(smtp)
		if err != nil {
			return err
		}
		port, _ := strconv.Atoi(portText)
		sender, err := mail.New(mail.Config{Host: host, Port: port, From: "HMS <no-reply@bench.example>", TLS: mail.TLSNone})
		if err != nil {
			return err
		}
		transport.Transport = notify.EmailTransport(sender)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := &timedStore{Store: mongostore.NewNotifications(db, keys), spent: map[string]time.Duration{}, calls: map[string]int{}}
	svc := notify.NewService(store, nopPub{}, log, notify.Config{Workers: workers, Instance: "bench", Hospital: "Bench Hospital"})
	svc.SetTransport(shared.ChannelEmail, transport)
	triggers := notify.NewTriggers(svc, scheduled{mongostore.NewAppointments(db, keys)}, nil, nil, []time.Duration{24 * time.Hour, 2 * time.Hour})

	fmt.Printf("backend: %s; %d appointments due for their 24-hour reminder\n", backend, n)
	start := time.Now()
	if err := fill(ctx, db, keys, n); err != nil {
		return err
	}
	fmt.Printf("stored %d patients, accounts and appointments in %s\n", n, time.Since(start).Round(time.Millisecond))
	defer store.report()

	start = time.Now()
	made, err := triggers.RemindDue(ctx)
	if err != nil {
		return err
	}
	scan := time.Since(start)
	fmt.Printf("reminder scan: %d reminders made (notification + email delivery each) in %s: %.0f reminders/s\n",
		made, scan.Round(time.Millisecond), float64(made)/scan.Seconds())
	again := time.Now()
	if m, err := triggers.RemindDue(ctx); err != nil || m != 0 {
		return fmt.Errorf("second scan made %d (%v), want 0", m, err)
	}
	fmt.Printf("second scan (all already made): %s\n", time.Since(again).Round(time.Millisecond))
	store.report()

	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start = time.Now()
	for {
		k, err := svc.DeliverDue(ctx)
		if err != nil {
			return err
		}
		if k == 0 {
			break
		}
	}
	send := time.Since(start)
	store.report()
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	fmt.Printf("delivery: %d emails accepted by the SMTP server in %s: %.0f emails/s (%d workers)\n",
		transport.count(), send.Round(time.Millisecond), float64(transport.count())/send.Seconds(), workers)

	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go svc.RunWorker(wctx, 2*time.Second)
	userID := ident.New()
	if err := mongostore.NewUsers(db).InsertUser(ctx, auth.User{ID: userID, Name: "Latency", Email: "latency@bench.example",
		Role: shared.RoleStaff, PasswordHash: "x", CreatedAt: time.Now()}); err != nil {
		return err
	}
	var lat []time.Duration
	for i := range latency {
		t0 := time.Now()
		out, err := svc.Notify(ctx, notify.Request{Key: fmt.Sprintf("latency:%d", i), RecipientID: userID,
			Message: "Ward round moved to 10:00", Channels: []string{shared.ChannelEmail}})
		if err != nil {
			return err
		}
		id := out[0].Deliveries[0].ID
		deadline := time.Now().Add(30 * time.Second)
		for {
			if at, ok := transport.at(id); ok {
				lat = append(lat, at.Sub(t0))
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("delivery %s not accepted within 30s", id)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		fmt.Printf("trigger → SMTP acceptance, %d single notifications: p50 %s, p99 %s, max %s\n", len(lat),
			ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), ms(lat[len(lat)-1]))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// fill stores n patients with accounts and phones, and n appointments starting 23–24 hours from now,
// booked two days ago.
func fill(ctx context.Context, db *mongostore.DB, keys *seal.Keyring, n int) error {
	now := time.Now().UTC()
	bookings := mongostore.NewAppointments(db, keys)
	doctor := ident.New()
	const batch = 500
	for start := 0; start < n; start += batch {
		var users, patients []any
		var recs []appointment.Record
		for i := start; i < min(start+batch, n); i++ {
			uid, pid := ident.New(), ident.New()
			name := fmt.Sprintf("Patient %05d", i)
			users = append(users, bson.D{{Key: "_id", Value: uid}, {Key: "name", Value: name},
				{Key: "email", Value: fmt.Sprintf("patient%05d@bench.example", i)}, {Key: "role", Value: "patient"},
				{Key: "password_hash", Value: "x"}, {Key: "patient_id", Value: pid}, {Key: "disabled", Value: false},
				{Key: "epoch", Value: int64(1)}, {Key: "created_at", Value: now}})
			patients = append(patients, bson.D{{Key: "_id", Value: pid}, {Key: "user_id", Value: uid}, {Key: "name", Value: name},
				{Key: "phone", Value: fmt.Sprintf("+4479%08d", i)}, {Key: "created_at", Value: now}})
			at := now.Add(23*time.Hour + time.Duration(i)*time.Hour/time.Duration(n))
			recs = append(recs, appointment.Record{ID: ident.New(), PatientID: pid, PatientName: name, DoctorID: doctor,
				DoctorName: "Dr Bench", Department: "general", Start: at, End: at.Add(15 * time.Minute), Reason: "check-up",
				Status: shared.StatusScheduled, Step: 1, CreatedBy: doctor, CreatedAt: now.Add(-48 * time.Hour)})
		}
		if _, err := db.Collection("users").InsertMany(ctx, users); err != nil {
			return err
		}
		if _, err := db.Collection("patients").InsertMany(ctx, patients); err != nil {
			return err
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(recs))
		sem := make(chan struct{}, 8)
		for _, r := range recs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				errs <- bookings.InsertAppointment(ctx, r, appointment.Step{AppointmentID: r.ID, Step: 1, Action: "booked",
					Status: r.Status, At: r.CreatedAt, By: doctor, Role: shared.RoleStaff, State: r})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// scheduled reads the scheduled appointments straight from the store: the reminder scan is all this
// benchmark runs, so it needs no appointment service.
type scheduled struct{ s *mongostore.Appointments }

func (a scheduled) Scheduled(ctx context.Context, from, to time.Time, skip, limit int) ([]appointment.Record, error) {
	rs, _, err := a.s.List(ctx, appointment.Filter{Status: shared.StatusScheduled, From: from, To: to}, skip, limit)
	return rs, err
}

func (scheduled) Change(context.Context, appointment.Change) (before, after appointment.Record, by auth.Principal, err error) {
	return before, after, by, errors.New("not used by the reminder benchmark")
}

package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/auth"
	hospital "hms/server/internal/clock"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/notify"
	"hms/server/internal/seal"
	"hms/server/internal/testenv"
	"hms/shared"
)

// clock is a settable clock shared by the services of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// transport stands in for an SMTP relay or SMS gateway: it records every send and fails as told.
type transport struct {
	mu    sync.Mutex
	sent  map[string]int // delivery id → sends
	tries map[string]int // delivery id → attempts
	fail  func(d notify.Delivery, n int) error
	calls int
}

type failure struct {
	permanent bool
	after     time.Duration
}

func (f failure) Error() string {
	if f.permanent {
		return "550 mailbox unavailable"
	}
	return "421 try again later"
}

func (t *transport) Send(_ context.Context, d notify.Delivery) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls++
	if t.sent == nil {
		t.sent, t.tries = map[string]int{}, map[string]int{}
	}
	t.tries[d.ID]++
	if t.fail != nil {
		if err := t.fail(d, t.tries[d.ID]); err != nil {
			return "", err
		}
	}
	t.sent[d.ID]++
	return "p-" + d.ID, nil
}
func (t *transport) Permanent(err error) bool {
	var f failure
	return errors.As(err, &f) && f.permanent
}
func (t *transport) RetryAfter(err error) time.Duration {
	var f failure
	if errors.As(err, &f) {
		return f.after
	}
	return 0
}
func (t *transport) count(id string) int { t.mu.Lock(); defer t.mu.Unlock(); return t.sent[id] }

// memPub is a publisher that remembers what was published.
type memPub struct {
	mu     sync.Mutex
	events []shared.Event
}

func (p *memPub) Publish(_ context.Context, channel, typ string, data any) (shared.Event, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := shared.Event{Channel: channel, Type: typ}
	p.events = append(p.events, e)
	return e, nil
}

type fixture struct {
	db    *mongostore.DB
	store *mongostore.Notifications
	clock *clock
	email *transport
	sms   *transport
	pub   *memPub
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.DB(t)
	if err := db.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	key, err := seal.FromSecret("notify-test-secret-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, store: mongostore.NewNotifications(db, keys), clock: &clock{t: time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)},
		email: &transport{}, sms: &transport{}, pub: &memPub{}}
}

// service returns one server instance's notification service on the fixture's store.
func (f *fixture) service(name string, cfg notify.Config) *notify.Service {
	cfg.Instance = name
	if cfg.RetryBase == 0 {
		cfg.RetryBase, cfg.RetryMax = time.Minute, time.Hour
	}
	cfg.Clock = hospital.New(f.clock.Now)
	s := notify.NewService(f.store, f.pub, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	s.SetTransport(shared.ChannelEmail, f.email)
	s.SetTransport(shared.ChannelSMS, f.sms)
	return s
}

// user stores an account (with a patient record when role is patient) and returns its id.
func (f *fixture) user(t *testing.T, role shared.Role, email string) string {
	t.Helper()
	u := auth.User{ID: ident.New(), Name: "Test " + string(role), Email: email, Role: role, PasswordHash: "x", CreatedAt: f.clock.Now()}
	if err := mongostore.NewUsers(f.db).InsertUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func (f *fixture) delivery(t *testing.T, id string) notify.Delivery {
	t.Helper()
	d, err := f.store.Delivery(context.Background(), id)
	if err != nil {
		t.Fatalf("delivery %s: %v", id, err)
	}
	return d
}

func statuses(d notify.Delivery) string {
	var out []string
	for _, l := range d.Log {
		out = append(out, fmt.Sprintf("%d:%s", l.Attempt, l.Status))
	}
	return strings.Join(out, " ")
}

func mustNotify(t *testing.T, s *notify.Service, reqs ...notify.Request) []notify.Made {
	t.Helper()
	made, err := s.Notify(context.Background(), reqs...)
	if err != nil {
		t.Fatal(err)
	}
	return made
}

func deliver(t *testing.T, s *notify.Service) int {
	t.Helper()
	n, err := s.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTemporaryFailuresAreRetriedWithBackoff(t *testing.T) {
	f := newFixture(t)
	s := f.service("a", notify.Config{})
	to := f.user(t, shared.RoleStaff, "nurse@example.org")
	f.email.fail = func(_ notify.Delivery, n int) error {
		if n <= 2 {
			return failure{}
		}
		return nil
	}
	made := mustNotify(t, s, notify.Request{RecipientID: to, Message: "Shift swap approved", Channels: []string{shared.ChannelEmail}})
	id := made[0].Deliveries[0].ID

	deliver(t, s) // attempt 1 fails
	d := f.delivery(t, id)
	if d.Status != shared.DeliveryRetrying || d.Attempts != 1 || !strings.Contains(d.LastError, "421") {
		t.Fatalf("after one failure got %s, %d attempts, %q; want retrying, 1, the relay's answer", d.Status, d.Attempts, d.LastError)
	}
	wait := d.NextAt.Sub(f.clock.Now())
	if wait < 48*time.Second || wait > 72*time.Second {
		t.Errorf("first retry in %v, want about a minute (RetryBase ±20%%)", wait)
	}
	if n := deliver(t, s); n != 0 {
		t.Errorf("%d deliveries due before the retry time, want 0", n)
	}
	f.clock.Advance(wait)
	deliver(t, s) // attempt 2 fails; the wait doubles
	d = f.delivery(t, id)
	if wait2 := d.NextAt.Sub(f.clock.Now()); wait2 < 96*time.Second || wait2 > 144*time.Second {
		t.Errorf("second retry in %v, want about two minutes", wait2)
	}
	f.clock.Advance(3 * time.Minute)
	deliver(t, s) // attempt 3 succeeds
	d = f.delivery(t, id)
	if d.Status != shared.DeliverySent || d.Attempts != 3 || d.SentAt == nil || d.LastError != "" {
		t.Fatalf("got %s after %d attempts (error %q), want sent after 3", d.Status, d.Attempts, d.LastError)
	}
	want := "0:queued 1:retrying 2:retrying 3:sent"
	if got := statuses(d); got != want {
		t.Errorf("log %q, want %q", got, want)
	}
	if f.email.count(id) != 1 {
		t.Errorf("delivered %d times, want once", f.email.count(id))
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	f := newFixture(t)
	s := f.service("a", notify.Config{})
	to := f.user(t, shared.RoleStaff, "n2@example.org")
	if err := f.store.SetPreferences(context.Background(), to, notify.Preferences{Email: true, SMS: true, Phone: "+447911123456"}); err != nil {
		t.Fatal(err)
	}
	f.sms.fail = func(_ notify.Delivery, n int) error {
		if n == 1 {
			return failure{after: 10 * time.Minute}
		}
		return nil
	}
	made := mustNotify(t, s, notify.Request{RecipientID: to, Message: "Ward 3 needs cover", Channels: []string{shared.ChannelSMS}})
	deliver(t, s)
	d := f.delivery(t, made[0].Deliveries[0].ID)
	if got := d.NextAt.Sub(f.clock.Now()); got != 10*time.Minute {
		t.Errorf("next try in %v, want the 10 minutes the gateway asked for", got)
	}
}

func TestPermanentFailureIsADeadLetterAnAdminCanRetry(t *testing.T) {
	f := newFixture(t)
	s := f.service("a", notify.Config{})
	to := f.user(t, shared.RolePatient, "gone@example.org")
	bad := true
	f.email.fail = func(notify.Delivery, int) error {
		if bad {
			return failure{permanent: true}
		}
		return nil
	}
	made := mustNotify(t, s, notify.Request{RecipientID: to, Message: "Your results are ready", Channels: []string{shared.ChannelEmail}})
	id := made[0].Deliveries[0].ID
	deliver(t, s)
	d := f.delivery(t, id)
	if d.Status != shared.DeliveryDead || d.Attempts != 1 || !strings.Contains(d.LastError, "550") {
		t.Fatalf("got %s after %d attempts (%q), want dead after 1 with the relay's answer", d.Status, d.Attempts, d.LastError)
	}
	list, err := s.Deliveries(context.Background(), shared.DeliveryDead, "", 1, 20)
	if err != nil || list.Total != 1 || list.Items[0].ID != id || list.Items[0].To != "g***@example.org" {
		t.Fatalf("dead letters %+v (%v), want this one with the address masked", list, err)
	}
	if _, err := s.Retry(context.Background(), "admin-1", made[0].Notification.ID+"-sms"); err == nil {
		t.Error("retrying a delivery that does not exist succeeded")
	}
	bad = false
	if _, err := s.Retry(context.Background(), "admin-1", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retry(context.Background(), "admin-1", id); !errors.Is(err, notify.ErrNotDead) {
		t.Errorf("retrying a queued delivery: got %v, want ErrNotDead", err)
	}
	deliver(t, s)
	d = f.delivery(t, id)
	if d.Status != shared.DeliverySent || f.email.count(id) != 1 {
		t.Fatalf("after the admin's retry got %s, sent %d times; want sent once", d.Status, f.email.count(id))
	}
	if got := statuses(d); got != "0:queued 1:dead 1:queued 2:sent" {
		t.Errorf("log %q", got)
	}
}

func TestAttemptsRunOut(t *testing.T) {
	f := newFixture(t)
	s := f.service("a", notify.Config{MaxAttempts: 2})
	to := f.user(t, shared.RoleStaff, "n3@example.org")
	f.email.fail = func(notify.Delivery, int) error { return failure{} }
	made := mustNotify(t, s, notify.Request{RecipientID: to, Message: "x", Channels: []string{shared.ChannelEmail}})
	deliver(t, s)
	f.clock.Advance(2 * time.Minute)
	deliver(t, s)
	d := f.delivery(t, made[0].Deliveries[0].ID)
	if d.Status != shared.DeliveryDead || !strings.Contains(d.Log[len(d.Log)-1].Reason, "gave up after 2 attempts") {
		t.Fatalf("got %s, log %+v; want dead, giving up after 2 attempts", d.Status, d.Log)
	}
}

// An instance claims an attempt and stops (crashes) before sending, or after sending but before
// recording the outcome. Nobody else touches the delivery while the claim's lease runs; after it, one
// of the two other instances takes it over, records the abandoned attempt and sends. Nothing is lost.
func TestCrashBetweenClaimAndSendIsRecovered(t *testing.T) {
	f := newFixture(t)
	lease := 2 * time.Minute
	a, b, c := f.service("a", notify.Config{Lease: lease}), f.service("b", notify.Config{Lease: lease}), f.service("c", notify.Config{Lease: lease})
	to := f.user(t, shared.RolePatient, "pat@example.org")
	made := mustNotify(t, a, notify.Request{Key: "reminder:24h:crash", RecipientID: to, Message: "See you tomorrow", Channels: []string{shared.ChannelEmail}})
	d := made[0].Deliveries[0]
	// Instance a claims attempt 1 and dies.
	if err := f.store.ClaimAttempt(context.Background(), notify.Attempt{DeliveryID: d.ID, N: 1, Instance: "a", At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(lease - time.Second)
	deliver(t, b)
	deliver(t, c)
	if n := f.email.count(d.ID); n != 0 {
		t.Fatalf("sent %d times while instance a's claim was fresh, want 0", n)
	}
	f.clock.Advance(2 * time.Second)
	var wg sync.WaitGroup
	for _, s := range []*notify.Service{b, c} {
		wg.Go(func() { deliver(t, s) })
	}
	wg.Wait()
	got := f.delivery(t, d.ID)
	if got.Status != shared.DeliverySent || f.email.count(d.ID) != 1 || got.Attempts != 2 {
		t.Fatalf("got %s after %d attempts, sent %d times; want sent once, on attempt 2", got.Status, got.Attempts, f.email.count(d.ID))
	}
	if s := statuses(got); s != "0:queued 1:abandoned 2:sent" {
		t.Errorf("log %q, want the abandoned attempt recorded before the one that sent", s)
	}
}

// Three instances make the same keyed notifications at once and all deliver: each is made once and
// each delivery is sent once.
func TestThreeInstancesMakeAndSendOnce(t *testing.T) {
	f := newFixture(t)
	instances := []*notify.Service{f.service("a", notify.Config{}), f.service("b", notify.Config{}), f.service("c", notify.Config{})}
	var reqs []notify.Request
	for i := range 60 {
		to := f.user(t, shared.RolePatient, fmt.Sprintf("p%d@example.org", i))
		reqs = append(reqs, notify.Request{Key: fmt.Sprintf("reminder:2h:appt-%d", i), RecipientID: to, Message: "Reminder",
			Channels: []string{shared.ChannelEmail}})
	}
	var mu sync.Mutex
	made := map[string]int{}
	var wg sync.WaitGroup
	for _, s := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.Notify(context.Background(), reqs...)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range out {
				if m.New {
					made[m.Notification.ID]++
				}
			}
		}()
	}
	wg.Wait()
	if len(made) != len(reqs) {
		t.Fatalf("%d notifications made, want %d", len(made), len(reqs))
	}
	for id, n := range made {
		if n != 1 {
			t.Errorf("notification %s reported new by %d instances, want 1", id, n)
		}
	}
	for _, s := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if _, err := s.DeliverDue(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for _, r := range reqs {
		id := notify.IDFor(r.Key) + "-email"
		if n := f.email.count(id); n != 1 {
			t.Errorf("delivery %s sent %d times, want once", id, n)
		}
	}
}

func TestPreferencesAndQuietHours(t *testing.T) {
	f := newFixture(t)
	f.clock = &clock{t: time.Date(2030, 1, 7, 23, 30, 0, 0, time.UTC)} // 23:30 in London in winter
	london, _ := time.LoadLocation("Europe/London")
	s := f.service("a", notify.Config{Location: london})
	ctx := context.Background()
	pat := f.user(t, shared.RolePatient, "quiet@example.org")
	prefs := notify.Preferences{Email: false, SMS: true, Phone: "+447911123456", QuietStart: "22:00", QuietEnd: "07:00"}
	if err := f.store.SetPreferences(ctx, pat, prefs); err != nil {
		t.Fatal(err)
	}
	both := []string{shared.ChannelEmail, shared.ChannelSMS}
	made := mustNotify(t, s,
		notify.Request{Key: "pref:reminder", RecipientID: pat, Message: "Reminder", Channels: both},
		notify.Request{Key: "pref:cancelled", RecipientID: pat, Message: "Cancelled by the clinic", Channels: both, Mandatory: true},
		notify.Request{Key: "pref:urgent", RecipientID: pat, Message: "Urgent", Channels: []string{shared.ChannelSMS}, Urgent: true, Mandatory: true})
	byID := map[string]notify.Delivery{}
	for _, m := range made {
		for _, d := range m.Deliveries {
			byID[d.ID] = d
		}
	}
	reminderEmail := byID[notify.IDFor("pref:reminder")+"-email"]
	if reminderEmail.Status != shared.DeliverySkipped || !strings.Contains(reminderEmail.LastError, "turned email off") {
		t.Errorf("reminder email: got %s (%q), want skipped: the patient turned email off", reminderEmail.Status, reminderEmail.LastError)
	}
	cancelEmail := byID[notify.IDFor("pref:cancelled")+"-email"]
	if cancelEmail.Status != shared.DeliveryQueued || !strings.Contains(cancelEmail.Log[0].Reason, "must send") {
		t.Errorf("mandatory email: got %s (%+v), want queued although email is off", cancelEmail.Status, cancelEmail.Log)
	}
	seven := time.Date(2030, 1, 8, 7, 0, 0, 0, time.UTC)
	for _, id := range []string{notify.IDFor("pref:reminder") + "-sms", cancelEmail.ID} {
		if d := byID[id]; !d.NextAt.Equal(seven) {
			t.Errorf("%s held until %v, want 07:00 the next morning (quiet hours)", id, d.NextAt)
		}
	}
	deliver(t, s)
	urgent := notify.IDFor("pref:urgent") + "-sms"
	if f.sms.count(urgent) != 1 || f.sms.count(notify.IDFor("pref:reminder")+"-sms") != 0 || f.email.count(cancelEmail.ID) != 0 {
		t.Fatalf("at 23:30 sent urgent %d, reminder SMS %d, cancellation email %d; want only the urgent one",
			f.sms.count(urgent), f.sms.count(notify.IDFor("pref:reminder")+"-sms"), f.email.count(cancelEmail.ID))
	}
	f.clock.Advance(7*time.Hour + 30*time.Minute)
	deliver(t, s)
	if f.sms.count(notify.IDFor("pref:reminder")+"-sms") != 1 || f.email.count(cancelEmail.ID) != 1 || f.email.count(reminderEmail.ID) != 0 {
		t.Errorf("at 07:00 the held messages were not sent once each (or the skipped email was sent)")
	}
}

func TestNoAddressOrNoProviderIsSkippedWithAReason(t *testing.T) {
	f := newFixture(t)
	s := f.service("a", notify.Config{})
	s.SetTransport(shared.ChannelEmail, nil)
	to := f.user(t, shared.RoleStaff, "staff@example.org")
	made := mustNotify(t, s, notify.Request{RecipientID: to, Message: "x", Channels: []string{shared.ChannelEmail, shared.ChannelSMS}})
	for _, d := range made[0].Deliveries {
		want := map[string]string{shared.ChannelEmail: "email is not configured", shared.ChannelSMS: "no phone number"}[d.Channel]
		if d.Status != shared.DeliverySkipped || !strings.Contains(d.LastError, want) {
			t.Errorf("%s: got %s (%q), want skipped: %s", d.Channel, d.Status, d.LastError, want)
		}
	}
	if _, err := s.Notify(context.Background(), notify.Request{RecipientID: ident.New(), Message: "x"}); !errors.Is(err, notify.ErrNoRecipient) {
		t.Errorf("unknown recipient: got %v, want ErrNoRecipient", err)
	}
}

func TestUsersSeeOnlyTheirOwn(t *testing.T) {
	f := newFixture(t)
	s := f.service("a", notify.Config{})
	ctx := context.Background()
	ann, bob := f.user(t, shared.RolePatient, "ann@example.org"), f.user(t, shared.RolePatient, "bob@example.org")
	made := mustNotify(t, s, notify.Request{RecipientID: bob, Message: "Bob's biopsy result is in"})
	annP, bobP := auth.Principal{UserID: ann, Role: shared.RolePatient}, auth.Principal{UserID: bob, Role: shared.RolePatient}
	list, err := s.List(ctx, annP, false, 1, 20)
	if err != nil || len(list.Items) != 0 || list.Unread != 0 {
		t.Fatalf("Ann's list %+v (%v), want empty", list, err)
	}
	if _, err := s.MarkRead(ctx, annP, made[0].Notification.ID); err == nil {
		t.Fatal("Ann marked Bob's notification read")
	}
	list, _ = s.List(ctx, bobP, true, 1, 20)
	if len(list.Items) != 1 || list.Unread != 1 || list.Items[0].Message != "Bob's biopsy result is in" {
		t.Fatalf("Bob's unread %+v, want his one notification", list)
	}
	if _, err := s.MarkRead(ctx, bobP, made[0].Notification.ID); err != nil {
		t.Fatal(err)
	}
	list, _ = s.List(ctx, bobP, false, 1, 20)
	if list.Unread != 0 || list.Items[0].ReadAt == nil {
		t.Errorf("after marking read: %+v", list)
	}
}

// A sent message's body is not kept; finished deliveries go after the retention, dead letters stay.
func TestSentBodiesDroppedAndOldDeliveriesPruned(t *testing.T) {
	f := newFixture(t)
	s := f.service("a", notify.Config{})
	to := f.user(t, shared.RoleStaff, "prune@example.org")
	f.email.fail = func(d notify.Delivery, _ int) error {
		if strings.Contains(d.Text, "bounce") {
			return failure{permanent: true}
		}
		return nil
	}
	made := mustNotify(t, s,
		notify.Request{RecipientID: to, Message: "ok", Channels: []string{shared.ChannelEmail, shared.ChannelSMS}},
		notify.Request{RecipientID: to, Message: "bounce", Channels: []string{shared.ChannelEmail}})
	deliver(t, s)
	sent, skipped, dead := made[0].Deliveries[0], made[0].Deliveries[1], made[1].Deliveries[0]
	missing, err := f.store.Bodies(context.Background(), []notify.Delivery{sent, dead})
	if err != nil {
		t.Fatal(err)
	}
	if !missing[sent.ID] || missing[dead.ID] {
		t.Errorf("bodies missing %v: want the sent one dropped and the dead letter's kept (to retry it)", missing)
	}
	f.clock.Advance(24 * time.Hour)
	if n, err := s.Prune(context.Background(), 48*time.Hour); err != nil || n != 0 {
		t.Fatalf("pruned %d (%v) within the retention, want 0", n, err)
	}
	f.clock.Advance(48 * time.Hour)
	if n, err := s.Prune(context.Background(), 48*time.Hour); err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want the sent and the skipped delivery", n, err)
	}
	for _, id := range []string{sent.ID, skipped.ID} {
		if _, err := f.store.Delivery(context.Background(), id); !errors.Is(err, notify.ErrNoDelivery) {
			t.Errorf("delivery %s: got %v after pruning, want not found", id, err)
		}
	}
	if d := f.delivery(t, dead.ID); d.Status != shared.DeliveryDead {
		t.Errorf("the dead letter is %s after pruning, want kept", d.Status)
	}
}

// A reminder held by quiet hours is withdrawn when its appointment is cancelled: it never goes. One
// whose attempt a worker has claimed is left to that worker.
func TestWithdrawStopsWhatHasNotGone(t *testing.T) {
	f := newFixture(t)
	f.clock = &clock{t: time.Date(2030, 1, 7, 23, 0, 0, 0, time.UTC)}
	s := f.service("a", notify.Config{})
	ctx := context.Background()
	pat := f.user(t, shared.RolePatient, "held@example.org")
	if err := f.store.SetPreferences(ctx, pat, notify.Preferences{Email: true, SMS: true, Phone: "+447911123456",
		QuietStart: "22:00", QuietEnd: "07:00"}); err != nil {
		t.Fatal(err)
	}
	both := []string{shared.ChannelEmail, shared.ChannelSMS}
	mustNotify(t, s, notify.Request{Key: "reminder:24h:a1", RecipientID: pat, Message: "Tomorrow 10:00", Channels: both},
		notify.Request{Key: "reminder:24h:a2", RecipientID: pat, Message: "Tomorrow 11:00", Channels: both})
	// A worker elsewhere has just claimed a2's email.
	a2email := notify.IDFor("reminder:24h:a2") + "-email"
	if err := f.store.ClaimAttempt(ctx, notify.Attempt{DeliveryID: a2email, N: 1, Instance: "b", At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	n, err := s.Withdraw(ctx, []string{"reminder:24h:a1", "reminder:24h:a2", "reminder:2h:a1"}, "the appointment was cancelled")
	if err != nil || n != 3 {
		t.Fatalf("withdrew %d (%v), want 3: both of a1's and a2's SMS, not a2's email (being sent)", n, err)
	}
	a1sms := f.delivery(t, notify.IDFor("reminder:24h:a1")+"-sms")
	if a1sms.Status != shared.DeliverySkipped || !strings.Contains(statuses(a1sms), "0:skipped") || a1sms.LastError != "the appointment was cancelled" {
		t.Errorf("a1's SMS: %s %q, log %q; want skipped, saying why", a1sms.Status, a1sms.LastError, statuses(a1sms))
	}
	deliver(t, s)
	if d := f.delivery(t, a2email); d.Status != shared.DeliveryQueued || f.email.calls != 0 {
		t.Errorf("a2's email is %s (%d sent), want left queued to the worker that claimed it", d.Status, f.email.calls)
	}
	// Quiet hours over: only a2's email goes (the worker that claimed it stopped, so this one takes over).
	f.clock.Advance(9 * time.Hour)
	deliver(t, s)
	if f.email.count(a2email) != 1 || f.email.calls != 1 || f.sms.calls != 0 {
		t.Errorf("after quiet hours: %d emails (a2's %d) and %d SMS sent, want only a2's email", f.email.calls, f.email.count(a2email), f.sms.calls)
	}
}

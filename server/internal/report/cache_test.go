package report_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/mongostore"
	"hms/server/internal/report"
	"hms/shared"
)

// countingStore counts the reads of stored days' figures and of their versions.
type countingStore struct {
	report.Store
	days, versions atomic.Int64
}

func (c *countingStore) Days(ctx context.Context, from, to string) (map[string]report.Stored, error) {
	c.days.Add(1)
	return c.Store.Days(ctx, from, to)
}

func (c *countingStore) DayVersions(ctx context.Context, from, to string) (map[string]int64, error) {
	c.versions.Add(1)
	return c.Store.DayVersions(ctx, from, to)
}

// allReports answers the four reports over r, as JSON.
func allReports(t *testing.T, s *report.Service, r shared.ReportRange) string {
	t.Helper()
	out, err := reportsJSON(s, r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func reportsJSON(s *report.Service, r shared.ReportRange) (string, error) {
	ctx := context.Background()
	ops, err := s.Operations(ctx, r)
	if err != nil {
		return "", err
	}
	adm, err := s.Admissions(ctx, r)
	if err != nil {
		return "", err
	}
	docs, err := s.Doctors(ctx, r, nil)
	if err != nil {
		return "", err
	}
	bill, err := s.Billing(ctx, r)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal([]any{ops, adm, docs, bill})
	return string(b), err
}

// TestClosedDaysCache: closed days' figures kept in memory answer every report the same as read from
// the store each time (and as a two-day cache does); a warm report reads only the days' versions; a
// late fact recorded by another instance, and the day stored again by that instance, are seen.
func TestClosedDaysCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &countingStore{Store: mongostore.NewReports(embedded(t))}
	now := time.Date(2029, 3, 1, 10, 0, 0, 0, time.UTC) // every day of the range closed, none sealed
	clock := func() time.Time { return now }
	a := report.NewService(store, report.Config{Now: clock, Log: quiet, Currency: "GBP"})
	b := report.NewService(store, report.Config{Now: clock, Log: quiet, Currency: "GBP"})
	uncached := report.NewService(store, report.Config{Now: clock, Log: quiet, Currency: "GBP", CacheDays: -1})
	small := report.NewService(store, report.Config{Now: clock, Log: quiet, Currency: "GBP", CacheDays: 2})
	rng := rand.New(rand.NewPCG(3, 4))
	for d := range 4 { // 2029-01-30 to 2029-02-02: two months' collections
		day := time.Date(2029, 1, 30+d, 0, 0, 0, 0, time.UTC)
		facts := dayFacts(a, day, 40, rng)
		for i := range facts {
			if facts[i].Day == "" {
				facts[i].Day = day.Format(time.DateOnly) // the census
			}
		}
		if err := a.Record(ctx, facts...); err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Range("2029-01-25", "2029-02-28", "")
	if err != nil {
		t.Fatal(err)
	}
	want := allReports(t, uncached, r) // stores the closed days
	if got := allReports(t, a, r); got != want {
		t.Fatalf("cold: cached reports differ from uncached\n got %s\nwant %s", got, want)
	}
	store.days.Store(0)
	if got := allReports(t, a, r); got != want {
		t.Fatalf("warm: cached reports differ from uncached\n got %s\nwant %s", got, want)
	}
	if n := store.days.Load(); n != 0 {
		t.Errorf("a warm report read the stored figures %d times; want only their versions", n)
	}
	// The kept days are shared by reports running at once (the race detector sees a write to one).
	var wg sync.WaitGroup
	answers, errs := make([]string, 4), make([]error, 4)
	for i := range answers {
		wg.Go(func() { answers[i], errs[i] = reportsJSON(a, r) })
	}
	wg.Wait()
	for i, got := range answers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got != want {
			t.Fatalf("reports at once differ from uncached\n got %s\nwant %s", got, want)
		}
	}
	if got := allReports(t, small, r); got != want {
		t.Fatalf("a two-day cache answers differently\n got %s\nwant %s", got, want)
	}
	if got := allReports(t, small, r); got != want {
		t.Fatalf("a two-day cache answers differently when warm\n got %s\nwant %s", got, want)
	}

	booked := func(s *report.Service) int64 {
		t.Helper()
		ops, err := s.Operations(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return ops.Totals.Booked
	}
	before := booked(a)
	// Another instance records a late fact for a closed day: a's kept day is not used.
	late := func(id string) {
		t.Helper()
		if err := b.Record(ctx, report.Fact{ID: id, Day: "2029-01-31", Kind: report.Booked, Dept: "dept-0", Doctor: "d-late"}); err != nil {
			t.Fatal(err)
		}
	}
	late("late-1")
	if got := booked(a); got != before+1 {
		t.Fatalf("after a late fact on another instance: %d booked, want %d", got, before+1)
	}
	// Another late fact, and the other instance stores the day again first: a reads the new version.
	late("late-2")
	if got := booked(b); got != before+2 {
		t.Fatalf("the other instance: %d booked, want %d", got, before+2)
	}
	store.days.Store(0)
	if got := booked(a); got != before+2 {
		t.Fatalf("after the day was stored again on another instance: %d booked, want %d", got, before+2)
	}
	if store.days.Load() == 0 {
		t.Error("a day stored again with another version was not read again")
	}
	want = allReports(t, uncached, r)
	for _, s := range []*report.Service{a, b, small} {
		if got := allReports(t, s, r); got != want {
			t.Fatalf("after late facts: cached reports differ from uncached\n got %s\nwant %s", got, want)
		}
	}
}

// TestDaysStoredBeforeVersions: a day stored before versions were kept (its figures in its document,
// no fact count) is still read, every time (it cannot be kept), and a late fact still forgets it.
func TestDaysStoredBeforeVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := embedded(t)
	store := &countingStore{Store: mongostore.NewReports(db)}
	now := time.Date(2029, 2, 1, 10, 0, 0, 0, time.UTC)
	svc := report.NewService(store, report.Config{Now: func() time.Time { return now }, Log: quiet})
	day := time.Date(2029, 1, 10, 0, 0, 0, 0, time.UTC)
	sum := report.Sum("2029-01-10", dayFacts(svc, day, 30, rand.New(rand.NewPCG(7, 8))))
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if _, err := w.Write(report.Encode(sum)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("report_days_2029_01").InsertOne(ctx, bson.D{{Key: "_id", Value: "2029-01-10"},
		{Key: "owed", Value: sum.Billing.Owed()}, {Key: "data", Value: z.Bytes()}}); err != nil {
		t.Fatal(err)
	}
	r, err := svc.Range("2029-01-10", "2029-01-10", "")
	if err != nil {
		t.Fatal(err)
	}
	var booked int64
	for _, x := range sum.Depts {
		booked += x.Booked
	}
	for range 2 {
		store.days.Store(0)
		ops, err := svc.Operations(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if ops.Totals.Booked != booked || booked == 0 {
			t.Fatalf("booked %d, want %d", ops.Totals.Booked, booked)
		}
		if store.days.Load() == 0 {
			t.Fatal("a day with no version was not read")
		}
	}
	if err := svc.Record(ctx, report.Fact{ID: "late", Day: "2029-01-10", Kind: report.Booked, Dept: "dept-0"}); err != nil {
		t.Fatal(err)
	}
	ops, err := svc.Operations(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if ops.Totals.Booked != 1 { // the day summed again from its facts: here the late one alone
		t.Fatalf("after a late fact: booked %d, want 1", ops.Totals.Booked)
	}
}

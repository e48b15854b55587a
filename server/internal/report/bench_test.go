package report_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"hms/server/internal/mongostore"
	"hms/server/internal/reaction"
	"hms/server/internal/report"
)

// opening serialises starting embedded FerretDBs: ferretdb.New writes a package variable.
var opening sync.Mutex

// embedded opens a fresh embedded FerretDB on SQLite: the default a hospital gets without DATABASE_URL.
func embedded(b testing.TB) *mongostore.DB {
	b.Helper()
	dir := b.TempDir()
	opening.Lock()
	db, err := mongostore.Open(context.Background(), mongostore.Options{DataDir: dir, Database: "bench"})
	opening.Unlock()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close(context.Background()); _ = os.RemoveAll(dir) })
	return db
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// year is the benchmark's year of days.
var year = time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)

// dayFacts makes one day's facts of a busy hospital through the same constructors the reactions use:
// n appointments over 8 departments and 80 doctors (booked; 80 % called after a wait and seen, 8 %
// cancelled, 7 % no-show), 30 admissions and discharges, a census, and an invoice and its payment for
// each visit seen.
func dayFacts(s *report.Service, day time.Time, n int, rng *rand.Rand) []report.Fact {
	var out []report.Fact
	for i := range n {
		id := fmt.Sprintf("%s-%05d", day.Format("20060102"), i)
		dept := fmt.Sprintf("dept-%d", i%8)
		doctor := fmt.Sprintf("%024x", 1+i%80)
		checkIn := day.Add(time.Duration(7*60+rng.IntN(11*60)) * time.Minute)
		v := report.Visit{AppointmentID: id, Step: 1, Action: "booked", At: day.Add(time.Hour), Department: dept, DoctorID: doctor}
		out = append(out, s.VisitFacts(v)...)
		switch r := rng.IntN(100); {
		case r < 8:
			v.Step, v.Action, v.At = 2, "cancelled", checkIn.Add(-time.Hour)
			out = append(out, s.VisitFacts(v)...)
		case r < 15:
			v.Step, v.Action, v.At = 2, "no_show", checkIn
			out = append(out, s.VisitFacts(v)...)
		default:
			v.TicketDepartment, v.TicketDay, v.CheckedInAt = dept, day.Format(time.DateOnly), checkIn
			v.CalledAt = checkIn.Add(time.Duration(rng.ExpFloat64()*25*float64(time.Minute)) + time.Minute)
			v.CalledBy, v.StartedAt = doctor, v.CalledAt
			v.Step, v.Action, v.At = 3, "called", v.CalledAt
			out = append(out, s.VisitFacts(v)...)
			v.FinishedAt = v.StartedAt.Add(time.Duration(5+rng.IntN(25)) * time.Minute)
			v.Step, v.Action, v.At = 5, "finished", v.FinishedAt
			out = append(out, s.VisitFacts(v)...)
			out = append(out, s.InvoiceFacts("inv-"+id, v.FinishedAt, 5000)...)
			out = append(out, s.EntryFacts(report.Entry{Op: "pay-" + id, InvoiceID: "inv-" + id, Amount: 5000,
				At: v.FinishedAt.Add(time.Duration(rng.IntN(20*24)) * time.Hour), SettledFrom: v.FinishedAt})...)
			out = append(out, s.RevenueFacts("chg-"+id, doctor, dept, v.FinishedAt, 5000)...)
		}
	}
	for i := range 30 {
		st := report.Stay{AdmissionID: fmt.Sprintf("%s-a%02d", day.Format("20060102"), i), Department: fmt.Sprintf("dept-%d", i%8),
			AdmittedAt: day.Add(time.Duration(i) * 30 * time.Minute), DischargedAt: day.Add(time.Duration(i)*30*time.Minute + 20*time.Hour)}
		out = append(out, s.AdmittedFacts(st)...)
		out = append(out, s.DischargedFacts(st)...)
	}
	for d := range 8 {
		out = append(out, report.Fact{ID: fmt.Sprintf("census:dept-%d", d), Kind: report.Census, Dept: fmt.Sprintf("dept-%d", d), Beds: 40, Occupied: int64(20 + rng.IntN(20))})
	}
	return out
}

// BenchmarkYearReport seeds a year of closed days equivalent to 1,000,000 appointments (2,740 a day)
// on the embedded default (FerretDB on SQLite), then reads each report over the whole year. The
// closed days' stored figures are seeded directly, each the sum (report.Sum, the code reads use) of
// that day's facts made by the constructors the reactions use; recording 3.5 million facts one by one
// through the store would take hours here (see BenchmarkRecordFact for that rate). It reports p50 and
// p99 per report, cold (the first report of a service: every stored day read and decoded) and warm
// (the same service again: the closed days' decoded figures kept, only their versions read).
func BenchmarkYearReport(b *testing.B) {
	ctx := context.Background()
	db := embedded(b)
	store := mongostore.NewReports(db)
	now := year.AddDate(1, 0, 7) // a week after the year: every day of it closed
	svc := report.NewService(store, report.Config{Now: func() time.Time { return now }, Log: quiet, Currency: "GBP"})
	rng := rand.New(rand.NewPCG(1, 2))
	perDay := 1_000_000 / 365
	start := time.Now()
	var appointments, bytes int
	for d := range 365 {
		day := year.AddDate(0, 0, d)
		facts := dayFacts(svc, day, perDay+boolInt(d < 1_000_000%365), rng)
		sum := report.Sum(day.Format(time.DateOnly), facts)
		data := report.Encode(sum)
		bytes += len(data)
		if err := store.StoreDay(ctx, sum.Day, sum.Billing.Owed(), sum.Facts, data); err != nil {
			b.Fatal(err)
		}
		for _, x := range sum.Depts {
			appointments += int(x.Booked)
		}
	}
	b.Logf("seeded %d appointments in 365 stored days (%.1f MB of figures) in %s", appointments, float64(bytes)/1e6, time.Since(start).Round(time.Second))
	r, err := svc.Range("2029-01-01", "2029-12-31", "")
	if err != nil {
		b.Fatal(err)
	}
	cfg := report.Config{Now: func() time.Time { return now }, Log: quiet, Currency: "GBP"}
	reports := []struct {
		name string
		run  func(svc *report.Service) error
	}{
		{"operations", func(svc *report.Service) error { _, err := svc.Operations(ctx, r); return err }},
		{"admissions", func(svc *report.Service) error { _, err := svc.Admissions(ctx, r); return err }},
		{"doctors", func(svc *report.Service) error { _, err := svc.Doctors(ctx, r, nil); return err }},
		{"billing", func(svc *report.Service) error { _, err := svc.Billing(ctx, r); return err }},
	}
	for _, rep := range reports {
		// cold: each report is the first of a new service (an instance just started: no closed day
		// kept in memory); warm: the same service again (closed days kept, only their versions read).
		for _, warm := range []bool{false, true} {
			name := rep.name + "/cold"
			if warm {
				name = rep.name + "/warm"
			}
			b.Run(name, func(b *testing.B) {
				svc := report.NewService(store, cfg)
				if warm {
					if err := rep.run(svc); err != nil {
						b.Fatal(err)
					}
				}
				var took []time.Duration
				for b.Loop() {
					if !warm {
						svc = report.NewService(store, cfg)
					}
					t := time.Now()
					if err := rep.run(svc); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(t))
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(took[min(len(took)-1, len(took)*99/100)].Microseconds())/1000, "p99-ms")
			})
		}
	}
	ops, err := svc.Operations(ctx, r)
	if err != nil {
		b.Fatal(err)
	}
	if ops.Totals.Booked != 1_000_000 {
		b.Fatalf("a year's report counts %d bookings, want 1,000,000", ops.Totals.Booked)
	}
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// booked is a stand-in for appointment.Booked in the bus benchmark: same shape (an id and a step).
type booked struct {
	ID string `json:"id"`
}

func (booked) EventType() string { return "bench.booked" }
func (e booked) Key() string     { return e.ID }

// BenchmarkRecordFact measures what keeping the figures adds per booking on the embedded default:
//
//   - fact: recording a booking's fact (one insert into its day's facts);
//   - bus: announcing a booking on the reaction bus with one Must reaction that does nothing (as
//     appointment.booked already has its confirmation), the cost every booking pays anyway;
//   - bus+report: the same with the report's Must reaction recording the fact too. bus+report − bus
//     is the extra time per booking (an attempt claimed and ended, and the fact). Reading the booking's
//     step back, which the real reaction also does, is not counted: it depends on how many
//     appointments the store holds.
func BenchmarkRecordFact(b *testing.B) {
	ctx := context.Background()
	db := embedded(b)
	now := time.Date(2030, 1, 7, 10, 0, 0, 0, time.UTC)
	svc := report.NewService(mongostore.NewReports(db), report.Config{Now: func() time.Time { return now }, Log: quiet})
	fact := func(i int) []report.Fact {
		return svc.VisitFacts(report.Visit{AppointmentID: fmt.Sprintf("b%d-%d", b.N, i), Step: 1, Action: "booked", At: now, Department: "general", DoctorID: "d1"})
	}
	b.Run("fact", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if err := svc.Record(ctx, fact(i)...); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, withReport := range []bool{false, true} {
		name := "bus"
		if withReport {
			name = "bus+report"
		}
		b.Run(name, func(b *testing.B) {
			bus := reaction.New(mongostore.NewReactions(db), quiet, reaction.Config{Instance: "bench"})
			reaction.Verify(bus, func(context.Context, booked) (bool, error) { return true, nil })
			reaction.Must(bus, "bench.confirm", func(context.Context, booked) error { return nil })
			if withReport {
				reaction.Must(bus, "bench.report", func(ctx context.Context, e booked) error {
					return svc.Record(ctx, svc.VisitFacts(report.Visit{AppointmentID: e.ID, Step: 1, Action: "booked", At: now, Department: "general"})...)
				})
			}
			i := 0
			for b.Loop() {
				i++
				p, err := bus.Expect(ctx, booked{ID: fmt.Sprintf("%s-%d-%d", name, b.N, i)})
				if err != nil {
					b.Fatal(err)
				}
				p.Happened(ctx)
			}
		})
	}
}

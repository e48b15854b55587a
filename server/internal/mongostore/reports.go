package mongostore

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/report"
)

// The report figures' collections: one of facts per day (report_facts_2026_03_14), so that summing a
// day reads only that day's facts (FerretDB scans a whole collection on every read, whatever its
// indexes), and the stored closed days, per month: a small document per day (report_days_2026_03:
// _id the day, its owed and its version, the fact count) and the day's figures, gzip-compressed, under
// the day and that version (report_daydata_2026_03, _id 2026-03-14@1234). A day is stored by inserting
// its figures, then its small document (the commit: a day is stored when that is there), and forgotten
// by deleting the small document, then the figures. So reading the versions of a year's days
// (DayVersions, OwedBefore) reads 12 collections of small documents — FerretDB parses every document it
// scans whole, whatever the projection — and a day's figures are read only when its version is new to
// the reader. Figures under a version are never changed: the same fact count is the same facts.
const (
	colReportFactsPrefix   = "report_facts_"
	colReportDaysPrefix    = "report_days_"
	colReportDayDataPrefix = "report_daydata_"
)

var _ report.Store = (*Reports)(nil)

// Reports stores report facts and days.
type Reports struct {
	db   *DB
	gate *gate
}

// NewReports returns the report store on db.
func NewReports(db *DB) *Reports {
	return &Reports{db: db, gate: db.gate}
}

// daysOf is the collection of the stored days of day's month (their small documents).
func daysOf(db *DB, day string) *mongo.Collection {
	return db.Collection(colReportDaysPrefix + strings.ReplaceAll(day[:min(7, len(day))], "-", "_"))
}

// dayDataOf is the collection of the stored days' figures of day's month.
func dayDataOf(db *DB, day string) *mongo.Collection {
	return db.Collection(colReportDayDataPrefix + strings.ReplaceAll(day[:min(7, len(day))], "-", "_"))
}

// dayDataID is the _id of day's figures at version (its fact count).
func dayDataID(day string, version int64) string { return fmt.Sprintf("%s@%d", day, version) }

// storedMonths lists the months (YYYY-MM) that have stored days, in order.
func (s *Reports) storedMonths(ctx context.Context) ([]string, error) {
	var names []string
	err := retryRead(ctx, func() error {
		var err error
		names, err = s.db.ListCollectionNames(ctx, bson.D{})
		return err
	})
	if err != nil {
		return nil, wrap("list report months", err)
	}
	var out []string
	for _, n := range names {
		if m, ok := strings.CutPrefix(n, colReportDaysPrefix); ok {
			out = append(out, strings.ReplaceAll(m, "_", "-"))
		}
	}
	slices.Sort(out)
	return out, nil
}

func zip(data []byte) ([]byte, error) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	err := w.Close()
	return b.Bytes(), err
}

func unzip(data []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func factsOf(db *DB, day string) *mongo.Collection {
	return db.Collection(colReportFactsPrefix + strings.ReplaceAll(day, "-", "_"))
}

type factDoc struct {
	ID       string    `bson:"_id"`
	Kind     string    `bson:"kind"`
	Dept     string    `bson:"dept,omitempty"`
	Doctor   string    `bson:"doctor,omitempty"`
	Hour     int       `bson:"hour,omitempty"`
	Minutes  int64     `bson:"min,omitempty"`
	Seconds  int64     `bson:"sec,omitempty"`
	Amount   int64     `bson:"amount,omitempty"`
	Status   string    `bson:"status,omitempty"`
	Approved int64     `bson:"approved,omitempty"`
	PaidOut  int64     `bson:"paid_out,omitempty"`
	Beds     int64     `bson:"beds,omitempty"`
	Occupied int64     `bson:"occupied,omitempty"`
	At       time.Time `bson:"at"`
}

// reportDayDoc is a stored day's small document. Facts is how many facts its figures sum: the day's
// version (report.Stored), under which its figures are stored (dayDataDoc). A day stored before
// versions were kept has none, and its figures in Data.
type reportDayDoc struct {
	ID    string `bson:"_id"`
	Owed  int64  `bson:"owed"`
	Facts *int64 `bson:"facts,omitempty"`
	Data  []byte `bson:"data,omitempty"`
}

// dayDataDoc is a stored day's figures at one version (_id: dayDataID).
type dayDataDoc struct {
	ID   string `bson:"_id"`
	Data []byte `bson:"data"`
}

func (d reportDayDoc) version() int64 {
	if d.Facts == nil {
		return -1
	}
	return *d.Facts
}

// monthReaders is how many month collections a range's read reads at once.
const monthReaders = 4

// eachMonth runs read for every month of months in [from, to] (YYYY-MM-DD), at most monthReaders at
// once, and returns the first error.
func eachMonth(months []string, from, to string, read func(month string) error) error {
	sem := make(chan struct{}, monthReaders)
	errs := make(chan error, len(months))
	var wg sync.WaitGroup
	for _, m := range months {
		if m < from[:7] || m > to[:7] {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- read(m)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// InsertFact implements report.Store: the insert under the fact's _id is what makes it count once.
func (s *Reports) InsertFact(ctx context.Context, f report.Fact) (bool, error) {
	leave := s.gate.enter()
	defer leave()
	_, err := factsOf(s.db, f.Day).InsertOne(ctx, factDoc{ID: f.ID, Kind: string(f.Kind), Dept: f.Dept, Doctor: f.Doctor,
		Hour: f.Hour, Minutes: f.Minutes, Seconds: f.Seconds, Amount: f.Amount, Status: f.Status, Approved: f.Approved, PaidOut: f.PaidOut, Beds: f.Beds, Occupied: f.Occupied, At: f.At})
	if errors.Is(classify(err), errDuplicate) {
		return false, nil
	}
	return err == nil, wrap("insert report fact", err)
}

// Facts implements report.Store.
func (s *Reports) Facts(ctx context.Context, day string) ([]report.Fact, error) {
	return findAll(ctx, factsOf(s.db, day), "list report facts", bson.D{}, options.Find(), func(d factDoc) report.Fact {
		return report.Fact{ID: d.ID, Day: day, Kind: report.Kind(d.Kind), Dept: d.Dept, Doctor: d.Doctor, Hour: d.Hour,
			Minutes: d.Minutes, Seconds: d.Seconds, Amount: d.Amount, Status: d.Status, Approved: d.Approved, PaidOut: d.PaidOut,
			Beds: d.Beds, Occupied: d.Occupied, At: d.At}
	})
}

// CountFacts implements report.Store.
func (s *Reports) CountFacts(ctx context.Context, day string) (int64, error) {
	var n int64
	err := retryRead(ctx, func() error {
		var err error
		n, err = factsOf(s.db, day).CountDocuments(ctx, bson.D{})
		return err
	})
	return n, wrap("count report facts", err)
}

// FactDays implements report.Store.
func (s *Reports) FactDays(ctx context.Context) ([]string, error) {
	var names []string
	err := retryRead(ctx, func() error {
		var err error
		names, err = s.db.ListCollectionNames(ctx, bson.D{})
		return err
	})
	if err != nil {
		return nil, wrap("list report fact days", err)
	}
	var out []string
	for _, n := range names {
		if d, ok := strings.CutPrefix(n, colReportFactsPrefix); ok {
			out = append(out, strings.ReplaceAll(d, "_", "-"))
		}
	}
	return out, nil
}

// DropFacts implements report.Store.
func (s *Reports) DropFacts(ctx context.Context, day string) error {
	leave := s.gate.enter()
	defer leave()
	return wrap("drop report facts", factsOf(s.db, day).Drop(ctx))
}

// StoreDay implements report.Store: the figures under the day and version first, then the day's small
// document, so that a stored day's figures are always there. Either insert may find its document there
// already (another instance stored the same day): not an error, and the one there is kept.
func (s *Reports) StoreDay(ctx context.Context, day string, owed, facts int64, data []byte) error {
	z, err := zip(data)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	_, err = dayDataOf(s.db, day).InsertOne(ctx, dayDataDoc{ID: dayDataID(day, facts), Data: z})
	if err != nil && !errors.Is(classify(err), errDuplicate) {
		return wrap("store report day figures", err)
	}
	_, err = daysOf(s.db, day).InsertOne(ctx, reportDayDoc{ID: day, Owed: owed, Facts: &facts})
	if errors.Is(classify(err), errDuplicate) {
		return nil
	}
	return wrap("store report day", err)
}

// versions reads the small documents of the stored days in [from, to], by day, the months a few at once.
func (s *Reports) versions(ctx context.Context, from, to string) (map[string]reportDayDoc, error) {
	out := map[string]reportDayDoc{}
	if len(from) < 7 || len(to) < 7 {
		return out, nil
	}
	months, err := s.storedMonths(ctx)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	err = eachMonth(months, from, to, func(m string) error {
		docs, err := findAll(ctx, daysOf(s.db, m), "read report days",
			bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lte", Value: to}}}}, options.Find(),
			func(d reportDayDoc) reportDayDoc { return d })
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, d := range docs {
			out[d.ID] = d
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DayVersions implements report.Store: only the small documents are read.
func (s *Reports) DayVersions(ctx context.Context, from, to string) (map[string]int64, error) {
	docs, err := s.versions(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(docs))
	for day, d := range docs {
		out[day] = d.version()
	}
	return out, nil
}

// Days implements report.Store: the small documents of the range, then the figures of their versions,
// the months a few at once. A day whose figures are gone meanwhile (forgotten) is left out.
func (s *Reports) Days(ctx context.Context, from, to string) (map[string]report.Stored, error) {
	docs, err := s.versions(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := map[string]report.Stored{}
	byMonth := map[string][]string{}
	for day, d := range docs {
		if d.Facts == nil { // stored before versions: the figures are in the document
			data, err := unzip(d.Data)
			if err != nil {
				return nil, fmt.Errorf("report day %s: %w", day, err)
			}
			out[day] = report.Stored{Facts: -1, Data: data}
			continue
		}
		byMonth[day[:7]] = append(byMonth[day[:7]], dayDataID(day, *d.Facts))
	}
	months := slices.Sorted(maps.Keys(byMonth))
	var mu sync.Mutex
	err = eachMonth(months, from, to, func(m string) error {
		got, err := findAll(ctx, dayDataOf(s.db, m), "read report day figures",
			bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: byMonth[m]}}}}, options.Find(),
			func(d dayDataDoc) dayDataDoc { return d })
		if err != nil {
			return err
		}
		for _, d := range got {
			day, _, _ := strings.Cut(d.ID, "@")
			data, err := unzip(d.Data)
			if err != nil {
				return fmt.Errorf("report day %s: %w", d.ID, err)
			}
			mu.Lock()
			out[day] = report.Stored{Facts: docs[day].version(), Data: data}
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ForgetDay implements report.Store: the small document first (the day is no longer stored), then the
// figures of its version.
func (s *Reports) ForgetDay(ctx context.Context, day string) error {
	docs, err := findAll(ctx, daysOf(s.db, day), "read report day", bson.D{{Key: "_id", Value: day}},
		options.Find().SetProjection(bson.D{{Key: "facts", Value: 1}}), func(d reportDayDoc) reportDayDoc { return d })
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	defer leave()
	if _, err := daysOf(s.db, day).DeleteOne(ctx, bson.D{{Key: "_id", Value: day}}); err != nil {
		return wrap("forget report day", err)
	}
	for _, d := range docs {
		if d.Facts != nil {
			if _, err := dayDataOf(s.db, day).DeleteOne(ctx, bson.D{{Key: "_id", Value: dayDataID(day, *d.Facts)}}); err != nil {
				return wrap("forget report day figures", err)
			}
		}
	}
	return nil
}

// OwedBefore implements report.Store: only the owed field is read.
func (s *Reports) OwedBefore(ctx context.Context, day string) (int64, error) {
	type owedDoc struct {
		Owed int64 `bson:"owed"`
	}
	months, err := s.storedMonths(ctx)
	if err != nil || len(day) < 7 {
		return 0, err
	}
	var n int64
	for _, m := range months {
		if m > day[:7] {
			break
		}
		docs, err := findAll(ctx, daysOf(s.db, m), "sum report owed", bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: day}}}},
			options.Find().SetProjection(bson.D{{Key: "owed", Value: 1}}), func(d owedDoc) int64 { return d.Owed })
		if err != nil {
			return 0, err
		}
		for _, o := range docs {
			n += o
		}
	}
	return n, nil
}

package report

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Store keeps facts, one collection (or table) per day so that reading a day reads only that day's
// facts, and the stored figures of closed days.
type Store interface {
	// InsertFact stores f among its day's facts; inserted is false when a fact with its ID is there
	// already (not an error).
	InsertFact(ctx context.Context, f Fact) (inserted bool, err error)
	// Facts returns every fact of day.
	Facts(ctx context.Context, day string) ([]Fact, error)
	// CountFacts counts the facts of day.
	CountFacts(ctx context.Context, day string) (int64, error)
	// FactDays lists the days that have facts stored.
	FactDays(ctx context.Context) ([]string, error)
	// DropFacts deletes every fact of day.
	DropFacts(ctx context.Context, day string) error
	// StoreDay stores a closed day's figures once (an existing one is kept; not an error); owed is
	// Money.Owed, kept beside the data so that OwedBefore reads no more than that, and facts is
	// Day.Facts, the stored day's version (Stored), kept beside it so that DayVersions reads no more.
	StoreDay(ctx context.Context, day string, owed, facts int64, data []byte) error
	// Days returns the stored figures of the days in [from, to], by day.
	Days(ctx context.Context, from, to string) (map[string]Stored, error)
	// DayVersions returns the version (Stored.Facts) of each stored day in [from, to], by day, without
	// the figures.
	DayVersions(ctx context.Context, from, to string) (map[string]int64, error)
	// ForgetDay deletes a day's stored figures.
	ForgetDay(ctx context.Context, day string) error
	// OwedBefore adds up the owed of the stored days before day.
	OwedBefore(ctx context.Context, day string) (int64, error)
}

// Stored is a closed day's stored figures: Data is what Encode wrote, Facts how many facts they sum
// (Day.Facts), -1 for a day stored before that was kept beside them. Facts is the stored day's
// version: facts are only ever added to a day, so a day stored again after a late fact sums more of
// them, and the same count is the same facts, hence the same figures.
type Stored struct {
	Facts int64
	Data  []byte
}

// Config tunes the service.
type Config struct {
	// Location is the hospital's zone (HOSPITAL_TZ): days and hours are its.
	Location *time.Location
	// Now is the hospital's clock (nil: time.Now).
	Now func() time.Time
	// CloseAfter is how long after its midnight a day is closed and its figures stored (default 3 h:
	// longer than a reaction's retries usually take, and the census is taken by then).
	CloseAfter time.Duration
	// Retention is how long a closed day's facts are kept after its figures are stored (default 35
	// days); a fact for a day older than that is refused (logged), since its day could no longer be
	// summed again.
	Retention time.Duration
	// Census returns each department's beds and occupied beds now (nil: no occupancy figures).
	Census func(ctx context.Context) (map[string]Beds, error)
	// Changed is told, at most every couple of seconds, that today's figures changed (a live event).
	Changed func(ctx context.Context, day string)
	// CacheDays is how many closed days' decoded figures are kept in memory, the least recently read
	// dropped first (default 800: a two-year report's and more; negative: none). Each is reused while
	// the day's stored version is the same (Stored), so a day stored again on any instance is read again.
	CacheDays int
	// Currency is the ISO 4217 code of the amounts.
	Currency string
	Log      *slog.Logger
}

// Service records facts and answers reports.
type Service struct {
	store Store
	cfg   Config
	// dirty is set when a fact of an open day was recorded since the last live event.
	dirty atomic.Bool

	mu   sync.Mutex
	open map[string]openDay // open days' sums, recomputed after a fact or openTTL

	closedDays *dayCache // closed days' decoded figures, by day and version
}

type openDay struct {
	d  *Day
	at time.Time
}

// openTTL is how long an open day's sum is reused (facts written by other instances show after it).
const openTTL = 2 * time.Second

// NewService returns the report service on store.
func NewService(store Store, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CloseAfter <= 0 {
		cfg.CloseAfter = 3 * time.Hour
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 35 * 24 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.CacheDays == 0 {
		cfg.CacheDays = 800
	}
	return &Service{store: store, cfg: cfg, open: map[string]openDay{}, closedDays: newDayCache(cfg.CacheDays)}
}

// DayOf is t's day in the hospital's zone.
func (s *Service) DayOf(t time.Time) string { return t.In(s.cfg.Location).Format(time.DateOnly) }

// HourOf is t's hour in the hospital's zone.
func (s *Service) HourOf(t time.Time) int { return t.In(s.cfg.Location).Hour() }

func (s *Service) today() string { return s.DayOf(s.cfg.Now()) }

// start is the midnight that begins day.
func (s *Service) start(day string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, day, s.cfg.Location)
}

// closed reports whether day's figures no longer change: it ended CloseAfter ago.
func (s *Service) closed(day string) bool {
	t, err := s.start(day)
	if err != nil {
		return false
	}
	y, m, d := t.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, s.cfg.Location)
	return !s.cfg.Now().Before(end.Add(s.cfg.CloseAfter))
}

// sealed reports whether day's facts may be gone (stored and dropped): no fact is taken for it.
func (s *Service) sealed(day string) bool {
	t, err := s.start(day)
	return err == nil && s.cfg.Now().Sub(t) > s.cfg.Retention
}

// Record stores facts once each. A fact recorded again changes nothing. A fact of a closed day (late:
// its reaction was retried for hours) deletes the day's stored figures, which are summed again on the
// next read; that delete runs for a duplicate too, in case the first recording stopped before it.
func (s *Service) Record(ctx context.Context, facts ...Fact) error {
	for _, f := range facts {
		if _, err := s.start(f.Day); err != nil {
			return fmt.Errorf("report fact %s: bad day %q", f.ID, f.Day)
		}
		if s.sealed(f.Day) {
			s.cfg.Log.ErrorContext(ctx, "report fact for a day whose facts are no longer kept: not counted", "fact", f.ID, "day", f.Day)
			continue
		}
		f.At = s.cfg.Now().UTC()
		if _, err := s.store.InsertFact(ctx, f); err != nil {
			return fmt.Errorf("record report fact %s: %w", f.ID, err)
		}
		if s.closed(f.Day) {
			if err := s.store.ForgetDay(ctx, f.Day); err != nil {
				return fmt.Errorf("forget the stored figures of %s after a late fact: %w", f.Day, err)
			}
		}
		s.mu.Lock()
		delete(s.open, f.Day)
		s.mu.Unlock()
		if f.Day == s.today() {
			s.dirty.Store(true)
		}
	}
	return nil
}

// days returns the figures of every day in [from, to] (YYYY-MM-DD), in order.
//
// A closed day is read from its stored figures, decoded once and kept (closedDays) under its stored
// version: when some of the range's closed days are kept, only the versions are read, and the figures
// only of the days whose version is not the one kept (stored again after a late fact, on any
// instance) or that are not kept. A closed day not stored is summed (and stored) by sum.
func (s *Service) days(ctx context.Context, from, to string) ([]*Day, error) {
	first, err := s.start(from)
	if err != nil {
		return nil, err
	}
	last, err := s.start(to)
	if err != nil {
		return nil, err
	}
	var all, closed []string
	for t := first; !t.After(last); t = t.AddDate(0, 0, 1) {
		day := t.Format(time.DateOnly)
		all = append(all, day)
		if s.closed(day) {
			closed = append(closed, day)
		}
	}
	got, err := s.closedFigures(ctx, closed)
	if err != nil {
		return nil, err
	}
	out := make([]*Day, 0, len(all))
	for _, day := range all {
		if d, ok := got[day]; ok {
			out = append(out, d)
			continue
		}
		d, err := s.sum(ctx, day)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// closedFigures returns the stored figures of the closed days (in order), from closedDays where the
// stored version is the one kept, else read and decoded (and kept). A day not stored is left out.
func (s *Service) closedFigures(ctx context.Context, closed []string) (map[string]*Day, error) {
	got := make(map[string]*Day, len(closed))
	if len(closed) == 0 {
		return got, nil
	}
	lo, hi := closed[0], closed[len(closed)-1]
	var versions map[string]int64
	if s.closedDays.keepsAny(closed) {
		var err error
		if versions, err = s.store.DayVersions(ctx, lo, hi); err != nil {
			return nil, err
		}
	}
	var readFrom, readTo string // the span of days to read
	for _, day := range closed {
		if versions != nil {
			v, ok := versions[day]
			if !ok {
				continue // not stored: summed
			}
			if d := s.closedDays.get(day, v); d != nil {
				got[day] = d
				continue
			}
		}
		if readFrom == "" {
			readFrom = day
		}
		readTo = day
	}
	if readFrom == "" {
		return got, nil
	}
	stored, err := s.store.Days(ctx, readFrom, readTo)
	if err != nil {
		return nil, err
	}
	for _, day := range closed {
		if day < readFrom || day > readTo {
			continue
		}
		st, ok := stored[day]
		if !ok {
			continue
		}
		d, err := Decode(st.Data)
		if err != nil {
			return nil, fmt.Errorf("decode the stored figures of %s: %w", day, err)
		}
		if st.Facts >= 0 && st.Facts == d.Facts {
			s.closedDays.put(day, st.Facts, d)
		}
		got[day] = d
	}
	return got, nil
}

// sum adds up a day's facts. A closed day's sum is stored, then its facts are counted again: if one
// came in meanwhile (its Record's delete may have run before this store), the stored figures are
// deleted, to be summed again by the next read.
func (s *Service) sum(ctx context.Context, day string) (*Day, error) {
	closed := s.closed(day)
	if !closed {
		s.mu.Lock()
		o, ok := s.open[day]
		s.mu.Unlock()
		if ok && s.cfg.Now().Sub(o.at) < openTTL && s.cfg.Now().Sub(o.at) >= 0 {
			return o.d, nil
		}
	}
	if closed {
		s.mu.Lock()
		delete(s.open, day) // no longer summed as an open day
		s.mu.Unlock()
	}
	facts, err := s.store.Facts(ctx, day)
	if err != nil {
		return nil, err
	}
	d := Sum(day, facts)
	if !closed {
		if day == s.today() && s.cfg.Census != nil {
			// Today's midnight has not come: its census so far is the occupancy now (not stored).
			if beds, err := s.cfg.Census(ctx); err != nil {
				s.cfg.Log.WarnContext(ctx, "report: today's occupancy", "err", err)
			} else {
				for dept, b := range beds {
					b := b
					d.dept(dept).Census = &b
				}
			}
		}
		s.mu.Lock()
		s.open[day] = openDay{d: d, at: s.cfg.Now()}
		s.mu.Unlock()
		return d, nil
	}
	if err := s.store.StoreDay(ctx, day, d.Billing.Owed(), d.Facts, Encode(d)); err != nil {
		return nil, err
	}
	if n, err := s.store.CountFacts(ctx, day); err != nil || n != d.Facts {
		if ferr := s.store.ForgetDay(ctx, day); ferr != nil {
			return nil, ferr
		}
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	// Kept under its version: if another instance stored the day first, with other facts (one came
	// in between), the stored version is not this one and the day is read again.
	s.closedDays.put(day, d.Facts, d)
	return d, nil
}

// owedBefore is what patients owed at the start of day: the owed of every day before it.
func (s *Service) owedBefore(ctx context.Context, day string) (int64, error) {
	owed, err := s.store.OwedBefore(ctx, day)
	if err != nil {
		return 0, err
	}
	// Days before it that are still open have no stored figures: add their facts.
	t, err := s.start(day)
	if err != nil {
		return 0, err
	}
	for i := 1; i <= 2; i++ {
		prev := t.AddDate(0, 0, -i).Format(time.DateOnly)
		if s.closed(prev) {
			break
		}
		d, err := s.sum(ctx, prev)
		if err != nil {
			return 0, err
		}
		owed += d.Billing.Owed()
	}
	return owed, nil
}

// Maintain does the periodic work once: takes the census of the day that just ended (within two hours
// of its midnight, else it is left without one rather than given a wrong one), stores the figures of
// closed days that have facts, and drops the facts of days stored longer than the retention.
func (s *Service) Maintain(ctx context.Context) error {
	now := s.cfg.Now()
	today, _ := s.start(s.today())
	if s.cfg.Census != nil && now.Sub(today) < 2*time.Hour {
		yesterday := today.AddDate(0, 0, -1).Format(time.DateOnly)
		beds, err := s.cfg.Census(ctx)
		if err != nil {
			return fmt.Errorf("census: %w", err)
		}
		var facts []Fact
		for dept, b := range beds {
			facts = append(facts, Fact{ID: "census:" + dept, Day: yesterday, Kind: Census, Dept: dept, Beds: b.Beds, Occupied: b.Occupied})
		}
		if err := s.Record(ctx, facts...); err != nil {
			return err
		}
	}
	days, err := s.store.FactDays(ctx)
	if err != nil {
		return err
	}
	for _, day := range days {
		if !s.closed(day) {
			continue
		}
		stored, err := s.store.Days(ctx, day, day)
		if err != nil {
			return err
		}
		if _, ok := stored[day]; !ok {
			if _, err := s.sum(ctx, day); err != nil {
				return err
			}
			continue
		}
		if s.sealed(day) {
			if err := s.store.DropFacts(ctx, day); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run tells Changed about today's new figures every couple of seconds, and maintains every interval,
// until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	live := time.NewTicker(2 * time.Second)
	defer live.Stop()
	maintain := time.NewTicker(interval)
	defer maintain.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-live.C:
			if s.dirty.Swap(false) && s.cfg.Changed != nil {
				s.cfg.Changed(ctx, s.today())
			}
		case <-maintain.C:
			if err := s.Maintain(ctx); err != nil {
				s.cfg.Log.WarnContext(ctx, "report maintenance (tried again later)", "err", err)
			}
		}
	}
}

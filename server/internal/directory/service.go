package directory

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math"
	"mime"
	"slices"
	"strings"
	"sync"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// Service is the directory's logic.
type Service struct {
	store Store
	deps  Deps
	log   *slog.Logger
	now   func() time.Time

	// cache is the directory as last read, for searches and lists: reading 5000 entries from FerretDB
	// takes about half a second, searching them in Go a few milliseconds. This instance's own imports
	// and deletes empty it; another instance's show here within CacheTTL.
	mu     sync.Mutex
	cached []shared.Hospital
	readAt time.Time
}

// CacheTTL is how long a search may use the directory as read before reading it again.
const CacheTTL = 30 * time.Second

// all returns the directory, from the cache while it is fresh. The slice is shared: callers copy
// before changing it.
func (s *Service) all(ctx context.Context) ([]shared.Hospital, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && s.now().Sub(s.readAt) < CacheTTL && s.now().Sub(s.readAt) >= 0 {
		return s.cached, nil
	}
	all, err := s.store.All(ctx)
	if err != nil {
		return nil, err
	}
	s.cached, s.readAt = all, s.now()
	return all, nil
}

// forget empties the cache after a change.
func (s *Service) forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// NewService wires the service; now nil is the system clock.
func NewService(store Store, deps Deps, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, deps: deps, log: log, now: now}
}

// Import validates a whole file and then stores each entry under its key, replacing the entry with
// the same key: all or nothing as far as validation goes (a file with any bad row stores nothing). With
// replace, the entries not in the file are removed afterwards.
func (s *Service) Import(ctx context.Context, contentType string, data []byte, replace bool) (shared.HospitalImport, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return shared.HospitalImport{}, ErrMediaType
	}
	var rows []row
	what := "row"
	switch strings.ToLower(mt) {
	case "text/csv":
		rows, err = parseCSV(data)
	case "application/geo+json":
		rows, err = parseGeoJSON(data)
		what = "feature"
	default:
		return shared.HospitalImport{}, ErrMediaType
	}
	if err != nil {
		return shared.HospitalImport{}, err
	}
	entries, err := validate(rows, what)
	if err != nil {
		return shared.HospitalImport{}, err
	}
	existing, err := s.store.All(ctx)
	if err != nil {
		return shared.HospitalImport{}, err
	}
	defer s.forget()
	inFile := map[string]bool{}
	for _, h := range entries {
		inFile[h.ID] = true
	}
	if !replace {
		kept := 0
		for _, h := range existing {
			if !inFile[h.ID] {
				kept++
			}
		}
		if kept+len(entries) > MaxRows {
			return shared.HospitalImport{}, fault.Invalid("the directory would hold %d entries, more than %d: import with replace=true, or delete some first",
				kept+len(entries), MaxRows)
		}
	}
	out := shared.HospitalImport{Rows: len(entries)}
	at := s.now().UTC().Truncate(time.Millisecond)
	had := map[string]bool{}
	for _, h := range existing {
		had[h.ID] = true
	}
	// The entries the file replaces are removed in one write, then the file's entries inserted in
	// batches of one write each, all by _id: FerretDB serves inserts and _id look-ups well, replaces
	// one at a time slowly (5000 took minutes) and evaluates $in over the whole collection (so one
	// removal, not one per batch). A search meanwhile may miss a replaced entry for that moment.
	var old []string
	for i := range entries {
		entries[i].UpdatedAt = at
		if had[entries[i].ID] {
			old = append(old, entries[i].ID)
		}
	}
	if len(old) > 0 {
		if _, err := s.store.Remove(ctx, old); err != nil {
			return out, err
		}
	}
	for from := 0; from < len(entries); from += insertBatch {
		batch := entries[from:min(from+insertBatch, len(entries))]
		err := s.store.Insert(ctx, batch)
		if errors.Is(err, ErrExists) { // another import added one meanwhile: this one replaces it
			ids := make([]string, len(batch))
			for i, h := range batch {
				ids[i] = h.ID
			}
			if _, err = s.store.Remove(ctx, ids); err == nil {
				err = s.store.Insert(ctx, batch)
			}
		}
		if err != nil {
			return out, err
		}
	}
	out.Replaced = len(old)
	out.Created = len(entries) - len(old)
	if replace {
		var stale []string
		for _, h := range existing {
			if !inFile[h.ID] {
				stale = append(stale, h.ID)
			}
		}
		if len(stale) > 0 {
			n, err := s.store.Remove(ctx, stale)
			if err != nil {
				return out, err
			}
			out.Removed = n
		}
	}
	return out, nil
}

// insertBatch is how many entries one write of an import holds.
const insertBatch = 500

// List returns a page of the directory by name; a non-empty q keeps the entries whose name or address
// contains it (case aside), which is how the screens find a place without a geocoder.
func (s *Service) List(ctx context.Context, q string, page, limit int) (shared.HospitalList, error) {
	cached, err := s.all(ctx)
	if err != nil {
		return shared.HospitalList{}, err
	}
	all := slices.Clone(cached)
	if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
		all = slices.DeleteFunc(all, func(h shared.Hospital) bool {
			return !strings.Contains(strings.ToLower(h.Name), q) && !strings.Contains(strings.ToLower(h.Address), q)
		})
	}
	slices.SortFunc(all, func(a, b shared.Hospital) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	out := shared.HospitalList{Items: []shared.Hospital{}, Total: len(all), Page: page, Limit: limit}
	if from := (page - 1) * limit; from < len(all) {
		out.Items = all[from:min(from+limit, len(all))]
	}
	return out, nil
}

// Delete removes one entry.
func (s *Service) Delete(ctx context.Context, id string) error {
	if !idPattern.MatchString(id) {
		return ErrNotFound
	}
	n, err := s.store.Remove(ctx, []string{id})
	s.forget()
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

// Query is a nearby search.
type Query struct {
	Lat, Lng float64
	RadiusKm float64 // > 0
	Service  string  // "" = any
	Limit    int     // 1..MaxLimit
}

// Nearby returns the entries within the radius, nearest first (by name when as near), each with its
// distance; the hospital's own sites get their live figures.
func (s *Service) Nearby(ctx context.Context, q Query) (shared.NearbyList, error) {
	all, err := s.all(ctx)
	if err != nil {
		return shared.NearbyList{}, err
	}
	found := []shared.NearbyHospital{}
	for _, h := range all {
		if q.Service != "" && !slices.Contains(h.Services, q.Service) {
			continue
		}
		d := Distance(q.Lat, q.Lng, h.Lat, h.Lng)
		if d > q.RadiusKm {
			continue
		}
		found = append(found, shared.NearbyHospital{Hospital: h, DistanceKm: math.Round(d*100) / 100})
	}
	slices.SortFunc(found, func(a, b shared.NearbyHospital) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	out := shared.NearbyList{Items: found[:min(q.Limit, len(found))], Total: len(found), RadiusKm: q.RadiusKm}
	s.addLive(ctx, out.Items)
	return out, nil
}

// addLive adds the live figures to the own sites among items. A figure that cannot be read is left
// out (and logged): the directory answers without it.
func (s *Service) addLive(ctx context.Context, items []shared.NearbyHospital) {
	var free map[string]int
	freeRead := false
	for i := range items {
		h := &items[i]
		if !h.Own {
			continue
		}
		live := &shared.LiveSite{}
		if h.EmergencyDepartment != "" && s.deps.EmergencyQueue != nil {
			waiting, avg, err := s.deps.EmergencyQueue(ctx, h.EmergencyDepartment)
			if err != nil {
				s.log.WarnContext(ctx, "emergency queue for the directory", "department", h.EmergencyDepartment, "err", err)
			} else {
				minutes := int(math.Round(avg))
				live.EmergencyWaiting, live.EmergencyWaitMinutes = &waiting, &minutes
			}
		}
		if s.deps.FreeBeds != nil {
			if !freeRead {
				freeRead = true
				f, err := s.deps.FreeBeds(ctx)
				if err != nil {
					s.log.WarnContext(ctx, "free beds for the directory", "err", err)
				}
				free = f
			}
			if free != nil {
				n := 0
				for ward, k := range free {
					if len(h.Wards) == 0 || slices.Contains(h.Wards, ward) {
						n += k
					}
				}
				live.FreeBeds = &n
			}
		}
		if live.EmergencyWaiting != nil || live.FreeBeds != nil {
			h.Live = live
		}
	}
}

// earthRadiusKm is the mean radius of the Earth (IUGG).
const earthRadiusKm = 6371.0088

// Distance is the great-circle distance in km between two points in decimal degrees (haversine): on
// a sphere, within about 0.5% of the distance on the ellipsoid.
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

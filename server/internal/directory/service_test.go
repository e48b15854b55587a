package directory_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"

	"hms/server/internal/directory"
	"hms/server/internal/fault"
	"hms/shared"
)

// memStore is the directory's store in memory.
type memStore struct {
	mu    sync.Mutex
	m     map[string]shared.Hospital
	reads int
}

func (s *memStore) All(context.Context) ([]shared.Hospital, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	out := []shared.Hospital{}
	for _, h := range s.m {
		out = append(out, h)
	}
	return out, nil
}

func (s *memStore) Insert(_ context.Context, hs []shared.Hospital) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hs {
		if _, had := s.m[h.ID]; had {
			return directory.ErrExists
		}
		s.m[h.ID] = h
	}
	return nil
}

func (s *memStore) Remove(_ context.Context, ids []string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range ids {
		if _, ok := s.m[id]; ok {
			delete(s.m, id)
			n++
		}
	}
	return n, nil
}

func newService(deps directory.Deps) (*directory.Service, *memStore) {
	st := &memStore{m: map[string]shared.Hospital{}}
	return directory.NewService(st, deps, nil, nil), st
}

// london is a small directory around central London; the distances from Charing Cross (51.5074,
// -0.1278) are about 0, 2.6, 5.3 and 8.6 km and, for Oxford, 83 km.
const london = `name,address,lat,lng,phone,services
Charing Cross Clinic,Strand,51.5074,-0.1278,020 1,outpatient
Kings Cross Hospital,Euston Rd,51.5308,-0.1238,020 2,emergency;icu
Greenwich Maternity,Greenwich,51.4826,-0.0077,020 3,maternity
Hampstead General,Hampstead,51.5560,-0.1780,020 4,emergency;maternity
Oxford Infirmary,Oxford,51.7520,-1.2577,01865 5,emergency
`

func mustImport(t *testing.T, s *directory.Service, ct, data string, replace bool) shared.HospitalImport {
	t.Helper()
	out, err := s.Import(t.Context(), ct, []byte(data), replace)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return out
}

func TestNearbyIsSortedByDistanceWithinTheRadius(t *testing.T) {
	t.Parallel()
	s, st := newService(directory.Deps{})
	mustImport(t, s, "text/csv; charset=utf-8", london, false)
	st.reads = 0
	got, err := s.Nearby(t.Context(), directory.Query{Lat: 51.5074, Lng: -0.1278, RadiusKm: 50, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, h := range got.Items {
		names = append(names, h.Name)
		if i > 0 && h.DistanceKm < got.Items[i-1].DistanceKm {
			t.Errorf("item %d (%.2f km) nearer than item %d (%.2f km)", i, h.DistanceKm, i-1, got.Items[i-1].DistanceKm)
		}
	}
	want := "Charing Cross Clinic,Kings Cross Hospital,Hampstead General,Greenwich Maternity"
	if strings.Join(names, ",") != want || got.Total != 4 {
		t.Errorf("got %v (total %d), want %s: Oxford is beyond 50 km", names, got.Total, want)
	}
	if d := got.Items[1].DistanceKm; math.Abs(d-2.61) > 0.05 {
		t.Errorf("Kings Cross is %.2f km away, want about 2.6", d)
	}
	// A wider radius reaches Oxford; the limit cuts the answer but not the total.
	got, _ = s.Nearby(t.Context(), directory.Query{Lat: 51.5074, Lng: -0.1278, RadiusKm: 100, Limit: 2})
	if len(got.Items) != 2 || got.Total != 5 {
		t.Errorf("radius 100 km, limit 2: got %d items of %d, want 2 of 5", len(got.Items), got.Total)
	}
	// The service filter.
	got, _ = s.Nearby(t.Context(), directory.Query{Lat: 51.5074, Lng: -0.1278, RadiusKm: 100, Limit: 10, Service: "maternity"})
	if len(got.Items) != 2 || got.Items[0].Name != "Hampstead General" || got.Items[1].Name != "Greenwich Maternity" {
		t.Errorf("maternity: got %+v, want Hampstead then Greenwich", got.Items)
	}
	if st.reads != 1 {
		t.Errorf("three searches read the store %d times, want once (the cache)", st.reads)
	}
	// An import empties the cache: the next search sees the new entry.
	mustImport(t, s, "text/csv", "name,lat,lng\nSomerset House,51.5111,-0.1172\n", false)
	got, _ = s.Nearby(t.Context(), directory.Query{Lat: 51.5111, Lng: -0.1172, RadiusKm: 0.5, Limit: 10})
	if len(got.Items) != 1 || got.Items[0].Name != "Somerset House" {
		t.Errorf("after an import: %+v", got.Items)
	}
}

func TestDistanceHaversine(t *testing.T) {
	t.Parallel()
	// London to Paris: about 343.5 km on the sphere.
	if d := directory.Distance(51.5074, -0.1278, 48.8566, 2.3522); math.Abs(d-343.5) > 1 {
		t.Errorf("London-Paris: got %.1f km, want about 343.5", d)
	}
	if d := directory.Distance(0, 179.9, 0, -179.9); d > 23 {
		t.Errorf("across the antimeridian: got %.1f km, want about 22", d)
	}
	if d := directory.Distance(10, 10, 10, 10); d != 0 {
		t.Errorf("same point: got %v", d)
	}
}

func TestImportRefusesBadRowsByNumberAndStoresNothing(t *testing.T) {
	t.Parallel()
	s, st := newService(directory.Deps{})
	file := `name,address,lat,lng,phone,services
Good,,10,10,,emergency
,,95,10,,
Bad Lng,,10,200,,spa;icu
Text,,north,10,,
Good,,10,10,,icu
`
	_, err := s.Import(t.Context(), "text/csv", []byte(file), false)
	if !errors.Is(err, fault.ErrInvalid) || fault.CodeOf(err) != "bad_rows" {
		t.Fatalf("got %v, want a bad_rows 400", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"row 2: the name is missing", "row 2: lat must be from -90 to 90, not 95",
		"row 3: lng must be from -180 to 180, not 200", `row 3: unknown service "spa"`,
		`row 4: lat must be a number in decimal degrees, not "north"`,
		"row 5: the same entry as row 1", "nothing was imported",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message does not say %q:\n%s", want, msg)
		}
	}
	if len(st.m) != 0 {
		t.Errorf("stored %d entries from a refused file, want none", len(st.m))
	}
	for _, tc := range []struct{ name, ct, body, want string }{
		{"unknown column", "text/csv", "name,lat,lng,colour\nA,1,1,red\n", `unknown column "colour"`},
		{"no lat column", "text/csv", "name,lng\nA,1\n", `no "lat" column`},
		{"empty", "text/csv", "", "the file is empty"},
		{"header only", "text/csv", "name,lat,lng\n", "the file has no rows"},
		{"wrong field count", "text/csv", "name,lat,lng\nA,1\n", "row 1: has 2 fields, the header row 3"},
		{"not a collection", "application/geo+json", `{"type":"Feature"}`, "FeatureCollection"},
		{"not a point", "application/geo+json", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[]},"properties":{"name":"A"}}]}`, "feature 1: the geometry must be a Point"},
		{"own only", "text/csv", "name,lat,lng,wards\nA,1,1,icu\n", "row 1: emergency_department and wards are for the hospital's own sites only"},
	} {
		_, err := s.Import(t.Context(), tc.ct, []byte(tc.body), false)
		if !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a 400 saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := s.Import(t.Context(), "application/json", []byte("{}"), false); !errors.Is(err, directory.ErrMediaType) {
		t.Errorf("application/json: got %v, want ErrMediaType", err)
	}
}

func TestImportListsAtMostFiftyProblemsAndSaysHowManyMore(t *testing.T) {
	t.Parallel()
	s, _ := newService(directory.Deps{})
	var b strings.Builder
	b.WriteString("name,lat,lng\n")
	for range 70 {
		b.WriteString("A,100,0\n")
	}
	_, err := s.Import(t.Context(), "text/csv", []byte(b.String()), false)
	if err == nil || !strings.Contains(err.Error(), "row 50:") || strings.Contains(err.Error(), "row 51:") ||
		!strings.Contains(err.Error(), "20 more problems not listed") {
		t.Errorf("got %v, want rows 1-50 and \"20 more problems not listed\"", err)
	}
	b.Reset()
	b.WriteString("name,lat,lng\n")
	for i := range directory.MaxRows + 1 {
		b.WriteString("A" + strings.Repeat("x", i%3) + ",1,1\n")
	}
	if _, err := s.Import(t.Context(), "text/csv", []byte(b.String()), false); err == nil || !strings.Contains(err.Error(), "more than 5000 rows") {
		t.Errorf("5001 rows: got %v, want a refusal naming the limit", err)
	}
}

func TestReimportReplacesRatherThanDuplicates(t *testing.T) {
	t.Parallel()
	s, st := newService(directory.Deps{})
	first := mustImport(t, s, "text/csv", london, false)
	if first.Created != 5 || first.Replaced != 0 {
		t.Errorf("first import: %+v, want 5 created", first)
	}
	again := mustImport(t, s, "text/csv", strings.Replace(london, "020 2", "020 9", 1), false)
	if again.Created != 0 || again.Replaced != 5 || len(st.m) != 5 {
		t.Errorf("second import: %+v with %d stored, want 5 replaced and 5 stored", again, len(st.m))
	}
	list, _ := s.List(t.Context(), "", 1, 20)
	for _, h := range list.Items {
		if h.Name == "Kings Cross Hospital" && h.Phone != "020 9" {
			t.Errorf("the re-import did not replace the phone: %+v", h)
		}
	}
	if found, _ := s.List(t.Context(), "  GREENWICH ", 1, 20); found.Total != 1 || found.Items[0].Name != "Greenwich Maternity" {
		t.Errorf("q=greenwich: %+v", found)
	}
	// GeoJSON with ids, then replace=true removes what the file does not hold.
	geo := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":"kc","geometry":{"type":"Point","coordinates":[-0.1238,51.5308]},"properties":{"name":"Kings Cross Hospital","services":["icu","emergency"],"own":true,"emergency_department":"general"}},
	 {"type":"Feature","geometry":{"type":"Point","coordinates":[-0.0077,51.4826]},"properties":{"id":7,"name":"Greenwich Maternity","services":"maternity"}}]}`
	out := mustImport(t, s, "application/geo+json", geo, true)
	if out.Created != 2 || out.Removed != 5 || len(st.m) != 2 {
		t.Errorf("replace import: %+v with %d stored, want 2 created, 5 removed, 2 stored", out, len(st.m))
	}
	if h := st.m["kc"]; !h.Own || h.EmergencyDepartment != "general" || strings.Join(h.Services, ";") != "emergency;icu" {
		t.Errorf("kc: %+v", h)
	}
	if _, ok := st.m["7"]; !ok {
		t.Errorf("a numeric id was not kept as text: %v", st.m)
	}
	if err := s.Delete(t.Context(), "kc"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(t.Context(), "kc"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("deleting again: %v, want not found", err)
	}
}

func TestOwnSitesCarryLiveFigures(t *testing.T) {
	t.Parallel()
	s, _ := newService(directory.Deps{
		EmergencyQueue: func(_ context.Context, dept string) (int, float64, error) {
			if dept != "er" {
				return 0, 0, fault.New(fault.ErrNotFound, "no department")
			}
			return 3, 17.6, nil
		},
		FreeBeds: func(context.Context) (map[string]int, error) { return map[string]int{"icu": 2, "w1": 5}, nil },
	})
	mustImport(t, s, "text/csv", `name,lat,lng,own,emergency_department,wards
Main,1,1,true,er,icu
Annex,1,1.01,yes,missing,
Other,1,1.02,,,
`, false)
	got, err := s.Nearby(t.Context(), directory.Query{Lat: 1, Lng: 1, RadiusKm: 10, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	main, annex, other := got.Items[0], got.Items[1], got.Items[2]
	if main.Live == nil || *main.Live.EmergencyWaiting != 3 || *main.Live.EmergencyWaitMinutes != 18 || *main.Live.FreeBeds != 2 {
		t.Errorf("main: %+v", main.Live)
	}
	if annex.Live == nil || annex.Live.EmergencyWaiting != nil || *annex.Live.FreeBeds != 7 {
		t.Errorf("annex (unknown department, every ward): %+v", annex.Live)
	}
	if other.Live != nil {
		t.Errorf("not an own site, yet live figures: %+v", other.Live)
	}
}

func TestParseQueryNamesWhatIsWrong(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lat, lng, radius, service, limit, want string }{
		{"", "", "", "", "", "lat is required (decimal degrees from -90 to 90); lng is required"},
		{"91", "0", "", "", "", `lat must be a number from -90 to 90, not "91"`},
		{"0", "x", "", "", "", `lng must be a number from -180 to 180, not "x"`},
		{"0", "0", "0", "", "", "radius_km must be a number of km above 0"},
		{"0", "0", "", "spa", "", `unknown service "spa"`},
		{"0", "0", "", "", "101", `limit must be a whole number from 1 to 100, not "101"`},
		{"NaN", "0", "", "", "", `lat must be a number`},
	} {
		_, err := directory.ParseQuery(tc.lat, tc.lng, tc.radius, tc.service, tc.limit)
		if !errors.Is(err, fault.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc, err, tc.want)
		}
	}
	q, err := directory.ParseQuery("51.5", "-0.12", "", "ICU", "")
	if err != nil || q.RadiusKm != directory.DefaultRadiusKm || q.Limit != directory.DefaultLimit || q.Service != "icu" {
		t.Errorf("defaults: %+v %v", q, err)
	}
}

// BenchmarkNearbyFullDirectory measures the search over a full directory (MaxRows entries) in Go, the
// store's read aside: go test -run '^$' -bench Nearby ./server/internal/directory/
func BenchmarkNearbyFullDirectory(b *testing.B) {
	s, st := newService(directory.Deps{})
	for i := range directory.MaxRows {
		id := "b" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "-" + strconv.Itoa(i)
		st.m[id] = shared.Hospital{ID: id, Name: id, Lat: 50 + float64(i%400)/100, Lng: -2 + float64(i/400)/10,
			Services: []string{"emergency"}}
	}
	q := directory.Query{Lat: 51.5, Lng: -0.12, RadiusKm: 100, Limit: 10}
	for b.Loop() {
		if _, err := s.Nearby(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

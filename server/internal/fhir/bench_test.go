package fhir_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hms/server/internal/app"
	"hms/server/internal/config"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/shared"
)

var (
	benchFirsts = []string{"José", "María", "Ana", "Zoë", "Jürgen", "Chloé", "Ólafur", "Ines", "John", "Mary", "Ahmed", "Fatima",
		"Wei", "Yuki", "Olga", "Pierre", "Søren", "Agnès", "Luis", "Emma", "Noah", "Amélie", "Björn", "Ewa", "Raj"}
	benchLasts = []string{"Álvarez", "García", "Müller", "Smith", "Dubois", "Nowak", "Kowalski", "Rossi", "Öztürk", "Jensen",
		"Nguyen", "Tanaka", "Ivanova", "Silva", "O'Brien", "Martínez", "Schmidt", "López", "Johansson", "Papadopoulos",
		"Kim", "Singh", "Hernández", "Fischer", "Moreau"}
)

// BenchmarkPatientSearch measures GET /fhir/R4/Patient end to end (HTTP, token check, the patient
// service, the store, the audit entry, the mapping and the Bundle) over HMS_FHIR_BENCH patients
// (default 10,000) on the embedded default, FerretDB on SQLite in a fresh data directory: p50, p99 and
// max of HMS_FHIR_BENCH_QUERIES sequential searches of each kind (default 200), once per run
// (make bench-fhir runs it with -benchtime 1x). The patients are stored through the patient store as the
// service stores them (an MRN claim, then the record), not through HTTP, to keep the set-up short.
func BenchmarkPatientSearch(b *testing.B) {
	n := 10000
	if v, _ := strconv.Atoi(os.Getenv("HMS_FHIR_BENCH")); v > 0 {
		n = v
	}
	queries := 200
	if q, _ := strconv.Atoi(os.Getenv("HMS_FHIR_BENCH_QUERIES")); q > 0 {
		queries = q
	}
	ctx := context.Background()
	db, err := mongostore.Open(ctx, mongostore.Options{Database: "hms_fhir_bench", DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(ctx)
	if err := db.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	secret := hex.EncodeToString([]byte("fhir bench secret, 32 bytes long!"))
	vars := map[string]string{"JWT_SECRET": secret, "SECRET_KEY": "bench-" + secret, "ALLOWED_HOSTS": "127.0.0.1,localhost", "DEBUG": "false"}
	cfg, err := config.FromLookup(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.NewWithDB(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close(ctx)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	if _, err := a.Auth.EnsureAdmin(ctx, "Bench Admin", "bench-admin@test.hms", "bench admin passphrase 1"); err != nil {
		b.Fatal(err)
	}
	body := `{"email":"bench-admin@test.hms","password":"bench admin passphrase 1"}`
	resp, err := http.Post(srv.URL+"/api/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	var tr shared.TokenResponse
	_ = json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()

	t0 := time.Now()
	ids, mrns, births := seed(b, a.PatientRecords, n)
	b.Logf("seeded %d patients in %s", n, time.Since(t0).Round(time.Millisecond))

	r := rand.New(rand.NewPCG(1, 2))
	prefix := func() string {
		names := benchFirsts
		if r.IntN(2) == 0 {
			names = benchLasts
		}
		w := patient.Words(names[r.IntN(len(names))])[0]
		return w[:min(3, len(w))]
	}
	kinds := []struct {
		name  string
		query func() string
	}{
		{"name (3-letter prefix)", func() string { return "name=" + url.QueryEscape(prefix()) }},
		{"identifier (MRN)", func() string { return "identifier=" + url.QueryEscape("urn:hms:mrn|"+mrns[r.IntN(n)]) }},
		{"birthdate (one day)", func() string { return "birthdate=" + births[r.IntN(n)] }},
		{"name + birthdate=ge", func() string { return "name=" + url.QueryEscape(prefix()) + "&birthdate=ge1990" }},
		{"_id", func() string { return "_id=" + ids[r.IntN(n)] }},
		{"page 3 of a name", func() string { return "name=" + url.QueryEscape(prefix()) + "&_count=20&_offset=40" }},
	}
	fmt.Printf("FHIR Patient search over %d patients, FerretDB 1.24 embedded on SQLite, %d sequential searches of each kind, GOMAXPROCS %d\n",
		n, queries, runtime.GOMAXPROCS(0))
	fmt.Printf("%-24s %8s %9s %9s %9s %10s\n", "search", "queries", "p50", "p99", "max", "avg total")
	client := &http.Client{}
	for _, k := range kinds {
		lat := make([]time.Duration, 0, queries)
		totals := 0
		for range queries {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/fhir/R4/Patient?"+k.query(), nil)
			req.Header.Set("Authorization", "Bearer "+tr.Token)
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var page struct{ Total int }
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			lat = append(lat, time.Since(start))
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("%s: status %d, %v", k.name, resp.StatusCode, err)
			}
			totals += page.Total
		}
		slices.Sort(lat)
		fmt.Printf("%-24s %8d %9s %9s %9s %10d\n", k.name, queries, msOf(lat[len(lat)/2]), msOf(lat[len(lat)*99/100]),
			msOf(lat[len(lat)-1]), totals/queries)
	}
}

// seed stores n patients as the service stores them, with 8 workers.
func seed(b *testing.B, s *mongostore.Patients, n int) (ids, mrns, births []string) {
	ctx := context.Background()
	ids, mrns, births = make([]string, n), make([]string, n), make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || failed.Load() != nil {
					return
				}
				r := rand.New(rand.NewPCG(uint64(i), 7))
				id := ident.New()
				var mrn string
				for {
					m, err := s.ClaimMRN(ctx, patient.NewMRN(), id)
					if err == nil {
						mrn = m
						break
					}
					if !errors.Is(err, patient.ErrMRNTaken) {
						failed.Store(err)
						return
					}
				}
				dob := fmt.Sprintf("%d-%02d-%02d", 1930+r.IntN(90), 1+r.IntN(12), 1+r.IntN(28))
				now := time.Now().UTC()
				if err := s.InsertPatient(ctx, patient.Record{ID: id, MRN: mrn, DateOfBirth: dob, Sex: "unknown",
					Name:  benchFirsts[r.IntN(len(benchFirsts))] + " " + benchLasts[r.IntN(len(benchLasts))],
					Phone: fmt.Sprintf("+1 555 %07d", r.IntN(10_000_000)), CreatedAt: now, UpdatedAt: now}); err != nil {
					failed.Store(err)
					return
				}
				ids[i], mrns[i], births[i] = id, mrn, dob
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return ids, mrns, births
}

func msOf(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

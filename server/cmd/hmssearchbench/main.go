// Command hmssearchbench measures patient search (GET /api/patients' store queries) over a large
// number of records: it fills a fresh database with -n patients (names with accents, MRNs, sealed
// conditions and medical histories with their blind indexes) and times -queries searches of each kind:
// a name prefix (q), an exact MRN, and a medical term (condition, through the blind index). Each
// search is what the service runs: a count and a page of 20. It prints p50, p99 and max per kind.
//
// By default it creates a PostgreSQL database on -pg (dropped at the end) and runs an embedded FerretDB
// on it, as the tests do; -url mongodb://… measures a real MongoDB instead.
//
//	go run ./server/cmd/hmssearchbench -n 10000 -queries 200
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hms/server/internal/benchdb"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/patient"
	"hms/server/internal/seal"
)

var (
	firsts = []string{"José", "María", "Ana", "Zoë", "Jürgen", "Chloé", "Ólafur", "Ines", "John", "Mary", "Ahmed", "Fatima",
		"Wei", "Yuki", "Olga", "Pierre", "Søren", "Agnès", "Luis", "Emma", "Noah", "Amélie", "Björn", "Ewa", "Raj"}
	lasts = []string{"Álvarez", "García", "Müller", "Smith", "Dubois", "Nowak", "Kowalski", "Rossi", "Öztürk", "Jensen",
		"Nguyen", "Tanaka", "Ivanova", "Silva", "O'Brien", "Martínez", "Schmidt", "López", "Johansson", "Papadopoulos",
		"Kim", "Singh", "Hernández", "Fischer", "Moreau"}
	conditions = []string{"asthma", "diabetes", "hypertension", "migraine", "epilepsy", "gout", "anaemia", "arthritis",
		"eczema", "psoriasis", "glaucoma", "hypothyroidism", "COPD", "angina", "depression", "osteoporosis"}
)

func main() {
	n := flag.Int("n", 10000, "patients to insert")
	queries := flag.Int("queries", 200, "searches of each kind")
	workers := flag.Int("workers", 8, "concurrent inserters")
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server for the embedded FerretDB")
	url := flag.String("url", "", "mongodb://… to measure a real MongoDB instead")
	flag.Parse()
	if err := run(*n, *queries, *workers, *pg, *url); err != nil {
		fmt.Fprintln(os.Stderr, "hmssearchbench:", err)
		os.Exit(1)
	}
}

func run(n, queries, workers int, pg, url string) error {
	ctx := context.Background()
	backend := "MongoDB " + url
	if url == "" {
		u, drop, err := benchdb.Create(ctx, pg, "hms_search_bench")
		if err != nil {
			return fmt.Errorf("create a PostgreSQL database on %s: %w", pg, err)
		}
		defer drop()
		url, backend = u, "FerretDB 1.24 (embedded) on PostgreSQL"
	}
	db, err := mongostore.Open(ctx, mongostore.Options{URL: url, Database: "hms_search_bench"})
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	if err := db.EnsureIndexes(ctx); err != nil {
		return err
	}
	key, err := seal.FromSecret("hmssearchbench")
	if err != nil {
		return err
	}
	keys, err := seal.NewKeyring(key)
	if err != nil {
		return err
	}
	s := mongostore.NewPatients(db, keys)

	fmt.Printf("backend: %s; inserting %d patients with %d workers…\n", backend, n, workers)
	t0 := time.Now()
	mrns := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				m, err := insert(ctx, s, i)
				if err != nil {
					errs <- err
					return
				}
				mrns[i] = m
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("inserted %d in %s (%.0f/s)\n", n, time.Since(t0).Round(time.Millisecond), float64(n)/time.Since(t0).Seconds())

	r := rand.New(rand.NewPCG(1, 2))
	kinds := []struct {
		name string
		q    func() patient.Query
	}{
		{"q (3-letter name prefix)", func() patient.Query {
			names := firsts
			if r.IntN(2) == 0 {
				names = lasts
			}
			w := patient.Words(names[r.IntN(len(names))])[0]
			return patient.Query{Prefixes: []string{w[:min(3, len(w))]}}
		}},
		{"mrn (exact)", func() patient.Query { return patient.Query{MRN: mrns[r.IntN(n)], WithMerged: true} }},
		{"condition (blind index)", func() patient.Query {
			return patient.Query{Terms: patient.Words(conditions[r.IntN(len(conditions))])}
		}},
	}
	fmt.Printf("%-26s %8s %8s %8s %8s %10s\n", "search", "queries", "p50", "p99", "max", "avg hits")
	for _, k := range kinds {
		lat := make([]time.Duration, 0, queries)
		hits := 0
		for i := 0; i < queries; i++ {
			q := k.q()
			q.Limit = 20
			t := time.Now()
			_, total, err := s.Search(ctx, q)
			if err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
			lat = append(lat, time.Since(t))
			hits += total
		}
		slices.Sort(lat)
		fmt.Printf("%-26s %8d %8s %8s %8s %10d\n", k.name, queries, ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]),
			ms(lat[len(lat)-1]), hits/queries)
	}
	return nil
}

// insert stores patient i the way the service does: an MRN claim, then the record.
func insert(ctx context.Context, s *mongostore.Patients, i int) (string, error) {
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
			return "", err
		}
	}
	conds := []string{conditions[r.IntN(len(conditions))]}
	if r.IntN(3) == 0 {
		conds = append(conds, conditions[r.IntN(len(conditions))])
	}
	now := time.Now().UTC()
	return mrn, s.InsertPatient(ctx, patient.Record{ID: id, MRN: mrn,
		Name:        firsts[r.IntN(len(firsts))] + " " + lasts[r.IntN(len(lasts))],
		DateOfBirth: fmt.Sprintf("%d-%02d-%02d", 1930+r.IntN(90), 1+r.IntN(12), 1+r.IntN(28)),
		Phone:       fmt.Sprintf("+1 555 %07d", r.IntN(10_000_000)), Conditions: conds,
		Allergies:      []string{"penicillin"},
		MedicalHistory: "Seen for " + strings.Join(conds, " and ") + "; follow-up in clinic. " + conditions[r.IntN(len(conditions))] + " in the family.",
		CreatedAt:      now, UpdatedAt: now})
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

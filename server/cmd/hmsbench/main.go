// Command hmsbench measures REST latency against a running HMS server: it registers a patient, signs
// in, then reads that patient's record with C concurrent clients for N requests and prints p50, p99,
// max and throughput. Every request must answer 200; any other status is counted and reported.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"hms/shared"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	conc := flag.Int("c", 16, "concurrent clients")
	total := flag.Int("n", 4000, "requests in all")
	warm := flag.Int("warmup", 200, "requests before measuring")
	flag.Parse()
	if err := run(*base, *conc, *total, *warm); err != nil {
		fmt.Fprintln(os.Stderr, "hmsbench:", err)
		os.Exit(1)
	}
}

func post(url string, body, out any) error {
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}

func run(base string, conc, total, warm int) error {
	email := fmt.Sprintf("bench-%d@example.org", time.Now().UnixNano())
	const password = "bench password for hms"
	var reg shared.RegisterResponse
	if err := post(base+"/api/auth/register", shared.RegisterRequest{Name: "Bench Patient", Email: email, Password: password}, &reg); err != nil {
		return err
	}
	var tok shared.TokenResponse
	if err := post(base+"/api/auth/login", shared.LoginRequest{Email: email, Password: password}, &tok); err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	get := func() (time.Duration, int, error) {
		req, _ := http.NewRequest("GET", base+"/api/patient/"+reg.PatientID, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(t0), resp.StatusCode, nil
	}
	for i := 0; i < warm; i++ {
		if _, _, err := get(); err != nil {
			return err
		}
	}
	var next, bad atomic.Int64
	lat := make([]time.Duration, total)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				d, status, err := get()
				if err != nil || status != 200 {
					bad.Add(1)
				}
				lat[i] = d
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("GET /api/patient/{id}: %d requests, %d clients, %d non-200\n", total, conc, bad.Load())
	fmt.Printf("p50 %v  p99 %v  max %v  throughput %.0f req/s\n",
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond),
		float64(total)/elapsed.Seconds())
	if bad.Load() > 0 {
		return fmt.Errorf("%d requests failed", bad.Load())
	}
	return nil
}

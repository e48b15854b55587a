// Command hmsload measures the live hub end to end: it connects N websocket clients (as one staff
// member), fires M emergency alerts over REST, and reports how many frames arrived out of N×M and the
// latency from just before each POST is sent to each client's receipt of the frame: p50, p99, max.
// With -pid it also reports the server's resident memory per idle connection.
// The server must allow that many sockets per user (WS_MAX_CONNS_PER_USER; scripts/bench-hub.sh sets it).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"hms/shared"
)

type options struct {
	url, adminEmail, adminPassword string
	clients, alerts, dialers       int
	interval, timeout              time.Duration
	pid                            int
	perAlert                       bool
	profileURL, profileOut         string
	heapOut                        string
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "server base URL")
	flag.StringVar(&o.adminEmail, "admin-email", os.Getenv("ADMIN_EMAIL"), "an admin's email (creates the staff user)")
	flag.StringVar(&o.adminPassword, "admin-password", os.Getenv("ADMIN_PASSWORD"), "the admin's password")
	flag.IntVar(&o.clients, "clients", 1000, "websocket clients")
	flag.IntVar(&o.alerts, "alerts", 20, "emergency alerts to fire")
	flag.IntVar(&o.dialers, "dialers", 64, "concurrent connection attempts while connecting")
	flag.DurationVar(&o.interval, "interval", 250*time.Millisecond, "pause between alerts")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long to wait for the last frames")
	flag.IntVar(&o.pid, "pid", 0, "server process id, to report its memory per connection")
	flag.BoolVar(&o.perAlert, "per-alert", false, "print each alert's p50 and max")
	flag.StringVar(&o.profileURL, "profile", "", "the server's pprof base URL (PPROF_ADDR): record a CPU profile while the alerts fire")
	flag.StringVar(&o.profileOut, "profile-out", "hub-cpu.pprof", "where to write that CPU profile")
	flag.StringVar(&o.heapOut, "heap-out", "", "with -profile: also write a heap profile taken with every client connected and idle")
	flag.Parse()
	debug.SetGCPercent(400) // the generator's garbage is small; keep its GC out of the measurement
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "hmsload:", err)
		os.Exit(1)
	}
}

func call(method, url, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return n
		}
	}
	return 0
}

func run(o options) error {
	var admin shared.TokenResponse
	if err := call("POST", o.url+"/api/auth/login", "", shared.LoginRequest{Email: o.adminEmail, Password: o.adminPassword}, &admin); err != nil {
		return fmt.Errorf("admin login (set -admin-email/-admin-password): %w", err)
	}
	email := fmt.Sprintf("load-%d@example.org", time.Now().UnixNano())
	const password = "load test password for hms"
	if err := call("POST", o.url+"/api/auth/register", admin.Token, shared.RegisterRequest{Name: "Load Nurse", Email: email, Password: password, Role: shared.RoleStaff}, nil); err != nil {
		return err
	}
	var staff shared.TokenResponse
	if err := call("POST", o.url+"/api/auth/login", "", shared.LoginRequest{Email: email, Password: password}, &staff); err != nil {
		return err
	}

	rss0 := rssKB(o.pid)
	wsURL := "ws" + strings.TrimPrefix(o.url, "http") + "/ws"
	hdr := http.Header{"Authorization": {"Bearer " + staff.Token}}
	dialer := &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 2048, WriteBufferSize: 512}

	// recv[a*clients+c] is when client c got alert a, in nanoseconds since start (0: not yet).
	start := time.Now()
	recv := make([]atomic.Int64, o.alerts*o.clients)
	var received atomic.Int64
	conns := make([]*websocket.Conn, o.clients)
	var (
		wg      sync.WaitGroup
		next    atomic.Int64
		dialErr atomic.Value
		ready   sync.WaitGroup
	)
	t0 := time.Now()
	ready.Add(o.clients)
	for d := 0; d < o.dialers; d++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= o.clients {
					return
				}
				conn, _, err := dialer.Dial(wsURL, hdr)
				if err != nil {
					dialErr.Store(err)
					ready.Done()
					continue
				}
				conns[c] = conn
				go reader(conn, c, o, start, recv, &received, &ready)
			}
		}()
	}
	wg.Wait()
	if err, _ := dialErr.Load().(error); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	ready.Wait()
	connectTime := time.Since(t0)
	time.Sleep(2 * time.Second) // let the server settle before reading its memory
	rss1 := rssKB(o.pid)
	fmt.Printf("connected %d clients in %v\n", o.clients, connectTime.Round(time.Millisecond))
	if o.profileURL != "" && o.heapOut != "" {
		if err := fetch(strings.TrimSuffix(o.profileURL, "/")+"/debug/pprof/heap", o.heapOut); err != nil {
			fmt.Fprintln(os.Stderr, "heap profile:", err)
		}
	}
	if o.pid != 0 {
		fmt.Printf("server RSS: %d KB before, %d KB with %d idle connections: %.1f KB per connection\n",
			rss0, rss1, o.clients, float64(rss1-rss0)/float64(o.clients))
	}

	profDone := make(chan error, 1)
	if o.profileURL != "" {
		secs := int((time.Duration(o.alerts)*o.interval)/time.Second) + 1
		go func() { profDone <- fetchProfile(o.profileURL, secs, o.profileOut) }()
		time.Sleep(100 * time.Millisecond) // the profiler starts sampling
	} else {
		profDone <- nil
	}
	sent := make([]int64, o.alerts)
	for a := 0; a < o.alerts; a++ {
		sent[a] = int64(time.Since(start))
		if err := call("POST", o.url+"/api/alerts/emergency", staff.Token,
			shared.RaiseAlertRequest{Message: fmt.Sprintf("load-alert #%d", a), Location: "bench"}, nil); err != nil {
			return err
		}
		time.Sleep(o.interval)
	}
	want := int64(o.alerts * o.clients)
	deadline := time.Now().Add(o.timeout)
	for received.Load() < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range conns {
		if c != nil {
			_ = c.Close()
		}
	}
	if err := <-profDone; err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
	} else if o.profileURL != "" {
		fmt.Printf("CPU profile of the alert phase: %s (go tool pprof -top %s)\n", o.profileOut, o.profileOut)
	}
	var lat []time.Duration
	for a := 0; a < o.alerts; a++ {
		var one []time.Duration
		for c := 0; c < o.clients; c++ {
			if r := recv[a*o.clients+c].Load(); r > 0 {
				one = append(one, time.Duration(r-sent[a]))
			}
		}
		lat = append(lat, one...)
		if o.perAlert && len(one) > 0 {
			slices.Sort(one)
			fmt.Printf("  alert %2d: first %v  p50 %v  max %v\n", a, one[0].Round(100*time.Microsecond),
				one[len(one)/2].Round(100*time.Microsecond), one[len(one)-1].Round(100*time.Microsecond))
		}
	}
	fmt.Printf("delivered %d/%d frames (%d alerts × %d clients)\n", len(lat), want, o.alerts, o.clients)
	if len(lat) == 0 {
		return fmt.Errorf("nothing delivered")
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(100 * time.Microsecond) }
	fmt.Printf("latency POST sent → frame received: p50 %v  p99 %v  max %v\n", pct(0.5), pct(0.99), lat[len(lat)-1].Round(100*time.Microsecond))
	if int64(len(lat)) != want {
		return fmt.Errorf("%d frames missing", want-int64(len(lat)))
	}
	return nil
}

var marker = []byte(`load-alert #`)

// reader reads one connection's frames and stamps each load alert's arrival. It reuses one buffer per
// connection, so the generator spends its CPU on reading rather than on garbage.
func reader(conn *websocket.Conn, c int, o options, start time.Time, recv []atomic.Int64, received *atomic.Int64, ready *sync.WaitGroup) {
	signalled := false
	buf := make([]byte, 0, 1024)
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			if !signalled {
				ready.Done()
			}
			return
		}
		data, err := readAll(r, buf[:0])
		if err != nil {
			continue
		}
		buf = data
		now := int64(time.Since(start))
		if !signalled && bytes.Contains(data, []byte(`"op":"subscribed","channel":"alerts"`)) {
			signalled = true
			ready.Done()
			continue
		}
		i := bytes.Index(data, marker)
		if i < 0 || !bytes.Contains(data, []byte(`"alert.raised"`)) {
			continue
		}
		j := i + len(marker)
		n := 0
		for j < len(data) && data[j] >= '0' && data[j] <= '9' {
			n = n*10 + int(data[j]-'0')
			j++
		}
		if n < o.alerts && recv[n*o.clients+c].CompareAndSwap(0, now) {
			received.Add(1)
		}
	}
}

func fetchProfile(base string, seconds int, out string) error {
	return fetch(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", strings.TrimSuffix(base, "/"), seconds), out)
}

func fetch(url, out string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

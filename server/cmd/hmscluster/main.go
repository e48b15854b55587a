// Command hmscluster proves zero-loss operations on one machine (make bench-cluster,
// scripts/bench-cluster.sh): it runs nginx as the load balancer in front of `hms serve` instances that
// share one Redis and one database, connects N websocket clients through nginx, raises emergency alerts
// over REST through nginx at a steady rate, and meanwhile, phase by phase, restarts every instance one
// by one (SIGTERM), scales out from two instances to four, and kills one with SIGKILL.
//
// It then checks, per phase: every client got every alert exactly once and in order (the alerts
// channel's seq, 1 to the stored head); REST requests that failed on their first and only attempt (the
// driver never retries); each client's reconnect time from its connection dropping to its resumed
// subscription (p50/p99/max); and that every instance started. It exits non-zero when a check fails.
//
// The instances get their settings (DATABASE_URL, REDIS_URL, secrets) from the environment; the driver
// adds HTTP_ADDR and DATA_DIR per instance.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"hms/shared"
)

type options struct {
	hms, nginx, dir               string
	basePort, lbPort              int
	clients, dialers              int
	rate                          float64
	warmup, gap, settle, timeout  time.Duration
	startTimeout, stopTimeout     time.Duration
	p99Target                     time.Duration
	adminEmail, adminPassword     string
	nginxWorkers, nginxConnsExtra int
	dumps                         bool
	selfTest                      bool
	backoff                       time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.hms, "hms", "bin/hms", "the hms binary")
	flag.StringVar(&o.nginx, "nginx", "nginx", "the nginx binary")
	flag.StringVar(&o.dir, "dir", "", "working directory: nginx's configuration, instances' data dirs and logs (required)")
	flag.IntVar(&o.basePort, "base-port", 21000, "instance i listens on base-port+i")
	flag.IntVar(&o.lbPort, "lb-port", 20999, "nginx listens here")
	flag.IntVar(&o.clients, "clients", 5000, "websocket clients")
	flag.IntVar(&o.dialers, "dialers", 32, "concurrent connection attempts while connecting the clients")
	flag.Float64Var(&o.rate, "rate", 5, "emergency alerts raised per second, all through the run")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "steady phase before the first operation")
	flag.DurationVar(&o.gap, "gap", 5*time.Second, "quiet time under load after each phase's operations")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "after the alerts stop, before the final head is read")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for every client to catch up at the end")
	flag.DurationVar(&o.startTimeout, "start-timeout", 60*time.Second, "how long an instance may take to become ready")
	flag.DurationVar(&o.stopTimeout, "stop-timeout", 40*time.Second, "how long a SIGTERMed instance may take to exit")
	flag.DurationVar(&o.p99Target, "p99-target", 3*time.Second, "reconnect p99 above this fails the phase")
	flag.StringVar(&o.adminEmail, "admin-email", os.Getenv("ADMIN_EMAIL"), "the admin's email (creates the staff user)")
	flag.StringVar(&o.adminPassword, "admin-password", os.Getenv("ADMIN_PASSWORD"), "the admin's password")
	flag.IntVar(&o.nginxWorkers, "nginx-workers", 2, "nginx worker processes")
	flag.IntVar(&o.nginxConnsExtra, "nginx-conns-extra", 1024, "worker_connections beyond two per client")
	flag.BoolVar(&o.dumps, "dumps", false, "diagnosis: instances serve pprof on their port+100, and 700 ms after each SIGTERM the others' goroutines are saved in -dir")
	flag.DurationVar(&o.backoff, "client-backoff", 0, "0: a client redials at once (after 100-300 ms between failed dials); 500ms: as the web app does (frontend/src/live/connection.ts), before attempt n it waits 500ms×2^(n-1)×(0.5–1), at most 30 s")
	flag.BoolVar(&o.selfTest, "self-test", false, "check the checks: the first client forgets seq 3 and the second records seq 4 twice, so the run must fail with 1 lost and 1 doubled")
	flag.Parse()
	if o.dir == "" {
		fmt.Fprintln(os.Stderr, "hmscluster: -dir is required")
		os.Exit(2)
	}
	r := &run{o: o, start: time.Now(), inst: map[int]*instance{}}
	err := r.main()
	r.stopAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hmscluster:", err)
		os.Exit(1)
	}
}

// Phases, in order. Alerts, REST failures and reconnects are attributed to the phase running when they
// happen.
var phaseNames = []string{"steady", "rolling restart", "scale-out 2→4", "SIGKILL one", "settle"}

type run struct {
	o     options
	start time.Time
	phase atomic.Int32

	mu     sync.Mutex
	inst   map[int]*instance
	starts []int // per phase: instances started
	failed []int // per phase: instances that did not start
	nginx  *exec.Cmd

	token   string
	clients []*client

	alertMu sync.Mutex
	alerts  []alertPost
}

type alertPost struct {
	phase int
	ok    bool
	err   string
}

func (r *run) logf(format string, args ...any) {
	fmt.Printf("[%6.1fs] %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

// ---- instances ----

type instance struct {
	n    int
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func (r *run) startInstance(n int) error {
	port := r.o.basePort + n
	dataDir := filepath.Join(r.o.dir, fmt.Sprintf("data%d", n))
	_ = os.MkdirAll(dataDir, 0o700)
	logf, err := os.OpenFile(filepath.Join(r.o.dir, fmt.Sprintf("hms%d.log", n)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(r.o.hms, "serve")
	cmd.Env = append(os.Environ(), fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port), "DATA_DIR="+dataDir)
	if r.o.dumps {
		cmd.Env = append(cmd.Env, fmt.Sprintf("PPROF_ADDR=127.0.0.1:%d", port+100))
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	// The script's clean-up kills what the pid files name, should this driver die first; a file is
	// removed as soon as its process has exited, so that no reused pid is ever signalled.
	pidFile := filepath.Join(r.o.dir, fmt.Sprintf("hms%d.pid", n))
	_ = os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600)
	in := &instance{n: n, port: port, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); _ = os.Remove(pidFile); logf.Close(); close(in.done) }()
	r.mu.Lock()
	r.inst[n] = in
	r.mu.Unlock()
	ph := int(r.phase.Load())
	deadline := time.Now().Add(r.o.startTimeout)
	for {
		select {
		case <-in.done:
			r.countStart(ph, false)
			return fmt.Errorf("instance %d exited while starting (see %s/hms%d.log)", n, r.o.dir, n)
		default:
		}
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port)); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				r.countStart(ph, true)
				r.logf("instance %d ready on :%d in %v (pid %d)", n, port, time.Since(t0).Round(time.Millisecond), cmd.Process.Pid)
				return nil
			}
		}
		if time.Now().After(deadline) {
			r.countStart(ph, false)
			return fmt.Errorf("instance %d not ready after %v (see %s/hms%d.log)", n, r.o.startTimeout, r.o.dir, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *run) countStart(ph int, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ok {
		r.starts[ph]++
	} else {
		r.failed[ph]++
	}
}

// stopInstance signals instance n and waits for it to exit.
func (r *run) stopInstance(n int, sig syscall.Signal) error {
	r.mu.Lock()
	in := r.inst[n]
	delete(r.inst, n)
	r.mu.Unlock()
	if in == nil {
		return fmt.Errorf("instance %d is not running", n)
	}
	t0 := time.Now()
	_ = in.cmd.Process.Signal(sig)
	if r.o.dumps {
		go r.dump(n)
	}
	select {
	case <-in.done:
	case <-time.After(r.o.stopTimeout):
		_ = in.cmd.Process.Kill()
		<-in.done
		return fmt.Errorf("instance %d did not exit within %v of %v", n, r.o.stopTimeout, sig)
	}
	r.logf("instance %d stopped (%v) in %v", n, sig, time.Since(t0).Round(time.Millisecond))
	return nil
}

func (r *run) stopAll() {
	r.mu.Lock()
	ins := make([]*instance, 0, len(r.inst))
	for _, in := range r.inst {
		ins = append(ins, in)
	}
	r.inst = map[int]*instance{}
	r.mu.Unlock()
	for _, in := range ins {
		_ = in.cmd.Process.Signal(syscall.SIGKILL)
		<-in.done
	}
	if r.nginx != nil {
		_ = r.nginx.Process.Signal(syscall.SIGTERM)
		_ = r.nginx.Wait()
	}
}

// ---- nginx ----

// writeNginx writes the load balancer's configuration for the given instances: that of
// deploy/nginx/hms.conf.template (least_conn, keep-alive upstreams, websocket upgrade on demand,
// proxy_next_upstream) on plain HTTP, sized for the clients.
func (r *run) writeNginx(ns []int) error {
	var ups strings.Builder
	for _, n := range ns {
		fmt.Fprintf(&ups, "    server 127.0.0.1:%d max_fails=0;\n", r.o.basePort+n)
	}
	conns := 2*r.o.clients + r.o.nginxConnsExtra // a client's socket and its upstream socket
	user := ""
	if os.Getuid() == 0 {
		user = "user root;\n"
	}
	d := r.o.dir
	conf := fmt.Sprintf(`%sdaemon off;
worker_processes %d;
worker_rlimit_nofile %d;
pid %s/nginx.pid;
error_log %s/nginx-error.log warn;
events { worker_connections %d; multi_accept on; }
http {
  access_log off;
  client_body_temp_path %s/nginx-tmp/body;
  proxy_temp_path %s/nginx-tmp/proxy;
  fastcgi_temp_path %s/nginx-tmp/fastcgi;
  uwsgi_temp_path %s/nginx-tmp/uwsgi;
  scgi_temp_path %s/nginx-tmp/scgi;
  upstream hms {
    least_conn;
%s    keepalive 32;
    keepalive_timeout 2s;
  }
  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      '';
  }
  server {
    listen 127.0.0.1:%d backlog=4096;
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    location /ws {
      proxy_pass http://hms;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
      proxy_next_upstream error timeout http_503;
    }
    location / {
      proxy_pass http://hms;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
`, user, r.o.nginxWorkers, conns+1024, d, d, conns, d, d, d, d, d, ups.String(), r.o.lbPort)
	_ = os.MkdirAll(filepath.Join(d, "nginx-tmp"), 0o700)
	return os.WriteFile(filepath.Join(d, "nginx.conf"), []byte(conf), 0o600)
}

func (r *run) startNginx(ns []int) error {
	if err := r.writeNginx(ns); err != nil {
		return err
	}
	conf := filepath.Join(r.o.dir, "nginx.conf")
	if out, err := exec.Command(r.o.nginx, "-t", "-q", "-c", conf, "-p", r.o.dir).CombinedOutput(); err != nil {
		return fmt.Errorf("nginx -t: %v\n%s", err, out)
	}
	r.nginx = exec.Command(r.o.nginx, "-c", conf, "-p", r.o.dir)
	r.nginx.Stdout, r.nginx.Stderr = os.Stderr, os.Stderr
	if err := r.nginx.Start(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		if resp, err := http.Get(r.lb() + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			return errors.New("nginx did not answer")
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.logf("nginx on :%d in front of %v (pid %d)", r.o.lbPort, ns, r.nginx.Process.Pid)
	return nil
}

// reloadNginx points the load balancer at the given instances. Existing connections stay on the old
// workers until they close; new ones use the new list.
func (r *run) reloadNginx(ns []int) error {
	if err := r.writeNginx(ns); err != nil {
		return err
	}
	if err := r.nginx.Process.Signal(syscall.SIGHUP); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond) // the master starts new workers
	r.logf("nginx reloaded: upstreams %v", ns)
	return nil
}

func (r *run) lb() string { return fmt.Sprintf("http://127.0.0.1:%d", r.o.lbPort) }

// ---- REST ----

var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

func call(method, url, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func (r *run) signIn() error {
	var admin shared.TokenResponse
	if err := call("POST", r.lb()+"/api/auth/login", "", shared.LoginRequest{Email: r.o.adminEmail, Password: r.o.adminPassword}, &admin); err != nil {
		return fmt.Errorf("admin login: %w", err)
	}
	email := fmt.Sprintf("cluster-%d@example.org", time.Now().UnixNano())
	const password = "cluster bench password for hms"
	if err := call("POST", r.lb()+"/api/auth/register", admin.Token, shared.RegisterRequest{Name: "Cluster Nurse", Email: email, Password: password, Role: shared.RoleStaff}, nil); err != nil {
		return err
	}
	var staff shared.TokenResponse
	if err := call("POST", r.lb()+"/api/auth/login", "", shared.LoginRequest{Email: email, Password: password}, &staff); err != nil {
		return err
	}
	r.token = staff.Token
	return nil
}

// fireAlerts raises an alert every 1/rate seconds until stop is closed. Each POST is tried once: a
// failure is counted, never retried.
func (r *run) fireAlerts(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(time.Duration(float64(time.Second) / r.o.rate))
	defer t.Stop()
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ph := int(r.phase.Load())
		err := call("POST", r.lb()+"/api/alerts/emergency", r.token,
			shared.RaiseAlertRequest{Message: fmt.Sprintf("cluster-alert #%d", k), Location: "bench"}, nil)
		a := alertPost{phase: ph, ok: err == nil}
		if err != nil {
			a.err = err.Error()
			r.logf("REST failure (alert #%d, %s): %v", k, phaseNames[ph], err)
			go r.explain(a.err)
		}
		r.alertMu.Lock()
		r.alerts = append(r.alerts, a)
		r.alertMu.Unlock()
	}
}

// ---- websocket clients ----

type reconnect struct {
	phase int
	d     time.Duration
	// the successful attempt: from the drop to its dial, the websocket handshake, then to "subscribed"
	wait, handshake, join time.Duration
	dials                 int
}

type client struct {
	r  *run
	mu sync.Mutex
	// got is every alerts seq received, in arrival order; byK maps an alert's number to its seq.
	got        []int32
	byK        map[int]int32
	last       int64 // highest seq received: the resume cursor
	ready      bool
	dropped    time.Time // when the current connection dropped; zero while connected
	dropPhase  int
	reconnects []reconnect
	dialFails  int
	conn       *websocket.Conn
	// the current connection's dial and handshake times, and the dials since the drop
	dialAt, upAt time.Time
	dials        int
}

var dialer = &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 2048, WriteBufferSize: 512}

// loop keeps the client connected until stop: on a drop it redials at once (then after 100–300 ms
// between failed attempts), resuming from the last seq it saw.
func (c *client) loop(stop <-chan struct{}, ready *sync.WaitGroup) {
	first := true
	for {
		select {
		case <-stop:
			return
		default:
		}
		if !first && c.r.o.backoff > 0 {
			c.mu.Lock()
			n := c.dials // failed dials since the drop
			c.mu.Unlock()
			wait := min(30*time.Second, c.r.o.backoff<<min(n, 10))
			time.Sleep(time.Duration(float64(wait) * (0.5 + rand.Float64()*0.5)))
		}
		u := "ws" + strings.TrimPrefix(c.r.lb(), "http") + "/ws"
		c.mu.Lock()
		if !first {
			u += "?since=alerts:" + strconv.FormatInt(c.last, 10)
		}
		c.mu.Unlock()
		dialAt := time.Now()
		conn, _, err := dialer.Dial(u, http.Header{"Authorization": {"Bearer " + c.r.token}})
		c.mu.Lock()
		c.dials++
		c.dialAt, c.upAt = dialAt, time.Now()
		c.mu.Unlock()
		if err != nil {
			c.mu.Lock()
			c.dialFails++
			c.mu.Unlock()
			if c.r.o.backoff == 0 {
				time.Sleep(time.Duration(100+rand.IntN(200)) * time.Millisecond)
			}
			continue
		}
		c.mu.Lock()
		c.conn = conn
		c.mu.Unlock()
		c.read(conn, first, ready)
		first = false
		_ = conn.Close()
		c.mu.Lock()
		c.conn = nil
		if c.dropped.IsZero() {
			c.dropped, c.dropPhase, c.dials = time.Now(), int(c.r.phase.Load()), 0
		}
		c.mu.Unlock()
	}
}

var alertMarker = []byte(`cluster-alert #`)

func (c *client) read(conn *websocket.Conn, first bool, ready *sync.WaitGroup) {
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if bytes.HasPrefix(data, []byte(`{"op":"event","channel":"alerts",`)) {
			c.event(data)
			continue
		}
		var f shared.ServerFrame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch {
		case f.Op == shared.OpSubscribed && f.Channel == shared.ChannelAlerts:
			c.mu.Lock()
			if !c.ready {
				c.ready = true
				if f.Seq != nil {
					c.last = *f.Seq
				}
				c.mu.Unlock()
				ready.Done()
				continue
			}
			if !c.dropped.IsZero() {
				now := time.Now()
				c.reconnects = append(c.reconnects, reconnect{phase: c.dropPhase, d: now.Sub(c.dropped),
					wait: c.dialAt.Sub(c.dropped), handshake: c.upAt.Sub(c.dialAt), join: now.Sub(c.upAt), dials: c.dials})
				c.dropped, c.dials = time.Time{}, 0
			}
			c.mu.Unlock()
		case f.Op == shared.OpReconnect:
			// The server asks us to go: that is when the connection counts as dropped.
			c.mu.Lock()
			if c.dropped.IsZero() {
				c.dropped, c.dropPhase, c.dials = time.Now(), int(c.r.phase.Load()), 0
			}
			c.mu.Unlock()
			return
		case f.Op == shared.OpReload:
			fmt.Fprintf(os.Stderr, "client told to reload a snapshot: %s\n", data)
		}
	}
}

func (c *client) event(data []byte) {
	i := bytes.Index(data, []byte(`"seq":`))
	if i < 0 {
		return
	}
	seq, _ := leadingInt(data[i+6:])
	k := -1
	if j := bytes.Index(data, alertMarker); j >= 0 {
		k, _ = leadingInt(data[j+len(alertMarker):])
	}
	c.mu.Lock()
	if c.r.o.selfTest && seq == 3 && c == c.r.clients[0] {
		c.mu.Unlock()
		return
	}
	if c.r.o.selfTest && seq == 4 && c == c.r.clients[1] {
		c.got = append(c.got, int32(seq))
	}
	c.got = append(c.got, int32(seq))
	if k >= 0 {
		if c.byK == nil {
			c.byK = map[int]int32{}
		}
		c.byK[k] = int32(seq)
	}
	if int64(seq) > c.last {
		c.last = int64(seq)
	}
	c.mu.Unlock()
}

func leadingInt(b []byte) (int, bool) {
	n, ok := 0, false
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			break
		}
		n, ok = n*10+int(ch-'0'), true
	}
	return n, ok
}

func (r *run) connectClients(stop <-chan struct{}) error {
	var ready sync.WaitGroup
	ready.Add(r.o.clients)
	r.clients = make([]*client, r.o.clients)
	sem := make(chan struct{}, r.o.dialers)
	t0 := time.Now()
	for i := range r.clients {
		c := &client{r: r}
		r.clients[i] = c
		sem <- struct{}{}
		go func() {
			// the dial slot is released once this client is subscribed (or after a while)
			var once sync.Once
			release := func() { once.Do(func() { <-sem }) }
			time.AfterFunc(30*time.Second, release)
			var w sync.WaitGroup
			w.Add(1)
			go func() { w.Wait(); release(); ready.Done() }()
			c.loop(stop, &w)
		}()
	}
	done := make(chan struct{})
	go func() { ready.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		return errors.New("clients did not all connect within 5 minutes")
	}
	r.logf("connected %d clients through nginx in %v", r.o.clients, time.Since(t0).Round(time.Millisecond))
	return nil
}

// head reads the alerts channel's head with a fresh connection to base (nginx or one instance).
func (r *run) head(base string) (int64, error) {
	conn, _, err := dialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", http.Header{"Authorization": {"Bearer " + r.token}})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return 0, err
		}
		var f shared.ServerFrame
		if json.Unmarshal(data, &f) == nil && f.Op == shared.OpSubscribed && f.Channel == shared.ChannelAlerts && f.Seq != nil {
			return *f.Seq, nil
		}
	}
}

// ---- the run ----

func (r *run) main() error {
	r.starts = make([]int, len(phaseNames))
	r.failed = make([]int, len(phaseNames))
	fmt.Printf("cluster: %d clients, %.1f alerts/s, nginx on :%d, instances on :%d+n\n", r.o.clients, r.o.rate, r.o.lbPort, r.o.basePort)
	// The first instance prepares the fresh database alone; the others then start together.
	if err := r.startInstance(1); err != nil {
		return err
	}
	if err := r.parallel(func() error { return r.startInstance(2) }, func() error { return r.startInstance(3) }); err != nil {
		return err
	}
	r.mu.Lock()
	r.starts[0] = 0 // the initial starts are not "under load"
	r.mu.Unlock()
	if err := r.startNginx([]int{1, 2, 3}); err != nil {
		return err
	}
	if err := r.signIn(); err != nil {
		return err
	}
	stopClients := make(chan struct{})
	defer close(stopClients)
	if err := r.connectClients(stopClients); err != nil {
		return err
	}
	stopAlerts, alertsDone := make(chan struct{}), make(chan struct{})
	go r.fireAlerts(stopAlerts, alertsDone)
	go r.progress(alertsDone)

	var opErr error
	step := func(err error) {
		if err != nil && opErr == nil {
			opErr = err
			r.logf("operation failed: %v", err)
		}
	}
	r.logf("phase: steady (%v)", r.o.warmup)
	time.Sleep(r.o.warmup)

	r.setPhase(1)
	for n := 1; n <= 3 && opErr == nil; n++ {
		step(r.stopInstance(n, syscall.SIGTERM))
		step(r.startInstance(n))
	}
	time.Sleep(r.o.gap)

	r.setPhase(2)
	if opErr == nil {
		// The instance with most clients leaves the load balancer and stops; two then run. Then two are
		// added: it again, and a fourth.
		victim := r.busiest()
		var rest []int
		for _, n := range []int{1, 2, 3} {
			if n != victim {
				rest = append(rest, n)
			}
		}
		r.logf("scaling in to %v first (instance %d has most connections)", rest, victim)
		step(r.reloadNginx(rest))
		step(r.stopInstance(victim, syscall.SIGTERM))
		time.Sleep(r.o.gap)
		step(r.parallel(func() error { return r.startInstance(victim) }, func() error { return r.startInstance(4) }))
		step(r.reloadNginx([]int{1, 2, 3, 4}))
	}
	time.Sleep(r.o.gap)

	r.setPhase(3)
	if opErr == nil {
		victim := r.busiest()
		r.logf("killing instance %d (the one with most connections)", victim)
		step(r.stopInstance(victim, syscall.SIGKILL))
		step(r.startInstance(victim))
	}
	time.Sleep(r.o.gap)

	r.setPhase(4)
	close(stopAlerts)
	<-alertsDone
	time.Sleep(r.o.settle)
	head, err := r.expectedHead()
	if err != nil {
		return err
	}
	r.logf("alerts head: seq %d; waiting for every client to catch up", head)
	deadline := time.Now().Add(r.o.timeout)
	for time.Now().Before(deadline) && r.behind(head) > 0 {
		time.Sleep(200 * time.Millisecond)
	}
	if n := r.behind(head); n > 0 {
		r.logf("%d clients still behind after %v", n, r.o.timeout)
	}
	ok := r.report(head)
	if opErr != nil {
		return opErr
	}
	if !ok {
		return errors.New("checks failed (see the table)")
	}
	fmt.Println("all checks passed")
	return nil
}

// expectedHead is the last seq every client must have: the highest of the alerts channel's head on
// every running instance (each asked directly), the number of alerts raised with 201 (each stored one
// event; seqs are taken by inserting under a unique id, so the stored ones are 1..head) and the highest
// seq any client received.
func (r *run) expectedHead() (int64, error) {
	r.mu.Lock()
	var ports []int
	for _, in := range r.inst {
		ports = append(ports, in.port)
	}
	r.mu.Unlock()
	var head int64
	heads := []string{}
	for _, port := range ports {
		h, err := r.head(fmt.Sprintf("http://127.0.0.1:%d", port))
		if err != nil {
			return 0, fmt.Errorf("reading the alerts head on :%d: %w", port, err)
		}
		heads = append(heads, fmt.Sprintf(":%d %d", port, h))
		head = max(head, h)
	}
	var ok int64
	r.alertMu.Lock()
	for _, a := range r.alerts {
		if a.ok {
			ok++
		}
	}
	r.alertMu.Unlock()
	var seen int64
	for _, c := range r.clients {
		c.mu.Lock()
		seen = max(seen, c.last)
		c.mu.Unlock()
	}
	r.logf("alerts head per instance [%s]; %d alerts raised with 201; highest seq a client got %d", strings.Join(heads, ", "), ok, seen)
	return max(head, ok, seen), nil
}

func (r *run) setPhase(p int) {
	r.phase.Store(int32(p))
	r.logf("phase: %s", phaseNames[p])
}

func (r *run) parallel(fs ...func() error) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f() }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// busiest is the running instance with the most established connections on its port (from
// /proc/net/tcp), or the lowest numbered when that cannot be read.
func (r *run) busiest() int {
	r.mu.Lock()
	ns := make([]int, 0, len(r.inst))
	for n := range r.inst {
		ns = append(ns, n)
	}
	r.mu.Unlock()
	slices.Sort(ns)
	best, bestN := ns[0], -1
	data, _ := os.ReadFile("/proc/net/tcp")
	for _, n := range ns {
		local := fmt.Sprintf(":%04X ", r.o.basePort+n)
		count := 0
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) > 3 && strings.HasSuffix(f[1]+" ", local) && f[3] == "01" {
				count++
			}
		}
		if count > bestN {
			best, bestN = n, count
		}
	}
	return best
}

func (r *run) behind(head int64) int {
	n := 0
	for _, c := range r.clients {
		c.mu.Lock()
		if c.last < head || !c.dropped.IsZero() {
			n++
		}
		c.mu.Unlock()
	}
	return n
}

func (r *run) progress(done <-chan struct{}) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		away := 0
		for _, c := range r.clients {
			c.mu.Lock()
			if !c.dropped.IsZero() {
				away++
			}
			c.mu.Unlock()
		}
		r.alertMu.Lock()
		n := len(r.alerts)
		r.alertMu.Unlock()
		r.logf("%d alerts raised; %d clients reconnecting", n, away)
	}
}

// ---- the checks ----

type phaseStats struct {
	alerts, posts, restFail   int
	lost, doubled, outOfOrder int
	reconnects                []time.Duration
	starts, failedStarts      int
	firstErr                  string
}

// report prints the per-phase table and says whether every check passed. Every client connected
// before the first alert, so each must have received seq 1..head of the alerts channel exactly once,
// in increasing order.
func (r *run) report(head int64) bool {
	ps := make([]phaseStats, len(phaseNames))
	r.alertMu.Lock()
	posts := slices.Clone(r.alerts)
	r.alertMu.Unlock()
	for _, a := range posts {
		ps[a.phase].posts++
		if !a.ok {
			ps[a.phase].restFail++
			if ps[a.phase].firstErr == "" {
				ps[a.phase].firstErr = a.err
			}
		}
	}
	// seq → phase, through the alert number the clients saw in each event.
	seqPhase := make([]int, head+1)
	known := make([]bool, head+1)
	for _, c := range r.clients {
		c.mu.Lock()
		for k, s := range c.byK {
			if int64(s) <= head && k < len(posts) && !known[s] {
				seqPhase[s], known[s] = posts[k].phase, true
			}
		}
		c.mu.Unlock()
	}
	for s := int64(1); s <= head; s++ {
		if !known[s] {
			seqPhase[s] = seqPhase[s-1]
		}
		ps[seqPhase[s]].alerts++
	}
	phaseOf := func(s int32) int {
		if int64(s) <= head && s >= 0 {
			return seqPhase[s]
		}
		return len(phaseNames) - 1
	}
	counts := make([]uint16, head+1)
	for _, c := range r.clients {
		c.mu.Lock()
		clear(counts)
		var prev int32
		for _, s := range c.got {
			if s < prev {
				ps[phaseOf(s)].outOfOrder++
			}
			if int64(s) > head || s <= 0 {
				ps[phaseOf(s)].doubled++ // not a stored alert at all
				continue
			}
			counts[s]++
			prev = max(prev, s)
		}
		for s := int64(1); s <= head; s++ {
			switch {
			case counts[s] == 0:
				ps[seqPhase[s]].lost++
			case counts[s] > 1:
				ps[seqPhase[s]].doubled += int(counts[s]) - 1
			}
		}
		for _, rc := range c.reconnects {
			ps[rc.phase].reconnects = append(ps[rc.phase].reconnects, rc.d)
		}
		c.mu.Unlock()
	}
	r.mu.Lock()
	for i := range ps {
		ps[i].starts, ps[i].failedStarts = r.starts[i], r.failed[i]
	}
	r.mu.Unlock()

	ok := true
	var problems []string
	fmt.Println()
	fmt.Println("| phase | clients | alerts | lost | doubled | out of order | REST failures | reconnects | reconnect p50 | p99 | max | instances started |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	var all phaseStats
	for i, p := range ps {
		slices.Sort(p.reconnects)
		fmt.Printf("| %s | %d | %d | %d | %d | %d | %d/%d | %d | %s | %s | %s | %d/%d |\n", phaseNames[i], r.o.clients, p.alerts,
			p.lost, p.doubled, p.outOfOrder, p.restFail, p.posts, len(p.reconnects),
			pct(p.reconnects, 0.5), pct(p.reconnects, 0.99), pct(p.reconnects, 1), p.starts, p.starts+p.failedStarts)
		bad := func(format string, args ...any) {
			ok = false
			problems = append(problems, phaseNames[i]+": "+fmt.Sprintf(format, args...))
		}
		if p.lost > 0 || p.doubled > 0 || p.outOfOrder > 0 {
			bad("%d lost, %d doubled, %d out of order deliveries", p.lost, p.doubled, p.outOfOrder)
		}
		if p.restFail > 0 && (i == 1 || i == 2) { // the graceful phases: SIGTERM and nginx reloads only
			bad("%d REST requests failed on their first attempt (first: %s)", p.restFail, p.firstErr)
		} else if p.restFail > 0 {
			fmt.Fprintf(os.Stderr, "note: %s: %d REST requests failed (first: %s)\n", phaseNames[i], p.restFail, p.firstErr)
		}
		if len(p.reconnects) > 0 && pctD(p.reconnects, 0.99) > r.o.p99Target {
			bad("reconnect p99 %s above the %v target", pct(p.reconnects, 0.99), r.o.p99Target)
		}
		if p.failedStarts > 0 {
			bad("%d instances did not start", p.failedStarts)
		}
		all.alerts += p.alerts
		all.lost += p.lost
		all.doubled += p.doubled
		all.outOfOrder += p.outOfOrder
		all.restFail += p.restFail
		all.posts += p.posts
		all.reconnects = append(all.reconnects, p.reconnects...)
		all.starts += p.starts
		all.failedStarts += p.failedStarts
	}
	slices.Sort(all.reconnects)
	fmt.Printf("| **all** | %d | %d | %d | %d | %d | %d/%d | %d | %s | %s | %s | %d/%d |\n", r.o.clients, all.alerts,
		all.lost, all.doubled, all.outOfOrder, all.restFail, all.posts, len(all.reconnects),
		pct(all.reconnects, 0.5), pct(all.reconnects, 0.99), pct(all.reconnects, 1), all.starts, all.starts+all.failedStarts)
	fmt.Println()
	dialFails := 0
	var wait, hs, join []time.Duration
	dials := map[int]int{}
	for _, c := range r.clients {
		c.mu.Lock()
		dialFails += c.dialFails
		for _, rc := range c.reconnects {
			wait, hs, join = append(wait, rc.wait), append(hs, rc.handshake), append(join, rc.join)
			dials[rc.dials]++
		}
		c.mu.Unlock()
	}
	if len(wait) > 0 {
		for _, d := range [][]time.Duration{wait, hs, join} {
			slices.Sort(d)
		}
		fmt.Printf("reconnects broken down (p50/p99/max): drop→last dial %s/%s/%s; handshake through nginx %s/%s/%s; handshake→resumed %s/%s/%s; dials per reconnect %v\n",
			pct(wait, .5), pct(wait, .99), pct(wait, 1), pct(hs, .5), pct(hs, .99), pct(hs, 1), pct(join, .5), pct(join, .99), pct(join, 1), dials)
	}
	fmt.Printf("alerts head %d (stored alerts); %d failed websocket dials (redialled after 100-300 ms)\n", head, dialFails)
	for _, p := range problems {
		fmt.Println("FAIL", p)
	}
	return ok
}

func pctD(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[int(p*float64(len(d)-1))]
}

func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "–"
	}
	v := pctD(d, p)
	if v >= time.Second {
		return v.Round(10 * time.Millisecond).String()
	}
	return v.Round(100 * time.Microsecond).String()
}

// dump saves the goroutines of every running instance (diagnosis, -dumps).
func (r *run) dump(stopped int) {
	time.Sleep(700 * time.Millisecond)
	r.mu.Lock()
	ports := map[int]int{}
	for n, in := range r.inst {
		ports[n] = in.port
	}
	r.mu.Unlock()
	for n, port := range ports {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/goroutine?debug=1", port+100))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_ = os.WriteFile(filepath.Join(r.o.dir, fmt.Sprintf("goroutines-%.0fs-stop%d-inst%d.txt", time.Since(r.start).Seconds(), stopped, n)), b, 0o600)
	}
}

var requestID = regexp.MustCompile(`"request_id":"([0-9a-f]+)"`)

// explain prints what the instance that answered a failed request logged about it (its request id).
func (r *run) explain(msg string) {
	m := requestID.FindStringSubmatch(msg)
	if m == nil {
		return
	}
	time.Sleep(time.Second) // the log line is written
	logs, _ := filepath.Glob(filepath.Join(r.o.dir, "hms*.log"))
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, m[1]) && !strings.Contains(line, `"msg":"http"`) {
				if len(line) > 600 {
					line = line[:600]
				}
				r.logf("  %s: %s", filepath.Base(f), line)
			}
		}
	}
}

package main_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hms/server/internal/testenv"
	"hms/shared"
)

// The server binary is built once for the tests that run together and removed when the last ends
// (testenv.Main exits the process, so there is no later point to clean up at).
var built struct {
	mu    sync.Mutex
	users int
	dir   string
	path  string
}

// hmsBinary returns the path of the server binary built from this package.
func hmsBinary(t *testing.T) string {
	t.Helper()
	built.mu.Lock()
	defer built.mu.Unlock()
	if built.path == "" {
		dir, err := os.MkdirTemp("", "hms-cluster-bin-")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "hms")
		cmd := exec.Command("go", "build", "-o", path, ".") // the test runs in the package directory
		if out, err := cmd.CombinedOutput(); err != nil {
			_ = os.RemoveAll(dir)
			t.Fatalf("go build -o %s .: %v\n%s", path, err, out)
		}
		built.dir, built.path = dir, path
	}
	built.users++
	t.Cleanup(func() {
		built.mu.Lock()
		defer built.mu.Unlock()
		if built.users--; built.users == 0 {
			_ = os.RemoveAll(built.dir)
			built.dir, built.path = "", ""
		}
	})
	return built.path
}

// logBuffer collects a process's stdout and stderr (written from two goroutines).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instance is one server process, restartable on the same address.
type instance struct {
	name string
	addr string // 127.0.0.1:port
	bin  string
	dir  string // working and data directory
	env  []string
	logs *logBuffer

	mu      sync.Mutex
	cmd     *exec.Cmd     // nil while not running
	exited  chan struct{} // closed when cmd has exited
	exitErr error
	runs    int
}

func (in *instance) url() string { return "http://" + in.addr }

// start runs the process and waits (up to a minute) until it logged that it is ready and GET /readyz
// answers 200. The log line matters: the address was free when the test chose it, and another test's
// server that took it meanwhile would answer /readyz too.
func (in *instance) start() error {
	in.mu.Lock()
	if in.cmd != nil {
		in.mu.Unlock()
		return fmt.Errorf("%s is already running", in.name)
	}
	in.runs++
	fmt.Fprintf(in.logs, "----- %s: start #%d on %s at %s -----\n", in.name, in.runs, in.addr, time.Now().Format("15:04:05.000"))
	from := len(in.logs.String())
	ready := `"msg":"hms ready","url":"` + in.url() + `"`
	cmd := exec.Command(in.bin, "serve")
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = in.env, in.dir, in.logs, in.logs
	if err := cmd.Start(); err != nil {
		in.mu.Unlock()
		return fmt.Errorf("start %s: %w", in.name, err)
	}
	exited := make(chan struct{})
	in.cmd, in.exited, in.exitErr = cmd, exited, nil
	in.mu.Unlock()
	go func() { // ends when the process does
		err := cmd.Wait()
		fmt.Fprintf(in.logs, "----- %s: exited at %s: %v -----\n", in.name, time.Now().Format("15:04:05.000"), err)
		in.mu.Lock()
		in.cmd, in.exitErr = nil, err
		in.mu.Unlock()
		close(exited)
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready: %v", in.name, in.exitError())
		default:
		}
		if strings.Contains(in.logs.String()[from:], ready) {
			if code, _, err := in.readyz(); err == nil && code == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: /readyz did not answer 200 within a minute", in.name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (in *instance) exitError() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.exitErr
}

// signal sends sig and waits up to timeout for the process to exit; it returns the exit error and
// whether the process exited.
func (in *instance) signal(sig syscall.Signal, timeout time.Duration) (error, bool) {
	in.mu.Lock()
	cmd, exited := in.cmd, in.exited
	in.mu.Unlock()
	if cmd == nil {
		return in.exitError(), true
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
		return in.exitError(), true
	case <-time.After(timeout):
		return nil, false
	}
}

func (in *instance) kill() { _, _ = in.signal(syscall.SIGKILL, time.Minute) }

var readyClient = &http.Client{Timeout: 5 * time.Second}

// readyz returns /readyz's status code and "status" field.
func (in *instance) readyz() (int, string, error) {
	resp, err := readyClient.Get(in.url() + "/readyz")
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &body)
	return resp.StatusCode, body.Status, nil
}

// cluster is several server processes on one database and one Redis.
type cluster struct {
	t      *testing.T
	epoch  time.Time
	nodes  []*instance
	redis  *testenv.RedisServer
	client *http.Client

	staffToken string   // raises the alerts
	wsTokens   []string // doctor, staff and admin tokens the websocket clients use

	mu       sync.Mutex
	timeline []string // what the test did, for failure reports
}

const adminEmail, adminPassword = "cluster-admin@test.hms", "cluster admin password 1"

// newCluster starts n server processes (named A, B, C, …) on a fresh database and a Redis of their
// own, and signs in the accounts the tests use. Everything is stopped when the test ends; on failure
// the processes' logs are reported.
func newCluster(t *testing.T, n int) *cluster {
	t.Helper()
	bin := hmsBinary(t)
	db := testenv.DB(t)
	rs := testenv.OwnRedis(t)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	c := &cluster{t: t, epoch: time.Now(), redis: rs,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
	common := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GOTRACEBACK=all",
		"DATABASE_URL=" + db.URI(), "DATABASE_NAME=" + db.Name(),
		"REDIS_URL=" + rs.URL(), "REDIS_PREFIX=" + testenv.RandomName("hms") + ":",
		"JWT_SECRET=" + hex.EncodeToString(secret), "SECRET_KEY=cluster-" + hex.EncodeToString(secret),
		"ADMIN_EMAIL=" + adminEmail, "ADMIN_PASSWORD=" + adminPassword,
		"DEBUG=false", "ALLOWED_HOSTS=127.0.0.1,localhost",
		"LOGIN_MAX_PER_IP=10000", "ACCESS_TOKEN_TTL=1h", "ALERT_ESCALATE_AFTER=1h", "WS_PING_INTERVAL=2s",
	}
	for i := range n {
		dir := t.TempDir()
		addr := "127.0.0.1:" + freePort(t)
		env := append(append([]string{}, common...), "HTTP_ADDR="+addr, "DATA_DIR="+dir)
		c.nodes = append(c.nodes, &instance{name: string(rune('A' + i)), addr: addr, bin: bin, dir: dir, env: env, logs: &logBuffer{}})
	}
	t.Cleanup(func() {
		for _, in := range c.nodes {
			in.kill()
		}
		if t.Failed() || os.Getenv("HMS_CLUSTER_REPORT") != "" { // set it to see a passing test's story
			c.report()
		}
	})
	// The first instance creates the collections and indexes alone: the embedded FerretDB (1.24,
	// PostgreSQL backend) panics on concurrent createIndexes for a collection that does not exist yet,
	// and the instances it cuts off exit at start-up. The others then start together.
	if err := c.nodes[0].startOnFreePort(t); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, in := range c.nodes[1:] {
		wg.Go(func() { errs[i] = in.startOnFreePort(t) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	c.logf("%d instances ready: %s", n, c.names(c.nodes))

	admin := c.login(c.nodes[0], adminEmail, adminPassword)
	doctor := c.newUser(c.nodes[1%n], admin, shared.RoleDoctor)
	staff := c.newUser(c.nodes[2%n], admin, shared.RoleStaff)
	c.staffToken, c.wsTokens = staff, []string{doctor, staff, admin}
	return c
}

// startOnFreePort starts the instance, and again on another port (up to three times) when another
// process took its port between the test choosing it and the server binding it.
func (in *instance) startOnFreePort(t *testing.T) error {
	for try := 1; ; try++ {
		err := in.start()
		if err == nil || try == 3 || !strings.Contains(in.logs.String(), "address already in use") {
			return err
		}
		in.addr = "127.0.0.1:" + freePort(t)
		for i, kv := range in.env {
			if strings.HasPrefix(kv, "HTTP_ADDR=") {
				in.env[i] = "HTTP_ADDR=" + in.addr
			}
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func (c *cluster) names(nodes []*instance) string {
	var s []string
	for _, in := range nodes {
		s = append(s, in.name+"="+in.addr)
	}
	return strings.Join(s, " ")
}

// logf adds a line to the timeline, stamped with the time since the cluster started.
func (c *cluster) logf(format string, args ...any) {
	line := fmt.Sprintf("%7.3fs ", time.Since(c.epoch).Seconds()) + fmt.Sprintf(format, args...)
	c.mu.Lock()
	c.timeline = append(c.timeline, line)
	c.mu.Unlock()
}

// report shows the timeline and, per process, its warnings, errors and lifecycle lines; the full logs
// are written to files that are kept.
func (c *cluster) report() {
	c.mu.Lock()
	c.t.Logf("timeline:\n%s", strings.Join(c.timeline, "\n"))
	c.mu.Unlock()
	dir, err := os.MkdirTemp("", "hms-cluster-logs-")
	for _, in := range c.nodes {
		logs := in.logs.String()
		var keep []string
		sc := bufio.NewScanner(strings.NewReader(logs))
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			l := sc.Text()
			if !strings.HasPrefix(l, "{") || strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`) ||
				strings.Contains(l, `"msg":"hms `) || strings.Contains(l, `"msg":"broker`) {
				keep = append(keep, l)
			}
		}
		if len(keep) > 60 {
			keep = append(append(keep[:30:30], fmt.Sprintf("… %d lines …", len(keep)-60)), keep[len(keep)-30:]...)
		}
		where := ""
		if err == nil {
			path := filepath.Join(dir, strings.ReplaceAll(c.t.Name(), "/", "_")+"-"+in.name+".log")
			if os.WriteFile(path, []byte(logs), 0o600) == nil {
				where = " (full log: " + path + ")"
			}
		}
		c.t.Logf("instance %s%s, warnings, errors and lifecycle:\n%s", in.name, where, strings.Join(keep, "\n"))
	}
}

// call sends a JSON request to an instance and returns the status and body.
func (c *cluster) call(in *instance, method, path, token string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, in.url()+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

func (c *cluster) login(in *instance, email, password string) string {
	c.t.Helper()
	code, body, err := c.call(in, "POST", "/api/auth/login", "", shared.LoginRequest{Email: email, Password: password})
	if err != nil || code != http.StatusOK {
		c.t.Fatalf("login %s on %s: got %d %s (%v), want 200", email, in.name, code, body, err)
	}
	var tr shared.TokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.Token == "" {
		c.t.Fatalf("login %s: decode %s: %v", email, body, err)
	}
	return tr.Token
}

// newUser registers an account of role through the admin and signs it in.
func (c *cluster) newUser(in *instance, adminToken string, role shared.Role) string {
	c.t.Helper()
	email := testenv.RandomName(string(role)) + "@test.hms"
	const password = "correct horse battery staple"
	code, body, err := c.call(in, "POST", "/api/auth/register", adminToken,
		shared.RegisterRequest{Name: "Cluster " + string(role), Email: email, Password: password, Role: role})
	if err != nil || code != http.StatusCreated {
		c.t.Fatalf("register a %s on %s: got %d %s (%v), want 201", role, in.name, code, body, err)
	}
	return c.login(in, email, password)
}

// raiser posts emergency alerts and remembers the ones that got 201.
type raiser struct {
	c     *cluster
	token string

	mu       sync.Mutex
	n        int
	ids      []string // ids of the alerts that got 201, in answer order
	failures []string // every POST that did not get 201
	wg       sync.WaitGroup
}

func (c *cluster) raiser() *raiser { return &raiser{c: c, token: c.staffToken} }

// raise posts one alert to in and waits for the answer.
func (r *raiser) raise(in *instance) {
	r.mu.Lock()
	r.n++
	k := r.n
	r.mu.Unlock()
	start := time.Now()
	code, body, err := r.c.call(in, "POST", "/api/alerts/emergency", r.token,
		shared.RaiseAlertRequest{Message: fmt.Sprintf("cluster test alert #%d", k), Location: "Ward " + in.name})
	took := time.Since(start).Round(time.Millisecond)
	var a shared.Alert
	if err == nil && code == http.StatusCreated {
		err = json.Unmarshal(body, &a)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil || code != http.StatusCreated || a.ID == "" {
		msg := fmt.Sprintf("POST /api/alerts/emergency #%d to %s: got %d %s (err %v) after %s, want 201", k, in.name, code, body, err, took)
		r.failures = append(r.failures, msg)
		r.c.logf("%s", msg)
		return
	}
	r.ids = append(r.ids, a.ID)
	r.c.logf("alert #%d posted to %s → 201 %s (%s)", k, in.name, a.ID, took)
}

// burst posts an alert every interval, round-robin over nodes, each without waiting for the previous
// answer, for d. Call wait for the answers.
func (r *raiser) burst(nodes []*instance, every, d time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	end := time.Now().Add(d)
	for i := 0; time.Now().Before(end); i++ {
		in := nodes[i%len(nodes)]
		r.wg.Go(func() { r.raise(in) })
		<-tick.C
	}
}

// wait waits for every posted alert's answer and returns the ids that got 201 and the failures.
func (r *raiser) wait() (ids, failures []string) {
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...), append([]string(nil), r.failures...)
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// frame is any frame the server sends.
type frame struct {
	Op      string          `json:"op"`
	ID      string          `json:"id"`
	Channel string          `json:"channel"`
	Seq     *int64          `json:"seq"`
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
}

// alertEvent is one event a client got on the alerts channel.
type alertEvent struct {
	Seq  int64
	Type string
	ID   string // the alert's id
	Via  string // the instance that sent it
}

// wsClient behaves like a real program on the live hub: it connects with a Bearer token, records
// every event, and when the connection ends reconnects after 50–300 ms (to the same instance if
// sticky, else to the next one on its route), resuming with since=alerts:<last seq seen>. Like a
// real client it retries a subscription refused as "unavailable" and, told to reload, continues from
// the seq given (the snapshot is not fetched: what the client records is exactly what the servers
// sent, so alerts skipped by a reload show up as missing). It does not repair gaps itself.
type wsClient struct {
	name   string
	token  string
	route  []*instance // route[0] is its home instance
	sticky bool
	epoch  time.Time

	mu         sync.Mutex
	pos        int // index in route of the instance to connect to
	alerts     []alertEvent
	cursor     int64              // the alerts seq to resume after: the last event's, or a reload's
	others     map[string][]int64 // other channels: the seqs of the events received, in order
	live       bool               // the current connection has sent "subscribed" (or reload) for alerts
	connects   int                // connections that got a welcome
	current    string             // the instance of the open connection, "" between connections
	lastVia    string
	reconnects int      // {"op":"reconnect"} frames received
	closeCodes []int    // close codes received (-1: the connection broke without one)
	notes      []string // transient refusals the protocol allows (5xx handshakes, "unavailable", reload)
	problems   []string // what a correct server never sends
	history    []string
}

func (w *wsClient) logf(format string, args ...any) {
	w.history = append(w.history, fmt.Sprintf("%7.3fs ", time.Since(w.epoch).Seconds())+fmt.Sprintf(format, args...))
}

// run connects and reconnects until ctx ends.
func (w *wsClient) run(ctx context.Context) {
	for ctx.Err() == nil {
		w.mu.Lock()
		in, since := w.route[w.pos], w.cursor
		w.mu.Unlock()
		w.session(ctx, in, since)
		if ctx.Err() != nil {
			return
		}
		w.mu.Lock()
		if !w.sticky {
			w.pos = (w.pos + 1) % len(w.route)
		}
		w.mu.Unlock()
		select { // jitter, so that a restarted instance's clients do not all come back at once
		case <-ctx.Done():
		case <-time.After(jitter()):
		}
	}
}

func jitter() time.Duration { return 50*time.Millisecond + mrand.N(250*time.Millisecond) }

var wsDialer = &websocket.Dialer{HandshakeTimeout: 5 * time.Second}

// session is one connection: it reads frames until the connection ends or ctx does.
func (w *wsClient) session(ctx context.Context, in *instance, since int64) {
	u := fmt.Sprintf("ws://%s/ws?since=%s:%d", in.addr, shared.ChannelAlerts, since)
	conn, resp, err := wsDialer.DialContext(ctx, u, http.Header{"Authorization": {"Bearer " + w.token}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		w.mu.Lock()
		w.logf("dial %s since=%d: %v (status %d)", in.name, since, err, status)
		switch {
		case status >= 500:
			w.notes = append(w.notes, fmt.Sprintf("handshake with %s answered %d", in.name, status))
		case status != 0:
			w.problems = append(w.problems, fmt.Sprintf("handshake with %s refused with status %d", in.name, status))
		}
		w.mu.Unlock()
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	var wmu sync.Mutex // one writer at a time: resubscriptions run on timers
	send := func(f shared.ClientFrame) {
		wmu.Lock()
		defer wmu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
		_ = conn.WriteJSON(f) // a failed write shows up as a failed read
	}
	const readWait = 20 * time.Second // the servers ping every 2 s
	_ = conn.SetReadDeadline(time.Now().Add(readWait))
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(readWait))
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		var ne net.Error
		if errors.Is(err, websocket.ErrCloseSent) || (errors.As(err, &ne) && ne.Timeout()) {
			return nil // as gorilla's default handler: the read that follows reports the real problem
		}
		return err
	})
	for first := true; ; first = false {
		_, data, err := conn.ReadMessage()
		if err != nil {
			w.mu.Lock()
			w.live, w.current = false, ""
			if ctx.Err() == nil {
				code := -1
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					code = ce.Code
				}
				w.closeCodes = append(w.closeCodes, code)
				w.logf("connection to %s ended: %v", in.name, err)
			}
			w.mu.Unlock()
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(readWait))
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			w.mu.Lock()
			w.problems = append(w.problems, fmt.Sprintf("undecodable frame from %s: %s", in.name, data))
			w.mu.Unlock()
			continue
		}
		if retry, ok := w.handle(in, since, f, first, data); ok {
			time.AfterFunc(jitter(), func() { send(retry) })
		}
	}
}

// handle records a frame; it returns a subscribe frame to send when a subscription must be retried.
func (w *wsClient) handle(in *instance, since int64, f frame, first bool, raw []byte) (shared.ClientFrame, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if first {
		if f.Op != shared.OpWelcome {
			w.problems = append(w.problems, fmt.Sprintf("first frame from %s is %s, want welcome", in.name, raw))
		}
		w.connects++
		w.current, w.lastVia = in.name, in.name
		w.logf("connected to %s since=%d", in.name, since)
		return shared.ClientFrame{}, false
	}
	seq := int64(-1)
	if f.Seq != nil {
		seq = *f.Seq
	}
	alerts := f.Channel == shared.ChannelAlerts
	switch {
	case f.Op == shared.OpEvent && alerts:
		var a struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(f.Data, &a)
		w.alerts = append(w.alerts, alertEvent{Seq: seq, Type: f.Type, ID: a.ID, Via: in.name})
		w.cursor = seq
	case f.Op == shared.OpEvent:
		w.others[f.Channel] = append(w.others[f.Channel], seq)
	case f.Op == shared.OpSubscribed && alerts:
		w.live = true
		w.logf("subscribed to alerts on %s at seq %d", in.name, seq)
	case f.Op == shared.OpSubscribed:
	case f.Op == shared.OpReconnect:
		w.reconnects++
		w.logf("reconnect frame from %s: %s", in.name, raw)
	case f.Op == shared.OpReload && alerts:
		// Fetch a snapshot and continue from seq: here, only continue.
		w.live, w.cursor = true, max(w.cursor, seq)
		w.notes = append(w.notes, fmt.Sprintf("%s told it to reload alerts at seq %d (its last seq %d): %s", in.name, seq, since, raw))
		w.logf("reload from %s: %s", in.name, raw)
	case f.Op == shared.OpError && f.Code == "unavailable" && f.Channel != "":
		w.notes = append(w.notes, fmt.Sprintf("%s: %s", in.name, raw))
		w.logf("subscription refused by %s, retrying: %s", in.name, raw)
		cur := shared.ChannelCursor{Channel: f.Channel}
		if alerts {
			c := w.cursor
			cur.Since = &c
		} else if seqs := w.others[f.Channel]; len(seqs) > 0 {
			cur.Since = &seqs[len(seqs)-1]
		}
		return shared.ClientFrame{Op: shared.OpSubscribe, ID: "retry-" + f.Channel, Channels: []shared.ChannelCursor{cur}}, true
	default:
		w.problems = append(w.problems, fmt.Sprintf("unexpected frame from %s: %s", in.name, raw))
		w.logf("unexpected frame from %s: %s", in.name, raw)
	}
	return shared.ClientFrame{}, false
}

// clients is a set of running websocket clients.
type clients struct {
	list   []*wsClient
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// connect starts n clients; place says where client i connects first (route[0]), where it goes next,
// and whether it sticks to its instance.
func (c *cluster) connect(n int, place func(i int) (route []*instance, sticky bool)) *clients {
	ctx, cancel := context.WithCancel(context.Background())
	cs := &clients{cancel: cancel}
	for i := range n {
		route, sticky := place(i)
		w := &wsClient{name: fmt.Sprintf("c%02d", i), token: c.wsTokens[i%len(c.wsTokens)], route: route, sticky: sticky,
			epoch: c.epoch, others: map[string][]int64{}}
		cs.list = append(cs.list, w)
		cs.wg.Go(func() { w.run(ctx) })
	}
	c.t.Cleanup(cs.stop)
	return cs
}

// stop ends every client and waits for them.
func (cs *clients) stop() {
	cs.cancel()
	cs.wg.Wait()
}

// on returns the clients connected to in now.
func (cs *clients) on(in *instance) []*wsClient {
	var out []*wsClient
	for _, w := range cs.list {
		w.mu.Lock()
		if w.current == in.name {
			out = append(out, w)
		}
		w.mu.Unlock()
	}
	return out
}

// route returns every instance, starting at the i-th (mod len) and going round.
func (c *cluster) route(i int) []*instance {
	var r []*instance
	for k := range c.nodes {
		r = append(r, c.nodes[(i+k)%len(c.nodes)])
	}
	return r
}

// waitLive waits until every client is subscribed to alerts.
func (c *cluster) waitLive(cs *clients) {
	c.t.Helper()
	ok := waitFor(30*time.Second, func() bool {
		for _, w := range cs.list {
			w.mu.Lock()
			live := w.live
			w.mu.Unlock()
			if !live {
				return false
			}
		}
		return true
	})
	if !ok {
		for _, w := range cs.list {
			w.mu.Lock()
			if !w.live {
				c.t.Errorf("client %s (home %s) is not subscribed to alerts after 30s; history:\n%s", w.name, w.route[0].name, strings.Join(w.history, "\n"))
			}
			w.mu.Unlock()
		}
		c.t.FailNow()
	}
	c.logf("%d clients subscribed to alerts", len(cs.list))
}

// expectEveryAlert waits (up to timeout) until every client has seen every alert in ids, gives late
// duplicates a moment to show, stops the clients and checks that each got seqs exactly 1..len(ids),
// in order, each alert once.
func (c *cluster) expectEveryAlert(cs *clients, ids []string, timeout time.Duration) {
	c.t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	start := time.Now()
	done := waitFor(timeout, func() bool {
		for _, w := range cs.list {
			w.mu.Lock()
			got := map[string]bool{}
			for _, e := range w.alerts {
				if want[e.ID] {
					got[e.ID] = true
				}
			}
			w.mu.Unlock()
			if len(got) < len(want) {
				return false
			}
		}
		return true
	})
	if done {
		c.logf("every client has every alert (%s after the last answer)", time.Since(start).Round(time.Millisecond))
		time.Sleep(500 * time.Millisecond)
	} else {
		c.logf("gave up waiting after %s", timeout)
	}
	cs.stop()

	failed := 0
	for _, w := range cs.list {
		w.mu.Lock()
		for _, n := range w.notes {
			c.t.Logf("note: client %s: %s", w.name, n)
		}
		problems := checkAlerts(w.alerts, ids)
		problems = append(problems, w.problems...)
		if len(problems) > 0 {
			failed++
			if failed <= 3 {
				c.t.Errorf("client %s (home %s, %d connections): %s\nalerts (seq via):\n%s\nhistory:\n%s", w.name, w.route[0].name, w.connects,
					strings.Join(problems, "; "), formatAlerts(w.alerts), strings.Join(w.history, "\n"))
			} else {
				c.t.Errorf("client %s (home %s, %d connections): %s", w.name, w.route[0].name, w.connects, strings.Join(problems, "; "))
			}
		}
		w.mu.Unlock()
	}
	if failed == 0 {
		c.t.Logf("%d alerts; all %d clients got seqs 1..%d in order, each alert once", len(ids), len(cs.list), len(ids))
	}
}

// checkAlerts compares what a client got on the alerts channel with the alerts raised.
func checkAlerts(got []alertEvent, ids []string) []string {
	var problems []string
	seqs := make([]int64, len(got))
	inOrder := len(got) == len(ids)
	for i, e := range got {
		seqs[i] = e.Seq
		if e.Seq != int64(i+1) {
			inOrder = false
		}
		if e.Type != "alert.raised" {
			problems = append(problems, fmt.Sprintf("seq %d has type %q, want alert.raised", e.Seq, e.Type))
		}
	}
	if !inOrder {
		problems = append(problems, fmt.Sprintf("got %d alert events with seqs %s, want 1..%d", len(got), formatSeqs(seqs), len(ids)))
	}
	count := map[string]int{}
	for _, e := range got {
		count[e.ID]++
	}
	for _, id := range ids {
		if n := count[id]; n != 1 {
			problems = append(problems, fmt.Sprintf("alert %s arrived %d times, want once", id, n))
		}
		delete(count, id)
	}
	for id, n := range count {
		problems = append(problems, fmt.Sprintf("alert %s (%d times) was not raised by the test", id, n))
	}
	return problems
}

// formatSeqs writes ascending runs as ranges: "1-14,14-40" shows a duplicate 14, "1-9,11-20" a gap.
func formatSeqs(seqs []int64) string {
	var b strings.Builder
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", seqs[i], seqs[j])
		} else {
			fmt.Fprintf(&b, "%d", seqs[i])
		}
		i = j + 1
	}
	return "[" + b.String() + "]"
}

func formatAlerts(got []alertEvent) string {
	var parts []string
	for _, e := range got {
		parts = append(parts, fmt.Sprintf("%d %s", e.Seq, e.Via))
	}
	return strings.Join(parts, ", ")
}

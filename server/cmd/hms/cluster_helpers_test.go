package main_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/server/internal/testenv"
	"hms/shared"
)

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
	resp, err := apptest.Client{URL: in.url(), HTTP: c.client}.Send(context.Background(),
		apptest.Request{Method: method, Path: path, Body: body, Token: token})
	if err != nil {
		return 0, nil, err
	}
	return resp.Status, resp.Body, nil
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

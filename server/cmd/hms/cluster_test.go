// End-to-end tests of the live hub on several real server processes sharing one database and one
// Redis: alerts reach every client of every instance once, in order, through a Redis outage
// (docs/security.md rows 25, 26), an instance killed and restarted (row 27) and a graceful shutdown.
package main_test

import (
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hms/server/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// spread puts client i on instance i mod 3; on a disconnect it moves on to the next instance.
func spread(c *cluster) func(i int) ([]*instance, bool) {
	return func(i int) ([]*instance, bool) { return c.route(i % len(c.nodes)), false }
}

// TestClusterAlertReachesEveryInstance: an alert posted to any instance reaches the clients of all.
func TestClusterAlertReachesEveryInstance(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	cs := c.connect(30, spread(c))
	c.waitLive(cs)

	r := c.raiser()
	for i := range 9 {
		r.raise(c.nodes[i%3])
	}
	ids, failures := r.wait()
	for _, f := range failures {
		t.Error(f)
	}
	c.expectEveryAlert(cs, ids, 20*time.Second)
}

// TestRedisOutageLosesNoAlert (docs/security.md 25, 26): Redis is stopped for 5 s in the middle of a burst
// of alerts. REST keeps serving (every alert gets 201), readiness says degraded, and afterwards every
// client has every alert once, in order.
func TestRedisOutageLosesNoAlert(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	cs := c.connect(30, spread(c))
	c.waitLive(cs)

	r := c.raiser()
	burstDone := make(chan struct{})
	go func() { // owned by this test: ends after 9 s
		defer close(burstDone)
		r.burst(c.nodes, 100*time.Millisecond, 9*time.Second)
	}()
	time.Sleep(2 * time.Second)
	c.redis.Stop()
	down := time.Now()
	c.logf("redis stopped")
	for _, in := range c.nodes {
		var answers []string
		ok := waitFor(3*time.Second, func() bool {
			code, status, err := in.readyz()
			if err != nil || code != http.StatusOK {
				answers = append(answers, strings.TrimSpace(http.StatusText(code)+" "+status))
				if err != nil {
					answers = append(answers, err.Error())
				}
			}
			return code == http.StatusOK && status == "degraded"
		})
		if !ok || len(answers) > 0 {
			t.Errorf("instance %s: /readyz with Redis down: degraded seen: %v; other answers: %q; want 200 \"degraded\"", in.name, ok, answers)
		}
	}
	c.logf("every instance reports degraded")
	time.Sleep(time.Until(down.Add(5 * time.Second)))
	if err := c.redis.Start(); err != nil {
		t.Fatalf("restart redis: %v", err)
	}
	c.logf("redis started again (empty)")
	<-burstDone
	ids, failures := r.wait()
	c.logf("burst over: %d alerts got 201, %d did not", len(ids), len(failures))
	for _, f := range failures {
		t.Error(f)
	}
	c.expectEveryAlert(cs, ids, 20*time.Second)

	for _, in := range c.nodes {
		var last string
		if !waitFor(15*time.Second, func() bool {
			code, status, _ := in.readyz()
			last = http.StatusText(code) + " " + status
			return code == http.StatusOK && status == "ready"
		}) {
			t.Errorf("instance %s: /readyz after Redis came back: got %s, want 200 ready", in.name, last)
		}
	}
}

// TestInstanceRestartClientsResume (docs/security.md 27): one instance is killed (SIGKILL) while alerts
// are raised on the others and restarted on the same port a second later. Its clients reconnect with
// jitter, half of them to it once it is back, half to the next instance, and resume from their last
// seq without losing or repeating an alert.
func TestInstanceRestartClientsResume(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	victim := c.nodes[2]
	cs := c.connect(30, func(i int) ([]*instance, bool) {
		home := i % 3
		return c.route(home), c.nodes[home] == victim && i%2 == 0
	})
	c.waitLive(cs)

	r := c.raiser()
	burstDone := make(chan struct{})
	go func() { // owned by this test: ends after 7 s
		defer close(burstDone)
		r.burst(c.nodes[:2], 150*time.Millisecond, 7*time.Second)
	}()
	time.Sleep(2 * time.Second)
	itsClients := cs.on(victim)
	if len(itsClients) == 0 {
		t.Fatalf("no client is connected to %s", victim.name)
	}
	victim.kill()
	c.logf("instance %s killed with %d clients connected", victim.name, len(itsClients))
	time.Sleep(time.Second)
	if err := victim.start(); err != nil {
		t.Fatalf("restart %s: %v", victim.name, err)
	}
	c.logf("instance %s restarted and ready", victim.name)
	<-burstDone
	ids, failures := r.wait()
	c.logf("burst over: %d alerts got 201, %d did not", len(ids), len(failures))
	for _, f := range failures {
		t.Error(f)
	}
	c.expectEveryAlert(cs, ids, 25*time.Second)

	for _, w := range itsClients {
		if w.connects < 2 {
			t.Errorf("client %s of the killed instance connected %d times, want a reconnect", w.name, w.connects)
		}
		if w.sticky && w.lastVia != victim.name {
			t.Errorf("client %s ended on %s, want back on the restarted %s", w.name, w.lastVia, victim.name)
		}
	}
}

// TestGracefulShutdownTellsClientsToReconnect: an instance that gets SIGTERM sends its clients
// {"op":"reconnect"} and close code 1012; they reconnect to another instance and miss nothing.
func TestGracefulShutdownTellsClientsToReconnect(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	victim := c.nodes[2]
	cs := c.connect(30, spread(c))
	c.waitLive(cs)

	r := c.raiser()
	burstDone := make(chan struct{})
	go func() { // owned by this test: ends after 6 s
		defer close(burstDone)
		r.burst(c.nodes[:2], 150*time.Millisecond, 6*time.Second)
	}()
	time.Sleep(2 * time.Second)
	itsClients := cs.on(victim)
	if len(itsClients) == 0 {
		t.Fatalf("no client is connected to %s", victim.name)
	}
	c.logf("SIGTERM to %s with %d clients connected", victim.name, len(itsClients))
	err, exited := victim.signal(syscall.SIGTERM, 20*time.Second)
	switch {
	case !exited:
		t.Errorf("instance %s still running 20s after SIGTERM", victim.name)
	case err != nil:
		t.Errorf("instance %s exited with %v after SIGTERM, want status 0", victim.name, err)
	}
	c.logf("instance %s exited: %v", victim.name, err)
	<-burstDone
	ids, failures := r.wait()
	c.logf("burst over: %d alerts got 201, %d did not", len(ids), len(failures))
	for _, f := range failures {
		t.Error(f)
	}
	c.expectEveryAlert(cs, ids, 20*time.Second)

	for _, w := range itsClients {
		if w.reconnects < 1 || !slices.Contains(w.closeCodes, websocket.CloseServiceRestart) {
			t.Errorf("client %s of the stopped instance: got %d reconnect frames and close codes %v, want a reconnect frame and 1012",
				w.name, w.reconnects, w.closeCodes)
		}
		if w.lastVia == victim.name || w.connects < 2 {
			t.Errorf("client %s ended on %s after %d connections, want another instance", w.name, w.lastVia, w.connects)
		}
	}
}

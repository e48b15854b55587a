package hub

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"

	"hms/server/internal/auth"
	"hms/shared"
)

type staffAuth struct{}

func (staffAuth) Authenticate(context.Context, string) (auth.Principal, error) {
	return auth.Principal{UserID: "u1", Role: shared.RoleStaff}, nil
}

func (staffAuth) RedeemTicket(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, errors.New("no tickets here")
}

type emptyStore struct{}

func (emptyStore) After(context.Context, string, int64, int) ([]shared.Event, error) { return nil, nil }
func (emptyStore) Head(context.Context, string) (int64, error)                       { return 0, nil }

// testHub serves a hub on a test server and returns it with its /ws URL.
func testHub(t *testing.T, cfg Config) (*Hub, string) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	cfg.MaxConnsPerUser = 100
	h := New(cfg, staffAuth{}, emptyStore{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r := gin.New()
	r.GET("/ws", h.ServeWS)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return h, "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

// connect opens a socket and waits for its "subscribed" to the alerts channel.
func connect(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	for {
		var f shared.ServerFrame
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatal(err)
		}
		if f.Op == shared.OpSubscribed && f.Channel == shared.ChannelAlerts {
			return conn
		}
	}
}

// reconnectAt reads until the reconnect frame and returns when it came, checking that the close code
// 1012 follows.
func reconnectAt(conn *websocket.Conn) (time.Time, error) {
	var at time.Time
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if at.IsZero() {
				return at, err
			}
			if !websocket.IsCloseError(err, CloseServiceRestart) {
				return at, errors.New("closed with " + err.Error() + ", want 1012")
			}
			return at, nil
		}
		var f shared.ServerFrame
		if json.Unmarshal(data, &f) == nil && f.Op == shared.OpReconnect && f.Code == "server_shutdown" {
			at = time.Now()
		}
	}
}

// TestShutdownSpreadsReconnects: a stopping instance tells its clients to reconnect one after another
// over clients/DrainRate seconds rather than all at once, so that the instances they move to are not
// stampeded; the spread is capped at half the time Shutdown is given; new handshakes are refused with 503
// before the upgrade, so a load balancer passes them on.
func TestShutdownSpreadsReconnects(t *testing.T) {
	const n = 6
	h, url := testHub(t, Config{DrainRate: 10}) // 6 clients at 10/s: told over 0.5 s
	conns := make([]*websocket.Conn, n)
	for i := range conns {
		conns[i] = connect(t, url)
	}
	times := make([]time.Time, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); times[i], errs[i] = reconnectAt(c) }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t0 := time.Now()
	done := make(chan struct{})
	go func() { h.Shutdown(ctx); close(done) }()

	// While it drains, a new handshake is refused before the upgrade.
	time.Sleep(50 * time.Millisecond)
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("handshake during shutdown: %v, %+v; want 503", err, resp)
	}
	wg.Wait()
	<-done
	first, last := times[0], times[0]
	for i, at := range times {
		if errs[i] != nil {
			t.Fatalf("client %d: %v", i, errs[i])
		}
		if at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	if first.Sub(t0) > 200*time.Millisecond {
		t.Errorf("first client told after %v, want at once", first.Sub(t0))
	}
	// Evenly spaced over 0.5 s: the last one is told 5/6 of it later, about 417 ms.
	if spread := last.Sub(first); spread < 300*time.Millisecond || spread > 2*time.Second {
		t.Errorf("clients told over %v, want about 417ms", spread)
	}
}

// TestShutdownSpreadCapped: with little time to shut down, the spread is at most half of it.
func TestShutdownSpreadCapped(t *testing.T) {
	h := &Hub{cfg: Config{DrainRate: 1}}
	if got := h.drainSpread(context.Background(), 5); got != 5*time.Second {
		t.Errorf("5 clients at 1/s without a deadline: %v, want 5s", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if got := h.drainSpread(ctx, 5); got > time.Second || got < 900*time.Millisecond {
		t.Errorf("5 clients at 1/s with 2s to go: %v, want about 1s", got)
	}
	h.cfg.DrainRate = 1000
	if got := h.drainSpread(ctx, 5); got != 5*time.Millisecond {
		t.Errorf("5 clients at 1000/s: %v, want 5ms", got)
	}
}

// countingStore has events 1..head on every channel and counts the replay reads.
type countingStore struct {
	head  int64
	reads atomic.Int64
}

func (s *countingStore) After(_ context.Context, channel string, since int64, limit int) ([]shared.Event, error) {
	s.reads.Add(1)
	var out []shared.Event
	for seq := since + 1; seq <= s.head && len(out) < limit; seq++ {
		out = append(out, shared.Event{Channel: channel, Seq: seq, Type: "alert.raised", Data: []byte(`{}`)})
	}
	return out, nil
}

func (s *countingStore) Head(context.Context, string) (int64, error) { return s.head, nil }

// TestResumeAtHeadSkipsTheStore: a client that resumes at the seq the instance has dispatched (as one
// moved by a draining instance usually is) is subscribed without a read of the store; one behind gets
// the missed events replayed, in order.
func TestResumeAtHeadSkipsTheStore(t *testing.T) {
	gin.SetMode(gin.TestMode)
	store := &countingStore{head: 5}
	h := New(Config{MaxConnsPerUser: 10}, staffAuth{}, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r := gin.New()
	r.GET("/ws", h.ServeWS)
	srv := httptest.NewServer(r)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"

	// joined reads until the alerts channel's "subscribed" and returns it with the events before it.
	joined := func(since string) (int64, []int64) {
		t.Helper()
		conn, _, err := websocket.DefaultDialer.Dial(url+"?since=alerts:"+since, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var seqs []int64
		for {
			var f struct {
				Op, Channel string
				Seq         *int64
			}
			if err := conn.ReadJSON(&f); err != nil {
				t.Fatal(err)
			}
			if f.Op == shared.OpEvent && f.Channel == shared.ChannelAlerts {
				seqs = append(seqs, *f.Seq)
			}
			if f.Op == shared.OpSubscribed && f.Channel == shared.ChannelAlerts {
				return *f.Seq, seqs
			}
		}
	}
	if seq, evs := joined("5"); seq != 5 || len(evs) != 0 || store.reads.Load() != 0 {
		t.Fatalf("resumed at the head: subscribed at %d with %v, %d store reads; want 5, none, 0", seq, evs, store.reads.Load())
	}
	if seq, evs := joined("3"); seq != 5 || !slices.Equal(evs, []int64{4, 5}) || store.reads.Load() != 1 {
		t.Fatalf("resumed behind: subscribed at %d with %v, %d store reads; want 5, [4 5], 1", seq, evs, store.reads.Load())
	}
}

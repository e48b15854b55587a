package app_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"hms/server/internal/apptest"
	"hms/shared"
)

// TestBroadcastStormWithPings (docs/security.md row 33, run with -race): many clients, several channels,
// events published concurrently while the hub pings every few milliseconds; every client gets every
// event of its channels once, in order.
func TestBroadcastStormWithPings(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("WS_PING_INTERVAL", "5ms"), apptest.WithEnv("WS_SEND_QUEUE", "4096"),
		apptest.WithEnv("WS_MAX_CONNS_PER_USER", "100")) // every client is the same staff member
	staff := env.NewUser(shared.RoleStaff)
	channels := []string{"display:a", "display:b", "display:c"}
	const clients, perChannel = 24, 150

	type result struct{ seqs map[string][]int64 }
	results := make([]result, clients)
	var ready, done sync.WaitGroup
	ready.Add(clients)
	done.Add(clients)
	for i := 0; i < clients; i++ {
		ws := env.MustDialWS(staff.Token, "")
		mine := []string{channels[i%3], channels[(i+1)%3]}
		for _, ch := range mine {
			if a, _ := ws.Subscribe(ch, nil); a.Op != shared.OpSubscribed {
				t.Fatalf("got %+v, want subscribed", a)
			}
		}
		results[i] = result{seqs: map[string][]int64{}}
		go func() {
			defer done.Done()
			ready.Done()
			want := 2 * perChannel
			for got := 0; got < want; {
				f := ws.Next(30 * time.Second)
				if f.Op == shared.OpEvent && f.Channel != shared.ChannelBroadcast {
					results[i].seqs[f.Channel] = append(results[i].seqs[f.Channel], f.SeqOr())
					got++
				}
			}
		}()
	}
	ready.Wait()
	var pub sync.WaitGroup
	for _, ch := range channels {
		pub.Add(1)
		go func() {
			defer pub.Done()
			for n := 0; n < perChannel; n++ {
				if _, err := env.App.Events.Publish(t.Context(), ch, "display.changed", map[string]int{"n": n}); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		}()
	}
	pub.Wait()
	done.Wait()
	for i, r := range results {
		for ch, seqs := range r.seqs {
			for k, s := range seqs {
				if s != int64(k+1) {
					t.Fatalf("client %d channel %s: got seqs %v, want 1..%d in order", i, ch, head(seqs), perChannel)
				}
			}
		}
	}
	if d := env.App.Hub.Stats().SlowDropped.Load(); d != 0 {
		t.Fatalf("got %d slow-consumer drops, want none", d)
	}
}

func head(s []int64) string {
	if len(s) > 20 {
		return fmt.Sprint(s[:20]) + "…"
	}
	return fmt.Sprint(s)
}

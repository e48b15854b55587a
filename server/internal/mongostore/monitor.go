package mongostore

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
)

// observers hands the driver's finished commands to whoever watches their database. One client may
// serve several databases (tests give each test its own), so observers are kept per database name.
type observers struct {
	mu   sync.RWMutex
	next int
	by   map[string]map[int]func(command string, took time.Duration)
}

// monitor returns the client's command monitor. The driver measures each command's duration itself
// (from Started to Succeeded or Failed of the same request id) and reports it on the finished event.
func (o *observers) monitor() *event.CommandMonitor {
	done := func(e event.CommandFinishedEvent) {
		o.mu.RLock()
		defer o.mu.RUnlock()
		for _, f := range o.by[e.DatabaseName] {
			f(e.CommandName, e.Duration)
		}
	}
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { done(e.CommandFinishedEvent) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { done(e.CommandFinishedEvent) },
	}
}

// ObserveCommands calls f with the name and duration of every command this database runs, succeeded or
// failed, until the returned function is called. f runs on the driver's goroutine: it must be quick.
func (db *DB) ObserveCommands(f func(command string, took time.Duration)) (stop func()) {
	o, name := db.obs, db.Name()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.by == nil {
		o.by = map[string]map[int]func(string, time.Duration){}
	}
	if o.by[name] == nil {
		o.by[name] = map[int]func(string, time.Duration){}
	}
	id := o.next
	o.next++
	o.by[name][id] = f
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		delete(o.by[name], id)
	}
}

// Package mongostore implements every domain's store on MongoDB through the official driver. With no
// DATABASE_URL it starts an embedded FerretDB, so the same driver code runs without a MongoDB server.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Options says where the data lives.
type Options struct {
	// URL is mongodb://… for a real MongoDB, postgres://… for an embedded FerretDB on PostgreSQL, or
	// empty for an embedded FerretDB on SQLite under DataDir.
	URL      string
	Database string
	DataDir  string
}

// DB is an open database plus the embedded server behind it, if any.
type DB struct {
	*mongo.Database
	client *mongo.Client
	// Embedded names the embedded backend ("sqlite", "postgresql") or is empty for a real MongoDB.
	Embedded string
	uri      string
	stop     func()
	borrowed bool // a database on someone else's client (tests): Close leaves the client open
	gate     *gate
	obs      *observers // the client's command observers, shared with borrowed databases
}

// gate serialises this process's writes when the data lives in embedded SQLite. SQLite takes one
// writer at a time; concurrent write transactions from FerretDB's connection pool otherwise wait in
// SQLite's busy handler, which sleeps in steps of up to 100 ms and turned a 11 ms median into a 340 ms
// p99 (make bench-patient). Queuing here instead costs only the writes' own time. Other backends need
// no gate (nil).
type gate struct{ ch chan struct{} }

// enter waits for the gate and returns the function that leaves it. A nil gate is always open.
func (g *gate) enter() func() {
	if g == nil {
		return func() {}
	}
	g.ch <- struct{}{}
	return func() { <-g.ch }
}

// Open connects to MongoDB, or starts an embedded FerretDB and connects to that.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.Database == "" {
		o.Database = "hms"
	}
	db := &DB{stop: func() {}, obs: &observers{}}
	uri := o.URL
	copts := options.Client()
	if !strings.HasPrefix(uri, "mongodb://") && !strings.HasPrefix(uri, "mongodb+srv://") {
		var err error
		var maxOps int
		uri, db.Embedded, maxOps, db.stop, err = startFerretDB(o)
		if err != nil {
			return nil, err
		}
		if maxOps > 0 {
			copts.SetMaxPoolSize(uint64(maxOps))
		}
	}
	// No client-wide Timeout: with one set, the driver sends each command maxTimeMS = what is left minus
	// its round-trip estimate, and under a burst that estimate (from slow heartbeats) ate the whole
	// budget, so reads failed after a second or two (measured: 300 bookings at once on FerretDB/PostgreSQL).
	// Operations are bounded by their request's context; server selection by its own 30 s default.
	client, err := mongo.Connect(copts.ApplyURI(uri).SetAppName("hms").SetMonitor(db.obs.monitor()))
	if err != nil {
		db.stop()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		db.stop()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	db.client = client
	db.uri = uri
	if db.Embedded == "sqlite" {
		db.gate = &gate{ch: make(chan struct{}, 1)}
	}
	db.Database = client.Database(o.Database)
	return db, nil
}

// startFerretDB runs FerretDB in-process on a loopback port and returns its URI, the most operations
// it may be sent at once (0: no bound), and a stop function.
func startFerretDB(o Options) (uri, backend string, maxOps int, stop func(), err error) {
	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		// FerretDB logs every connection at INFO and every failed query at ERROR, including the
		// duplicate-key inserts that claims rely on. Every failure also reaches us through the driver,
		// so only what is worse than an error is let through.
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 4})),
	}
	if o.URL == "" {
		dir, err := filepath.Abs(filepath.Join(o.DataDir, "ferretdb"))
		if err != nil {
			return "", "", 0, nil, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", "", 0, nil, fmt.Errorf("create data dir: %w", err)
		}
		cfg.Handler, backend = "sqlite", "sqlite"
		cfg.SQLiteURL = "file:" + dir + "/" // FerretDB wants a directory URL ending in "/"
		maxOps = sqliteConns - 1            // as on PostgreSQL (PostgresPoolDefault)
	} else if strings.HasPrefix(o.URL, "postgres://") || strings.HasPrefix(o.URL, "postgresql://") {
		cfg.Handler, backend = "postgresql", "postgresql"
		var conns int
		if cfg.PostgreSQLURL, conns, err = boundedPool(o.URL); err != nil {
			return "", "", 0, nil, err
		}
		maxOps = conns - 1
	} else {
		return "", "", 0, nil, errors.New("DATABASE_URL must start with mongodb://, mongodb+srv://, postgres:// or be empty")
	}
	f, err := ferretdb.New(cfg)
	if err != nil {
		return "", "", 0, nil, fmt.Errorf("start embedded FerretDB: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { // owned by stop: it ends when ctx is cancelled
		defer close(done)
		_ = f.Run(ctx)
	}()
	return f.MongoDBURI(), backend, maxOps, func() { cancel(); <-done }, nil
}

// PostgresPoolDefault is how many PostgreSQL connections an instance's embedded FerretDB opens at most
// when DATABASE_URL does not say (pool_max_conns). FerretDB's own default, 50, let three instances
// take all of PostgreSQL's default 100 connections, and a fourth instance, or a restarted one, could
// not start (docs/deploy.md).
//
// The driver is let open one connection fewer to FerretDB than FerretDB has to PostgreSQL (Open),
// because FerretDB's PostgreSQL backend holds a connection for the query that finds the documents of an
// update while it takes a second one to write them: with as many updates at once as the pool has
// connections, each held one and waited for another, for ever (seen: 50 concurrent invoice issues on a
// 20-connection pool, TestIssueNumbersGapless). With at most N-1 operations in flight, one connection is
// always free, so one of them finishes (TestConcurrentUpdatesSmallPool).
const PostgresPoolDefault = 20

// sqliteConns is how many connections FerretDB's SQLite backend opens at most per database.
const sqliteConns = 100

// boundedPool returns the PostgreSQL URL with pool_max_conns set to PostgresPoolDefault unless it names
// its own, and that number of connections. Fewer than 2 cannot work (an update takes two).
func boundedPool(raw string) (string, int, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", 0, errors.New("DATABASE_URL is not a valid postgres:// URL")
	}
	q := u.Query()
	if !q.Has("pool_max_conns") {
		q.Set("pool_max_conns", strconv.Itoa(PostgresPoolDefault))
		u.RawQuery = q.Encode()
	}
	n, err := strconv.Atoi(q.Get("pool_max_conns"))
	if err != nil || n < 2 {
		return "", 0, fmt.Errorf("DATABASE_URL: pool_max_conns=%q must be a whole number of at least 2 (an update holds two PostgreSQL connections)", q.Get("pool_max_conns"))
	}
	return u.String(), n, nil
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	return db.client.Ping(ctx, readpref.Primary())
}

// Borrow returns another database on the same client and server. Closing it closes nothing; the
// owner's Close does. Tests give each test its own database this way.
func (db *DB) Borrow(name string) *DB {
	return &DB{Database: db.client.Database(name), client: db.client, Embedded: db.Embedded, uri: db.uri, stop: func() {}, borrowed: true, gate: db.gate, obs: db.obs}
}

// URI returns the mongodb:// address of the server (the embedded one's loopback address), so that
// other processes can share it (multi-instance tests).
func (db *DB) URI() string { return db.uri }

// Close disconnects and stops the embedded server, if any.
func (db *DB) Close(ctx context.Context) error {
	if db.borrowed {
		return nil
	}
	err := db.client.Disconnect(ctx)
	db.stop()
	return err
}

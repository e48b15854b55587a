// Package testenv gives tests real services: a MongoDB-compatible database (an embedded FerretDB on
// PostgreSQL where PostgreSQL runs, else on SQLite; or a real MongoDB named by MONGODB_TEST_URI) and a
// redis-server on a free port. Each test gets its own database: DB's is dropped when the test ends;
// IndexedDB's has every index made and is emptied when the test ends, for a later test of the package.
//
// A package using it runs its tests through Main, which stops what was started:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hms/server/internal/mongostore"
)

var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

// atExit registers f to run when the package's tests end.
func atExit(f func()) {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	cleanups = append(cleanups, f)
}

// Main runs the package's tests, then stops the servers they started.
func Main(m *testing.M) {
	code := m.Run()
	cleanupMu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanupMu.Unlock()
	os.Exit(code)
}

// RandomName returns prefix followed by random hex digits.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

var (
	serverOnce sync.Once
	server     *mongostore.DB
	serverErr  error
	// Backend says what the tests' database runs on: "mongodb", "postgresql" or "sqlite".
	Backend string
)

// PostgresURL is the server the PostgreSQL-backed FerretDB uses; HMS_TEST_POSTGRES overrides it.
func PostgresURL() string {
	if u := os.Getenv("HMS_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func startServer() (*mongostore.DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if uri := os.Getenv("MONGODB_TEST_URI"); uri != "" {
		Backend = "mongodb"
		return mongostore.Open(ctx, mongostore.Options{URL: uri, Database: "hms_test"})
	}
	if pgURL, drop, err := createPostgresDB(ctx); err == nil {
		db, err := mongostore.Open(ctx, mongostore.Options{URL: pgURL, Database: "hms_test"})
		if err != nil {
			drop()
			return nil, err
		}
		Backend = "postgresql"
		atExit(drop)
		return db, nil
	}
	dir, err := os.MkdirTemp("", "hms-ferretdb-")
	if err != nil {
		return nil, err
	}
	atExit(func() { _ = os.RemoveAll(dir) })
	Backend = "sqlite"
	return mongostore.Open(ctx, mongostore.Options{Database: "hms_test", DataDir: dir})
}

// createPostgresDB makes a PostgreSQL database for this test binary and returns its URL and a dropper.
func createPostgresDB(ctx context.Context) (string, func(), error) {
	cfg, err := pgx.ParseConfig(PostgresURL())
	if err != nil {
		return "", nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(context.Background())
	name := RandomName("hms_test_")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	u := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
	return u, drop, nil
}

// PostgresDatabase returns the URL of a new, empty PostgreSQL database on PostgresURL's server, dropped
// when the test ends, for tests that start their own embedded FerretDB on it.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, drop, err := createPostgresDB(ctx)
	if err != nil {
		t.Fatalf("create a PostgreSQL database on %s: %v (run scripts/test.sh, which starts PostgreSQL, or set HMS_TEST_POSTGRES)", PostgresURL(), err)
	}
	t.Cleanup(drop)
	return u
}

// testServer starts the package's database server on first use.
func testServer(t testing.TB) *mongostore.DB {
	t.Helper()
	serverOnce.Do(func() {
		server, serverErr = startServer()
		if serverErr == nil {
			atExit(func() { _ = server.Close(context.Background()) })
		}
	})
	if serverErr != nil {
		t.Fatalf("start test database: %v (set MONGODB_TEST_URI, or run scripts/test.sh, which starts PostgreSQL)", serverErr)
	}
	return server
}

// DB returns a fresh, empty database for this test, dropped when the test ends.
func DB(t testing.TB) *mongostore.DB {
	t.Helper()
	db := testServer(t).Borrow(RandomName("t_"))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
	})
	return db
}

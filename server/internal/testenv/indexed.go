package testenv

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/mongostore"
)

// indexed holds the databases that finished tests emptied, ready for the next IndexedDB. Creating
// every collection and index of a fresh database costs FerretDB seconds of DDL per test (each under
// its one metadata lock, so parallel tests wait for each other); emptying a used one costs a few
// DELETEs.
var indexed struct {
	sync.Mutex
	free  []*mongostore.DB
	owned []*mongostore.DB // every database IndexedDB made, dropped when the package's tests end
}

var dropIndexedOnce sync.Once

// IndexedDB returns an empty database for this test on which db.EnsureIndexes has run, so that an app
// started on it finds every index there. It is a fresh one, or one an earlier test of this package
// used and that was emptied when that test ended (every document of every collection deleted; the
// collections and indexes kept). Use it where the test would create the indexes anyway; DB gives a
// database with nothing in it at all.
func IndexedDB(t testing.TB) *mongostore.DB {
	t.Helper()
	srv := testServer(t)
	dropIndexedOnce.Do(func() { atExit(dropIndexed) })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	indexed.Lock()
	var db *mongostore.DB
	if n := len(indexed.free); n > 0 {
		db, indexed.free = indexed.free[n-1], indexed.free[:n-1]
	}
	indexed.Unlock()
	if db == nil {
		db = srv.Borrow(RandomName("t_"))
		if err := ensureIndexes(ctx, db); err != nil {
			_ = db.Drop(context.Background())
			t.Fatalf("create indexes: %v", err)
		}
		indexed.Lock()
		indexed.owned = append(indexed.owned, db)
		indexed.Unlock()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := empty(ctx, db); err != nil {
			t.Logf("empty test database %s: %v (dropped instead)", db.Name(), err)
			_ = db.Drop(ctx)
			forget(db)
			return
		}
		indexed.Lock()
		indexed.free = append(indexed.free, db)
		indexed.Unlock()
	})
	return db
}

// ensureIndexes runs EnsureIndexes, retrying as app.NewWithDB does: FerretDB 1.24 can drop the
// connection when indexes are created on several fresh databases at once.
func ensureIndexes(ctx context.Context, db *mongostore.DB) error {
	var err error
	for attempt := range 5 {
		if err = db.EnsureIndexes(ctx); err == nil {
			return nil
		}
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	return err
}

// empty deletes every document of every collection of db.
func empty(ctx context.Context, db *mongostore.DB) error {
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return err
	}
	for _, name := range names {
		if _, err := db.Collection(name).DeleteMany(ctx, bson.D{}); err != nil {
			return err
		}
	}
	return nil
}

func forget(db *mongostore.DB) {
	indexed.Lock()
	defer indexed.Unlock()
	for i, d := range indexed.owned {
		if d == db {
			indexed.owned = append(indexed.owned[:i], indexed.owned[i+1:]...)
			return
		}
	}
}

// dropIndexed drops the databases IndexedDB made (before the server stops: atExit runs last-in first).
func dropIndexed() {
	indexed.Lock()
	defer indexed.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, db := range indexed.owned {
		_ = db.Drop(ctx)
	}
	indexed.owned, indexed.free = nil, nil
}

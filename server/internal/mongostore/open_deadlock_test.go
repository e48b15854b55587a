package mongostore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
)

// FerretDB's PostgreSQL backend holds one connection while an update finds its documents and takes a
// second to write them. With more updates at once than the pool has connections, every connection was
// held by an update waiting for another, for ever (CI: TestIssueNumbersGapless hung for 20 minutes on a
// 20-connection pool). Open lets the driver send at most pool-1 operations at once; here 40 updates at
// once on a 3-connection pool must all finish.
func TestConcurrentUpdatesSmallPool(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := mongostore.Open(ctx, mongostore.Options{URL: testenv.PostgresDatabase(t) + "&pool_max_conns=3", Database: "pool"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close(context.Background()) }()
	col := db.Collection("counters")
	const n = 40
	for i := range n {
		if _, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}, {Key: "v", Value: 0}}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "v", Value: 1}}}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("an update failed (a pool deadlock ends at the test's deadline): %v", err)
		}
	}
	if c, err := col.CountDocuments(ctx, bson.D{{Key: "v", Value: 1}}); err != nil || c != n {
		t.Fatalf("%d of %d documents updated (%v)", c, n, err)
	}
}

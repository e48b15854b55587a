package audit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/audit"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

// fixture is a test database's audit store, a Log writing n patient reads on it, and the raw collection.
type fixture struct {
	db    *mongostore.DB
	store *mongostore.Audit
	log   *audit.Log
	chain string
}

func newFixture(t *testing.T, n int) fixture {
	t.Helper()
	db := testenv.DB(t)
	store := mongostore.NewAudit(db)
	f := fixture{db: db, store: store, log: audit.NewLog(store)}
	for range n {
		if err := f.log.Record(context.Background(), ident.New(), shared.RoleDoctor, ident.New(), "patient.read", nil); err != nil {
			t.Fatal(err)
		}
	}
	f.chain, _, _ = f.log.Head()
	return f
}

// raw returns the stored document of the chain's entry at seq.
func (f fixture) raw(t *testing.T, chain string, seq int64) bson.M {
	t.Helper()
	var d bson.M
	if err := f.db.Collection("audit").FindOne(context.Background(), bson.D{{Key: "_id", Value: mongostore.AuditKey(chain, seq)}}).Decode(&d); err != nil {
		t.Fatalf("entry %d of %s: %v", seq, chain, err)
	}
	return d
}

func verify(t *testing.T, s audit.Store) audit.Report {
	t.Helper()
	r, err := audit.Verify(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantProblemAt fails unless the report is not OK and names entry id with a problem containing what.
func wantProblemAt(t *testing.T, r audit.Report, id, what string) {
	t.Helper()
	if r.OK {
		t.Fatalf("got OK, want a problem at entry %s", id)
	}
	for _, p := range r.Problems {
		if p.EntryID == id && strings.Contains(p.What, what) {
			return
		}
	}
	t.Fatalf("got problems %v, want one at entry %s saying %q", r.Problems, id, what)
}

func TestVerifyCleanLog(t *testing.T) {
	f := newFixture(t, 10)
	r := verify(t, f.store)
	if !r.OK || r.Entries != 11 || r.Chains != 1 {
		t.Fatalf("got %+v, want OK with 11 entries (a chain start and 10 reads) in 1 chain", r)
	}
	// The chain's first entry links to its registry record.
	if d := f.raw(t, f.chain, 1); d["action"] != audit.ActionChainStart {
		t.Errorf("got first entry %v, want %s", d["action"], audit.ActionChainStart)
	}
}

func TestVerifyFindsAnEditedEntry(t *testing.T) {
	f := newFixture(t, 6)
	victim := f.raw(t, f.chain, 4)
	if _, err := f.db.Collection("audit").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: victim["_id"]}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "outcome", Value: "denied"}}}}); err != nil {
		t.Fatal(err)
	}
	r := verify(t, f.store)
	wantProblemAt(t, r, victim["entry_id"].(string), "hash does not match")
	if len(r.Problems) != 1 {
		t.Errorf("got %d problems %v, want only the edited entry", len(r.Problems), r.Problems)
	}
}

func TestVerifyFindsARemovedEntry(t *testing.T) {
	f := newFixture(t, 6)
	gone, after := f.raw(t, f.chain, 3), f.raw(t, f.chain, 4)
	if _, err := f.db.Collection("audit").DeleteOne(context.Background(), bson.D{{Key: "_id", Value: gone["_id"]}}); err != nil {
		t.Fatal(err)
	}
	wantProblemAt(t, verify(t, f.store), after["entry_id"].(string), "entries 3..3 before this one are missing")
}

func TestVerifyFindsSwappedEntries(t *testing.T) {
	f := newFixture(t, 6)
	ctx := context.Background()
	a, b := f.raw(t, f.chain, 3), f.raw(t, f.chain, 4)
	// Swap their places: each takes the other's seq (and so its _id).
	a["_id"], b["_id"] = b["_id"], a["_id"]
	a["seq"], b["seq"] = b["seq"], a["seq"]
	col := f.db.Collection("audit")
	if _, err := col.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{a["_id"], b["_id"]}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := col.InsertMany(ctx, []any{a, b}); err != nil {
		t.Fatal(err)
	}
	r := verify(t, f.store)
	wantProblemAt(t, r, a["entry_id"].(string), "moved")
	wantProblemAt(t, r, b["entry_id"].(string), "moved")
}

// TestVerifyFindsATruncatedTail removes the newest entries of a chain: nothing in the chain itself
// shows it, but another instance's anchor recorded the head.
func TestVerifyFindsATruncatedTail(t *testing.T) {
	f := newFixture(t, 5)
	ctx := context.Background()
	other := audit.NewLog(f.store)
	anchor, err := other.Anchor(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(anchor.Detail, mongostore.AuditKey(f.chain, 6)[:len(f.chain)]+":6:") {
		t.Fatalf("got anchor %q, want it to record %s at seq 6", anchor.Detail, f.chain)
	}
	if r := verify(t, f.store); !r.OK {
		t.Fatalf("before: got problems %v", r.Problems)
	}
	if _, err := f.db.Collection("audit").DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in",
		Value: bson.A{mongostore.AuditKey(f.chain, 5), mongostore.AuditKey(f.chain, 6)}}}}}); err != nil {
		t.Fatal(err)
	}
	wantProblemAt(t, verify(t, f.store), anchor.ID, "entries 5..6 were removed")
}

// TestVerifyFindsARemovedChain removes a whole chain and its registry record.
func TestVerifyFindsARemovedChain(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	other := audit.NewLog(f.store)
	anchor, err := other.Anchor(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("audit").DeleteMany(ctx, bson.D{{Key: "chain", Value: f.chain}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("audit_chains").DeleteOne(ctx, bson.D{{Key: "_id", Value: f.chain}}); err != nil {
		t.Fatal(err)
	}
	wantProblemAt(t, verify(t, f.store), anchor.ID, "no entries left")
}

// TestVerifyTwoInstancesWritingAtOnce writes from two Logs (two instances) on one store concurrently;
// each keeps its own chain and both verify.
func TestVerifyTwoInstancesWritingAtOnce(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	logs := []*audit.Log{audit.NewLog(f.store), audit.NewLog(f.store)}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for range 20 {
				if err := logs[g%2].Record(ctx, ident.New(), shared.RoleStaff, ident.New(), "patient.read", nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		if _, err := logs[0].Anchor(ctx, 0); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	if _, err := logs[1].Anchor(ctx, 0); err != nil {
		t.Fatal(err)
	}
	r := verify(t, f.store)
	if !r.OK || r.Chains != 2 || r.Entries != 16*20+2+2 {
		t.Fatalf("got %+v, want OK, 2 chains, %d entries", r, 16*20+4)
	}
}

// flaky stores an insert and then says it failed, once: the entry may or may not be stored as far as
// the Log knows.
type flaky struct {
	*mongostore.Audit
	fail atomic.Int32
}

func (s *flaky) InsertAudit(ctx context.Context, es []audit.Entry) error {
	err := s.Audit.InsertAudit(ctx, es)
	if err == nil && s.fail.Add(-1) == 0 {
		return errors.New("connection reset")
	}
	return err
}

// TestRecordAfterAnUnsureWrite: a write that reported failure but landed is not written twice, and the
// chain stays whole.
func TestRecordAfterAnUnsureWrite(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	s := &flaky{Audit: f.store}
	s.fail.Store(2) // the chain start's write succeeds; the next reports a failure after storing
	l := audit.NewLog(s)
	if err := l.Record(ctx, ident.New(), shared.RoleDoctor, ident.New(), "patient.read", nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(ctx, ident.New(), shared.RoleDoctor, ident.New(), "patient.read", nil); err == nil {
		t.Fatal("got no error from a write that reported failure")
	}
	if err := l.Record(ctx, ident.New(), shared.RoleDoctor, ident.New(), "patient.read", nil); err != nil {
		t.Fatal(err)
	}
	if r := verify(t, f.store); !r.OK || r.Entries != 4 {
		t.Fatalf("got %+v, want OK with 4 entries", r)
	}
}

package main_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/audit"
	"hms/server/internal/ident"
	"hms/server/internal/mongostore"
	"hms/server/internal/testenv"
	"hms/shared"
)

// TestAuditVerifyCommand runs `hms audit verify` on a database the way an operator would (DATABASE_URL):
// it passes on a clean trail, and after one entry is edited in the database it exits with status 1 and
// names the entry.
func TestAuditVerifyCommand(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	l := audit.NewLog(mongostore.NewAudit(db))
	for range 5 {
		if err := l.Record(ctx, ident.New(), shared.RoleDoctor, ident.New(), "patient.read", nil); err != nil {
			t.Fatal(err)
		}
	}
	chain, _, _ := l.Head()
	run := func() (string, error) {
		cmd := exec.Command(hmsBinary(t), "audit", "verify")
		cmd.Dir = t.TempDir()
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DEBUG=false",
			"DATABASE_URL=" + db.URI(), "DATABASE_NAME=" + db.Name(), "DATA_DIR=" + cmd.Dir,
			"JWT_SECRET=" + strings.Repeat("ab", 32), "SECRET_KEY=" + strings.Repeat("cd", 32)}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(); err != nil || !strings.Contains(out, "every chain verifies") {
		t.Fatalf("clean trail: got %v\n%s", err, out)
	}
	var victim bson.M
	key := mongostore.AuditKey(chain, 3)
	if err := db.Collection("audit").FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "action", Value: "patient.search"}}}}).Decode(&victim); err != nil {
		t.Fatal(err)
	}
	out, err := run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("edited trail: got %v, want exit status 1\n%s", err, out)
	}
	if id, _ := victim["entry_id"].(string); !strings.Contains(out, "entry "+id) || !strings.Contains(out, "hash does not match") {
		t.Fatalf("edited trail: got\n%s\nwant a problem naming entry %s", out, id)
	}
}

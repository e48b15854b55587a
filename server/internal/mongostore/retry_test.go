package mongostore

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

func TestRetryReadRetriesOnlyTransientFailures(t *testing.T) {
	internal := mongo.CommandError{Code: 1, Message: "timeout: read tcp 127.0.0.1:1->127.0.0.1:5432: i/o timeout"}
	badQuery := mongo.CommandError{Code: 2, Message: "BadValue"}
	cases := []struct {
		name      string
		errs      []error // what each try returns; a try past the end returns nil
		wantTries int
		wantErr   error
	}{
		{"success at once", nil, 1, nil},
		{"internal error then success", []error{internal}, 2, nil},
		{"internal error three times", []error{internal, internal, internal, internal}, 3, internal},
		{"bad query is not retried", []error{badQuery}, 1, badQuery},
		{"no document is not retried", []error{mongo.ErrNoDocuments}, 1, mongo.ErrNoDocuments},
		{"cancelled is not retried", []error{context.Canceled}, 1, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tries := 0
			err := retryRead(context.Background(), func() error {
				tries++
				if tries <= len(c.errs) {
					return c.errs[tries-1]
				}
				return nil
			})
			if tries != c.wantTries {
				t.Errorf("tries = %d, want %d", tries, c.wantTries)
			}
			if (c.wantErr == nil) != (err == nil) || (err != nil && err.Error() != c.wantErr.Error()) {
				t.Errorf("err = %v, want %v", err, c.wantErr)
			}
		})
	}
}

func TestRetryReadStopsWhenTheRequestEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tries := 0
	err := retryRead(ctx, func() error {
		tries++
		cancel()
		return mongo.CommandError{Code: 1, Message: "internal"}
	})
	if tries != 1 || err == nil {
		t.Fatalf("tries = %d, err = %v; want 1 try and its error", tries, err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the read's own error", err)
	}
}

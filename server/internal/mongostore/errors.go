package mongostore

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// errDuplicate and errNoDocument are what stores translate driver errors into before mapping them to
// their domain's sentinels; no driver error leaves this package.
var (
	errDuplicate  = errors.New("duplicate key")
	errNoDocument = errors.New("no document")
)

// classify turns a driver error into errDuplicate, errNoDocument, or returns it unchanged.
// FerretDB reports a unique-index violation on update as an InternalError carrying the backend's text,
// not E11000, so the text is checked too (docs/architecture.md).
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return errNoDocument
	}
	if mongo.IsDuplicateKeyError(err) {
		return errDuplicate
	}
	msg := err.Error()
	for _, s := range []string{"E11000", "UNIQUE constraint failed", "SQLSTATE 23505", "duplicate key"} {
		if strings.Contains(msg, s) {
			return errDuplicate
		}
	}
	return err
}

// transient reports whether a read that failed with err may succeed if tried again: the connection
// broke, or the server failed internally without saying the request was wrong. FerretDB reports a
// PostgreSQL connection that timed out under it as InternalError (code 1), which the driver's own read
// retry does not cover (seen once in CI while another instance was being killed).
func transient(err error) bool {
	if err == nil || errors.Is(err, mongo.ErrNoDocuments) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if mongo.IsNetworkError(err) {
		return true
	}
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(1)
}

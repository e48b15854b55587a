package mongostore

import (
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
// not E11000, so the text is checked too (DESIGN.md).
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

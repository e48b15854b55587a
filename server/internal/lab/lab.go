// Package lab keeps lab orders, their results (append-only revisions), the release of a report to the
// patient, and files attached to an order (PDF or images, stored in MongoDB in sealed chunks). Every
// read and change goes through patient.Access and is audited; results, notes and file bytes are sealed
// at rest by the store.
package lab

import (
	"context"
	"time"

	"hms/server/internal/fault"
	"hms/shared"
)

// Order is a lab order as stored.
type Order struct {
	ID            string
	PatientID     string
	OrderedBy     string
	Tests         []shared.LabTest
	Priority      string
	EncounterID   string
	AppointmentID string
	Note          string
	OrderedAt     time.Time
}

// Results is one revision of an order's results. Revisions are only ever inserted, under a unique
// {order_id, rev} index: two submissions cannot both become revision n.
type Results struct {
	OrderID        string
	Rev            int
	Results        []shared.LabResult
	Interpretation string
	AuthorID       string
	AuthorRole     shared.Role
	At             time.Time
}

// Closure ends an order's changes, one way: Kind shared.LabReleased makes results revision Rev visible
// to the patient; shared.LabCancelled cancels the order. Its key is the order id, so an order is closed
// once: a release and a cancel racing cannot both win, and a second release is a duplicate.
type Closure struct {
	OrderID string
	Kind    string
	Rev     int
	By      string
	At      time.Time
}

// File is an attached file's metadata; its bytes are Chunks chunks of ChunkSize bytes (the last one
// shorter).
type File struct {
	ID          string
	OrderID     string
	PatientID   string
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Chunks      int
	UploadedBy  string
	At          time.Time
}

// Store is what the service needs from storage.
type Store interface {
	InsertOrder(ctx context.Context, o Order) error
	// Order returns ErrNotFound when there is no such order.
	Order(ctx context.Context, id string) (Order, error)
	// OrdersOf returns a patient's orders, newest first.
	OrdersOf(ctx context.Context, patientID string) ([]Order, error)
	// OpenOrders returns the orders neither released nor cancelled, oldest first (the lab desk's queue).
	OpenOrders(ctx context.Context) ([]Order, error)
	// InsertResults fails with ErrRevisionTaken when that revision exists already.
	InsertResults(ctx context.Context, r Results) error
	// ResultsOf returns every results revision of the orders, in no particular order.
	ResultsOf(ctx context.Context, orderIDs []string) ([]Results, error)
	// InsertClosure fails with ErrClosed when the order was released or cancelled before.
	InsertClosure(ctx context.Context, c Closure) error
	ClosuresOf(ctx context.Context, orderIDs []string) ([]Closure, error)
	// InsertChunk stores chunk n (from 0) of a file; InsertFile then makes the file visible.
	InsertChunk(ctx context.Context, fileID string, n int, data []byte) error
	InsertFile(ctx context.Context, f File) error
	// DeleteChunks removes the chunks of a file whose upload failed (no metadata refers to them).
	DeleteChunks(ctx context.Context, fileID string) error
	// File returns ErrFileNotFound when there is no such file.
	File(ctx context.Context, id string) (File, error)
	FilesOf(ctx context.Context, orderIDs []string) ([]File, error)
	// Chunks calls each with the file's chunks in order, 0, 1, 2, …, read through one cursor (a query
	// per chunk would scan the collection once per chunk on FerretDB). A missing chunk is an error.
	Chunks(ctx context.Context, fileID string, each func(n int, data []byte) error) error
}

// The domain's errors.
var (
	ErrNotFound      = fault.New(fault.ErrNotFound, "lab order not found")
	ErrFileNotFound  = fault.New(fault.ErrNotFound, "lab file not found")
	ErrRevisionTaken = fault.New(fault.ErrConflict, "results were submitted at the same moment; try again")
	ErrClosed        = fault.New(fault.ErrConflict, "the order is already released or cancelled")
	errNoResults     = fault.New(fault.ErrConflict, "the order has no results to release yet")
	errReleased      = fault.New(fault.ErrConflict, "the report is released; it can no longer be changed or cancelled")
	errCancelled     = fault.New(fault.ErrConflict, "the order is cancelled")
	// ErrFileTooLarge answers 413, ErrFileType 415 (see http.go); both count as invalid in the audit trail.
	ErrFileTooLarge = fault.New(fault.ErrInvalid, "the file is larger than %d MiB", MaxFileBytes>>20)
	ErrFileType     = fault.New(fault.ErrInvalid, "only PDF, PNG and JPEG files are accepted (detected from the file's content)")
	errFileEmpty    = fault.Invalid("the file is empty")
	errNoFile       = fault.Invalid(`send the file as multipart/form-data in the field "file"`)
)

// File limits. ChunkSize keeps each chunk document well under MongoDB's 16 MiB document limit and
// matches GridFS's default.
const (
	MaxFileBytes = 10 << 20
	ChunkSize    = 255 << 10
	// UploadBodyBytes is the request body limit of the upload route: the file plus room for the
	// multipart framing. A larger body is refused before it is read.
	UploadBodyBytes = MaxFileBytes + 64<<10
)

// allowedTypes are the content types an attached file may have, as http.DetectContentType names them.
var allowedTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true}

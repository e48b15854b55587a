// Package directory is the directory of hospitals and sites near the patient: entries an admin imports
// from CSV or GeoJSON, and the nearby search, which sorts them by great-circle distance in Go. The
// directory is small (at most MaxRows entries), so a search reads it whole; FerretDB has no geospatial
// index to ask instead (docs/integrations.md).
package directory

import (
	"context"
	"errors"

	"hms/server/internal/fault"
	"hms/shared"
)

// Limits of an import.
const (
	// MaxRows is the most entries a file (and the directory) may hold.
	MaxRows = 5000
	// ImportBodyBytes is the import route's body limit.
	ImportBodyBytes = 4 << 20
	// maxListed is how many bad rows a refused import names; it says how many more there are.
	maxListed = 50
)

// Nearby search defaults and limits.
const (
	DefaultRadiusKm = 50.0
	MaxRadiusKm     = 20040.0 // half the Earth's circumference: every point is within it
	DefaultLimit    = 10
	MaxLimit        = 100
)

// ErrExists is the store's answer for an insert whose id is taken.
var ErrExists = errors.New("a directory entry with this id exists")

// ErrNotFound is the store's answer for an id it does not hold.
var ErrNotFound = fault.New(fault.ErrNotFound, "no such hospital in the directory")

// ErrMediaType refuses an import that is neither CSV nor GeoJSON (415).
var ErrMediaType = errors.New("send the file as text/csv (with a header row) or application/geo+json")

// Store keeps the directory; entries are documents keyed by their id.
type Store interface {
	// All returns every entry, in no particular order.
	All(ctx context.Context) ([]shared.Hospital, error)
	// Insert stores new entries (one write for many); ErrExists when one of them has an id taken
	// meanwhile (those before it may be stored).
	Insert(ctx context.Context, hs []shared.Hospital) error
	// Remove removes the entries with these ids (one write) and says how many there were.
	Remove(ctx context.Context, ids []string) (int, error)
}

// Deps are the live figures of the hospital's own sites; either may be nil (then left out).
type Deps struct {
	// EmergencyQueue returns how many wait in a department's queue today and today's average actual
	// wait there in minutes; a not-found error when there is no such department.
	EmergencyQueue func(ctx context.Context, department string) (waiting int, averageMinutes float64, err error)
	// FreeBeds returns each ward's free beds, by ward id.
	FreeBeds func(ctx context.Context) (map[string]int, error)
}

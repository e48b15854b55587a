package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/directory"
	"hms/shared"
)

// colHospitals is the directory of hospitals and sites (docs/integrations.md): small (at most
// directory.MaxRows documents), keyed by each entry's stable key, read whole by the nearby search.
const colHospitals = "hospitals"

// directoryIndexes: none beyond _id. Every read is the whole (small) collection or one _id, and the
// distance is computed in Go: FerretDB has no geospatial index.
var directoryIndexes = indexSet{}

// Directory is the hospital directory's store.
type Directory struct {
	gate *gate
	col  *mongo.Collection
}

// NewDirectory returns the directory store on db.
func NewDirectory(db *DB) *Directory {
	return &Directory{gate: db.gate, col: db.Collection(colHospitals)}
}

type hospitalDoc struct {
	ID                  string    `bson:"_id"`
	Name                string    `bson:"name"`
	Address             string    `bson:"address"`
	Lat                 float64   `bson:"lat"`
	Lng                 float64   `bson:"lng"`
	Phone               string    `bson:"phone"`
	Services            []string  `bson:"services"`
	Own                 bool      `bson:"own"`
	EmergencyDepartment string    `bson:"emergency_department,omitempty"`
	Wards               []string  `bson:"wards,omitempty"`
	UpdatedAt           time.Time `bson:"updated_at"`
}

func (d hospitalDoc) hospital() shared.Hospital {
	services := d.Services
	if services == nil {
		services = []string{}
	}
	return shared.Hospital{ID: d.ID, Name: d.Name, Address: d.Address, Lat: d.Lat, Lng: d.Lng, Phone: d.Phone,
		Services: services, Own: d.Own, EmergencyDepartment: d.EmergencyDepartment, Wards: d.Wards, UpdatedAt: d.UpdatedAt.UTC()}
}

// All implements directory.Store.
func (s *Directory) All(ctx context.Context) ([]shared.Hospital, error) {
	leave := s.gate.enter()
	defer leave()
	return findAll(ctx, s.col, "list hospitals", bson.D{}, nil, hospitalDoc.hospital)
}

// Put implements directory.Store: an insert, and on a taken _id the replacement of that one document
// (by _id only: FerretDB serves inserts and finds by _id best).
func (s *Directory) Put(ctx context.Context, h shared.Hospital) (bool, error) {
	leave := s.gate.enter()
	defer leave()
	d := hospitalDoc{ID: h.ID, Name: h.Name, Address: h.Address, Lat: h.Lat, Lng: h.Lng, Phone: h.Phone,
		Services: h.Services, Own: h.Own, EmergencyDepartment: h.EmergencyDepartment, Wards: h.Wards, UpdatedAt: h.UpdatedAt}
	_, err := s.col.InsertOne(ctx, d)
	if err == nil {
		return true, nil
	}
	if !errors.Is(classify(err), errDuplicate) {
		return false, wrap("insert hospital", err)
	}
	if _, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: h.ID}}, d); err != nil {
		return false, wrap("replace hospital", err)
	}
	return false, nil
}

// Delete implements directory.Store.
func (s *Directory) Delete(ctx context.Context, id string) error {
	leave := s.gate.enter()
	defer leave()
	res, err := s.col.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return wrap("delete hospital", err)
	}
	if res.DeletedCount == 0 {
		return directory.ErrNotFound
	}
	return nil
}

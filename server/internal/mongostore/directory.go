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

// Insert implements directory.Store: one ordered insert of the batch.
func (s *Directory) Insert(ctx context.Context, hs []shared.Hospital) error {
	leave := s.gate.enter()
	defer leave()
	docs := make([]hospitalDoc, len(hs))
	for i, h := range hs {
		docs[i] = docOfHospital(h)
	}
	_, err := s.col.InsertMany(ctx, docs)
	if errors.Is(classify(err), errDuplicate) {
		return directory.ErrExists
	}
	return wrap("insert hospitals", err)
}

// Remove implements directory.Store: one delete by _id ($in for several).
func (s *Directory) Remove(ctx context.Context, ids []string) (int, error) {
	leave := s.gate.enter()
	defer leave()
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	if len(ids) == 1 {
		filter = bson.D{{Key: "_id", Value: ids[0]}}
	}
	res, err := s.col.DeleteMany(ctx, filter)
	if err != nil {
		return 0, wrap("delete hospitals", err)
	}
	return int(res.DeletedCount), nil
}

func docOfHospital(h shared.Hospital) hospitalDoc {
	return hospitalDoc{ID: h.ID, Name: h.Name, Address: h.Address, Lat: h.Lat, Lng: h.Lng, Phone: h.Phone,
		Services: h.Services, Own: h.Own, EmergencyDepartment: h.EmergencyDepartment, Wards: h.Wards, UpdatedAt: h.UpdatedAt}
}

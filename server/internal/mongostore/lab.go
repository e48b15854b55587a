package mongostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/ident"
	"hms/server/internal/lab"
	"hms/server/internal/seal"
	"hms/shared"
)

var _ lab.Store = (*Lab)(nil)

// The lab collections.
const (
	colLabOrders   = "lab_orders"
	colLabResults  = "lab_results"
	colLabClosures = "lab_closures" // _id is the order id: an order is released or cancelled once
	colLabFiles    = "lab_files"
	colLabChunks   = "lab_file_chunks"
)

var labIndexes = indexSet{
	colLabOrders: {mongo.IndexModel{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "ordered_at", Value: -1}},
		Options: options.Index().SetName("patient_time")},
	},
	colLabResults: {mongo.IndexModel{Keys: bson.D{{Key: "order_id", Value: 1}, {Key: "rev", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("order_rev_unique")},
	},
	colLabFiles: {mongo.IndexModel{Keys: bson.D{{Key: "order_id", Value: 1}}, Options: options.Index().SetName("order")}},
	colLabChunks: {mongo.IndexModel{Keys: bson.D{{Key: "file_id", Value: 1}, {Key: "n", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("file_n_unique")},
	},
}

// Lab stores lab orders, results revisions, closures (release or cancel) and attached files. The order's tests and note,
// every revision's results, a file's name and every chunk of its bytes are sealed, each bound to its
// record (and a chunk to its number): the raw documents hold no result value, note or file byte.
type Lab struct {
	gate                                  *gate
	orders, results, closures, files, chs *mongo.Collection
	keys                                  *seal.Keyring
}

// NewLab returns the lab store on db, sealing with keys.
func NewLab(db *DB, keys *seal.Keyring) *Lab {
	return &Lab{gate: db.gate, orders: db.Collection(colLabOrders), results: db.Collection(colLabResults),
		closures: db.Collection(colLabClosures), files: db.Collection(colLabFiles), chs: db.Collection(colLabChunks), keys: keys}
}

// The places sealed values are bound to.
func orderWhere(id, field string) string { return colLabOrders + "/" + id + "/" + field }
func resultsWhere(orderID string, rev int) string {
	return colLabResults + "/" + orderID + "/" + strconv.Itoa(rev) + "/results"
}
func fileWhere(id string) string { return colLabFiles + "/" + id + "/name" }
func chunkWhere(fileID string, n int) string {
	return colLabChunks + "/" + fileID + "/" + strconv.Itoa(n) + "/data"
}

func (s *Lab) seal(text, where string) (seal.Value, error) { return sealText(s.keys, text, where) }

func (s *Lab) open(v seal.Value, where string) (string, error) { return openText(s.keys, v, where) }

// sealJSON seals v's JSON encoding.
func (s *Lab) sealJSON(v any, where string) (seal.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return seal.Value{}, fmt.Errorf("encode %s: %w", where, err)
	}
	return s.seal(string(b), where)
}

func (s *Lab) openJSON(sv seal.Value, where string, v any) error {
	text, err := s.open(sv, where)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return fmt.Errorf("decode %s: %w", where, err)
	}
	return nil
}

type labOrderDoc struct {
	ID            string     `bson:"_id"`
	PatientID     string     `bson:"patient_id"`
	OrderedBy     string     `bson:"ordered_by"`
	Tests         seal.Value `bson:"tests"`
	Priority      string     `bson:"priority"`
	EncounterID   string     `bson:"encounter_id,omitempty"`
	AppointmentID string     `bson:"appointment_id,omitempty"`
	Note          seal.Value `bson:"note"`
	OrderedAt     time.Time  `bson:"ordered_at"`
}

// labResultsBody is what a results revision seals: every value, flag, comment and the interpretation.
type labResultsBody struct {
	Results        []shared.LabResult `json:"results"`
	Interpretation string             `json:"interpretation,omitempty"`
}

type labResultsDoc struct {
	ID         string     `bson:"_id"`
	OrderID    string     `bson:"order_id"`
	Rev        int        `bson:"rev"`
	Results    seal.Value `bson:"results"`
	AuthorID   string     `bson:"author_id"`
	AuthorRole string     `bson:"author_role"`
	At         time.Time  `bson:"at"`
}

type labClosureDoc struct {
	OrderID string    `bson:"_id"`
	Kind    string    `bson:"kind"`
	Rev     int       `bson:"rev"`
	By      string    `bson:"by"`
	At      time.Time `bson:"at"`
}

type labFileDoc struct {
	ID          string     `bson:"_id"`
	OrderID     string     `bson:"order_id"`
	PatientID   string     `bson:"patient_id"`
	Name        seal.Value `bson:"name"`
	ContentType string     `bson:"content_type"`
	Size        int64      `bson:"size"`
	SHA256      string     `bson:"sha256"`
	Chunks      int        `bson:"chunks"`
	UploadedBy  string     `bson:"uploaded_by"`
	At          time.Time  `bson:"at"`
}

type labChunkDoc struct {
	ID     string     `bson:"_id"`
	FileID string     `bson:"file_id"`
	N      int        `bson:"n"`
	Data   seal.Value `bson:"data"`
}

func (s *Lab) insert(ctx context.Context, col *mongo.Collection, doc any) error {
	leave := s.gate.enter()
	_, err := col.InsertOne(ctx, doc)
	leave()
	return err
}

// InsertOrder implements lab.Store.
func (s *Lab) InsertOrder(ctx context.Context, o lab.Order) error {
	tests, err := s.sealJSON(o.Tests, orderWhere(o.ID, "tests"))
	if err != nil {
		return err
	}
	note, err := s.seal(o.Note, orderWhere(o.ID, "note"))
	if err != nil {
		return err
	}
	return wrap("insert lab order", s.insert(ctx, s.orders, labOrderDoc{ID: o.ID, PatientID: o.PatientID, OrderedBy: o.OrderedBy,
		Tests: tests, Priority: o.Priority, EncounterID: o.EncounterID, AppointmentID: o.AppointmentID, Note: note, OrderedAt: o.OrderedAt}))
}

func (s *Lab) openOrder(d labOrderDoc) (lab.Order, error) {
	o := lab.Order{ID: d.ID, PatientID: d.PatientID, OrderedBy: d.OrderedBy, Priority: d.Priority,
		EncounterID: d.EncounterID, AppointmentID: d.AppointmentID, OrderedAt: d.OrderedAt.UTC()}
	if err := s.openJSON(d.Tests, orderWhere(d.ID, "tests"), &o.Tests); err != nil {
		return lab.Order{}, err
	}
	var err error
	o.Note, err = s.open(d.Note, orderWhere(d.ID, "note"))
	return o, err
}

// Order implements lab.Store.
func (s *Lab) Order(ctx context.Context, id string) (lab.Order, error) {
	d, err := findOne[labOrderDoc](ctx, s.orders, "find lab order", bson.D{{Key: "_id", Value: id}}, lab.ErrNotFound)
	if err != nil {
		return lab.Order{}, err
	}
	return s.openOrder(d)
}

// OrdersOf implements lab.Store.
func (s *Lab) OrdersOf(ctx context.Context, patientID string) ([]lab.Order, error) {
	docs, err := findAll(ctx, s.orders, "list lab orders", bson.D{{Key: "patient_id", Value: patientID}},
		options.Find().SetSort(bson.D{{Key: "ordered_at", Value: -1}, {Key: "_id", Value: -1}}), func(d labOrderDoc) labOrderDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]lab.Order, len(docs))
	for i, d := range docs {
		if out[i], err = s.openOrder(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InsertResults implements lab.Store.
func (s *Lab) InsertResults(ctx context.Context, r lab.Results) error {
	body, err := s.sealJSON(labResultsBody{Results: r.Results, Interpretation: r.Interpretation}, resultsWhere(r.OrderID, r.Rev))
	if err != nil {
		return err
	}
	err = s.insert(ctx, s.results, labResultsDoc{ID: ident.New(), OrderID: r.OrderID, Rev: r.Rev, Results: body,
		AuthorID: r.AuthorID, AuthorRole: string(r.AuthorRole), At: r.At})
	if errors.Is(classify(err), errDuplicate) {
		return lab.ErrRevisionTaken
	}
	return wrap("insert lab results", err)
}

func in(ids []string) bson.D { return bson.D{{Key: "$in", Value: ids}} }

// ResultsOf implements lab.Store.
func (s *Lab) ResultsOf(ctx context.Context, orderIDs []string) ([]lab.Results, error) {
	docs, err := findAll(ctx, s.results, "list lab results", bson.D{{Key: "order_id", Value: in(orderIDs)}}, options.Find(),
		func(d labResultsDoc) labResultsDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]lab.Results, len(docs))
	for i, d := range docs {
		var body labResultsBody
		if err := s.openJSON(d.Results, resultsWhere(d.OrderID, d.Rev), &body); err != nil {
			return nil, err
		}
		out[i] = lab.Results{OrderID: d.OrderID, Rev: d.Rev, Results: body.Results, Interpretation: body.Interpretation,
			AuthorID: d.AuthorID, AuthorRole: shared.Role(d.AuthorRole), At: d.At.UTC()}
	}
	return out, nil
}

// InsertClosure implements lab.Store.
func (s *Lab) InsertClosure(ctx context.Context, c lab.Closure) error {
	err := s.insert(ctx, s.closures, labClosureDoc{OrderID: c.OrderID, Kind: c.Kind, Rev: c.Rev, By: c.By, At: c.At})
	if errors.Is(classify(err), errDuplicate) {
		return lab.ErrClosed
	}
	return wrap("insert lab closure", err)
}

// ClosuresOf implements lab.Store.
func (s *Lab) ClosuresOf(ctx context.Context, orderIDs []string) ([]lab.Closure, error) {
	return findAll(ctx, s.closures, "list lab closures", bson.D{{Key: "_id", Value: in(orderIDs)}}, options.Find(),
		func(d labClosureDoc) lab.Closure {
			return lab.Closure{OrderID: d.OrderID, Kind: d.Kind, Rev: d.Rev, By: d.By, At: d.At.UTC()}
		})
}

// InsertChunk implements lab.Store.
func (s *Lab) InsertChunk(ctx context.Context, fileID string, n int, data []byte) error {
	v, err := s.seal(string(data), chunkWhere(fileID, n))
	if err != nil {
		return err
	}
	return wrap("insert lab file chunk", s.insert(ctx, s.chs, labChunkDoc{ID: ident.New(), FileID: fileID, N: n, Data: v}))
}

// InsertFile implements lab.Store.
func (s *Lab) InsertFile(ctx context.Context, f lab.File) error {
	name, err := s.seal(f.Name, fileWhere(f.ID))
	if err != nil {
		return err
	}
	return wrap("insert lab file", s.insert(ctx, s.files, labFileDoc{ID: f.ID, OrderID: f.OrderID, PatientID: f.PatientID,
		Name: name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, Chunks: f.Chunks, UploadedBy: f.UploadedBy, At: f.At}))
}

// DeleteChunks implements lab.Store.
func (s *Lab) DeleteChunks(ctx context.Context, fileID string) error {
	leave := s.gate.enter()
	_, err := s.chs.DeleteMany(ctx, bson.D{{Key: "file_id", Value: fileID}})
	leave()
	return wrap("delete lab file chunks", err)
}

func (s *Lab) openFile(d labFileDoc) (lab.File, error) {
	name, err := s.open(d.Name, fileWhere(d.ID))
	return lab.File{ID: d.ID, OrderID: d.OrderID, PatientID: d.PatientID, Name: name, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.SHA256, Chunks: d.Chunks, UploadedBy: d.UploadedBy, At: d.At.UTC()}, err
}

// File implements lab.Store.
func (s *Lab) File(ctx context.Context, id string) (lab.File, error) {
	d, err := findOne[labFileDoc](ctx, s.files, "find lab file", bson.D{{Key: "_id", Value: id}}, lab.ErrFileNotFound)
	if err != nil {
		return lab.File{}, err
	}
	return s.openFile(d)
}

// FilesOf implements lab.Store.
func (s *Lab) FilesOf(ctx context.Context, orderIDs []string) ([]lab.File, error) {
	docs, err := findAll(ctx, s.files, "list lab files", bson.D{{Key: "order_id", Value: in(orderIDs)}}, options.Find(),
		func(d labFileDoc) labFileDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]lab.File, len(docs))
	for i, d := range docs {
		if out[i], err = s.openFile(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chunkBatch is how many chunks (of 255 KiB) one cursor batch carries: about 1 MiB in memory.
const chunkBatch = 4

// Chunks implements lab.Store.
func (s *Lab) Chunks(ctx context.Context, fileID string, each func(n int, data []byte) error) error {
	cur, err := s.chs.Find(ctx, bson.D{{Key: "file_id", Value: fileID}},
		options.Find().SetSort(bson.D{{Key: "n", Value: 1}}).SetBatchSize(chunkBatch))
	if err != nil {
		return wrap("read lab file chunks", err)
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	next := 0
	for cur.Next(ctx) {
		var d labChunkDoc
		if err := cur.Decode(&d); err != nil {
			return wrap("read lab file chunk", err)
		}
		if d.N != next {
			return fmt.Errorf("lab file %s: chunk %d is missing", fileID, next)
		}
		text, err := s.open(d.Data, chunkWhere(fileID, d.N))
		if err != nil {
			return err
		}
		if err := each(d.N, []byte(text)); err != nil {
			return err
		}
		next++
	}
	return wrap("read lab file chunks", cur.Err())
}

// Rekey seals again, under the active key, every lab value sealed under another key: orders' tests
// and notes, results revisions, file names and file chunks. Each value is replaced only if it is still
// the one read. It reports after each collection and returns how many values it re-sealed.
func (s *Lab) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	str := func(doc bson.Raw, key string) string { v, _ := doc.Lookup(key).StringValueOK(); return v }
	num := func(doc bson.Raw, key string) int { v, _ := doc.Lookup(key).AsInt64OK(); return int(v) }
	total := 0
	for _, c := range []struct {
		name  string
		col   *mongo.Collection
		where func(doc bson.Raw, field string) string
		field []string
	}{
		{colLabOrders, s.orders, func(d bson.Raw, f string) string { return orderWhere(str(d, "_id"), f) }, []string{"tests", "note"}},
		{colLabResults, s.results, func(d bson.Raw, _ string) string { return resultsWhere(str(d, "order_id"), num(d, "rev")) }, []string{"results"}},
		{colLabFiles, s.files, func(d bson.Raw, _ string) string { return fileWhere(str(d, "_id")) }, []string{"name"}},
		{colLabChunks, s.chs, func(d bson.Raw, _ string) string { return chunkWhere(str(d, "file_id"), num(d, "n")) }, []string{"data"}},
	} {
		scanned, resealed, err := rekeyFields(ctx, s.gate, s.keys, c.col, c.where, c.field...)
		total += resealed
		if err != nil {
			return total, err
		}
		if progress != nil {
			progress(c.name, scanned, resealed)
		}
	}
	return total, nil
}

// OpenOrders implements lab.Store: the orders with no closure, oldest first.
func (s *Lab) OpenOrders(ctx context.Context) ([]lab.Order, error) {
	closed, err := findAll(ctx, s.closures, "list lab closures", bson.D{},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d struct {
			ID string `bson:"_id"`
		}) string {
			return d.ID
		})
	if err != nil {
		return nil, err
	}
	filter := bson.D{}
	if len(closed) > 0 {
		filter = bson.D{{Key: "_id", Value: bson.D{{Key: "$nin", Value: closed}}}}
	}
	docs, err := findAll(ctx, s.orders, "list open lab orders", filter,
		options.Find().SetSort(bson.D{{Key: "ordered_at", Value: 1}, {Key: "_id", Value: 1}}), func(d labOrderDoc) labOrderDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]lab.Order, len(docs))
	for i, d := range docs {
		if out[i], err = s.openOrder(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/auth"
)

// colClients holds the integration clients (docs/integrations.md), each under its id, with the
// SHA-256 of its secret, never the secret. It is read by _id on every machine client's request.
const colClients = "integration_clients"

var clientIndexes = indexSet{
	colClients: {
		{Keys: bson.D{{Key: "created_at", Value: -1}}, Options: options.Index().SetName("created_at")},
	},
}

// Clients is the Mongo implementation of auth.ClientStore.
type Clients struct {
	gate    *gate
	clients *mongo.Collection
}

var _ auth.ClientStore = (*Clients)(nil)

// NewClients returns the integration clients' store.
func NewClients(db *DB) *Clients { return &Clients{gate: db.gate, clients: db.Collection(colClients)} }

type clientScope struct {
	Type        string `bson:"type"`
	Interaction string `bson:"interaction"`
}

type clientDoc struct {
	ID         string        `bson:"_id"`
	Name       string        `bson:"name"`
	Scopes     []clientScope `bson:"scopes"`
	SecretHash string        `bson:"secret_hash"`
	Epoch      int64         `bson:"epoch"`
	CreatedBy  string        `bson:"created_by"`
	CreatedAt  time.Time     `bson:"created_at"`
	LastUsedAt *time.Time    `bson:"last_used_at,omitempty"`
	RotatedAt  *time.Time    `bson:"rotated_at,omitempty"`
	RevokedAt  *time.Time    `bson:"revoked_at,omitempty"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (d clientDoc) client() auth.Client {
	ss := make([]auth.Scope, len(d.Scopes))
	for i, s := range d.Scopes {
		ss[i] = auth.Scope{Type: s.Type, Interaction: s.Interaction}
	}
	return auth.Client{ID: d.ID, Name: d.Name, Scopes: ss, SecretHash: d.SecretHash, Epoch: d.Epoch, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt.UTC(), LastUsedAt: utcPtr(d.LastUsedAt), RotatedAt: utcPtr(d.RotatedAt), RevokedAt: utcPtr(d.RevokedAt)}
}

// InsertClient implements auth.ClientStore.
func (s *Clients) InsertClient(ctx context.Context, c auth.Client) error {
	ss := make([]clientScope, len(c.Scopes))
	for i, sc := range c.Scopes {
		ss[i] = clientScope{Type: sc.Type, Interaction: sc.Interaction}
	}
	leave := s.gate.enter()
	_, err := s.clients.InsertOne(ctx, clientDoc{ID: c.ID, Name: c.Name, Scopes: ss, SecretHash: c.SecretHash, Epoch: c.Epoch,
		CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt})
	leave()
	return wrap("insert integration client", err)
}

// ClientByID implements auth.ClientStore.
func (s *Clients) ClientByID(ctx context.Context, id string) (auth.Client, error) {
	leave := s.gate.enter()
	defer leave()
	d, err := findOne[clientDoc](ctx, s.clients, "find integration client", bson.D{{Key: "_id", Value: id}}, auth.ErrClientNotFound)
	if err != nil {
		return auth.Client{}, err
	}
	return d.client(), nil
}

// Clients implements auth.ClientStore.
func (s *Clients) Clients(ctx context.Context, skip, limit int) ([]auth.Client, int, error) {
	leave := s.gate.enter()
	defer leave()
	total, err := s.clients.CountDocuments(ctx, bson.D{})
	if err != nil {
		return nil, 0, wrap("count integration clients", err)
	}
	out, err := findAll(ctx, s.clients, "list integration clients", bson.D{}, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(limit)),
		clientDoc.client)
	return out, int(total), err
}

// RotateClient implements auth.ClientStore: the update matches only the epoch the caller read and a
// client not revoked, so that of two rotations from one epoch one wins and the other is told.
func (s *Clients) RotateClient(ctx context.Context, id string, from int64, hash string, at time.Time) error {
	leave := s.gate.enter()
	res, err := s.clients.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "epoch", Value: from}, {Key: "revoked_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "secret_hash", Value: hash}, {Key: "epoch", Value: from + 1}, {Key: "rotated_at", Value: at}}}})
	leave()
	if err != nil {
		return wrap("rotate integration client", err)
	}
	if res.MatchedCount != 1 {
		return auth.ErrClientChanged
	}
	return nil
}

// RevokeClient implements auth.ClientStore.
func (s *Clients) RevokeClient(ctx context.Context, id string, at time.Time) error {
	leave := s.gate.enter()
	res, err := s.clients.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revoked_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: at}}}})
	leave()
	if err != nil {
		return wrap("revoke integration client", err)
	}
	_ = res // revoked already: it keeps its first time
	return nil
}

// TouchClient implements auth.ClientStore.
func (s *Clients) TouchClient(ctx context.Context, id string, at time.Time) error {
	leave := s.gate.enter()
	_, err := s.clients.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "last_used_at", Value: at}}}})
	leave()
	return wrap("touch integration client", err)
}

package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/auth"
)

// colLinks holds the emailed single-use links (registrations to confirm, password links), each under
// the SHA-256 of its token: the token itself is never stored.
const colLinks = "auth_links"

var linkIndexes = indexSet{
	colLinks: {
		{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetName("expires")},
	},
}

type linkDoc struct {
	Hash         string    `bson:"_id"`
	Purpose      string    `bson:"purpose"`
	Name         string    `bson:"name,omitempty"`
	Email        string    `bson:"email,omitempty"`
	PasswordHash string    `bson:"password_hash,omitempty"`
	UserID       string    `bson:"user_id,omitempty"`
	Epoch        int64     `bson:"epoch,omitempty"`
	CreatedAt    time.Time `bson:"created_at"`
	ExpiresAt    time.Time `bson:"expires_at"`
}

func (d linkDoc) link() auth.Link {
	return auth.Link{Hash: d.Hash, Purpose: d.Purpose, Name: d.Name, Email: d.Email, PasswordHash: d.PasswordHash,
		UserID: d.UserID, Epoch: d.Epoch, CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
}

// InsertLink implements auth.Store.
func (s *Users) InsertLink(ctx context.Context, l auth.Link) error {
	leave := s.gate.enter()
	_, err := s.links.InsertOne(ctx, linkDoc{Hash: l.Hash, Purpose: l.Purpose, Name: l.Name, Email: l.Email,
		PasswordHash: l.PasswordHash, UserID: l.UserID, Epoch: l.Epoch, CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt})
	leave()
	return wrap("insert link", err)
}

// LinkByHash implements auth.Store.
func (s *Users) LinkByHash(ctx context.Context, hash string) (auth.Link, error) {
	d, err := findOne[linkDoc](ctx, s.links, "find link", bson.D{{Key: "_id", Value: hash}}, auth.ErrLinkNotFound)
	if err != nil {
		return auth.Link{}, err
	}
	return d.link(), nil
}

// TakeLink implements auth.Store: it reads the link, then deletes it by _id and purpose; only the
// caller whose delete removed the document has taken it, so of racing takes exactly one wins.
func (s *Users) TakeLink(ctx context.Context, hash, purpose string) (auth.Link, error) {
	l, err := s.LinkByHash(ctx, hash)
	if err != nil {
		return auth.Link{}, err
	}
	if l.Purpose != purpose {
		return auth.Link{}, auth.ErrLinkNotFound
	}
	leave := s.gate.enter()
	res, err := s.links.DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}, {Key: "purpose", Value: purpose}})
	leave()
	if err != nil {
		return auth.Link{}, wrap("take link", err)
	}
	if res.DeletedCount != 1 {
		return auth.Link{}, auth.ErrLinkNotFound
	}
	return l, nil
}

// PruneLinks implements auth.Store.
func (s *Users) PruneLinks(ctx context.Context, before time.Time) (int, error) {
	leave := s.gate.enter()
	res, err := s.links.DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: before}}}})
	leave()
	if err != nil {
		return 0, wrap("prune links", err)
	}
	return int(res.DeletedCount), nil
}

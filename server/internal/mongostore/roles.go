package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/auth"
	"hms/shared"
)

// colRoles holds the roles an admin made or changed: custom roles, and built-in ones whose grants
// differ from the defaults (docs/roles.md). It is small, and read by _id on every signed-in request.
const colRoles = "roles"

var roleIndexes = indexSet{
	colUsers: {
		{Keys: bson.D{{Key: "role_id", Value: 1}}, Options: options.Index().SetName("role_id")},
	},
}

type roleDoc struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	Kind      string    `bson:"kind"`
	Grants    []string  `bson:"grants"`
	Revision  int64     `bson:"revision"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func (d roleDoc) role() auth.Role {
	gs := make([]shared.Permission, len(d.Grants))
	for i, g := range d.Grants {
		gs[i] = shared.Permission(g)
	}
	return auth.Role{ID: d.ID, Name: d.Name, Kind: shared.Role(d.Kind), Grants: gs, Revision: d.Revision, UpdatedAt: d.UpdatedAt.UTC()}
}

func docOfRole(r auth.Role) roleDoc {
	gs := make([]string, len(r.Grants))
	for i, g := range r.Grants {
		gs[i] = string(g)
	}
	return roleDoc{ID: r.ID, Name: r.Name, Kind: string(r.Kind), Grants: gs, Revision: r.Revision, UpdatedAt: r.UpdatedAt}
}

// RoleByID implements auth.Store.
func (s *Users) RoleByID(ctx context.Context, id string) (auth.Role, error) {
	leave := s.gate.enter()
	defer leave()
	var d roleDoc
	err := s.roles.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(classify(err), errNoDocument) {
		return auth.Role{}, auth.ErrRoleNotFound
	}
	if err != nil {
		return auth.Role{}, wrap("find role", err)
	}
	return d.role(), nil
}

// Roles implements auth.Store.
func (s *Users) Roles(ctx context.Context) ([]auth.Role, error) {
	leave := s.gate.enter()
	defer leave()
	cur, err := s.roles.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, wrap("list roles", err)
	}
	var docs []roleDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap("list roles", err)
	}
	out := make([]auth.Role, len(docs))
	for i, d := range docs {
		out[i] = d.role()
	}
	return out, nil
}

// PutRole implements auth.Store: an insert under the _id's uniqueness, or a replacement of the
// document at the revision the change was made against, so that of two racing changes one wins.
func (s *Users) PutRole(ctx context.Context, r auth.Role, prev int64) error {
	leave := s.gate.enter()
	defer leave()
	if prev == 0 {
		_, err := s.roles.InsertOne(ctx, docOfRole(r))
		if errors.Is(classify(err), errDuplicate) {
			if r.BuiltIn() {
				return auth.ErrRoleStale
			}
			return auth.ErrRoleTaken
		}
		return wrap("insert role", err)
	}
	res, err := s.roles.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}, {Key: "revision", Value: prev}}, docOfRole(r))
	if err != nil {
		return wrap("replace role", err)
	}
	if res.MatchedCount == 0 {
		n, err := s.roles.CountDocuments(ctx, bson.D{{Key: "_id", Value: r.ID}})
		if err != nil {
			return wrap("find role", err)
		}
		if n == 0 {
			return auth.ErrRoleNotFound
		}
		return auth.ErrRoleStale
	}
	return nil
}

// DeleteRole implements auth.Store.
func (s *Users) DeleteRole(ctx context.Context, id string, rev int64) error {
	leave := s.gate.enter()
	defer leave()
	res, err := s.roles.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revision", Value: rev}})
	if err != nil {
		return wrap("delete role", err)
	}
	if res.DeletedCount == 0 {
		return auth.ErrRoleStale
	}
	return nil
}

// CountRoleUsers implements auth.Store. A built-in role's holders are the accounts of its kind that
// hold no custom role.
func (s *Users) CountRoleUsers(ctx context.Context, id string, enabledOnly bool) (int, error) {
	filter := bson.D{{Key: "role_id", Value: id}}
	if shared.Role(id).Valid() {
		filter = bson.D{{Key: "role", Value: id}, {Key: "role_id", Value: bson.D{{Key: "$exists", Value: false}}}}
	}
	if enabledOnly {
		filter = append(filter, bson.E{Key: "disabled", Value: false})
	}
	leave := s.gate.enter()
	defer leave()
	n, err := s.users.CountDocuments(ctx, filter)
	return int(n), wrap("count role users", err)
}

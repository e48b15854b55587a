package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

var _ auth.Store = (*Users)(nil)

// Users stores accounts, sessions and spent refresh tokens.
type Users struct {
	gate                    *gate
	users, sessions, claims *mongo.Collection
	links, roles            *mongo.Collection
}

// NewUsers returns the auth store on db.
func NewUsers(db *DB) *Users {
	return &Users{gate: db.gate, users: db.Collection(colUsers), sessions: db.Collection(colSessions), claims: db.Collection(colRefreshClaims),
		links: db.Collection(colLinks), roles: db.Collection(colRoles)}
}

type userDoc struct {
	ID           string    `bson:"_id"`
	Name         string    `bson:"name"`
	Email        string    `bson:"email"`
	Role         string    `bson:"role"`
	RoleID       string    `bson:"role_id,omitempty"`
	PasswordHash string    `bson:"password_hash"`
	PatientID    string    `bson:"patient_id,omitempty"`
	Disabled     bool      `bson:"disabled"`
	Epoch        int64     `bson:"epoch"`
	CreatedAt    time.Time `bson:"created_at"`
}

func (d userDoc) user() auth.User {
	return auth.User{ID: d.ID, Name: d.Name, Email: d.Email, Role: shared.Role(d.Role), RoleID: d.RoleID, PasswordHash: d.PasswordHash,
		PatientID: d.PatientID, Disabled: d.Disabled, Epoch: d.Epoch, CreatedAt: d.CreatedAt.UTC()}
}

// InsertUser implements auth.Store.
func (s *Users) InsertUser(ctx context.Context, u auth.User) error {
	leave := s.gate.enter()
	_, err := s.users.InsertOne(ctx, userDoc{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), RoleID: u.RoleID,
		PasswordHash: u.PasswordHash, PatientID: u.PatientID, Disabled: u.Disabled, Epoch: u.Epoch, CreatedAt: u.CreatedAt})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return auth.ErrEmailTaken
	}
	return wrap("insert user", err)
}

func (s *Users) findUser(ctx context.Context, filter bson.D) (auth.User, error) {
	d, err := findOne[userDoc](ctx, s.users, "find user", filter, auth.ErrUserNotFound)
	if err != nil {
		return auth.User{}, err
	}
	return d.user(), nil
}

// UserByID implements auth.Store.
func (s *Users) UserByID(ctx context.Context, id string) (auth.User, error) {
	return s.findUser(ctx, bson.D{{Key: "_id", Value: id}})
}

// UserByEmail implements auth.Store.
func (s *Users) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	return s.findUser(ctx, bson.D{{Key: "email", Value: email}})
}

// UpdateUser implements auth.Store.
func (s *Users) UpdateUser(ctx context.Context, id string, ch auth.UserChange) error {
	set := bson.D{}
	add := func(k string, v any) { set = append(set, bson.E{Key: k, Value: v}) }
	if ch.Name != nil {
		add("name", *ch.Name)
	}
	if ch.Role != nil {
		add("role", string(*ch.Role))
	}
	unset := bson.D{}
	if ch.RoleID != nil && *ch.RoleID != "" {
		add("role_id", *ch.RoleID)
	} else if ch.RoleID != nil {
		unset = append(unset, bson.E{Key: "role_id", Value: ""})
	}
	if ch.Disabled != nil {
		add("disabled", *ch.Disabled)
	}
	if ch.PasswordHash != nil {
		add("password_hash", *ch.PasswordHash)
	}
	if ch.PatientID != nil {
		add("patient_id", *ch.PatientID)
	}
	if ch.Epoch != nil {
		add("epoch", *ch.Epoch)
	}
	if len(set) == 0 && len(unset) == 0 {
		return nil
	}
	update := bson.D{}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	leave := s.gate.enter()
	res, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	leave()
	if err != nil {
		return wrap("update user", err)
	}
	if res.MatchedCount == 0 {
		return auth.ErrUserNotFound
	}
	return nil
}

// DeleteUser implements auth.Store.
func (s *Users) DeleteUser(ctx context.Context, id string) error {
	leave := s.gate.enter()
	_, err := s.users.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	leave()
	return wrap("delete user", err)
}

// ListUsers implements auth.Store.
func (s *Users) ListUsers(ctx context.Context, role shared.Role, skip, limit int) ([]auth.User, int, error) {
	filter := bson.D{}
	if role != "" {
		filter = bson.D{{Key: "role", Value: string(role)}}
	}
	total, err := s.users.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, wrap("count users", err)
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetSkip(int64(skip)).SetLimit(int64(limit))
	cur, err := s.users.Find(ctx, filter, opts)
	if err != nil {
		return nil, 0, wrap("list users", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, wrap("list users", err)
	}
	out := make([]auth.User, len(docs))
	for i, d := range docs {
		out[i] = d.user()
	}
	return out, int(total), nil
}

// HasAdmin implements auth.Store.
func (s *Users) HasAdmin(ctx context.Context) (bool, error) {
	err := s.users.FindOne(ctx, bson.D{{Key: "role", Value: string(shared.RoleAdmin)}}).Err()
	if errors.Is(classify(err), errNoDocument) {
		return false, nil
	}
	return err == nil, wrap("find admin", err)
}

type sessionDoc struct {
	ID         string     `bson:"_id"`
	UserID     string     `bson:"user_id"`
	CreatedAt  time.Time  `bson:"created_at"`
	LastUsedAt time.Time  `bson:"last_used_at"`
	RevokedAt  *time.Time `bson:"revoked_at,omitempty"`
	IP         string     `bson:"ip"`
}

// InsertSession implements auth.Store.
func (s *Users) InsertSession(ctx context.Context, ss auth.Session) error {
	leave := s.gate.enter()
	_, err := s.sessions.InsertOne(ctx, sessionDoc{ID: ss.ID, UserID: ss.UserID, CreatedAt: ss.CreatedAt, LastUsedAt: ss.LastUsedAt, IP: ss.IP})
	leave()
	return wrap("insert session", err)
}

// SessionByID implements auth.Store.
func (s *Users) SessionByID(ctx context.Context, id string) (auth.Session, error) {
	d, err := findOne[sessionDoc](ctx, s.sessions, "find session", bson.D{{Key: "_id", Value: id}}, auth.ErrSessionNotFound)
	if err != nil {
		return auth.Session{}, err
	}
	return auth.Session{ID: d.ID, UserID: d.UserID, CreatedAt: d.CreatedAt, LastUsedAt: d.LastUsedAt, RevokedAt: d.RevokedAt, IP: d.IP}, nil
}

// TouchSession implements auth.Store.
func (s *Users) TouchSession(ctx context.Context, id string, at time.Time) error {
	leave := s.gate.enter()
	_, err := s.sessions.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "last_used_at", Value: at}}}})
	leave()
	return wrap("touch session", err)
}

// RevokeSession implements auth.Store.
func (s *Users) RevokeSession(ctx context.Context, id string, at time.Time) error {
	leave := s.gate.enter()
	_, err := s.sessions.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: at}}}})
	leave()
	return wrap("revoke session", err)
}

// SpendToken implements auth.Store: the jti is the document's _id, so a second claim is a duplicate.
func (s *Users) SpendToken(ctx context.Context, jti, sessionID string, at time.Time) error {
	leave := s.gate.enter()
	_, err := s.claims.InsertOne(ctx, bson.D{{Key: "_id", Value: jti}, {Key: "session_id", Value: sessionID}, {Key: "at", Value: at}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return auth.ErrTokenSpent
	}
	return wrap("claim refresh token", err)
}

// wrap turns a driver error that no store translated into an ErrUnavailable carrying the driver's text
// for the log; the driver error itself does not leave the package.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w (database: %v)", what, fault.ErrUnavailable, err)
}

// PseudonymiseAccount implements auth.Store: it replaces an account's name and email (so that the address can register again)
// and revokes every session of it.
func (s *Users) PseudonymiseAccount(ctx context.Context, userID, name, email string, at time.Time) error {
	leave := s.gate.enter()
	defer leave()
	_, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name}, {Key: "email", Value: email}, {Key: "disabled", Value: true}}}})
	if err != nil {
		return wrap("pseudonymise account", err)
	}
	_, err = s.sessions.UpdateMany(ctx,
		bson.D{{Key: "user_id", Value: userID}, {Key: "revoked_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: at}}}})
	return wrap("revoke sessions", err)
}

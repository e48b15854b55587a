package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/patient"
	"hms/server/internal/seal"
	"hms/shared"
)

// Collections of the access rule.
const (
	colAccessGrants = "access_grants"
	colReferrals    = "referrals"
)

var accessIndexes = indexSet{
	colAccessGrants: {
		mongo.IndexModel{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "patient_id", Value: 1}, {Key: "expires_at", Value: 1}},
			Options: options.Index().SetName("user_patient_expires")},
		mongo.IndexModel{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("patient_time")},
		mongo.IndexModel{Keys: bson.D{{Key: "created_at", Value: -1}}, Options: options.Index().SetName("time")},
	},
	colReferrals: {
		mongo.IndexModel{Keys: bson.D{{Key: "doctor_id", Value: 1}, {Key: "patient_id", Value: 1}}, Options: options.Index().SetName("doctor_patient")},
		mongo.IndexModel{Keys: bson.D{{Key: "patient_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("patient_time")},
	},
}

var _ patient.AccessStore = (*AccessGrants)(nil)

// AccessGrants stores break-the-glass grants and referrals. Both are only ever inserted; their reasons
// are sealed (access_seal.go).
type AccessGrants struct {
	gate                     *gate
	grants, referrals, users *mongo.Collection
	keys                     *seal.Keyring
}

// NewAccessGrants returns the grant and referral store on db, sealing reasons with keys.
func NewAccessGrants(db *DB, keys *seal.Keyring) *AccessGrants {
	return &AccessGrants{gate: db.gate, grants: db.Collection(colAccessGrants), referrals: db.Collection(colReferrals),
		users: db.Collection(colUsers),
		keys:  keys}
}

// grantFields are a grant's fields but its reason (sealed when written, raw when read).
type grantFields struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	Role      string    `bson:"role"`
	PatientID string    `bson:"patient_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

type grantDoc struct {
	F      grantFields `bson:",inline"`
	Reason seal.Value  `bson:"reason"`
}

type storedGrant struct {
	F      grantFields   `bson:",inline"`
	Reason bson.RawValue `bson:"reason"`
}

type referralFields struct {
	ID         string    `bson:"_id"`
	PatientID  string    `bson:"patient_id"`
	DoctorID   string    `bson:"doctor_id"`
	ReferredBy string    `bson:"referred_by"`
	CreatedAt  time.Time `bson:"created_at"`
}

type referralDoc struct {
	F      referralFields `bson:",inline"`
	Reason seal.Value     `bson:"reason"`
}

type storedReferral struct {
	F      referralFields `bson:",inline"`
	Reason bson.RawValue  `bson:"reason"`
}

// InsertGrant implements patient.AccessStore.
func (s *AccessGrants) InsertGrant(ctx context.Context, g patient.Grant) error {
	reason, err := s.sealReason(colAccessGrants, g.ID, g.Reason)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.grants.InsertOne(ctx, grantDoc{Reason: reason, F: grantFields{ID: g.ID, UserID: g.UserID, Role: string(g.Role),
		PatientID: g.PatientID, CreatedAt: g.CreatedAt, ExpiresAt: g.ExpiresAt}})
	leave()
	return wrap("insert access grant", err)
}

// exists reports whether a document matches filter.
func exists(ctx context.Context, col *mongo.Collection, what string, filter bson.D) (bool, error) {
	_, err := findOne[bson.Raw](ctx, col, what, filter, errNoDocument, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if errors.Is(err, errNoDocument) {
		return false, nil
	}
	return err == nil, err
}

// ActiveGrant implements patient.AccessStore.
func (s *AccessGrants) ActiveGrant(ctx context.Context, userID, patientID string, t time.Time) (bool, error) {
	return exists(ctx, s.grants, "find access grant", bson.D{{Key: "user_id", Value: userID}, {Key: "patient_id", Value: patientID},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: t}}}})
}

// ListGrants implements patient.AccessStore.
func (s *AccessGrants) ListGrants(ctx context.Context, f patient.GrantFilter, skip, limit int) ([]patient.Grant, int, error) {
	q := bson.D{}
	if f.PatientID != "" {
		q = append(q, bson.E{Key: "patient_id", Value: f.PatientID})
	}
	if !f.ActiveAt.IsZero() {
		q = append(q, bson.E{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: f.ActiveAt}}})
	}
	total, err := s.grants.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, wrap("count access grants", err)
	}
	docs, err := findAll(ctx, s.grants, "list access grants", q, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(limit)),
		func(d storedGrant) storedGrant { return d })
	if err != nil {
		return nil, 0, err
	}
	out := make([]patient.Grant, 0, len(docs))
	for _, d := range docs {
		reason, err := s.openReason(colAccessGrants, d.F.ID, d.Reason)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, patient.Grant{ID: d.F.ID, UserID: d.F.UserID, Role: shared.Role(d.F.Role), PatientID: d.F.PatientID,
			Reason: reason, CreatedAt: d.F.CreatedAt.UTC(), ExpiresAt: d.F.ExpiresAt.UTC()})
	}
	return out, int(total), nil
}

// InsertReferral implements patient.AccessStore.
func (s *AccessGrants) InsertReferral(ctx context.Context, r patient.Referral) error {
	reason, err := s.sealReason(colReferrals, r.ID, r.Reason)
	if err != nil {
		return err
	}
	leave := s.gate.enter()
	_, err = s.referrals.InsertOne(ctx, referralDoc{Reason: reason, F: referralFields{ID: r.ID, PatientID: r.PatientID,
		DoctorID: r.DoctorID, ReferredBy: r.ReferredBy, CreatedAt: r.CreatedAt}})
	leave()
	return wrap("insert referral", err)
}

// Referred implements patient.AccessStore.
func (s *AccessGrants) Referred(ctx context.Context, doctorID, patientID string, since time.Time) (bool, error) {
	return exists(ctx, s.referrals, "find referral", bson.D{{Key: "doctor_id", Value: doctorID}, {Key: "patient_id", Value: patientID},
		{Key: "created_at", Value: bson.D{{Key: "$gte", Value: since}}}})
}

// ListReferrals implements patient.AccessStore.
func (s *AccessGrants) ListReferrals(ctx context.Context, patientID string, skip, limit int) ([]patient.Referral, int, error) {
	q := bson.D{{Key: "patient_id", Value: patientID}}
	total, err := s.referrals.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, wrap("count referrals", err)
	}
	docs, err := findAll(ctx, s.referrals, "list referrals", q, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(limit)),
		func(d storedReferral) storedReferral { return d })
	if err != nil {
		return nil, 0, err
	}
	out := make([]patient.Referral, 0, len(docs))
	for _, d := range docs {
		reason, err := s.openReason(colReferrals, d.F.ID, d.Reason)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, patient.Referral{ID: d.F.ID, PatientID: d.F.PatientID, DoctorID: d.F.DoctorID,
			ReferredBy: d.F.ReferredBy, Reason: reason, CreatedAt: d.F.CreatedAt.UTC()})
	}
	return out, int(total), nil
}

// AdminIDs implements patient.AccessStore.
func (s *AccessGrants) AdminIDs(ctx context.Context) ([]string, error) {
	return findAll(ctx, s.users, "find admins", bson.D{{Key: "role", Value: string(shared.RoleAdmin)}, {Key: "disabled", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(d struct {
			ID string `bson:"_id"`
		}) string {
			return d.ID
		})
}

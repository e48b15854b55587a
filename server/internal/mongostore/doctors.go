package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"hms/server/internal/doctor"
	"hms/shared"
)

var _ doctor.Store = (*Doctors)(nil)

// Doctors stores departments, doctors' profiles and schedules, and leave.
type Doctors struct {
	gate                        *gate
	departments, doctors, leave *mongo.Collection
}

// NewDoctors returns the doctor store on db.
func NewDoctors(db *DB) *Doctors {
	return &Doctors{gate: db.gate, departments: db.Collection(colDepartments), doctors: db.Collection(colDoctors),
		leave: db.Collection(colLeave)}
}

type hoursDoc struct {
	Weekday *int   `bson:"weekday,omitempty"`
	Start   string `bson:"start"`
	End     string `bson:"end"`
}

type profileDoc struct {
	ID          string     `bson:"_id"`
	Name        string     `bson:"name"`
	Specialty   string     `bson:"specialty"`
	Department  string     `bson:"department"`
	SlotMinutes int        `bson:"slot_minutes"`
	Weekly      []hoursDoc `bson:"weekly"`
	Breaks      []hoursDoc `bson:"breaks"`
}

type leaveDoc struct {
	ID        string    `bson:"_id"`
	DoctorID  string    `bson:"doctor_id"`
	From      time.Time `bson:"from"`
	To        time.Time `bson:"to"`
	Reason    string    `bson:"reason,omitempty"`
	CreatedBy string    `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at"`
}

func toHoursDocs(hs []shared.Hours) []hoursDoc {
	out := make([]hoursDoc, len(hs))
	for i, h := range hs {
		out[i] = hoursDoc(h)
	}
	return out
}

func fromHoursDocs(hs []hoursDoc) []shared.Hours {
	out := make([]shared.Hours, len(hs))
	for i, h := range hs {
		out[i] = shared.Hours(h)
	}
	return out
}

// InsertDepartment implements doctor.Store.
func (s *Doctors) InsertDepartment(ctx context.Context, d shared.Department) error {
	leave := s.gate.enter()
	_, err := s.departments.InsertOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "name", Value: d.Name}})
	leave()
	if errors.Is(classify(err), errDuplicate) {
		return doctor.ErrDepartmentExists
	}
	return wrap("insert department", err)
}

// Departments implements doctor.Store.
func (s *Doctors) Departments(ctx context.Context) ([]shared.Department, error) {
	type doc struct {
		ID   string `bson:"_id"`
		Name string `bson:"name"`
	}
	return findAll(ctx, s.departments, "list departments", bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}),
		func(d doc) shared.Department { return shared.Department{ID: d.ID, Name: d.Name} })
}

// upsert sets fields of a doctor's profile, creating it with empty defaults when missing. Each call
// sets only its own fields, so that a schedule change and a department change do not undo each other.
func (s *Doctors) upsert(ctx context.Context, id string, set, onInsert bson.D) error {
	leave := s.gate.enter()
	_, err := s.doctors.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: set}, {Key: "$setOnInsert", Value: onInsert}}, options.UpdateOne().SetUpsert(true))
	leave()
	return wrap("save doctor", err)
}

// SetInfo implements doctor.Store.
func (s *Doctors) SetInfo(ctx context.Context, id, name, specialty, department string) error {
	return s.upsert(ctx, id,
		bson.D{{Key: "name", Value: name}, {Key: "specialty", Value: specialty}, {Key: "department", Value: department}},
		bson.D{{Key: "slot_minutes", Value: 0}, {Key: "weekly", Value: bson.A{}}, {Key: "breaks", Value: bson.A{}}})
}

// SetSchedule implements doctor.Store.
func (s *Doctors) SetSchedule(ctx context.Context, id, name string, slotMinutes int, weekly, breaks []shared.Hours) error {
	return s.upsert(ctx, id,
		bson.D{{Key: "name", Value: name}, {Key: "slot_minutes", Value: slotMinutes},
			{Key: "weekly", Value: toHoursDocs(weekly)}, {Key: "breaks", Value: toHoursDocs(breaks)}},
		bson.D{{Key: "specialty", Value: ""}, {Key: "department", Value: ""}})
}

func (d profileDoc) profile() doctor.Profile {
	return doctor.Profile{ID: d.ID, Name: d.Name, Specialty: d.Specialty, Department: d.Department,
		SlotMinutes: d.SlotMinutes, Weekly: fromHoursDocs(d.Weekly), Breaks: fromHoursDocs(d.Breaks)}
}

// Profile implements doctor.Store.
func (s *Doctors) Profile(ctx context.Context, id string) (doctor.Profile, error) {
	d, err := findOne[profileDoc](ctx, s.doctors, "find doctor", bson.D{{Key: "_id", Value: id}}, doctor.ErrNoProfile)
	return d.profile(), err
}

// Profiles implements doctor.Store.
func (s *Doctors) Profiles(ctx context.Context) ([]doctor.Profile, error) {
	return findAll(ctx, s.doctors, "list doctors", bson.D{},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}), profileDoc.profile)
}

// InsertLeave implements doctor.Store.
func (s *Doctors) InsertLeave(ctx context.Context, l doctor.Leave) error {
	leave := s.gate.enter()
	_, err := s.leave.InsertOne(ctx, leaveDoc(l))
	leave()
	return wrap("insert leave", err)
}

// DeleteLeave implements doctor.Store.
func (s *Doctors) DeleteLeave(ctx context.Context, doctorID, id string) error {
	leave := s.gate.enter()
	res, err := s.leave.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "doctor_id", Value: doctorID}})
	leave()
	if err != nil {
		return wrap("delete leave", err)
	}
	if res.DeletedCount == 0 {
		return doctor.ErrLeaveNotFound
	}
	return nil
}

// LeaveBetween implements doctor.Store.
func (s *Doctors) LeaveBetween(ctx context.Context, doctorIDs []string, from, to time.Time) ([]doctor.Leave, error) {
	f := bson.D{{Key: "from", Value: bson.D{{Key: "$lt", Value: to}}}, {Key: "to", Value: bson.D{{Key: "$gt", Value: from}}}}
	if doctorIDs != nil {
		f = append(f, bson.E{Key: "doctor_id", Value: bson.D{{Key: "$in", Value: doctorIDs}}})
	}
	return findAll(ctx, s.leave, "find leave", f, options.Find().SetSort(bson.D{{Key: "from", Value: 1}}),
		func(d leaveDoc) doctor.Leave {
			d.From, d.To, d.CreatedAt = d.From.UTC(), d.To.UTC(), d.CreatedAt.UTC()
			return doctor.Leave(d)
		})
}

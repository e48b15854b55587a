// Package report keeps the hospital's daily figures incrementally and answers reports over any range of
// days from them: operations (appointments, waiting times, queue throughput), admissions (admissions,
// discharges, bed occupancy, length of stay, bed turnover), doctor performance and billing.
//
// The figures are kept exactly once without a read-modify-write (FerretDB loses concurrent ones, and
// its aggregation is wrong or slow; docs/reports.md):
//
//   - each event another domain announces (package reaction, a Must reaction: it survives a crash and
//     runs once per attempt across instances) becomes one or more facts, each inserted under an _id
//     derived from the event, in the collection of the fact's day. Inserting a fact again (the
//     reaction run again after a crash, a second instance) is a duplicate and counts nothing;
//   - a day's figures are the sum of its facts, computed when the day is read. Once the day is closed
//     (ended CloseAfter ago), the sum is stored as the day's document, read from then on instead of the
//     facts; a fact that still comes late deletes that document, so it is summed again;
//   - a year's report reads 365 day documents and merges them: waiting-time percentiles come from
//     merged histograms (Hist), never from averages of percentiles. Decoded closed days are kept in
//     memory under their stored version (the fact count stored beside them), so a later report reads
//     only the versions, and a day stored again after a late fact, by any instance, is read again.
//
// Reports hold counts, durations and money only: no patient ids or names.
package report

import (
	"time"
)

// Kind names what a fact counts.
type Kind string

// The kinds of facts.
const (
	Booked     Kind = "booked"     // an appointment booked (dept, doctor)
	Cancelled  Kind = "cancelled"  // an appointment cancelled (dept, doctor)
	NoShow     Kind = "no_show"    // a patient marked no-show (dept, doctor)
	Completed  Kind = "completed"  // a consultation finished (dept, doctor, hour, consult seconds, wait)
	Waited     Kind = "waited"     // a ticket's wait from check-in to its first call (dept, hour of check-in)
	Admitted   Kind = "admitted"   // an admission (dept of the ward)
	Discharged Kind = "discharged" // a discharge (dept, length of stay)
	Census     Kind = "census"     // a department's beds and occupied beds at midnight
	Invoiced   Kind = "invoiced"   // an invoice issued (amount)
	Credited   Kind = "credited"   // a credit note issued (amount, positive)
	Paid       Kind = "paid"       // a payment received (amount)
	Refunded   Kind = "refunded"   // a refund made (amount)
	Settled    Kind = "settled"    // an invoice paid in full (minutes from issue)
	Revenue    Kind = "revenue"    // a charge posted for a doctor's consultation (doctor, dept, amount)
	Claim      Kind = "claim"      // an insurance claim made or moved (status, amount claimed, approved, paid)
)

// Fact is one event's contribution to one day's figures. ID is unique within its day and derived from
// the event, so recording it twice counts it once.
type Fact struct {
	ID     string
	Day    string // YYYY-MM-DD in the hospital's zone
	Kind   Kind
	Dept   string
	Doctor string
	Hour   int // 0–23 in the hospital's zone, where the kind has one
	// Minutes is a duration: a wait (Waited, Completed), a stay (Discharged), issue to payment (Settled).
	Minutes int64
	// Seconds is a consultation's length (Completed).
	Seconds int64
	// Amount is money in minor units (Invoiced, Credited, Paid, Refunded, Revenue).
	Amount int64
	// Status is a claim's status after its move (Claim); Approved and PaidOut its amounts approved and
	// paid as they stood then (Amount is the amount claimed).
	Status            string
	Approved, PaidOut int64
	// Beds and Occupied are a census.
	Beds, Occupied int64
	// At is when the fact was written (for the log; not summed).
	At time.Time
}

// Day is one day's figures: the sum of its facts.
type Day struct {
	Day     string                `json:"day"`
	Depts   map[string]*DeptDay   `json:"depts,omitempty"`
	Doctors map[string]*DoctorDay `json:"doctors,omitempty"`
	Billing Money                 `json:"billing"`
	// Facts is how many facts were summed; a stored day whose facts no longer count this many is stale.
	Facts int64 `json:"facts"`
}

// DeptDay is a department's figures of one day.
type DeptDay struct {
	Booked    int64 `json:"booked,omitempty"`
	Completed int64 `json:"completed,omitempty"`
	Cancelled int64 `json:"cancelled,omitempty"`
	NoShow    int64 `json:"no_show,omitempty"`
	// Waits are the waits from check-in to first call, by hour of check-in.
	Waits map[int]Hist `json:"waits,omitempty"`
	// Seen is the consultations finished, by hour of finishing (queue throughput).
	Seen       map[int]int64 `json:"seen,omitempty"`
	Admitted   int64         `json:"admitted,omitempty"`
	Discharged int64         `json:"discharged,omitempty"`
	// StayMinutes is the discharged stays' lengths added up.
	StayMinutes int64 `json:"stay_minutes,omitempty"`
	// Census is the beds and occupied beds at the day's midnight (nil: none taken).
	Census *Beds `json:"census,omitempty"`
}

// Beds is a census.
type Beds struct {
	Beds     int64 `json:"beds"`
	Occupied int64 `json:"occupied"`
}

// DoctorDay is a doctor's figures of one day.
type DoctorDay struct {
	Dept           string `json:"dept,omitempty"`
	Booked         int64  `json:"booked,omitempty"`
	Seen           int64  `json:"seen,omitempty"`
	NoShow         int64  `json:"no_show,omitempty"`
	Cancelled      int64  `json:"cancelled,omitempty"`
	ConsultSeconds int64  `json:"consult_seconds,omitempty"`
	// Consults is how many finished consultations have a length (started and finished).
	Consults int64 `json:"consults,omitempty"`
	// WaitMinutes and Waits are the seen patients' waits added up, and how many had one.
	WaitMinutes int64 `json:"wait_minutes,omitempty"`
	Waits       int64 `json:"waits,omitempty"`
	Revenue     int64 `json:"revenue,omitempty"`
}

// Money is a day's billing figures, in minor units.
type Money struct {
	Invoiced int64 `json:"invoiced,omitempty"`
	Invoices int64 `json:"invoices,omitempty"`
	Credited int64 `json:"credited,omitempty"`
	Paid     int64 `json:"paid,omitempty"`
	Refunded int64 `json:"refunded,omitempty"`
	// Settled is how many invoices were paid in full that day; SettleMinutes their times from issue.
	Settled       int64 `json:"settled,omitempty"`
	SettleMinutes int64 `json:"settle_minutes,omitempty"`
	// Claims are the insurance claims made or moved that day, by the status they moved to.
	Claims map[string]*ClaimMoney `json:"claims,omitempty"`
}

// ClaimMoney is the claims that moved to one status: how many, and their amounts claimed, approved
// and paid (as they stood after the move).
type ClaimMoney struct {
	Claims   int64 `json:"claims"`
	Claimed  int64 `json:"claimed"`
	Approved int64 `json:"approved"`
	Paid     int64 `json:"paid"`
}

func (m *Money) claim(status string) *ClaimMoney {
	if m.Claims == nil {
		m.Claims = map[string]*ClaimMoney{}
	}
	x := m.Claims[status]
	if x == nil {
		x = &ClaimMoney{}
		m.Claims[status] = x
	}
	return x
}

// Owed is what the day added to what patients owe: invoiced, less credited, less paid, plus refunded.
func (m Money) Owed() int64 { return m.Invoiced - m.Credited - m.Paid + m.Refunded }

func (m *Money) merge(o Money) {
	m.Invoiced += o.Invoiced
	m.Invoices += o.Invoices
	m.Credited += o.Credited
	m.Paid += o.Paid
	m.Refunded += o.Refunded
	m.Settled += o.Settled
	m.SettleMinutes += o.SettleMinutes
	for st, x := range o.Claims {
		y := m.claim(st)
		y.Claims += x.Claims
		y.Claimed += x.Claimed
		y.Approved += x.Approved
		y.Paid += x.Paid
	}
}

// NewDay returns an empty day.
func NewDay(day string) *Day {
	return &Day{Day: day, Depts: map[string]*DeptDay{}, Doctors: map[string]*DoctorDay{}}
}

func (d *Day) dept(id string) *DeptDay {
	if d.Depts == nil {
		d.Depts = map[string]*DeptDay{}
	}
	x := d.Depts[id]
	if x == nil {
		x = &DeptDay{}
		d.Depts[id] = x
	}
	return x
}

func (d *Day) doctor(id, dept string) *DoctorDay {
	if d.Doctors == nil {
		d.Doctors = map[string]*DoctorDay{}
	}
	x := d.Doctors[id]
	if x == nil {
		x = &DoctorDay{}
		d.Doctors[id] = x
	}
	if x.Dept == "" {
		x.Dept = dept
	}
	return x
}

// Add adds one fact to the day. It is the only place a fact's meaning is written down.
func (d *Day) Add(f Fact) {
	d.Facts++
	switch f.Kind {
	case Booked, Cancelled, NoShow:
		x := d.dept(f.Dept)
		var doc *DoctorDay
		if f.Doctor != "" {
			doc = d.doctor(f.Doctor, f.Dept)
		}
		switch f.Kind {
		case Booked:
			x.Booked++
			if doc != nil {
				doc.Booked++
			}
		case Cancelled:
			x.Cancelled++
			if doc != nil {
				doc.Cancelled++
			}
		case NoShow:
			x.NoShow++
			if doc != nil {
				doc.NoShow++
			}
		}
	case Completed:
		x := d.dept(f.Dept)
		x.Completed++
		if x.Seen == nil {
			x.Seen = map[int]int64{}
		}
		x.Seen[f.Hour]++
		if f.Doctor != "" {
			doc := d.doctor(f.Doctor, f.Dept)
			doc.Seen++
			if f.Seconds > 0 {
				doc.ConsultSeconds += f.Seconds
				doc.Consults++
			}
			if f.Minutes >= 0 {
				doc.WaitMinutes += f.Minutes
				doc.Waits++
			}
		}
	case Waited:
		x := d.dept(f.Dept)
		if x.Waits == nil {
			x.Waits = map[int]Hist{}
		}
		h := x.Waits[f.Hour]
		h.Add(f.Minutes)
		x.Waits[f.Hour] = h
	case Admitted:
		d.dept(f.Dept).Admitted++
	case Discharged:
		x := d.dept(f.Dept)
		x.Discharged++
		x.StayMinutes += f.Minutes
	case Census:
		x := d.dept(f.Dept)
		x.Census = &Beds{Beds: f.Beds, Occupied: f.Occupied}
	case Invoiced:
		d.Billing.Invoiced += f.Amount
		d.Billing.Invoices++
	case Credited:
		d.Billing.Credited += f.Amount
	case Paid:
		d.Billing.Paid += f.Amount
	case Refunded:
		d.Billing.Refunded += f.Amount
	case Settled:
		d.Billing.Settled++
		d.Billing.SettleMinutes += f.Minutes
	case Claim:
		x := d.Billing.claim(f.Status)
		x.Claims++
		x.Claimed += f.Amount
		x.Approved += f.Approved
		x.Paid += f.PaidOut
	case Revenue:
		if f.Doctor != "" {
			d.doctor(f.Doctor, f.Dept).Revenue += f.Amount
		}
	}
}

// merge adds another day's figures (of the same or another day) into d, keeping d's name.
func (d *Day) merge(o *Day) {
	d.Facts += o.Facts
	d.Billing.merge(o.Billing)
	for id, x := range o.Depts {
		y := d.dept(id)
		y.Booked += x.Booked
		y.Completed += x.Completed
		y.Cancelled += x.Cancelled
		y.NoShow += x.NoShow
		y.Admitted += x.Admitted
		y.Discharged += x.Discharged
		y.StayMinutes += x.StayMinutes
		for h, hist := range x.Waits {
			if y.Waits == nil {
				y.Waits = map[int]Hist{}
			}
			m := y.Waits[h]
			m.Merge(hist)
			y.Waits[h] = m
		}
		for h, n := range x.Seen {
			if y.Seen == nil {
				y.Seen = map[int]int64{}
			}
			y.Seen[h] += n
		}
		if x.Census != nil {
			if y.Census == nil {
				y.Census = &Beds{}
			}
			y.Census.Beds += x.Census.Beds
			y.Census.Occupied += x.Census.Occupied
		}
	}
	for id, x := range o.Doctors {
		y := d.doctor(id, x.Dept)
		y.Booked += x.Booked
		y.Seen += x.Seen
		y.NoShow += x.NoShow
		y.Cancelled += x.Cancelled
		y.ConsultSeconds += x.ConsultSeconds
		y.Consults += x.Consults
		y.WaitMinutes += x.WaitMinutes
		y.Waits += x.Waits
		y.Revenue += x.Revenue
	}
}

// Sum adds up facts into the figures of day.
func Sum(day string, facts []Fact) *Day {
	d := NewDay(day)
	for _, f := range facts {
		d.Add(f)
	}
	return d
}

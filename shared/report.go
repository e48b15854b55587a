package shared

// ChannelReports carries report.changed for admins' report screens: today's figures changed.
const ChannelReports = "reports"

// EventReportChanged says today's figures changed (at most every couple of seconds): an open report
// whose range includes Day reloads it. Its data is ReportChangedEvent.
const EventReportChanged = "report.changed"

// ReportChangedEvent is the data of EventReportChanged.
type ReportChangedEvent struct {
	Day string `json:"day"`
}

// ReportRange is the range a report covers (days in HOSPITAL_TZ, both included) and its department
// filter ("" = every department).
type ReportRange struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Department string `json:"department,omitempty"`
}

// OperationsFigures are appointment counts and waits.
type OperationsFigures struct {
	Booked    int64 `json:"booked"`
	Completed int64 `json:"completed"`
	Cancelled int64 `json:"cancelled"`
	NoShow    int64 `json:"no_show"`
	// Waits is how many tickets were called (and so have a wait); WaitP50 and WaitP90 are in minutes,
	// null when none.
	Waits   int64    `json:"waits"`
	WaitP50 *float64 `json:"wait_p50"`
	WaitP90 *float64 `json:"wait_p90"`
}

// OperationsRow is one day of one department.
type OperationsRow struct {
	Day        string `json:"day"`
	Department string `json:"department"`
	OperationsFigures
}

// OperationsDepartment is one department over the range.
type OperationsDepartment struct {
	Department string `json:"department"`
	OperationsFigures
}

// OperationsHour is one hour of the day over the range: waits of tickets checked in that hour, and
// consultations finished that hour (throughput).
type OperationsHour struct {
	Hour    int      `json:"hour"`
	Waits   int64    `json:"waits"`
	WaitP50 *float64 `json:"wait_p50"`
	WaitP90 *float64 `json:"wait_p90"`
	Seen    int64    `json:"seen"`
}

// OperationsReport answers GET /api/reports/operations.
type OperationsReport struct {
	ReportRange
	Totals      OperationsFigures      `json:"totals"`
	Days        []OperationsRow        `json:"days"`
	Departments []OperationsDepartment `json:"departments"`
	Hours       []OperationsHour       `json:"hours"`
}

// AdmissionsDay is one day's admissions, discharges and midnight census.
type AdmissionsDay struct {
	Day        string `json:"day"`
	Admitted   int64  `json:"admitted"`
	Discharged int64  `json:"discharged"`
	// Beds and Occupied are the census at the day's midnight (today: now); null when none was taken.
	Beds         *int64   `json:"beds"`
	Occupied     *int64   `json:"occupied"`
	OccupancyPct *float64 `json:"occupancy_pct"`
}

// AdmissionsTotals are the range's admissions figures.
type AdmissionsTotals struct {
	Admitted   int64 `json:"admitted"`
	Discharged int64 `json:"discharged"`
	// AverageStayDays is the discharged stays' mean length in days.
	AverageStayDays *float64 `json:"average_stay_days"`
	// OccupancyPct is occupied beds over beds, over the days with a census.
	OccupancyPct *float64 `json:"occupancy_pct"`
	// BedTurnover is discharges per bed (the days with a census' mean bed count).
	BedTurnover *float64 `json:"bed_turnover"`
	CensusDays  int      `json:"census_days"`
}

// AdmissionsReport answers GET /api/reports/admissions.
type AdmissionsReport struct {
	ReportRange
	Totals AdmissionsTotals `json:"totals"`
	Days   []AdmissionsDay  `json:"days"`
}

// DoctorPerformance is one doctor over the range.
type DoctorPerformance struct {
	DoctorID   string `json:"doctor_id"`
	Name       string `json:"name"`
	Department string `json:"department"`
	Booked     int64  `json:"booked"`
	Seen       int64  `json:"seen"`
	NoShow     int64  `json:"no_show"`
	Cancelled  int64  `json:"cancelled"`
	// NoShowRate is no-shows over seen plus no-shows, null when neither.
	NoShowRate            *float64 `json:"no_show_rate"`
	AverageConsultMinutes *float64 `json:"average_consult_minutes"`
	AverageWaitMinutes    *float64 `json:"average_wait_minutes"`
	Revenue               int64    `json:"revenue"`
}

// DoctorsReport answers GET /api/reports/doctors.
type DoctorsReport struct {
	ReportRange
	Currency string              `json:"currency"`
	Doctors  []DoctorPerformance `json:"doctors"`
}

// BillingDay is one day's money, in minor units; Outstanding is what patients owed at its end.
type BillingDay struct {
	Day         string `json:"day"`
	Invoiced    int64  `json:"invoiced"`
	Credited    int64  `json:"credited"`
	Paid        int64  `json:"paid"`
	Refunded    int64  `json:"refunded"`
	Outstanding int64  `json:"outstanding"`
	// ClaimsSubmitted is how many insurance claims were submitted that day; ClaimsPaid what payers paid
	// on the claims that moved to paid that day.
	ClaimsSubmitted int64 `json:"claims_submitted"`
	ClaimsPaid      int64 `json:"claims_paid"`
}

// BillingClaims is the insurance claims that moved to one status in the range (made: draft): how
// many, and their amounts claimed, approved and paid as they stood after the move, in minor units.
type BillingClaims struct {
	Status   string `json:"status"`
	Claims   int64  `json:"claims"`
	Claimed  int64  `json:"claimed"`
	Approved int64  `json:"approved"`
	Paid     int64  `json:"paid"`
}

// BillingTotals are the range's money figures, in minor units.
type BillingTotals struct {
	Invoiced int64 `json:"invoiced"`
	Invoices int64 `json:"invoices"`
	Credited int64 `json:"credited"`
	// Revenue is invoiced less credited; Received is paid less refunded.
	Revenue  int64 `json:"revenue"`
	Paid     int64 `json:"paid"`
	Refunded int64 `json:"refunded"`
	Received int64 `json:"received"`
	// Outstanding is what patients owed at the end of the range.
	Outstanding int64 `json:"outstanding"`
	// Settled is how many invoices were paid in full in the range; AverageDaysToPayment their mean
	// time from issue to full payment.
	Settled              int64    `json:"settled"`
	AverageDaysToPayment *float64 `json:"average_days_to_payment"`
}

// BillingReport answers GET /api/reports/billing. Money is not split by department.
type BillingReport struct {
	ReportRange
	Currency string        `json:"currency"`
	Totals   BillingTotals `json:"totals"`
	Days     []BillingDay  `json:"days"`
	// Claims are the range's insurance claims by the status they moved to, in the order of a claim's
	// life; a status no claim moved to is left out.
	Claims []BillingClaims `json:"claims"`
}

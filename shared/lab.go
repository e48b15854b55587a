package shared

import "time"

// Lab order priorities.
const (
	LabRoutine = "routine"
	LabUrgent  = "urgent"
)

// Lab order statuses: ordered → resulted (at least one results revision) → released (visible to the
// patient); an order not released may be cancelled instead.
const (
	LabOrdered   = "ordered"
	LabResulted  = "resulted"
	LabReleased  = "released"
	LabCancelled = "cancelled"
)

// Abnormal flags the server computes for a numeric result against its reference range: LL and HH are
// beyond the critical limits, L and H outside the normal range, N inside it. A result with no numeric
// range (or a text value) has no flag.
const (
	FlagCriticalLow  = "LL"
	FlagLow          = "L"
	FlagNormal       = "N"
	FlagHigh         = "H"
	FlagCriticalHigh = "HH"
)

// LabTest is one test on an order: a short code and a human name ("HBA1C", "Glycated haemoglobin").
type LabTest struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// LabOrderRequest is the body of POST /api/patients/{id}/lab-orders.
type LabOrderRequest struct {
	Tests         []LabTest `json:"tests"`
	Priority      string    `json:"priority,omitempty"`
	EncounterID   string    `json:"encounter_id,omitempty"`
	AppointmentID string    `json:"appointment_id,omitempty"`
	Note          string    `json:"note,omitempty"`
}

// LabRange is a result's reference range: numeric limits (any may be absent) or a text range
// ("negative").
type LabRange struct {
	Low          *float64 `json:"low,omitempty"`
	High         *float64 `json:"high,omitempty"`
	CriticalLow  *float64 `json:"critical_low,omitempty"`
	CriticalHigh *float64 `json:"critical_high,omitempty"`
	Text         string   `json:"text,omitempty"`
}

// LabResultInput is one test's result as submitted: a numeric value or a text value, not both.
type LabResultInput struct {
	Code    string   `json:"code"`
	Value   *float64 `json:"value,omitempty"`
	Text    string   `json:"text,omitempty"`
	Unit    string   `json:"unit,omitempty"`
	Range   LabRange `json:"range"`
	Comment string   `json:"comment,omitempty"`
}

// LabResultsRequest is the body of POST /api/lab-orders/{id}/results. There is no flag field: the
// server computes the flags.
type LabResultsRequest struct {
	Results        []LabResultInput `json:"results"`
	Interpretation string           `json:"interpretation,omitempty"`
}

// LabResult is one test's result as stored and shown, with the flag the server computed.
type LabResult struct {
	LabResultInput
	Flag string `json:"flag,omitempty"`
}

// LabFile describes a file attached to a lab order (the bytes are at GET /api/lab-files/{id}).
type LabFile struct {
	ID          string    `json:"id"`
	OrderID     string    `json:"order_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// LabOrder is a lab order with its current results (the latest revision; for a patient, the released
// one) and attached files.
type LabOrder struct {
	ID             string      `json:"id"`
	PatientID      string      `json:"patient_id"`
	OrderedBy      string      `json:"ordered_by"`
	Tests          []LabTest   `json:"tests"`
	Priority       string      `json:"priority"`
	EncounterID    string      `json:"encounter_id,omitempty"`
	AppointmentID  string      `json:"appointment_id,omitempty"`
	Note           string      `json:"note,omitempty"`
	Status         string      `json:"status"`
	OrderedAt      time.Time   `json:"ordered_at"`
	Revision       int         `json:"revision"`
	Results        []LabResult `json:"results"`
	Interpretation string      `json:"interpretation,omitempty"`
	ResultedBy     string      `json:"resulted_by,omitempty"`
	ResultedAt     *time.Time  `json:"resulted_at,omitempty"`
	ReleasedBy     string      `json:"released_by,omitempty"`
	ReleasedAt     *time.Time  `json:"released_at,omitempty"`
	CancelledBy    string      `json:"cancelled_by,omitempty"`
	CancelledAt    *time.Time  `json:"cancelled_at,omitempty"`
	Files          []LabFile   `json:"files"`
}

// LabOrderList is a page of a patient's lab orders, newest first.
type LabOrderList struct {
	Items []LabOrder `json:"items"`
	Total int        `json:"total"`
	Page  int        `json:"page"`
	Limit int        `json:"limit"`
}

// LabReleasedEvent is the data of the lab.released event on patient:<id>: ids only.
type LabReleasedEvent struct {
	OrderID   string `json:"order_id"`
	PatientID string `json:"patient_id"`
}

// LabQueueItem is one order on the lab desk's work queue (GET /api/lab-orders): only what processing
// needs — whom for (name and MRN), the tests, the priority and where the order stands. The results, the
// doctor's note and the files are at GET /api/lab-orders/{id}.
type LabQueueItem struct {
	ID          string    `json:"id"`
	PatientName string    `json:"patient_name"`
	MRN         string    `json:"mrn"`
	Tests       []LabTest `json:"tests"`
	Priority    string    `json:"priority"`
	Status      string    `json:"status"`
	OrderedAt   time.Time `json:"ordered_at"`
	Files       int       `json:"files"`
}

// LabQueue is a page of the lab desk's work queue: urgent orders first, then the oldest.
type LabQueue struct {
	Items []LabQueueItem `json:"items"`
	Total int            `json:"total"`
	Page  int            `json:"page"`
	Limit int            `json:"limit"`
}

// ChannelLab carries lab order changes for the lab desk (ids only): staff, doctors and admins.
const ChannelLab = "lab"

// EventLabOrder on ChannelLab says an order was placed, resulted, given a file, released or cancelled.
// Its data is LabOrderEvent.
const EventLabOrder = "lab.order.changed"

// LabOrderEvent is the data of EventLabOrder: the order's id only.
type LabOrderEvent struct {
	OrderID string `json:"order_id"`
}

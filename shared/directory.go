package shared

import "time"

// HospitalServices are the services a directory entry may list (docs/integrations.md).
var HospitalServices = []string{"emergency", "icu", "maternity", "pediatrics", "surgery", "cardiology",
	"oncology", "radiology", "dialysis", "psychiatry", "trauma", "burns", "stroke", "pharmacy", "laboratory", "outpatient"}

// Hospital is one entry of the directory of hospitals and sites.
type Hospital struct {
	// ID is the entry's stable key: the file's id, else one made from the name and coordinates, so
	// that importing the same file again replaces the entry.
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Address  string   `json:"address"`
	Lat      float64  `json:"lat"`
	Lng      float64  `json:"lng"`
	Phone    string   `json:"phone"`
	Services []string `json:"services"`
	// Own marks one of this hospital's own sites, which the nearby answer adds live figures to.
	Own bool `json:"own"`
	// EmergencyDepartment is the department whose queue is the own site's emergency wait ("": none).
	EmergencyDepartment string `json:"emergency_department,omitempty"`
	// Wards are the own site's wards whose free beds are counted (empty: every ward).
	Wards     []string  `json:"wards,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// HospitalList is a page of the directory, by name.
type HospitalList struct {
	Items []Hospital `json:"items"`
	Total int        `json:"total"`
	Page  int        `json:"page"`
	Limit int        `json:"limit"`
}

// HospitalImport is the answer to an import: how many entries the file had, how many were new and
// how many replaced an entry with the same key, and how many entries not in the file were removed
// (with ?replace=true only).
type HospitalImport struct {
	Rows     int `json:"rows"`
	Created  int `json:"created"`
	Replaced int `json:"replaced"`
	Removed  int `json:"removed"`
}

// LiveSite is what the server knows now of one of its own sites: the emergency queue and free beds.
type LiveSite struct {
	// EmergencyWaiting is how many wait in the emergency department's queue; EmergencyWaitMinutes is
	// today's average actual wait there. Both absent when the site names no emergency department.
	EmergencyWaiting     *int `json:"emergency_waiting,omitempty"`
	EmergencyWaitMinutes *int `json:"emergency_wait_minutes,omitempty"`
	// FreeBeds is the free beds of the site's wards.
	FreeBeds *int `json:"free_beds,omitempty"`
}

// NearbyHospital is a directory entry with its distance from the asked point.
type NearbyHospital struct {
	Hospital
	DistanceKm float64   `json:"distance_km"`
	Live       *LiveSite `json:"live,omitempty"`
}

// NearbyList is the answer of GET /api/hospitals/nearby: the entries within the radius, nearest
// first; Total counts them all, before the limit.
type NearbyList struct {
	Items    []NearbyHospital `json:"items"`
	Total    int              `json:"total"`
	RadiusKm float64          `json:"radius_km"`
}

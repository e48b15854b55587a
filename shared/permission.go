package shared

import "time"

// Permission is one action a role may be granted: the router checks it on every route that is not
// open to any signed-in user.
type Permission string

// The permission catalogue's ids.
const (
	PermUsersManage   Permission = "users.manage"
	PermRolesManage   Permission = "roles.manage"
	PermAuditRead     Permission = "audit.read"
	PermIntegrations  Permission = "integration.manage"
	PermReportsRead   Permission = "reports.read"
	PermSettings      Permission = "settings.manage"
	PermBroadcast     Permission = "notify.broadcast"
	PermNotifySend    Permission = "notify.send"
	PermDeliveries    Permission = "notify.deliveries"
	PermWebhooks      Permission = "webhook.manage"
	PermAlertRaise    Permission = "alert.raise"
	PermAlertRespond  Permission = "alert.respond"
	PermSchedule      Permission = "doctor.schedule"
	PermDashboard     Permission = "doctor.dashboard"
	PermBookOthers    Permission = "appointment.book_for_others"
	PermQueueView     Permission = "queue.view"
	PermQueueCheckIn  Permission = "queue.checkin"
	PermQueueConsult  Permission = "queue.consult"
	PermQueueManage   Permission = "queue.manage"
	PermPatientReg    Permission = "patient.register"
	PermPatientSearch Permission = "patient.search"
	PermPatientMerge  Permission = "patient.merge"
	PermHistoryWrite  Permission = "patient.history_write"
	PermBreakGlass    Permission = "patient.break_glass"
	PermRefer         Permission = "patient.refer"
	PermErase         Permission = "patient.erase"
	PermSelfData      Permission = "self.data"
	PermChartRead     Permission = "chart.read"
	PermEncounterOpen Permission = "chart.encounter_open"
	PermChartWrite    Permission = "chart.write"
	PermVitals        Permission = "chart.vitals"
	PermLabOrder      Permission = "lab.order"
	PermLabQueue      Permission = "lab.queue"
	PermLabResults    Permission = "lab.results"
	PermLabRelease    Permission = "lab.release"
	PermRxWrite       Permission = "prescription.write"
	PermRxRead        Permission = "prescription.read"
	PermPharmacyRead  Permission = "pharmacy.read"
	PermPharmacyStock Permission = "pharmacy.stock"
	PermDispense      Permission = "pharmacy.dispense"
	PermWardView      Permission = "ward.view"
	PermWardAdmit     Permission = "ward.admit"
	PermBillingRead   Permission = "billing.read"
	PermBillingPrices Permission = "billing.prices"
	PermPayOnline     Permission = "billing.pay_online"
	PermInvoice       Permission = "billing.invoice"
	PermPayment       Permission = "billing.payment"
	PermRefund        Permission = "billing.refund"
	PermClaims        Permission = "billing.claims"
)

// PermissionInfo describes a permission in the catalogue: what it allows, which kinds of role may hold
// it, and which of the four built-in roles hold it by default.
type PermissionInfo struct {
	ID          Permission `json:"id"`
	Group       string     `json:"group"`
	Description string     `json:"description"`
	// Kinds are the kinds of role that may be granted it. A permission that reads or changes other
	// patients' data never lists patient; one that only administers the system lists admin alone.
	Kinds []Role `json:"kinds"`
	// Defaults are the built-in roles that hold it until an admin changes their grants.
	Defaults []Role `json:"defaults"`
}

var (
	kAll      = []Role{RoleAdmin, RoleDoctor, RoleStaff, RolePatient}
	kStaff    = []Role{RoleAdmin, RoleDoctor, RoleStaff}
	kAdmin    = []Role{RoleAdmin}
	kDoctor   = []Role{RoleDoctor}
	kClinical = []Role{RoleDoctor, RoleStaff}
)

// Permissions is the catalogue, in the order the roles screen shows it. Its defaults are the route
// table's rights as they were before roles could be changed.
var Permissions = []PermissionInfo{
	{PermUsersManage, "Administration", "Create accounts, change their role, disable them, send password links", kAdmin, kAdmin},
	{PermRolesManage, "Administration", "Create roles and change what each role is granted", kAdmin, kAdmin},
	{PermAuditRead, "Administration", "Read, verify and export the activity log; list break-the-glass grants", kAdmin, kAdmin},
	{PermIntegrations, "Administration", "Register, rotate and revoke integration clients (machine access to the FHIR API)", kAdmin, kAdmin},
	{PermReportsRead, "Administration", "Read the analytics reports", kStaff, kAdmin},
	{PermSettings, "Administration", "Change departments, doctors' details, wards and beds, prices and payers", kAdmin, kAdmin},
	{PermBroadcast, "Notifications", "Send a broadcast to every signed-in user", kStaff, kAdmin},
	{PermNotifySend, "Notifications", "Send a notification to a user", kStaff, kStaff},
	{PermDeliveries, "Notifications", "See email and SMS deliveries and retry failed ones", kStaff, kAdmin},
	{PermWebhooks, "Administration", "Manage webhook subscriptions and inbound partners, see and redeliver webhook deliveries", kAdmin, kAdmin},
	{PermAlertRaise, "Alerts", "Raise an emergency alert", kStaff, kStaff},
	{PermAlertRespond, "Alerts", "Receive, acknowledge and resolve emergency alerts", kStaff, kStaff},
	{PermSchedule, "Doctors", "Change a doctor's weekly schedule and leave (doctors: their own)", []Role{RoleAdmin, RoleDoctor}, []Role{RoleAdmin, RoleDoctor}},
	{PermDashboard, "Doctors", "Read a doctor's dashboard", kStaff, kStaff},
	{PermBookOthers, "Appointments", "Book, move and cancel appointments for patients (without it: only one's own)", kStaff, kStaff},
	{PermQueueView, "Queues", "Watch the live department and doctor queues", kStaff, kStaff},
	{PermQueueCheckIn, "Queues", "Check patients in and admit emergency arrivals to the queue", kStaff, kStaff},
	{PermQueueConsult, "Queues", "Call the next patient, start and finish consultations", kDoctor, kDoctor},
	{PermQueueManage, "Queues", "Mark no-shows, return tickets to the queue, set triage", kClinical, kClinical},
	{PermPatientReg, "Patients", "Register patients and correct their demographics", kStaff, kStaff},
	{PermPatientSearch, "Patients", "Search patients and look for duplicate records", kStaff, kStaff},
	{PermPatientMerge, "Patients", "Merge duplicate patient records", kStaff, kStaff},
	{PermHistoryWrite, "Patients", "Write medical history (patients: their own)", kAll, []Role{RoleDoctor, RoleStaff, RolePatient}},
	{PermBreakGlass, "Patients", "Break the glass: open a record outside one's care relation, audited", kStaff, kStaff},
	{PermRefer, "Patients", "Refer a patient to another department or doctor", kClinical, kClinical},
	{PermErase, "Patients", "Erase a patient's personal data (GDPR)", kAdmin, kAdmin},
	{PermSelfData, "Patients", "Export or erase one's own data (patients)", []Role{RolePatient}, []Role{RolePatient}},
	{PermChartRead, "Chart", "Read encounters, referrals and their history (patients: their own)", kAll, []Role{RoleDoctor, RoleStaff, RolePatient}},
	{PermEncounterOpen, "Chart", "Open an encounter", kClinical, kClinical},
	{PermChartWrite, "Chart", "Write notes, diagnoses and procedures in an encounter", kDoctor, kDoctor},
	{PermVitals, "Chart", "Record vital signs", kClinical, kClinical},
	{PermLabOrder, "Lab", "Order lab tests", kDoctor, kDoctor},
	{PermLabQueue, "Lab", "Work the lab's queue of orders", kClinical, kClinical},
	{PermLabResults, "Lab", "Enter lab results and attach files", kClinical, kClinical},
	{PermLabRelease, "Lab", "Release or cancel lab orders", kDoctor, kDoctor},
	{PermRxWrite, "Pharmacy", "Prescribe and cancel prescriptions", kDoctor, kDoctor},
	{PermRxRead, "Pharmacy", "Read prescriptions (patients: their own)", kAll, []Role{RoleDoctor, RoleStaff, RolePatient}},
	{PermPharmacyRead, "Pharmacy", "Read the medication list and stock", kStaff, kStaff},
	{PermPharmacyStock, "Pharmacy", "Add medications and move stock", kStaff, []Role{RoleAdmin, RoleStaff}},
	{PermDispense, "Pharmacy", "Work the pharmacy queue and dispense", kClinical, []Role{RoleStaff}},
	{PermWardView, "Wards", "See wards, bed boards and admissions", kStaff, kStaff},
	{PermWardAdmit, "Wards", "Admit, transfer and discharge patients", kClinical, kClinical},
	{PermBillingRead, "Billing", "Read charges, invoices, receipts, policies and claims (patients: their own)", kAll, []Role{RoleAdmin, RoleStaff, RolePatient}},
	{PermBillingPrices, "Billing", "Read the price list", kStaff, kStaff},
	{PermPayOnline, "Billing", "Start an online card payment of an invoice (patients: their own)", kAll, []Role{RoleAdmin, RoleStaff, RolePatient}},
	{PermInvoice, "Billing", "Post and void charges, draft, issue and credit invoices; read payers", []Role{RoleAdmin, RoleStaff}, []Role{RoleAdmin, RoleStaff}},
	{PermPayment, "Billing", "Record payments at the desk", []Role{RoleAdmin, RoleStaff}, []Role{RoleAdmin, RoleStaff}},
	{PermRefund, "Billing", "Refund payments", []Role{RoleAdmin, RoleStaff}, kAdmin},
	{PermClaims, "Billing", "Add and end insurance policies, submit claims and record their status", []Role{RoleAdmin, RoleStaff}, []Role{RoleAdmin, RoleStaff}},
}

// PermissionByID returns the catalogue's entry for id.
func PermissionByID(id Permission) (PermissionInfo, bool) {
	for _, p := range Permissions {
		if p.ID == id {
			return p, true
		}
	}
	return PermissionInfo{}, false
}

// HoldableBy reports whether a role of kind may be granted the permission.
func (p PermissionInfo) HoldableBy(kind Role) bool { return hasRole(p.Kinds, kind) }

// DefaultGrants returns what the built-in role kind holds by default, in catalogue order.
func DefaultGrants(kind Role) []Permission {
	out := []Permission{}
	for _, p := range Permissions {
		if hasRole(p.Defaults, kind) {
			out = append(out, p.ID)
		}
	}
	return out
}

func hasRole(roles []Role, r Role) bool {
	for _, v := range roles {
		if v == r {
			return true
		}
	}
	return false
}

// RoleInfo is a role: one of the four built-in roles (its id is its kind) or a custom one built on a
// kind, with what it is granted. GET /api/roles lists them.
type RoleInfo struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Kind    Role         `json:"kind"`
	BuiltIn bool         `json:"built_in"`
	Grants  []Permission `json:"grants"`
	// Users is how many accounts hold the role.
	Users int `json:"users"`
	// Revision counts the role's changes; a change names the revision it was made against.
	Revision  int64      `json:"revision"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// RoleList answers GET /api/roles.
type RoleList struct {
	Items []RoleInfo `json:"items"`
}

// PermissionList answers GET /api/permissions.
type PermissionList struct {
	Items []PermissionInfo `json:"items"`
}

// CreateRoleRequest is the body of POST /api/roles: a custom role's name, the kind it is built on, and
// what it is granted (absent: the kind's built-in grants).
type CreateRoleRequest struct {
	Name   string        `json:"name"`
	Kind   Role          `json:"kind"`
	Grants *[]Permission `json:"grants,omitempty"`
}

// UpdateRoleRequest is the body of PUT /api/roles/{id}: the whole new set of grants (and, for a custom
// role, optionally a new name), made against the revision the admin saw.
type UpdateRoleRequest struct {
	Name     string       `json:"name,omitempty"`
	Grants   []Permission `json:"grants"`
	Revision int64        `json:"revision"`
}

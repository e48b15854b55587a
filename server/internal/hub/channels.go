package hub

import (
	"strings"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

var staffRoles = []shared.Role{shared.RoleAdmin, shared.RoleDoctor, shared.RoleStaff}

// autoChannels are the channels a connection is subscribed to on connect, so that no alert depends on
// a client remembering to subscribe.
func autoChannels(p auth.Principal) []string {
	chans := []string{shared.ChannelBroadcast, shared.ChannelUser + ":" + p.UserID}
	if p.Can(shared.PermAlertRespond) {
		chans = append([]string{shared.ChannelAlerts}, chans...)
	}
	return chans
}

var (
	errUnknownChannel = fault.Invalid("unknown channel")
	errChannelDenied  = fault.New(fault.ErrForbidden, "you may not subscribe to this channel")
)

// authorize says whether p's role may subscribe to channel: each channel needs the permission of the
// REST routes that read the same things (docs/roles.md). A patient channel is further checked against
// the clinical access rule in join (patientAccess).
func authorize(p auth.Principal, channel string) error {
	if !validName(channel) {
		return errUnknownChannel
	}
	kind, id, _ := cut(channel)
	switch kind {
	case shared.ChannelAlerts:
		return allowIf(id == "" && p.Can(shared.PermAlertRespond))
	case shared.ChannelBroadcast:
		return allowIf(id == "")
	case shared.ChannelUser:
		return allowIf(ident.Valid(id) && id == p.UserID)
	case shared.ChannelDisplay:
		// Display channels carry ticket numbers and waiting times only, never names: any signed-in user.
		return nil
	case shared.ChannelDeptQueue:
		return allowIf(id != "" && p.Can(shared.PermQueueView))
	case shared.ChannelDocQueue:
		// A doctor watches their own queue; other kinds any doctor's.
		return allowIf(ident.Valid(id) && p.Can(shared.PermQueueView) && (p.Role != shared.RoleDoctor || id == p.UserID))
	case shared.ChannelBilling:
		// Patient and invoice ids of bills that changed: the billing desk (staff) and admins, not doctors.
		return allowIf(id == "" && p.Can(shared.PermInvoice))
	case shared.ChannelReports:
		// Only that today's figures changed: the reports screen, admins.
		return allowIf(id == "" && p.Can(shared.PermReportsRead))
	case shared.ChannelPharmacy:
		// Ids and numbers only: those who read the pharmacy's stock and queue.
		return allowIf(id == "" && p.Can(shared.PermPharmacyRead))
	case shared.ChannelLab:
		// Ids and numbers only: those who work the lab's queue.
		return allowIf(id == "" && p.Can(shared.PermLabQueue))
	case shared.ChannelPatient:
		// The role gate only: join then asks the clinical access rule (Config.Access) and audits.
		return allowIf(ident.Valid(id) && (p.Is(staffRoles...) || p.Role == shared.RolePatient && id == p.PatientID))
	case shared.ChannelBeds:
		// Bed boards carry admission ids and bed states, no patient ids or names; staff roles only.
		return allowIf((channel == shared.ChannelBeds || shared.ValidDepartmentID(id)) && p.Can(shared.PermWardView))
	}
	return errUnknownChannel
}

func allowIf(ok bool) error {
	if ok {
		return nil
	}
	return errChannelDenied
}

// cut splits "queue:dept:cardiology" into ("queue:dept", "cardiology"), "user:ID" into ("user", "ID").
func cut(channel string) (kind, id string, ok bool) {
	for _, k := range []string{shared.ChannelDeptQueue, shared.ChannelDocQueue} {
		if strings.HasPrefix(channel, k+":") {
			return k, channel[len(k)+1:], true
		}
	}
	kind, id, ok = strings.Cut(channel, ":")
	return kind, id, ok
}

// validName accepts 1–100 characters of a-z, 0-9, ':', '-' and '_'.
func validName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ':' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

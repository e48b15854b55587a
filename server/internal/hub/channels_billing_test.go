package hub

import (
	"testing"

	"hms/server/internal/auth"
	"hms/shared"
)

// TestAuthorizeBilling: the billing channel (which patients' bills changed) is for the billing desk and
// admins: not doctors, not patients (a patient hears of their own bills on their user channel).
func TestAuthorizeBilling(t *testing.T) {
	const me, pat = "aaaaaaaaaaaaaaaaaaaaaaaa", "cccccccccccccccccccccccc"
	tests := []struct {
		p       auth.Principal
		channel string
		ok      bool
	}{
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, shared.ChannelBilling, true},
		{auth.Principal{UserID: me, Role: shared.RoleAdmin}, shared.ChannelBilling, true},
		{auth.Principal{UserID: me, Role: shared.RoleDoctor}, shared.ChannelBilling, false},
		{auth.Principal{UserID: me, Role: shared.RolePatient, PatientID: pat}, shared.ChannelBilling, false},
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, "billing:" + pat, false},
		{auth.Principal{UserID: me, Role: shared.RolePatient, PatientID: pat}, "billing:" + pat, false},
	}
	for _, tt := range tests {
		if err := authorize(tt.p, tt.channel); (err == nil) != tt.ok {
			t.Errorf("authorize(%s, %q) = %v, want ok=%v", tt.p.Role, tt.channel, err, tt.ok)
		}
	}
}

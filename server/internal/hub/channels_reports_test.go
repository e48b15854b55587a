package hub

import (
	"testing"

	"hms/server/internal/auth"
	"hms/shared"
)

// TestAuthorizeReports: the reports channel (today's figures changed) is for admins only, whose screen
// shows the reports.
func TestAuthorizeReports(t *testing.T) {
	const me, pat = "aaaaaaaaaaaaaaaaaaaaaaaa", "cccccccccccccccccccccccc"
	tests := []struct {
		p       auth.Principal
		channel string
		ok      bool
	}{
		{auth.Principal{UserID: me, Role: shared.RoleAdmin}, shared.ChannelReports, true},
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, shared.ChannelReports, false},
		{auth.Principal{UserID: me, Role: shared.RoleDoctor}, shared.ChannelReports, false},
		{auth.Principal{UserID: me, Role: shared.RolePatient, PatientID: pat}, shared.ChannelReports, false},
		{auth.Principal{UserID: me, Role: shared.RoleAdmin}, "reports:general", false},
	}
	for _, tt := range tests {
		if err := authorize(tt.p, tt.channel); (err == nil) != tt.ok {
			t.Errorf("authorize(%s, %q) = %v, want ok=%v", tt.p.Role, tt.channel, err, tt.ok)
		}
	}
}

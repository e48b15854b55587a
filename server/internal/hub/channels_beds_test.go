package hub

import (
	"testing"

	"hms/server/internal/auth"
	"hms/shared"
)

// TestAuthorizeBeds: bed boards are for staff roles, on beds and beds:<ward id>.
func TestAuthorizeBeds(t *testing.T) {
	const me, pat = "aaaaaaaaaaaaaaaaaaaaaaaa", "cccccccccccccccccccccccc"
	tests := []struct {
		p       auth.Principal
		channel string
		ok      bool
	}{
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, "beds", true},
		{auth.Principal{UserID: me, Role: shared.RoleDoctor}, "beds:icu-2", true},
		{auth.Principal{UserID: me, Role: shared.RoleAdmin}, "beds:icu-2", true},
		{auth.Principal{UserID: me, Role: shared.RolePatient, PatientID: pat}, "beds", false},
		{auth.Principal{UserID: me, Role: shared.RolePatient, PatientID: pat}, "beds:icu-2", false},
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, "beds:", false},
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, "beds:-icu", false},
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, "beds:icu:2", false},
	}
	for _, tt := range tests {
		if err := authorize(tt.p, tt.channel); (err == nil) != tt.ok {
			t.Errorf("authorize(%s, %q) = %v, want ok=%v", tt.p.Role, tt.channel, err, tt.ok)
		}
	}
}

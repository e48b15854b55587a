package hub

import (
	"testing"

	"hms/server/internal/auth"
	"hms/shared"
)

// TestAuthorizePharmacy: the pharmacy channel (low stock, refills due) is for the staff side only.
func TestAuthorizePharmacy(t *testing.T) {
	const me, pat = "aaaaaaaaaaaaaaaaaaaaaaaa", "cccccccccccccccccccccccc"
	tests := []struct {
		p       auth.Principal
		channel string
		ok      bool
	}{
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, "pharmacy", true},
		{auth.Principal{UserID: me, Role: shared.RoleDoctor}, "pharmacy", true},
		{auth.Principal{UserID: me, Role: shared.RoleAdmin}, "pharmacy", true},
		{auth.Principal{UserID: me, Role: shared.RolePatient, PatientID: pat}, "pharmacy", false},
		{auth.Principal{UserID: me, Role: shared.RoleStaff}, "pharmacy:x", false},
	}
	for _, tt := range tests {
		if err := authorize(tt.p, tt.channel); (err == nil) != tt.ok {
			t.Errorf("authorize(%s, %q) = %v, want ok=%v", tt.p.Role, tt.channel, err, tt.ok)
		}
	}
}

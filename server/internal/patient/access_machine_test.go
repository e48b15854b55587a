package patient

import (
	"context"
	"errors"
	"testing"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// TestAccessMachine checks the access rule's integration client case: a machine principal reaches
// every patient only with the system grant the FHIR API's central check set, is refused without one
// (never asked to break the glass), and never passes for a patient.
func TestAccessMachine(t *testing.T) {
	a := NewAccess(nil)
	ctx := context.Background()
	const pid = "0123456789abcdef01234567"
	machine := auth.Principal{UserID: "client:c1", Role: shared.RoleClient, PatientID: pid,
		Client: &auth.ClientCaller{ID: "c1", Name: "Feed"}}
	for _, tc := range []struct {
		name  string
		grant string
		want  bool
	}{
		{"without a system grant", "", false},
		{"with system/Patient.read", "system/Patient.read", true},
	} {
		p := machine
		p.SystemGrant = tc.grant
		got, err := a.Sees(ctx, p, pid)
		if err != nil || got != tc.want {
			t.Errorf("%s: Sees = %v, %v; want %v", tc.name, got, err, tc.want)
		}
		err = a.Clinical(ctx, p, pid)
		if tc.want && err != nil || !tc.want && (!errors.Is(err, fault.ErrForbidden) || errors.Is(err, ErrBreakGlassRequired)) {
			t.Errorf("%s: Clinical = %v", tc.name, err)
		}
	}
	if _, err := a.Sees(ctx, machine, "nope"); err == nil {
		t.Error("a malformed id: want an error")
	}
}

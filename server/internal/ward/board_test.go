package ward

import (
	"testing"

	"hms/shared"
)

// TestBoardOf: a bed is occupied exactly when an active admission of the ward is in it; patient ids
// only when asked for; beds of other wards are left out.
func TestBoardOf(t *testing.T) {
	w := WardRecord{ID: "a", Name: "A"}
	beds := []BedRecord{{ID: "b1", WardID: "a", Label: "1"}, {ID: "b2", WardID: "a", Label: "2"}, {ID: "x", WardID: "z", Label: "9"}}
	active := []Record{{ID: "adm", PatientID: "pat", WardID: "a", BedID: "b2"}, {ID: "elsewhere", WardID: "z", BedID: "x"}}
	tests := []struct {
		name         string
		withPatients bool
		wantPatient  string
	}{{"live event", false, ""}, {"REST", true, "pat"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := boardOf(w, beds, active, tt.withPatients)
			if b.Ward.Total != 2 || b.Ward.Occupied != 1 || b.Ward.Free != 1 || len(b.Beds) != 2 {
				t.Fatalf("got %+v, want 2 beds, 1 occupied", b)
			}
			want := shared.Bed{ID: "b2", Label: "2", State: shared.BedOccupied, AdmissionID: "adm", PatientID: tt.wantPatient}
			if b.Beds[1] != want || b.Beds[0].State != shared.BedFree || b.Beds[0].AdmissionID != "" {
				t.Errorf("got beds %+v, want b1 free and %+v", b.Beds, want)
			}
		})
	}
}

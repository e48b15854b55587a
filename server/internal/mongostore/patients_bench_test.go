package mongostore

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"hms/server/internal/ident"
	"hms/server/internal/seal"
)

// BenchmarkPatientRecordRead measures what encryption adds to reading one patient record: "decode" is
// the BSON decoding alone, "decode+open" also opens the sealed medical history (2 KB), allergies and
// conditions, as PatientByID does after the database answered. The difference is the cost of
// encryption per record read; the database round trip (milliseconds on FerretDB) is not included.
func BenchmarkPatientRecordRead(b *testing.B) {
	key, err := seal.FromSecret("benchmark secret key, long enough to derive from")
	if err != nil {
		b.Fatal(err)
	}
	keys, err := seal.NewKeyring(key)
	if err != nil {
		b.Fatal(err)
	}
	s := &Patients{keys: keys}
	id := ident.New()
	history := strings.Repeat("Asthma since 2010, inhaled steroids; penicillin rash 2015. ", 40)[:2048]
	h, err := s.sealHistory(id, 0, history)
	if err != nil {
		b.Fatal(err)
	}
	al, err := s.sealList(id, "allergies", []string{"penicillin", "latex", "peanuts"})
	if err != nil {
		b.Fatal(err)
	}
	co, err := s.sealList(id, "conditions", []string{"asthma", "type 2 diabetes", "hypertension", "migraine"})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := bson.Marshal(patientDoc{F: patientFields{ID: id, Name: "José Álvarez", MRN: "H12345674"},
		MedicalHistory: h, Allergies: al, Conditions: co})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			var d storedPatient
			if err := bson.Unmarshal(raw, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+open", func(b *testing.B) {
		for b.Loop() {
			var d storedPatient
			if err := bson.Unmarshal(raw, &d); err != nil {
				b.Fatal(err)
			}
			r, err := s.record(d)
			if err != nil || r.MedicalHistory != history || len(r.Conditions) != 4 {
				b.Fatalf("got %d characters of history, %v, err %v", len(r.MedicalHistory), r.Conditions, err)
			}
		}
	})
}

package fhir_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"hms/server/internal/apptest"
	"hms/shared"
)

// client reads a Patient search back the way a FHIR client does, with Google's FHIR library
// (jsonformat into the R4 protos, no HMS type involved): it follows the Bundle's next links until
// there are none, and returns the names and MRNs of the patients found, with each page's total.
func client(t *testing.T, env *apptest.Env, path, token string) (names, mrns []string, totals []int) {
	t.Helper()
	for pages := 0; path != ""; pages++ {
		if pages > 20 {
			t.Fatalf("more than 20 pages: the next links loop")
		}
		r := env.Get(path, token).Want(t, http.StatusOK)
		b := valid(t, r, "Bundle").GetBundle()
		if b.GetType().GetValue().String() != "SEARCHSET" {
			t.Fatalf("got Bundle type %v, want searchset", b.GetType().GetValue())
		}
		totals = append(totals, int(b.GetTotal().GetValue()))
		for _, e := range b.GetEntry() {
			p := e.GetResource().GetPatient()
			if p == nil {
				t.Fatalf("got entry %v, want a Patient", e.GetResource())
			}
			if !strings.HasSuffix(e.GetFullUrl().GetValue(), "/Patient/"+p.GetId().GetValue()) {
				t.Errorf("got fullUrl %q for Patient/%s", e.GetFullUrl().GetValue(), p.GetId().GetValue())
			}
			names = append(names, p.GetName()[0].GetText().GetValue())
			mrns = append(mrns, p.GetIdentifier()[0].GetValue().GetValue())
		}
		path = ""
		for _, l := range b.GetLink() {
			if l.GetRelation().GetValue() == "next" {
				path = pathOf(t, l.GetUrl().GetValue())
			}
		}
	}
	return names, mrns, totals
}

// TestSearchAndPaging checks the Patient search parameters and paging, read back with the client.
func TestSearchAndPaging(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Hospital()
	births := []string{"1980-01-15", "1990-05-17", "1990-12-31", "2000-02-29", "1990-05-17", "1975-07-04", "2010-10-10"}
	var mrns []string
	for i, dob := range births {
		p := register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: fmt.Sprintf("Zebulon Pagewright %c", 'A'+i), DateOfBirth: dob})
		mrns = append(mrns, p.MRN)
	}
	register(t, env, h.Staff.Token, shared.RegisterPatientRequest{Name: "Someone Else", DateOfBirth: "1990-05-17"})

	t.Run("pages", func(t *testing.T) {
		names, got, totals := client(t, env, "/fhir/R4/Patient?name=zebulon&name=PAGEW&_count=3", h.Staff.Token)
		if !slices.Equal(totals, []int{7, 7, 7}) || len(names) != 7 {
			t.Fatalf("got totals %v and %d patients, want 3 pages of 7 in all", totals, len(names))
		}
		if !slices.IsSorted(names) || names[0] != "Zebulon Pagewright A" {
			t.Errorf("got %v, want name order", names)
		}
		slices.Sort(got)
		want := slices.Clone(mrns)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("got MRNs %v, want %v", got, want)
		}
		b := searchBundle(t, env, "/fhir/R4/Patient?name=zebulon&_count=3&_offset=3", h.Staff.Token)
		for rel, offset := range map[string]string{"self": "_offset=3", "first": "_offset=0", "previous": "_offset=0", "next": "_offset=6", "last": "_offset=6"} {
			if l := b.link(rel); !strings.Contains(l, offset) || !strings.Contains(l, "_count=3") || !strings.Contains(l, "name=zebulon") {
				t.Errorf("got %s link %q, want %s with the search", rel, l, offset)
			}
		}
		b = searchBundle(t, env, "/fhir/R4/Patient?name=zebulon&_count=3&_offset=30", h.Staff.Token)
		if b.Total != 7 || len(b.Entry) != 0 || b.link("next") != "" || !strings.Contains(b.link("previous"), "_offset=6") {
			t.Errorf("past the end: got %+v, want no entries, the total and a previous link to the last page", b)
		}
	})

	t.Run("parameters", func(t *testing.T) {
		for q, want := range map[string]int{
			"identifier=urn:hms:mrn|" + mrns[2]:             1,
			"identifier=" + mrns[2]:                         1,
			"identifier=" + strings.ToLower(mrns[2]):        1,
			"identifier=urn:other|" + mrns[2]:               0,
			"birthdate=1990-05-17":                          3, // two Zebulons and Someone Else
			"birthdate=1990":                                4,
			"birthdate=eq1990-05":                           3,
			"birthdate=ge1990-06&birthdate=le2000":          2,
			"birthdate=gt1990-05-17&birthdate=lt2000-02-29": 1,
			"birthdate=lt1980":                              1,
			"birthdate=gt2010-10-10":                        0,
			"birthdate=ge2000&birthdate=le1990":             0,
			"name=zebulon&birthdate=1990-05-17":             2,
			"name=zeb&name=pagewright+b":                    1,
			"name=else":                                     1,
			"_id=0123456789abcdef01234567":                  0,
			"_id=not-an-id":                                 0,
		} {
			if b := searchBundle(t, env, "/fhir/R4/Patient?"+q, h.Staff.Token); b.Total != want || len(b.Entry) != want {
				t.Errorf("%s: got total %d and %d entries, want %d", q, b.Total, len(b.Entry), want)
			}
		}
		outcome(t, env.Get("/fhir/R4/Patient?identifier=H123", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
		outcome(t, env.Get("/fhir/R4/Patient?identifier=urn:hms:mrn|", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
		outcome(t, env.Get("/fhir/R4/Patient?identifier=a&identifier=b", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
		outcome(t, env.Get("/fhir/R4/Patient?_offset=-1", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
		outcome(t, env.Get("/fhir/R4/Patient?_count=0", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")

		b := searchBundle(t, env, "/fhir/R4/Practitioner?name=test", h.Staff.Token)
		if b.Total != 2 {
			t.Errorf("got %d practitioners named test, want the 2 fixture doctors", b.Total)
		}
		b = searchBundle(t, env, "/fhir/R4/Practitioner?_id="+h.Doctor2.ID(), h.Staff.Token)
		if !slices.Equal(b.ids(), []string{h.Doctor2.ID()}) {
			t.Errorf("got %v, want the second doctor", b.ids())
		}
		outcome(t, env.Get("/fhir/R4/Practitioner?specialty=x", h.Staff.Token), http.StatusBadRequest, "invalid", "invalid_request")
	})
}

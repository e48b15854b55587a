package fhir_test

import (
	"strings"
	"testing"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	r4pb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"hms/server/internal/apptest"
)

// The independent validator: Google's FHIR library (github.com/google/fhir/go, jsonformat), whose R4
// unmarshaller parses a resource into the R4 protos and validates it as it goes: required fields,
// cardinality, value formats (dates, instants, ids, codes of required bindings), unknown fields and
// the resources inside a Bundle. It is a test dependency only.
func unmarshaller(t testing.TB) *jsonformat.Unmarshaller {
	t.Helper()
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		t.Fatalf("the FHIR validator: %v", err)
	}
	return u
}

// valid parses a response body as an R4 resource of the type, failing the test unless the validator
// accepts it, and checks the content type.
func valid(t testing.TB, r *apptest.Response, resourceType string) *r4pb.ContainedResource {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/fhir+json; charset=utf-8" {
		t.Errorf("got Content-Type %q, want application/fhir+json; charset=utf-8 (body %s)", ct, r.Body)
	}
	msg, err := unmarshaller(t).Unmarshal(r.Body)
	if err != nil {
		t.Fatalf("the FHIR R4 validator refuses the %s: %v\nbody: %s", resourceType, err, r.Body)
	}
	cr, ok := msg.(*r4pb.ContainedResource)
	if !ok {
		t.Fatalf("got %T, want an R4 ContainedResource", msg)
	}
	got := ""
	if oneof := cr.ProtoReflect().WhichOneof(cr.ProtoReflect().Descriptor().Oneofs().ByName("oneof_resource")); oneof != nil {
		got = string(oneof.Message().Name())
	}
	if !strings.EqualFold(got, resourceType) {
		t.Fatalf("got a %s, want a %s: %s", got, resourceType, r.Body)
	}
	return cr
}

// TestValidatorIsStrict shows the validator refuses what a careless mapping would produce, so that its
// acceptance of ours means something.
func TestValidatorIsStrict(t *testing.T) {
	u := unmarshaller(t)
	for name, body := range map[string]string{
		"a bad birth date":          `{"resourceType":"Patient","birthDate":"1990-13-01"}`,
		"an unknown gender code":    `{"resourceType":"Patient","gender":"f"}`,
		"an unknown field":          `{"resourceType":"Patient","nickname":"Al"}`,
		"an issue without its code": `{"resourceType":"OperationOutcome","issue":[{"severity":"error"}]}`,
		"a Bundle without its type": `{"resourceType":"Bundle","total":1}`,
		"a bad instant in a Bundle": `{"resourceType":"Bundle","type":"searchset","timestamp":"yesterday"}`,
		"a bad resource in a Bundle": `{"resourceType":"Bundle","type":"searchset","entry":[{"fullUrl":"http://x/Patient/1",` +
			`"resource":{"resourceType":"Patient","birthDate":"01/02/1990"}}]}`,
		"a Slot without its status": `{"resourceType":"Slot","schedule":{"reference":"Schedule/1"},"start":"2030-01-07T08:00:00Z","end":"2030-01-07T08:15:00Z"}`,
	} {
		if _, err := u.Unmarshal([]byte(body)); err == nil {
			t.Errorf("%s: the validator accepts %s", name, body)
		}
	}
}

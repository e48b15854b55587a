package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// fuzzLimit is the body cap FuzzBindJSON binds under: small, so that the fuzzer reaches it.
const fuzzLimit = 512

// FuzzBindJSON checks BindJSON's promises on any body (docs/security.md rows 14, 16 and 17):
//   - it never panics;
//   - a body over the cap is refused as too large, and one under it never is;
//   - a body holding, at any depth, an object key that starts with '$' or contains '.' is refused;
//   - a body that is not exactly one JSON value is refused;
//   - a body it accepts is one JSON object that the standard decoder, strict about unknown fields,
//     decodes into the same typed struct.
//
// The oracle for the keys is encoding/json's own parse into any, walked independently of checkKeys.
// make test runs it for a few seconds (scripts/test.sh); `go test -fuzz FuzzBindJSON` runs it longer.
func FuzzBindJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"x","tags":["$not-a-key","a.b"],"inner":{"k":[{"v":1}]}}`,
		`{"name":"x","role":"admin"}`,
		`{"name":{"$ne":""}}`,
		`{"inner":{"a":{"$where":"1"}}}`,
		`{"inner":{"a":[{"ok":1},{"$gt":2}]}}`,
		`{"inner":{"a.b":1}}`,
		`{"inner":{"\u0024regex":"^a"}}`,
		`{"inner":{"a\u002eb":1}}`,
		`{"inner":{"ok":"$value","list":[["$x"],{"y":{"z.":0}}]}}`,
		`{"name":5}`,
		`{"name":`,
		`{"name" 1}`,
		``,
		`{"name":"a"} {"name":"b"}`,
		`[1,2]`,
		`"$ne"`,
		`null`,
		`{"name":"a","name":"b"}`,
		`{"inner":{"$a":1,"$a":2}}`,
		`{"name":"` + strings.Repeat("x", fuzzLimit) + `"}`,
		"{\"name\":\"\xff\xfe\"}",
		`{"tags":[` + strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100) + `]}`,
	} {
		f.Add([]byte(seed))
	}
	gin.SetMode(gin.TestMode)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		c.Request.Body = http.MaxBytesReader(w, c.Request.Body, fuzzLimit)
		var got sample
		err := BindJSON(c, &got)

		if tooLarge := errors.Is(err, errTooLarge); tooLarge != (len(body) > fuzzLimit) {
			t.Fatalf("body of %d bytes (cap %d): got error %v", len(body), fuzzLimit, err)
		}
		if len(body) > fuzzLimit {
			return
		}
		var generic any
		valid := json.Unmarshal(body, &generic) == nil
		if !valid {
			if err == nil {
				t.Fatalf("got no error for a body that is not one JSON value: %q", body)
			}
			return
		}
		if key, bad := operatorKey(generic); bad && err == nil {
			t.Fatalf("got no error for a body with the key %q: %q", key, body)
		}
		if err != nil {
			return
		}
		if _, ok := generic.(map[string]any); !ok {
			t.Fatalf("accepted a body that is not a JSON object: %q", body)
		}
		var want sample
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if derr := dec.Decode(&want); derr != nil {
			t.Fatalf("accepted a body the strict decoder refuses (%v): %q", derr, body)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("bound %#v, want %#v, from %q", got, want, body)
		}
	})
}

// operatorKey returns the first object key in v, at any depth, that starts with '$' or contains '.'.
func operatorKey(v any) (string, bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if strings.HasPrefix(k, "$") || strings.Contains(k, ".") {
				return k, true
			}
			if k, bad := operatorKey(e); bad {
				return k, true
			}
		}
	case []any:
		for _, e := range v {
			if k, bad := operatorKey(e); bad {
				return k, true
			}
		}
	}
	return "", false
}

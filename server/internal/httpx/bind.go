package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hms/server/internal/fault"
)

var errTooLarge = errors.New("request body too large")

// BindJSON decodes the request body into dst strictly: the body must be one JSON object, no unknown
// fields (so a caller cannot set `role`, `id` or `owner` where they may not), no key that starts with `$`
// or contains `.` at any depth (operator injection), and no larger than the body limit.
func BindJSON(c *gin.Context, dst any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("%w: over %d bytes", errTooLarge, mbe.Limit)
		}
		return fault.Invalid("could not read the request body")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return fault.Invalid("the request body is empty; send a JSON object")
	}
	if err := checkKeys(body); err != nil {
		return err
	}
	// null would decode into dst as nothing at all (found by FuzzBindJSON).
	if trimmed[0] != '{' {
		return fault.Invalid("the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fault.Invalid("%s", describeJSONError(err))
	}
	if dec.More() {
		return fault.Invalid("the request body holds more than one JSON value")
	}
	return nil
}

// checkKeys walks the JSON and rejects keys that MongoDB would read as operators or paths.
func checkKeys(body []byte) error {
	type frame struct{ object, wantKey bool }
	var stack []frame
	valueDone := func() { // inside an object, a value was read: a key comes next
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fault.Invalid("the request body is not valid JSON")
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				if strings.HasPrefix(t, "$") || strings.Contains(t, ".") {
					return fault.Invalid("field name %q is not allowed: names may not start with '$' or contain '.'", t)
				}
				stack[n-1].wantKey = false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("the request body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q must be a %s", typ.Field, jsonKind(typ.Type.Kind().String()))
		}
		return "the request body must be a JSON object"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("field %s is not accepted here", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the request body is cut short"
	default:
		return "the request body is not valid JSON"
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "number"
	case "slice", "array":
		return "array"
	default:
		return "JSON " + goKind
	}
}

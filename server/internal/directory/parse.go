package directory

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"hms/server/internal/fault"
	"hms/shared"
)

// Columns a CSV file may have; name, lat and lng are required. GeoJSON features carry the same names
// as properties, the coordinates in the geometry.
var (
	csvColumns      = []string{"id", "name", "address", "lat", "lng", "phone", "services", "own", "emergency_department", "wards"}
	requiredColumns = []string{"name", "lat", "lng"}
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// row is one entry of a file, as written, before validation; n numbers it from 1.
type row struct {
	n                                                 int
	id, name, address, lat, lng, phone, services, own string
	emergencyDepartment, wards                        string
	latNum, lngNum                                    *float64 // GeoJSON gives numbers, not text
	servicesList                                      []string // GeoJSON may give an array
	ownBool                                           *bool
}

// problems collects what is wrong with a file, row by row.
type problems struct {
	what  string // "row" or "feature"
	lines []string
	rows  int
}

func (p *problems) add(n int, format string, args ...any) {
	p.lines = append(p.lines, fmt.Sprintf("%s %d: %s", p.what, n, fmt.Sprintf(format, args...)))
}

// err is the refusal naming every bad row (the first maxListed, and how many more).
func (p *problems) err() error {
	if len(p.lines) == 0 {
		return nil
	}
	listed := p.lines
	more := ""
	if len(listed) > maxListed {
		more = fmt.Sprintf("\n… and %d more problems not listed", len(listed)-maxListed)
		listed = listed[:maxListed]
	}
	return fault.Coded(fault.ErrInvalid, "bad_rows", "%d problems in the file; nothing was imported:\n%s%s",
		len(p.lines), strings.Join(listed, "\n"), more)
}

// parseCSV reads a CSV file with a header row.
func parseCSV(data []byte) ([]row, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's byte order mark
	if !utf8.Valid(data) {
		return nil, fault.Invalid("the file is not UTF-8 text")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fault.Invalid("the file is empty: it needs a header row (%s) and at least one row", strings.Join(csvColumns[1:7], ","))
	}
	if err != nil {
		return nil, fault.Invalid("the header row is not valid CSV: %s", csvError(err))
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(csvColumns, h) {
			return nil, fault.Invalid("unknown column %q in the header row; the columns are %s", h, strings.Join(csvColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, fault.Invalid("the column %q appears twice in the header row", h)
		}
		col[h] = i
	}
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			return nil, fault.Invalid("the header row has no %q column; name, lat and lng are required", c)
		}
	}
	r.FieldsPerRecord = len(header)
	var rows []row
	bad := problems{what: "row"}
	for n := 1; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				bad.add(n, "has %d fields, the header row %d", len(rec), len(header))
				continue
			}
			bad.add(n, "is not valid CSV: %s", csvError(err))
			return nil, bad.err() // the reader cannot go on past a broken quote
		}
		if len(rows)+len(bad.lines) >= MaxRows {
			return nil, fault.Invalid("the file has more than %d rows; the directory holds at most %d", MaxRows, MaxRows)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		rows = append(rows, row{n: n, id: get("id"), name: get("name"), address: get("address"), lat: get("lat"), lng: get("lng"),
			phone: get("phone"), services: get("services"), own: get("own"), emergencyDepartment: get("emergency_department"), wards: get("wards")})
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	return rows, nil
}

func csvError(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// geoJSON is the part of a GeoJSON FeatureCollection an import reads.
type geoJSON struct {
	Type     string `json:"type"`
	Features []struct {
		Type     string          `json:"type"`
		ID       json.RawMessage `json:"id"`
		Geometry *struct {
			Type        string            `json:"type"`
			Coordinates []json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	} `json:"features"`
}

// parseGeoJSON reads a FeatureCollection of Points.
func parseGeoJSON(data []byte) ([]row, error) {
	var doc geoJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fault.Invalid("the file is not valid JSON: %s", err.Error())
	}
	if doc.Type != "FeatureCollection" {
		return nil, fault.Invalid("the file must be a GeoJSON FeatureCollection, not type %q", doc.Type)
	}
	if len(doc.Features) > MaxRows {
		return nil, fault.Invalid("the file has %d features; the directory holds at most %d", len(doc.Features), MaxRows)
	}
	bad := problems{what: "feature"}
	var rows []row
	for i, f := range doc.Features {
		n := i + 1
		if f.Type != "Feature" {
			bad.add(n, "type must be \"Feature\", not %q", f.Type)
			continue
		}
		if f.Geometry == nil || f.Geometry.Type != "Point" {
			bad.add(n, "the geometry must be a Point")
			continue
		}
		if len(f.Geometry.Coordinates) < 2 {
			bad.add(n, "a Point needs coordinates [longitude, latitude]")
			continue
		}
		var lng, lat float64
		if json.Unmarshal(f.Geometry.Coordinates[0], &lng) != nil || json.Unmarshal(f.Geometry.Coordinates[1], &lat) != nil {
			bad.add(n, "the coordinates must be numbers [longitude, latitude]")
			continue
		}
		r := row{n: n, latNum: &lat, lngNum: &lng}
		text := func(key string, dst *string) bool {
			raw, ok := f.Properties[key]
			if !ok || string(raw) == "null" {
				return true
			}
			if json.Unmarshal(raw, dst) != nil {
				bad.add(n, "the property %q must be text", key)
				return false
			}
			*dst = strings.TrimSpace(*dst)
			return true
		}
		ok := true
		ok = text("name", &r.name) && ok
		ok = text("address", &r.address) && ok
		ok = text("phone", &r.phone) && ok
		ok = text("emergency_department", &r.emergencyDepartment) && ok
		// The id: the feature's own, else a property; a number is written as text.
		for _, raw := range []json.RawMessage{f.ID, f.Properties["id"]} {
			if len(raw) == 0 || string(raw) == "null" || r.id != "" {
				continue
			}
			var s string
			var num json.Number
			switch {
			case json.Unmarshal(raw, &s) == nil:
				r.id = strings.TrimSpace(s)
			case json.Unmarshal(raw, &num) == nil:
				r.id = num.String()
			default:
				bad.add(n, "the id must be text or a number")
				ok = false
			}
		}
		for _, key := range []string{"services", "wards"} {
			raw, has := f.Properties[key]
			if !has || string(raw) == "null" {
				continue
			}
			var arr []string
			var s string
			switch {
			case json.Unmarshal(raw, &arr) == nil:
				s = strings.Join(arr, ";")
			case json.Unmarshal(raw, &s) == nil:
			default:
				bad.add(n, "the property %q must be a list of text or text separated by ';'", key)
				ok = false
			}
			if key == "services" {
				r.services = s
			} else {
				r.wards = s
			}
		}
		if raw, has := f.Properties["own"]; has && string(raw) != "null" {
			var b bool
			if json.Unmarshal(raw, &b) != nil {
				bad.add(n, "the property \"own\" must be true or false")
				ok = false
			}
			r.ownBool = &b
		}
		if ok {
			rows = append(rows, r)
		}
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	return rows, nil
}

// validate turns the rows into entries, naming every problem of every row; what is "row" or "feature".
func validate(rows []row, what string) ([]shared.Hospital, error) {
	bad := problems{what: what}
	if len(rows) == 0 {
		return nil, fault.Invalid("the file has no %ss", what)
	}
	out := make([]shared.Hospital, 0, len(rows))
	seen := map[string]int{}
	for _, r := range rows {
		before := len(bad.lines)
		h := shared.Hospital{Name: r.name, Address: r.address, Phone: r.phone, Services: []string{}}
		switch n := utf8.RuneCountInString(r.name); {
		case n == 0:
			bad.add(r.n, "the name is missing")
		case n > 200:
			bad.add(r.n, "the name is longer than 200 characters")
		}
		if utf8.RuneCountInString(r.address) > 300 {
			bad.add(r.n, "the address is longer than 300 characters")
		}
		if utf8.RuneCountInString(r.phone) > 40 {
			bad.add(r.n, "the phone is longer than 40 characters")
		}
		h.Lat = coordinate(&bad, r.n, "lat", r.lat, r.latNum, 90)
		h.Lng = coordinate(&bad, r.n, "lng", r.lng, r.lngNum, 180)
		for _, s := range strings.Split(r.services, ";") {
			s = strings.ToLower(strings.TrimSpace(s))
			switch {
			case s == "" || slices.Contains(h.Services, s):
			case !slices.Contains(shared.HospitalServices, s):
				bad.add(r.n, "unknown service %q (the services are %s)", s, strings.Join(shared.HospitalServices, ", "))
			default:
				h.Services = append(h.Services, s)
			}
		}
		slices.Sort(h.Services)
		switch v := strings.ToLower(r.own); {
		case r.ownBool != nil:
			h.Own = *r.ownBool
		case v == "" || v == "false" || v == "no" || v == "0":
		case v == "true" || v == "yes" || v == "1":
			h.Own = true
		default:
			bad.add(r.n, "own must be true or false, not %q", r.own)
		}
		h.EmergencyDepartment = r.emergencyDepartment
		for _, w := range strings.Split(r.wards, ";") {
			if w = strings.TrimSpace(w); w != "" && !slices.Contains(h.Wards, w) {
				h.Wards = append(h.Wards, w)
			}
		}
		if !h.Own && (h.EmergencyDepartment != "" || len(h.Wards) > 0) {
			bad.add(r.n, "emergency_department and wards are for the hospital's own sites only (own = true)")
		}
		if utf8.RuneCountInString(h.EmergencyDepartment) > 40 || len(h.Wards) > 100 {
			bad.add(r.n, "emergency_department or wards is too long")
		}
		switch {
		case r.id == "":
			h.ID = key(h.Name, h.Lat, h.Lng)
		case !idPattern.MatchString(r.id):
			bad.add(r.n, "the id %q must be 1 to 64 letters, digits, '.', '_' or '-'", r.id)
		default:
			h.ID = r.id
		}
		if len(bad.lines) > before {
			continue
		}
		if first, dup := seen[h.ID]; dup {
			bad.add(r.n, "the same entry as %s %d (the same id, or the same name and coordinates)", what, first)
			continue
		}
		seen[h.ID] = r.n
		out = append(out, h)
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// coordinate reads a latitude or longitude (text from CSV, a number from GeoJSON) within ±limit.
func coordinate(bad *problems, n int, name, text string, num *float64, limit float64) float64 {
	var v float64
	if num != nil {
		v = *num
	} else {
		if text == "" {
			bad.add(n, "%s is missing", name)
			return 0
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			bad.add(n, "%s must be a number in decimal degrees, not %q", name, text)
			return 0
		}
		v = f
	}
	if math.IsNaN(v) || v < -limit || v > limit {
		bad.add(n, "%s must be from -%g to %g, not %g", name, limit, limit, v)
		return 0
	}
	return v
}

// key is the stable key of an entry without an id: its name (case and spacing aside) and coordinates
// to about a metre, so that importing the same file again replaces rather than duplicates it.
func key(name string, lat, lng float64) string {
	norm := strings.Join(strings.Fields(strings.ToLower(name)), " ")
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%.5f|%.5f", norm, lat, lng))
	return "h-" + hex.EncodeToString(sum[:8])
}

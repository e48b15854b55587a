package fhir

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Paging: _count is 1–MaxCount (DefaultCount when absent; above the maximum is 400, never a silent
// cut); _offset is how many matches the page skips (0 when absent, at most MaxOffset).
const (
	DefaultCount = 20
	MaxCount     = 100
	MaxOffset    = 100_000
)

// always are the parameters every search and read accepts besides its own.
var always = []string{"_format"}

// paging are the parameters of every search's paging.
var paging = []string{"_count", "_offset"}

// search is a search request's parameters, checked against the ones the resource supports.
type search struct {
	values        url.Values
	count, offset int
}

// parseSearch checks the query: every parameter must be one the resource supports (an unknown one, a
// modifier such as name:exact, or an OR list with commas is 400, naming it: this server is strict
// rather than ignoring what it does not understand, and its CapabilityStatement says so), at most
// once unless repeatable lists it, and _count and _offset must be in range. It answers the 400 itself
// and returns false on a bad query.
func parseSearch(c *gin.Context, supported, repeatable []string) (search, bool) {
	q := c.Request.URL.Query()
	s := search{values: q, count: DefaultCount}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		vs := q[name]
		switch {
		case slices.Contains(always, name):
			continue
		case !slices.Contains(supported, name) && !slices.Contains(paging, name):
			base, _, modifier := strings.Cut(name, ":")
			if modifier && slices.Contains(supported, base) {
				invalid(c, "search parameter "+quote(name)+": modifiers are not supported (supported here: "+strings.Join(supported, ", ")+", _count, _offset)")
			} else {
				invalid(c, "unsupported search parameter "+quote(name)+" (supported here: "+strings.Join(supported, ", ")+", _count, _offset; GET "+Base+"/metadata lists them)")
			}
			return s, false
		case len(vs) > 1 && !slices.Contains(repeatable, name):
			invalid(c, "search parameter "+quote(name)+" may be given once")
			return s, false
		}
		for _, v := range vs {
			if strings.TrimSpace(v) == "" {
				invalid(c, "search parameter "+quote(name)+" is empty")
				return s, false
			}
			if strings.Contains(v, ",") && name != "_offset" && name != "_count" {
				invalid(c, "search parameter "+quote(name)+": OR lists (values separated by commas) are not supported")
				return s, false
			}
		}
	}
	if v := q.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxCount {
			invalid(c, "_count must be a whole number from 1 to "+strconv.Itoa(MaxCount)+", got "+quote(v))
			return s, false
		}
		s.count = n
	}
	if v := q.Get("_offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxOffset {
			invalid(c, "_offset must be a whole number from 0 to "+strconv.Itoa(MaxOffset)+", got "+quote(v))
			return s, false
		}
		s.offset = n
	}
	return s, true
}

// link is the search's URL with another offset (the parameters in a stable order).
func (s search) link(base, resource string, offset int) string {
	v := url.Values{}
	for name, vs := range s.values {
		if name != "_offset" && name != "_count" {
			v[name] = vs
		}
	}
	v.Set("_count", strconv.Itoa(s.count))
	v.Set("_offset", strconv.Itoa(offset))
	return base + "/" + resource + "?" + v.Encode()
}

// entry is one match of a searchset.
type entry struct {
	id       string
	resource any
}

// searchset is the Bundle of one page of a search: total is every match, the entries the page's,
// with self, first, previous, next and last links (previous and next only where there is such a
// page).
func searchset(base, resource string, s search, total int, entries []entry, now time.Time) (fhir.Bundle, error) {
	b := fhir.Bundle{Type: fhir.BundleTypeSearchset, Total: ptr(total), Timestamp: ptr(now.UTC().Format(time.RFC3339)),
		Meta: &fhir.Meta{LastUpdated: ptr(now.UTC().Format(time.RFC3339))}}
	last := 0
	if total > 0 {
		last = (total - 1) / s.count * s.count
	}
	add := func(rel string, offset int) {
		b.Link = append(b.Link, fhir.BundleLink{Relation: rel, Url: s.link(base, resource, offset)})
	}
	add("self", s.offset)
	add("first", 0)
	if s.offset > 0 {
		add("previous", max(0, min(s.offset-s.count, last)))
	}
	if s.offset+s.count < total {
		add("next", s.offset+s.count)
	}
	add("last", last)
	for _, e := range entries {
		raw, err := json.Marshal(e.resource)
		if err != nil {
			return b, err
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{FullUrl: ptr(base + "/" + resource + "/" + e.id), Resource: raw,
			Search: &fhir.BundleEntrySearch{Mode: ptr(fhir.SearchEntryModeMatch)}})
	}
	return b, nil
}

// answerPage answers a search whose matches are all in memory: the page the search asks for (_offset,
// _count), each made an entry by toEntry, in a searchset Bundle with every match counted.
func answerPage[T any](c *gin.Context, base, resource string, s search, matches []T, toEntry func(T) (entry, error)) {
	page := matches[min(s.offset, len(matches)):min(s.offset+s.count, len(matches))]
	entries := make([]entry, len(page))
	for i, m := range page {
		e, err := toEntry(m)
		if err != nil {
			Error(c, err)
			return
		}
		entries[i] = e
	}
	b, err := searchset(base, resource, s, len(matches), entries, time.Now())
	if err != nil {
		Error(c, err)
		return
	}
	write(c, http.StatusOK, b)
}

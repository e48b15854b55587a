package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// value is a JSON value read from a part of the document. Objects keep their keys in the order they are
// written in, so the assembled document comes out in the order of its sources.
type value struct {
	obj   *object  // an object, or
	arr   []*value // an array (when isArr), or
	isArr bool
	lit   any // a string, json.Number, bool or nil
}

// object is a JSON object with its keys in order.
type object struct {
	keys []string
	vals map[string]*value
}

func newObject() *object { return &object{vals: map[string]*value{}} }

func (o *object) get(key string) (*value, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// set adds key at the end; the caller has checked that it is new.
func (o *object) set(key string, v *value) {
	o.keys = append(o.keys, key)
	o.vals[key] = v
}

// parse reads one JSON value. Unlike encoding/json's decoding into maps, it refuses an object with the
// same key twice instead of silently keeping the last: a hand-edited file can easily have two
// descriptions, or two properties of one name.
func parse(data []byte) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec, nil)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

// parseValue reads the next value from dec; where is the path of keys to it, for messages.
func parseValue(dec *json.Decoder, where []string) (*value, error) {
	tok, err := token(dec)
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		o := newObject()
		for dec.More() {
			k, err := token(dec)
			if err != nil {
				return nil, err
			}
			key := k.(string) // inside an object the decoder only yields string keys
			if _, dup := o.vals[key]; dup {
				return nil, fmt.Errorf("key %q appears twice in the object at %s", key, strings.Join(append([]string{"top"}, where...), " › "))
			}
			v, err := parseValue(dec, append(where, key))
			if err != nil {
				return nil, err
			}
			o.set(key, v)
		}
		_, err := token(dec) // the closing brace
		return &value{obj: o}, err
	case json.Delim('['):
		arr := []*value{}
		for dec.More() {
			v, err := parseValue(dec, where)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := token(dec) // the closing bracket
		return &value{arr: arr, isArr: true}, err
	default:
		return &value{lit: tok}, nil
	}
}

// token is dec.Token, with the end of the input inside a value reported as such.
func token(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

// equal says whether v and w are the same JSON value; the order of object keys does not matter.
func (v *value) equal(w *value) bool {
	switch {
	case v.obj != nil:
		if w.obj == nil || len(v.obj.keys) != len(w.obj.keys) {
			return false
		}
		for _, k := range v.obj.keys {
			wv, ok := w.obj.vals[k]
			if !ok || !v.obj.vals[k].equal(wv) {
				return false
			}
		}
		return true
	case v.isArr:
		if !w.isArr || len(v.arr) != len(w.arr) {
			return false
		}
		for i := range v.arr {
			if !v.arr[i].equal(w.arr[i]) {
				return false
			}
		}
		return true
	default:
		return w.obj == nil && !w.isArr && v.lit == w.lit
	}
}

// write appends v as JSON indented by two spaces per level, indent being the current level's.
func (v *value) write(b *bytes.Buffer, indent string) {
	inner := indent + "  "
	switch {
	case v.obj != nil:
		if len(v.obj.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range v.obj.keys {
			b.WriteString(inner)
			writeString(b, k)
			b.WriteString(": ")
			v.obj.vals[k].write(b, inner)
			if i < len(v.obj.keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case v.isArr:
		if len(v.arr) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range v.arr {
			b.WriteString(inner)
			e.write(b, inner)
			if i < len(v.arr)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	default:
		switch lit := v.lit.(type) {
		case string:
			writeString(b, lit)
		case json.Number:
			b.WriteString(lit.String())
		case bool:
			fmt.Fprint(b, lit)
		default:
			b.WriteString("null")
		}
	}
}

// writeString appends s as a JSON string, leaving <, > and & as they are.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes; Encode adds a newline
	b.Truncate(b.Len() - 1)
}

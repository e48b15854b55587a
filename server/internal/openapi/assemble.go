package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"
)

// baseFile and fragmentDir are where Assemble looks in the file system it is given.
const (
	baseFile    = "base.json"
	fragmentDir = "paths"
)

// methods are the keys of a path item that are operations; a path item's other keys (parameters,
// summary, description, servers) are shared by its operations.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Assemble builds the OpenAPI document from fsys, which holds base.json and one paths/<tag>.json per tag.
//
// The result is base.json with its paths and components filled in. Fragments are taken in the order of
// base.json's tags; within a file, paths and components keep the order they are written in, so the same
// sources always give the same bytes. A fragment may only hold paths and components, must be named after
// one of the tags, and every operation in it must carry that tag. It is an error for two files to define
// the same path and method, or the same component with different text (the same text twice is kept once).
func Assemble(fsys fs.FS) ([]byte, error) {
	base, err := readObject(fsys, baseFile)
	if err != nil {
		return nil, err
	}
	basePaths, err := base.child(baseFile, "paths")
	if err != nil {
		return nil, err
	}
	baseComponents, err := base.child(baseFile, "components")
	if err != nil {
		return nil, err
	}
	tags, err := tagNames(base)
	if err != nil {
		return nil, err
	}
	files, err := fragments(fsys, tags)
	if err != nil {
		return nil, err
	}

	a := assembly{paths: newObject(), components: newObject(), from: map[string]string{}}
	if err := a.addPaths(baseFile, "", basePaths); err != nil {
		return nil, err
	}
	if err := a.addComponents(baseFile, baseComponents); err != nil {
		return nil, err
	}
	for _, f := range files {
		frag, err := readObject(fsys, f.name)
		if err != nil {
			return nil, err
		}
		for _, m := range frag.members {
			if m.key != "paths" && m.key != "components" {
				return nil, fmt.Errorf("%s: %q does not belong in a fragment (only paths and components; the rest is in %s)", f.name, m.key, baseFile)
			}
		}
		if paths, ok, err := frag.optionalChild(f.name, "paths"); err != nil {
			return nil, err
		} else if ok {
			if err := a.addPaths(f.name, f.tag, paths); err != nil {
				return nil, err
			}
		}
		if comps, ok, err := frag.optionalChild(f.name, "components"); err != nil {
			return nil, err
		} else if ok {
			if err := a.addComponents(f.name, comps); err != nil {
				return nil, err
			}
		}
	}

	doc := newObject()
	for _, m := range base.members {
		switch m.key {
		case "paths":
			doc.set(m.key, a.paths.marshal())
		case "components":
			doc.set(m.key, a.components.marshal())
		default:
			doc.set(m.key, m.value)
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, doc.marshal(), "", "  "); err != nil {
		return nil, fmt.Errorf("format the document: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// fragment is one paths/<tag>.json file.
type fragment struct{ name, tag string }

// fragments lists the fragment files in the order of the tags they are named after.
func fragments(fsys fs.FS, tags []string) ([]fragment, error) {
	names, err := fs.Glob(fsys, fragmentDir+"/*.json")
	if err != nil {
		return nil, err
	}
	var out []fragment
	for _, name := range names {
		tag := strings.TrimSuffix(path.Base(name), ".json")
		if !slices.Contains(tags, tag) {
			return nil, fmt.Errorf("%s: there is no tag %q in %s; a fragment is named after its tag", name, tag, baseFile)
		}
		out = append(out, fragment{name, tag})
	}
	slices.SortStableFunc(out, func(x, y fragment) int {
		return slices.Index(tags, x.tag) - slices.Index(tags, y.tag)
	})
	return out, nil
}

// tagNames reads the names in base.json's tags, in order.
func tagNames(base *object) ([]string, error) {
	raw, ok := base.get("tags")
	if !ok {
		return nil, fmt.Errorf("%s: no tags", baseFile)
	}
	var tags []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &tags); err != nil {
		return nil, fmt.Errorf("%s: tags: %w", baseFile, err)
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		if t.Name == "" || slices.Contains(names[:i], t.Name) {
			return nil, fmt.Errorf("%s: tag %d has no name or one already used (%q)", baseFile, i+1, t.Name)
		}
		names[i] = t.Name
	}
	return names, nil
}

// assembly collects paths and components, remembering which file each came from.
type assembly struct {
	paths      *object
	components *object
	// from maps "paths <path> <key>" and "components <section> <name>" to the file that defined it.
	from map[string]string
}

// addPaths adds the path items of file. When tag is set, every operation must carry it.
func (a *assembly) addPaths(file, tag string, paths *object) error {
	for _, p := range paths.members {
		item, err := parseObject(p.value)
		if err != nil {
			return fmt.Errorf("%s: path %s: %w", file, p.key, err)
		}
		merged := newObject()
		if old, ok := a.paths.get(p.key); ok {
			if merged, err = parseObject(old); err != nil {
				return err
			}
		}
		for _, m := range item.members {
			isOp := slices.Contains(methods, m.key)
			if isOp && tag != "" {
				if err := checkTag(m.value, tag); err != nil {
					return fmt.Errorf("%s: %s %s: %w", file, strings.ToUpper(m.key), p.key, err)
				}
			}
			key := "paths " + p.key + " " + m.key
			if old, ok := merged.get(m.key); ok {
				prev := a.from[key]
				if isOp {
					return fmt.Errorf("%s %s is defined in both %s and %s", strings.ToUpper(m.key), p.key, prev, file)
				}
				if same, err := sameJSON(old, m.value); err != nil {
					return fmt.Errorf("%s: path %s: %w", file, p.key, err)
				} else if !same {
					return fmt.Errorf("path %s has a different %s in %s and %s", p.key, m.key, prev, file)
				}
				continue
			}
			merged.set(m.key, m.value)
			a.from[key] = file
		}
		a.paths.replace(p.key, merged.marshal())
	}
	return nil
}

// addComponents adds the components of file, section by section.
func (a *assembly) addComponents(file string, comps *object) error {
	for _, s := range comps.members {
		section, err := parseObject(s.value)
		if err != nil {
			return fmt.Errorf("%s: components.%s: %w", file, s.key, err)
		}
		merged := newObject()
		if old, ok := a.components.get(s.key); ok {
			if merged, err = parseObject(old); err != nil {
				return err
			}
		}
		for _, c := range section.members {
			key := "components " + s.key + " " + c.key
			if old, ok := merged.get(c.key); ok {
				prev := a.from[key]
				if same, err := sameJSON(old, c.value); err != nil {
					return fmt.Errorf("%s: components.%s.%s: %w", file, s.key, c.key, err)
				} else if !same {
					return fmt.Errorf("components.%s.%s is defined differently in %s and %s", s.key, c.key, prev, file)
				}
				continue
			}
			merged.set(c.key, c.value)
			a.from[key] = file
		}
		a.components.replace(s.key, merged.marshal())
	}
	return nil
}

// checkTag says whether the operation op lists tag among its tags.
func checkTag(op json.RawMessage, tag string) error {
	var o struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(op, &o); err != nil {
		return err
	}
	if !slices.Contains(o.Tags, tag) {
		return fmt.Errorf("tagged %q, not %q: it belongs in the fragment of its tag", o.Tags, tag)
	}
	return nil
}

// sameJSON says whether two JSON texts are the same value: key order and layout do not matter.
func sameJSON(x, y json.RawMessage) (bool, error) {
	var vx, vy any
	for _, p := range []struct {
		raw json.RawMessage
		v   *any
	}{{x, &vx}, {y, &vy}} {
		dec := json.NewDecoder(bytes.NewReader(p.raw))
		dec.UseNumber()
		if err := dec.Decode(p.v); err != nil {
			return false, err
		}
	}
	return reflect.DeepEqual(vx, vy), nil
}

// object is a JSON object that keeps its keys in order; its values stay raw JSON text.
type object struct {
	members []member
	index   map[string]int
}

type member struct {
	key   string
	value json.RawMessage
}

func newObject() *object { return &object{index: map[string]int{}} }

func (o *object) get(key string) (json.RawMessage, bool) {
	i, ok := o.index[key]
	if !ok {
		return nil, false
	}
	return o.members[i].value, true
}

// set adds key at the end; the caller has checked that it is new.
func (o *object) set(key string, value json.RawMessage) {
	o.index[key] = len(o.members)
	o.members = append(o.members, member{key, value})
}

// replace changes the value of key where it stands, or adds it at the end.
func (o *object) replace(key string, value json.RawMessage) {
	if i, ok := o.index[key]; ok {
		o.members[i].value = value
		return
	}
	o.set(key, value)
}

// child parses the object under key, which must be there.
func (o *object) child(file, key string) (*object, error) {
	c, ok, err := o.optionalChild(file, key)
	if err == nil && !ok {
		err = fmt.Errorf("%s: no %s object", file, key)
	}
	return c, err
}

func (o *object) optionalChild(file, key string) (*object, bool, error) {
	raw, ok := o.get(key)
	if !ok {
		return nil, false, nil
	}
	c, err := parseObject(raw)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %s: %w", file, key, err)
	}
	return c, true, nil
}

// marshal writes the object as compact JSON.
func (o *object) marshal() json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o.members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(quote(m.key))
		b.WriteByte(':')
		// Values come from the decoder, so they are valid JSON; Compact only drops the layout.
		if err := json.Compact(&b, m.value); err != nil {
			panic(fmt.Sprintf("openapi: compact %q: %v", m.key, err))
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// quote encodes s as a JSON string, leaving <, > and & as they are.
func quote(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// readObject reads a whole file that must be one JSON object with no key twice at any depth.
func readObject(fsys fs.FS, name string) (*object, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: not valid JSON: %w", name, err)
	}
	if err := noDuplicateKeys(data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	o, err := parseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return o, nil
}

// parseObject reads one JSON object, keeping its keys in order.
func parseObject(data []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object, got %v", tok)
	}
	o := newObject()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // inside an object the decoder only yields string keys
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if _, dup := o.get(key); dup {
			return nil, fmt.Errorf("%q appears twice", key)
		}
		o.set(key, value)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON object")
	}
	return o, nil
}

// noDuplicateKeys fails when an object anywhere in data has the same key twice: a JSON decoder would
// silently keep the last, and a hand-edited file can easily have two descriptions or two properties of
// one name.
func noDuplicateKeys(data []byte) error {
	// frame is an open object (keys set) or array (keys nil).
	type frame struct {
		keys    map[string]bool
		key     string // the object's current key
		wantKey bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.keys != nil && top.wantKey {
			if tok == json.Delim('}') {
				stack = stack[:len(stack)-1]
				continue
			}
			k := tok.(string) // the decoder only yields string keys
			if top.keys[k] {
				var where []string
				for _, f := range stack[:len(stack)-1] {
					if f.keys != nil {
						where = append(where, f.key)
					}
				}
				return fmt.Errorf("key %q appears twice in the object at %s", k, strings.Join(append([]string{"top"}, where...), " › "))
			}
			top.keys[k], top.key, top.wantKey = true, k, false
			continue
		}
		if tok == json.Delim(']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.keys != nil {
			top.wantKey = true // after this value, the next key or the end
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		}
	}
}

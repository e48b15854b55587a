package openapi

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
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
	paths, err := child(base, baseFile, "paths")
	if err != nil {
		return nil, err
	}
	components, err := child(base, baseFile, "components")
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

	// base.json's own paths and components are the start; each fragment's are added to them.
	a := assembly{paths: paths, components: components, from: map[string]string{}}
	a.remember(baseFile, paths, components)
	for _, f := range files {
		frag, err := readObject(fsys, f.name)
		if err != nil {
			return nil, err
		}
		for _, k := range frag.keys {
			if k != "paths" && k != "components" {
				return nil, fmt.Errorf("%s: %q does not belong in a fragment (only paths and components; the rest is in %s)", f.name, k, baseFile)
			}
		}
		if p, ok := frag.get("paths"); ok {
			if err := a.addPaths(f, p); err != nil {
				return nil, err
			}
		}
		if c, ok := frag.get("components"); ok {
			if err := a.addComponents(f.name, c); err != nil {
				return nil, err
			}
		}
	}

	var out bytes.Buffer
	(&value{obj: base}).write(&out, "")
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
	tags, ok := base.get("tags")
	if !ok || !tags.isArr {
		return nil, fmt.Errorf("%s: no tags list", baseFile)
	}
	var names []string
	for i, t := range tags.arr {
		var name string
		if t.obj != nil {
			if n, ok := t.obj.get("name"); ok {
				name, _ = n.lit.(string)
			}
		}
		if name == "" || slices.Contains(names, name) {
			return nil, fmt.Errorf("%s: tag %d has no name or one already used (%q)", baseFile, i+1, name)
		}
		names = append(names, name)
	}
	return names, nil
}

// assembly collects paths and components, remembering which file each came from.
type assembly struct {
	paths      *object // path → path item
	components *object // section → name → component
	// from maps "paths <path> <key>" and "components <section> <name>" to the file that defined it.
	from map[string]string
}

// remember notes that file defined every path item key and component in paths and components.
func (a *assembly) remember(file string, paths, components *object) {
	for _, p := range paths.keys {
		if item := paths.vals[p].obj; item != nil {
			for _, k := range item.keys {
				a.from["paths "+p+" "+k] = file
			}
		}
	}
	for _, s := range components.keys {
		if section := components.vals[s].obj; section != nil {
			for _, n := range section.keys {
				a.from["components "+s+" "+n] = file
			}
		}
	}
}

// addPaths adds the path items of fragment f; every operation must carry f's tag.
func (a *assembly) addPaths(f fragment, paths *value) error {
	if paths.obj == nil {
		return fmt.Errorf("%s: paths is not an object", f.name)
	}
	for _, p := range paths.obj.keys {
		item := paths.obj.vals[p].obj
		if item == nil {
			return fmt.Errorf("%s: path %s is not an object", f.name, p)
		}
		merged, err := a.section(a.paths, p, "path "+p)
		if err != nil {
			return err
		}
		for _, k := range item.keys {
			v := item.vals[k]
			isOp := slices.Contains(methods, k)
			if isOp {
				if err := checkTag(v, f.tag); err != nil {
					return fmt.Errorf("%s: %s %s: %w", f.name, strings.ToUpper(k), p, err)
				}
			}
			key := "paths " + p + " " + k
			if old, ok := merged.get(k); ok {
				if isOp {
					return fmt.Errorf("%s %s is defined in both %s and %s", strings.ToUpper(k), p, a.from[key], f.name)
				}
				if !old.equal(v) {
					return fmt.Errorf("path %s has a different %s in %s and %s", p, k, a.from[key], f.name)
				}
				continue
			}
			merged.set(k, v)
			a.from[key] = f.name
		}
	}
	return nil
}

// addComponents adds the components of file, section by section.
func (a *assembly) addComponents(file string, comps *value) error {
	if comps.obj == nil {
		return fmt.Errorf("%s: components is not an object", file)
	}
	for _, s := range comps.obj.keys {
		section := comps.obj.vals[s].obj
		if section == nil {
			return fmt.Errorf("%s: components.%s is not an object", file, s)
		}
		merged, err := a.section(a.components, s, "components."+s)
		if err != nil {
			return err
		}
		for _, n := range section.keys {
			v := section.vals[n]
			key := "components " + s + " " + n
			if old, ok := merged.get(n); ok {
				if !old.equal(v) {
					return fmt.Errorf("components.%s.%s is defined differently in %s and %s", s, n, a.from[key], file)
				}
				continue
			}
			merged.set(n, v)
			a.from[key] = file
		}
	}
	return nil
}

// section returns the object under key in o, adding an empty one at the end when there is none.
func (a *assembly) section(o *object, key, what string) (*object, error) {
	v, ok := o.get(key)
	if !ok {
		v = &value{obj: newObject()}
		o.set(key, v)
	}
	if v.obj == nil {
		return nil, fmt.Errorf("%s in %s is not an object", what, baseFile)
	}
	return v.obj, nil
}

// checkTag says whether the operation op lists tag among its tags.
func checkTag(op *value, tag string) error {
	var tags []string
	if op.obj != nil {
		if t, ok := op.obj.get("tags"); ok {
			for _, e := range t.arr {
				s, _ := e.lit.(string)
				tags = append(tags, s)
			}
		}
	}
	if !slices.Contains(tags, tag) {
		return fmt.Errorf("tagged %q, not %q: it belongs in the fragment of its tag", tags, tag)
	}
	return nil
}

// child returns the object under key in o, which must be there.
func child(o *object, file, key string) (*object, error) {
	v, ok := o.get(key)
	if !ok || v.obj == nil {
		return nil, fmt.Errorf("%s: no %s object", file, key)
	}
	return v.obj, nil
}

// readObject reads a whole file that must be one JSON object.
func readObject(fsys fs.FS, name string) (*object, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	v, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if v.obj == nil {
		return nil, fmt.Errorf("%s: not a JSON object", name)
	}
	return v.obj, nil
}

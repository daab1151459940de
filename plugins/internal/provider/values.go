package provider

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// unknown marks a value that is not known yet (an output of a resource still to be created).
type unknown struct{}

// decode turns a property value into plain data (see Values), checking it against its
// declaration. Secrets are unwrapped; unknowns decode to unknown{}.
func decode(p Prop, v resource.PropertyValue, path string) (any, []Failure) {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsOutput() {
		o := v.OutputValue()
		if !o.Known {
			return unknown{}, nil
		}
		v = o.Element
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
	}
	if v.IsComputed() {
		return unknown{}, nil
	}
	bad := func(got string) []Failure {
		return []Failure{{Property: path, Reason: fmt.Sprintf("%s must be %s (got %s)", path, p.Kind, got)}}
	}
	switch p.Kind {
	case String:
		if !v.IsString() {
			return nil, bad(describe(v))
		}
		s := v.StringValue()
		if len(p.OneOf) > 0 && !contains(p.OneOf, s) {
			return nil, []Failure{{Property: path, Reason: fmt.Sprintf("%s must be one of %s (got %q)", path, strings.Join(p.OneOf, ", "), s)}}
		}
		return s, nil
	case Int:
		if !v.IsNumber() {
			return nil, bad(describe(v))
		}
		f := v.NumberValue()
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
			return nil, bad(fmt.Sprintf("%v", f))
		}
		n := int64(f)
		if p.Min != nil && n < *p.Min {
			return nil, []Failure{{Property: path, Reason: fmt.Sprintf("%s must be at least %d (got %d)", path, *p.Min, n)}}
		}
		return n, nil
	case Bool:
		if !v.IsBool() {
			return nil, bad(describe(v))
		}
		return v.BoolValue(), nil
	case StringList:
		if !v.IsArray() {
			return nil, bad(describe(v))
		}
		out := []string{}
		var fails []Failure
		for i, e := range v.ArrayValue() {
			x, f := decode(Prop{Kind: String, OneOf: p.OneOf}, e, fmt.Sprintf("%s[%d]", path, i))
			fails = append(fails, f...)
			if _, u := x.(unknown); u {
				return unknown{}, fails
			}
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out, fails
	case StringMap:
		if !v.IsObject() {
			return nil, bad(describe(v))
		}
		out := map[string]string{}
		var fails []Failure
		for k, e := range v.ObjectValue() {
			x, f := decode(Prop{Kind: String}, e, fmt.Sprintf("%s.%s", path, k))
			fails = append(fails, f...)
			if _, u := x.(unknown); u {
				return unknown{}, fails
			}
			if s, ok := x.(string); ok {
				out[string(k)] = s
			}
		}
		return out, fails
	case Object:
		if !v.IsObject() {
			return nil, bad(describe(v))
		}
		out := map[string]any{}
		fails := unknownKeys(p.Fields, v.ObjectValue(), path+".")
		anyUnknown := false
		for _, f := range p.Fields {
			e, ok := v.ObjectValue()[resource.PropertyKey(f.Name)]
			if !ok || e.IsNull() {
				continue
			}
			x, fl := decode(f, e, path+"."+f.Name)
			fails = append(fails, fl...)
			if _, u := x.(unknown); u {
				anyUnknown = true
			} else if x != nil {
				out[f.Name] = x
			}
		}
		if anyUnknown {
			return unknown{}, fails
		}
		return out, fails
	}
	return nil, bad("a value of an unsupported kind")
}

// unknownKeys: a property the declaration does not know is an error naming it, never ignored.
func unknownKeys(props []Prop, m resource.PropertyMap, prefix string) []Failure {
	known := map[string]bool{}
	var names []string
	for _, p := range props {
		if p.Input {
			known[p.Name] = true
			names = append(names, p.Name)
		}
	}
	sort.Strings(names)
	var fails []Failure
	keys := m.StableKeys()
	for _, k := range keys {
		key := string(k)
		if known[key] || strings.HasPrefix(key, "__") {
			continue
		}
		fails = append(fails, Failure{
			Property: prefix + key,
			Reason:   fmt.Sprintf("unknown property %q: the accepted properties are %s", prefix+key, strings.Join(names, ", ")),
		})
	}
	return fails
}

func describe(v resource.PropertyValue) string {
	switch {
	case v.IsString():
		return fmt.Sprintf("the string %q", v.StringValue())
	case v.IsNumber():
		return fmt.Sprintf("the number %v", v.NumberValue())
	case v.IsBool():
		return fmt.Sprintf("%v", v.BoolValue())
	case v.IsArray():
		return "a list"
	case v.IsObject():
		return "an object"
	}
	return v.TypeString()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// encode turns plain data back into a property value.
func encode(x any) resource.PropertyValue {
	switch t := x.(type) {
	case string:
		return resource.NewStringProperty(t)
	case int64:
		return resource.NewNumberProperty(float64(t))
	case int:
		return resource.NewNumberProperty(float64(t))
	case bool:
		return resource.NewBoolProperty(t)
	case []string:
		arr := make([]resource.PropertyValue, len(t))
		for i, s := range t {
			arr[i] = resource.NewStringProperty(s)
		}
		return resource.NewArrayProperty(arr)
	case map[string]string:
		m := resource.PropertyMap{}
		for k, s := range t {
			m[resource.PropertyKey(k)] = resource.NewStringProperty(s)
		}
		return resource.NewObjectProperty(m)
	case map[string]any:
		m := resource.PropertyMap{}
		for k, e := range t {
			m[resource.PropertyKey(k)] = encode(e)
		}
		return resource.NewObjectProperty(m)
	case Values:
		return encode(map[string]any(t))
	case nil:
		return resource.NewNullProperty()
	}
	panic(fmt.Sprintf("provider: cannot encode %T", x))
}

// decodeAll decodes every declared property present in m (inputs and outputs), ignoring
// failures: it reads states and inputs that Check accepted before.
func decodeAll(r *Resource, m resource.PropertyMap) (Values, bool) {
	out := Values{}
	allKnown := true
	for _, p := range r.Props {
		v, ok := m[resource.PropertyKey(p.Name)]
		if !ok || v.IsNull() {
			continue
		}
		x, _ := decode(p, v, p.Name)
		if _, u := x.(unknown); u {
			allKnown = false
			continue
		}
		if x != nil {
			out[p.Name] = x
		}
	}
	return out, allKnown
}

func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

// Package provider is the small resource-provider framework our random and tls plugins share: a
// resource is declared as a list of properties (kind, required, default, secret, whether a change
// replaces it) plus the functions that compute its outputs; this package turns that declaration
// into the Pulumi gRPC ResourceProvider protocol (Check, Diff, Create, Read, Update, Delete),
// the package schema and the plugin's main.
package provider

import (
	"fmt"
	"sort"
	"time"
)

// Kind is the type of a property's value.
type Kind int

const (
	String Kind = iota
	Int
	Bool
	StringList
	StringMap
	Object
)

func (k Kind) String() string {
	switch k {
	case String:
		return "a string"
	case Int:
		return "a whole number"
	case Bool:
		return "a boolean"
	case StringList:
		return "a list of strings"
	case StringMap:
		return "a map of strings"
	case Object:
		return "an object"
	}
	return "unknown"
}

// Prop declares one property of a resource (or one field of an Object property).
type Prop struct {
	Name string
	Kind Kind
	Doc  string
	// Input properties are what a program may set; the others are outputs only.
	Input    bool
	Required bool
	// Default is applied by Check when an optional input is absent (nil: no default).
	Default any
	// Secret values are returned as Pulumi secrets.
	Secret bool
	// InPlace: a change of this input updates the resource; every other input replaces it.
	InPlace bool
	// OneOf restricts a String (or each element of a StringList) to these values.
	OneOf []string
	// Min is the smallest value an Int may take.
	Min *int64
	// Fields of an Object property.
	Fields []Prop
}

// AtLeast is a helper for Prop.Min.
func AtLeast(n int64) *int64 { return &n }

// Values are property values as plain Go data: string, int64, bool, []string, map[string]string,
// map[string]any (objects). An absent optional input without a default is absent from the map.
type Values map[string]any

func (v Values) Str(name string) string {
	s, _ := v[name].(string)
	return s
}

func (v Values) Int(name string) int64 {
	n, _ := v[name].(int64)
	return n
}

func (v Values) Bool(name string) bool {
	b, _ := v[name].(bool)
	return b
}

func (v Values) Strings(name string) []string {
	s, _ := v[name].([]string)
	return s
}

func (v Values) Object(name string) Values {
	m, _ := v[name].(map[string]any)
	return Values(m)
}

// Has reports whether the property is present (set by the program or defaulted).
func (v Values) Has(name string) bool {
	_, ok := v[name]
	return ok
}

// Failure is a Check failure: a property and why its value is refused.
type Failure struct {
	Property string
	Reason   string
}

// Resource declares one resource type.
type Resource struct {
	// Token, e.g. "random:index/randomPassword:RandomPassword".
	Token string
	Doc   string
	Props []Prop
	// Normalize returns values for absent inputs whose default depends on other inputs (random's
	// numeric and its deprecated alias number); called only when every input is known.
	Normalize func(in Values) Values
	// Validate adds failures for rules across properties; called only when every input is known.
	Validate func(in Values) []Failure
	// Create computes the outputs (only the output properties; inputs are copied by the framework)
	// and the resource's ID.
	Create func(in Values, now time.Time) (id string, out Values, err error)
	// Refresh recomputes outputs that depend on the time (ready_for_renewal) from a state; nil: none.
	Refresh func(state Values, now time.Time) Values
	// ForceReplace names outputs that make the resource due for replacement although no input
	// changed (a certificate inside its renewal window); nil: none.
	ForceReplace func(state Values, now time.Time) []string
}

func (r *Resource) prop(name string) (Prop, bool) {
	for _, p := range r.Props {
		if p.Name == name {
			return p, true
		}
	}
	return Prop{}, false
}

func (r *Resource) inputNames() []string {
	var names []string
	for _, p := range r.Props {
		if p.Input {
			names = append(names, p.Name)
		}
	}
	sort.Strings(names)
	return names
}

// Package is one plugin: its name, version and resources.
type Package struct {
	Name      string
	Version   string
	Resources []*Resource
	// Now is the clock (tests replace it); nil: time.Now.
	Now func() time.Time
}

func (p *Package) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

func (p *Package) resource(token string) (*Resource, error) {
	for _, r := range p.Resources {
		if r.Token == token {
			return r, nil
		}
	}
	var known []string
	for _, r := range p.Resources {
		known = append(known, r.Token)
	}
	return nil, fmt.Errorf("pulumi-resource-%s %s: unknown resource type %q (this plugin implements %v)", p.Name, p.Version, token, known)
}

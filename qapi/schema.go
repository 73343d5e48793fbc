package qapi

import (
	"fmt"
	"strconv"
)

// Kind names the JSON shape a schema type accepts.
type Kind string

// Schema kinds, as QAPI names them in its "expected:" texts.
const (
	KindInt       Kind = "int"    // int64
	KindUint64    Kind = "uint64" // any integer; negatives wrap
	KindNumber    Kind = "number"
	KindString    Kind = "str"
	KindBool      Kind = "bool"
	KindAny       Kind = "any"
	KindEnum      Kind = "enum"
	KindList      Kind = "list"
	KindStruct    Kind = "struct"
	KindAlternate Kind = "alternate"
)

// Type is a QAPI type: a scalar, an enum, a list, a struct or an alternate.
// It is plain data so it can cross the plugin boundary (see proto) and be
// rendered into the command reference.
type Type struct {
	Kind   Kind     `json:"kind"`
	Name   string   `json:"name,omitempty"`   // enums, structs and alternates: the QAPI type name
	Enum   []string `json:"enum,omitempty"`   // KindEnum: accepted values
	Elem   *Type    `json:"elem,omitempty"`   // KindList: element type
	Fields []Field  `json:"fields,omitempty"` // KindStruct: members in schema order
	// Branches of an alternate, at most one per JSON type (QAPI's rule).
	Branches []*Type `json:"branches,omitempty"`
}

// Field is a struct member or a command argument.
type Field struct {
	Name     string `json:"name"`
	Type     *Type  `json:"type"`
	Optional bool   `json:"optional,omitempty"`
	Doc      string `json:"doc,omitempty"`
}

// Scalar types.
var (
	Int    = &Type{Kind: KindInt}
	Uint64 = &Type{Kind: KindUint64}
	Number = &Type{Kind: KindNumber}
	String = &Type{Kind: KindString}
	Bool   = &Type{Kind: KindBool}
	Any    = &Type{Kind: KindAny}
)

// Enum declares an enum type.
func Enum(name string, values ...string) *Type {
	return &Type{Kind: KindEnum, Name: name, Enum: values}
}

// List declares a list of elem.
func List(elem *Type) *Type { return &Type{Kind: KindList, Elem: elem} }

// Struct declares a struct type with members in schema order.
func Struct(name string, fields ...Field) *Type {
	return &Type{Kind: KindStruct, Name: name, Fields: fields}
}

// Alternate declares an alternate: a value of any of the branch types.
func Alternate(name string, branches ...*Type) *Type {
	return &Type{Kind: KindAlternate, Name: name, Branches: branches}
}

// Req declares a mandatory member.
func Req(name string, t *Type) Field { return Field{Name: name, Type: t} }

// Opt declares an optional member.
func Opt(name string, t *Type) Field { return Field{Name: name, Type: t, Optional: true} }

// jsonTypeName is the word QEMU's input visitor uses in
// "Invalid parameter type for '<path>', expected: <word>".
func (t *Type) jsonTypeName() string {
	switch t.Kind {
	case KindInt, KindUint64:
		return "integer"
	case KindNumber:
		return "number"
	case KindString, KindEnum:
		return "string"
	case KindBool:
		return "boolean"
	case KindList:
		return "array"
	case KindStruct:
		return "object"
	case KindAlternate:
		return t.Name
	}
	return "value"
}

// ValidateArgs checks a command's arguments (nil means "arguments" was absent)
// against its declared members and returns the first error with qemu-ga's
// text. On success it returns the arguments normalized for the handler:
// uint64 members wrapped to uint64, absent optional members left out.
func ValidateArgs(fields []Field, args *Object) (*Object, error) {
	if args == nil {
		args = &Object{}
	}
	out, err := validateStruct(fields, args, "")
	if err != nil {
		return nil, err
	}
	return out, nil
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func validateStruct(fields []Field, obj *Object, prefix string) (*Object, error) {
	out := &Object{Members: make([]Member, 0, len(fields))}
	for _, f := range fields {
		path := joinPath(prefix, f.Name)
		v, ok := obj.Get(f.Name)
		if !ok {
			if f.Optional {
				continue
			}
			return nil, Errorf("Parameter '%s' is missing", path)
		}
		nv, err := validateValue(f.Type, v, path, f.Name)
		if err != nil {
			return nil, err
		}
		out.Members = append(out.Members, Member{Key: f.Name, Value: nv})
	}
	// Unknown members are checked last, as QEMU's visitor does on struct end.
	for _, m := range obj.Members {
		known := false
		for _, f := range fields {
			if f.Name == m.Key {
				known = true
				break
			}
		}
		if !known {
			return nil, Errorf("Parameter '%s' is unexpected", joinPath(prefix, m.Key))
		}
	}
	return out, nil
}

func typeError(t *Type, path string) error {
	return Errorf("Invalid parameter type for '%s', expected: %s", path, t.jsonTypeName())
}

// validateValue checks one value. name is the member's own name, which QEMU
// uses (instead of the full path) in enum and alternate texts.
func validateValue(t *Type, v any, path, name string) (any, error) {
	switch t.Kind {
	case KindAny:
		return v, nil
	case KindInt:
		if i, ok := v.(int64); ok {
			return i, nil
		}
		return nil, typeError(t, path)
	case KindUint64:
		switch n := v.(type) {
		case int64:
			return uint64(n), nil
		case uint64:
			return n, nil
		case float64:
			return nil, Errorf("Parameter '%s' expects uint64", path)
		}
		return nil, typeError(t, path)
	case KindNumber:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int64:
			return float64(n), nil
		case uint64:
			return float64(n), nil
		}
		return nil, typeError(t, path)
	case KindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, typeError(t, path)
	case KindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, typeError(t, path)
	case KindEnum:
		s, ok := v.(string)
		if !ok {
			return nil, typeError(t, path)
		}
		for _, e := range t.Enum {
			if e == s {
				return s, nil
			}
		}
		return nil, Errorf("Parameter '%s' does not accept value '%s'", name, s)
	case KindList:
		l, ok := v.([]any)
		if !ok {
			return nil, typeError(t, path)
		}
		out := make([]any, len(l))
		for i, e := range l {
			p := path + "[" + strconv.Itoa(i) + "]"
			nv, err := validateValue(t.Elem, e, p, p)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	case KindStruct:
		o, ok := v.(*Object)
		if !ok {
			return nil, typeError(t, path)
		}
		return validateStruct(t.Fields, o, path)
	case KindAlternate:
		for _, b := range t.Branches {
			if b.accepts(v) {
				return validateValue(b, v, path, name)
			}
		}
		return nil, Errorf("Invalid parameter type for '%s', expected: %s", name, t.Name)
	}
	return nil, fmt.Errorf("qapi: unknown schema kind %q", t.Kind)
}

// accepts reports whether an alternate branch of type t is chosen for v,
// which QAPI decides by the JSON type alone.
func (t *Type) accepts(v any) bool {
	switch v.(type) {
	case int64, uint64, float64:
		// QAPI picks the branch by JSON type: any number goes to the
		// numeric branch, which then rejects what it cannot hold
		// ("expected: integer" for 1.5 in GuestFileWhence).
		return t.Kind == KindInt || t.Kind == KindUint64 || t.Kind == KindNumber
	case string:
		return t.Kind == KindString || t.Kind == KindEnum
	case bool:
		return t.Kind == KindBool
	case []any:
		return t.Kind == KindList
	case *Object:
		return t.Kind == KindStruct
	case nil:
		return false
	}
	return false
}

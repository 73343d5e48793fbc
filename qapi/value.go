// Package qapi holds what the core, the plugin SDK and host clients share about
// qemu-ga's data model: JSON values as the QAPI layer sees them, argument
// schemas and their validation, error classes, and the exact serializer.
package qapi

// A JSON value is one of these Go types:
//
//	nil, bool, int64, uint64, float64, string, []any, *Object, RawJSON
//
// int64 is used for every integer literal that fits it, uint64 for positive
// literals beyond int64, float64 for the rest (as QEMU's parser does).

// Object is a JSON object whose members keep their insertion order. The
// serializer emits them in QEMU's QDict order, not in this order.
type Object struct {
	Members []Member
}

// Member is one name/value pair of an Object.
type Member struct {
	Key   string
	Value any
}

// RawJSON is a value already serialized by this package's writer; it is
// written verbatim. Plugin results cross the process boundary this way so the
// core does not parse them again.
type RawJSON []byte

// NewObject builds an Object from alternating keys and values.
func NewObject(kv ...any) *Object {
	o := &Object{Members: make([]Member, 0, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Members = append(o.Members, Member{Key: kv[i].(string), Value: kv[i+1]})
	}
	return o
}

// Get returns the value of the member named key.
func (o *Object) Get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	for _, m := range o.Members {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// Set replaces the member named key, or appends it.
func (o *Object) Set(key string, v any) {
	for i := range o.Members {
		if o.Members[i].Key == key {
			o.Members[i].Value = v
			return
		}
	}
	o.Members = append(o.Members, Member{Key: key, Value: v})
}

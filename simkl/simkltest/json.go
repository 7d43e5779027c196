package simkltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// field is one key of an object.
type field struct {
	key   string
	value any
}

// object is a JSON object that keeps its key order, so responses can echo
// request items key for key.
type object []field

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// get returns the raw value of key, if the object was decoded from JSON.
func (o object) get(key string) (json.RawMessage, bool) {
	for _, f := range o {
		if f.key == key {
			raw, ok := f.value.(json.RawMessage)
			return raw, ok
		}
	}
	return nil, false
}

// set replaces key's value in place, or appends it.
func (o *object) set(key string, v any) {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].value = v
			return
		}
	}
	*o = append(*o, field{key, v})
}

// clone copies the object (values are shared).
func (o object) clone() object { return append(object(nil), o...) }

var errNotObject = errors.New("not a JSON object")

// decodeObject decodes a JSON object keeping key order; values stay raw.
func decodeObject(data []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errNotObject
	}
	o := object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		o.set(key, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return o, nil
}

// scalar returns a JSON string or number as a string; IDs may be sent as
// either ("tmdb": 27205 or "27205").
func scalar(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// intValue returns a JSON number or numeric string as an int.
func intValue(raw json.RawMessage) (int, bool) {
	s, ok := scalar(raw)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// refOf reads what an item says about its title: an ids object, flat ID
// keys (when flat is set, as /sync/watched allows), title, year and type.
func refOf(o object, flat bool) ref {
	var r ref
	if raw, ok := o.get("ids"); ok {
		if ids, err := decodeObject(raw); err == nil {
			for _, f := range ids {
				if v, ok := scalar(f.value.(json.RawMessage)); ok && isIDKey(f.key) && v != "" {
					r.ids = append(r.ids, [2]string{f.key, v})
				}
			}
		}
	}
	if flat {
		for _, f := range o {
			if !isIDKey(f.key) {
				continue
			}
			if v, ok := scalar(f.value.(json.RawMessage)); ok && v != "" {
				r.ids = append(r.ids, [2]string{f.key, v})
			}
		}
	}
	if raw, ok := o.get("title"); ok {
		r.title, _ = scalar(raw)
	}
	if raw, ok := o.get("year"); ok {
		r.year, _ = intValue(raw)
	}
	if raw, ok := o.get("type"); ok {
		if typ, ok := scalar(raw); ok {
			r.hint = kindsForType(typ)
		}
	}
	return r
}

// timeJSON formats a time as Simkl does (UTC, seconds), or null if zero.
func timeJSON(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// parseTime reads a request timestamp such as "2026-05-15T22:30:00Z".
func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, s)
}

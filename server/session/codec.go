package session

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Codec is the stored form of session data (scs.Codec): a version byte,
// the deadline, and each value as its key, a type byte and the value.
// Session values are strings, int64s and bools only, so it needs none of
// gob's type descriptions, which cost about a fifth of a signed-in page
// view's CPU to decode.
//
// Data in any other form, such as sessions gob wrote before, fails to
// decode with ErrFormat; Manager.Middleware then starts a fresh anonymous
// session, so such a session signs nobody in.
type Codec struct{}

// ErrFormat is Codec.Decode's error for data not in its form.
var ErrFormat = errors.New("session: stored session data not in the current format")

const (
	codecVersion = 0x4c // 'L', never the first byte of a gob stream of scs's
	typeString   = 's'
	typeInt64    = 'i'
	typeBool     = 'b'
	// maxValues bounds a decoded map: sessions hold a dozen values.
	maxValues = 256
)

// Encode writes deadline and values; a value of any type but string, int64
// or bool is an error, so nothing is stored that Decode cannot read.
func (Codec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	if len(values) > maxValues {
		return nil, fmt.Errorf("session: %d values, at most %d", len(values), maxValues)
	}
	b := make([]byte, 0, 64+32*len(values))
	b = append(b, codecVersion)
	b = binary.AppendVarint(b, deadline.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(values)))
	for k, v := range values {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		switch v := v.(type) {
		case string:
			b = append(b, typeString)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case int64:
			b = append(b, typeInt64)
			b = binary.AppendVarint(b, v)
		case bool:
			b = append(b, typeBool)
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		default:
			return nil, fmt.Errorf("session: value %q of type %T cannot be stored", k, v)
		}
	}
	return b, nil
}

// Decode reads what Encode wrote. Anything else, truncated or trailing
// bytes included, is ErrFormat.
func (Codec) Decode(b []byte) (time.Time, map[string]any, error) {
	if len(b) == 0 || b[0] != codecVersion {
		return time.Time{}, nil, ErrFormat
	}
	d := decoder{b: b[1:]}
	deadline := d.varint()
	n := d.uvarint()
	if d.bad || n > maxValues {
		return time.Time{}, nil, ErrFormat
	}
	values := make(map[string]any, n)
	for i := uint64(0); i < n; i++ {
		k := d.str()
		switch d.byte() {
		case typeString:
			values[k] = d.str()
		case typeInt64:
			values[k] = d.varint()
		case typeBool:
			switch d.byte() {
			case 0:
				values[k] = false
			case 1:
				values[k] = true
			default:
				d.bad = true
			}
		default:
			d.bad = true
		}
		if d.bad {
			return time.Time{}, nil, ErrFormat
		}
	}
	if len(d.b) != 0 || len(values) != int(n) {
		return time.Time{}, nil, ErrFormat
	}
	return time.Unix(0, deadline), values, nil
}

// decoder reads Codec's fields, setting bad instead of reading past the end.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if d.bad || len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

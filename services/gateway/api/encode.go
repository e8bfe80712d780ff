package api

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A list response (ListTenders, ListOrganizations, …) repeats mostly the same
// rows from one request to the next, and encoding each row from protobuf to
// JSON is most of the gateway's work on such a call. The gateway therefore
// keeps the JSON of the rows it has encoded and re-encodes only rows it has
// not seen, so nothing stale is served:
//   - a row of a versioned type (below) is keyed by its id, version and
//     update time: the service's version counts the events folded into the
//     row, so any change gives it another key;
//   - any other row by the SHA-256 of its protobuf encoding: a changed row
//     has another encoding.

// versioned are the row types whose every field is a function of their own
// aggregate's events, so that id, version and update_time identify their
// content. (Not, for example, a consortium: its eligibility report and
// members' names come from other aggregates without changing its version.)
var versioned = map[protoreflect.FullName]bool{
	"consortia.tender.v1.Tender":       true,
	"consortia.member.v1.Organization": true,
}

// elementCacheSize bounds the cached rows: a row's JSON is a few KB (a tender
// with its lots and documents is the largest), so some 10–20 MB at most.
const elementCacheSize = 4096

// rowKey identifies a row's content: type, id, version and update time for a
// versioned row, type and hash of the encoding for any other.
type rowKey struct {
	kind    protoreflect.FullName
	id      string
	version uint64
	updated int64 // Unix nanoseconds
	hash    [sha256.Size]byte
}

// elementCache maps a row's key to its JSON.
type elementCache = lru.Cache[rowKey, []byte]

func newElementCache() *elementCache {
	c, _ := lru.New[rowKey, []byte](elementCacheSize) // fails only for a size ≤ 0
	return c
}

// Marshal implements runtime.Marshaler: as runtime.JSONPb, except that the
// rows of a list response come from the cache (see above). The result is
// protojson's for the same options: the envelope (every field but the list)
// is protojson's own, and so is each row, encoded alone.
func (m bodyMarshaler) Marshal(v any) ([]byte, error) {
	msg, ok := v.(proto.Message)
	if !ok || m.rows == nil {
		return m.JSONPb.Marshal(v)
	}
	r := msg.ProtoReflect()
	list := listField(r.Descriptor())
	if list == nil || r.Get(list).List().Len() == 0 {
		return m.JSONPb.Marshal(v)
	}
	envelope := r.New()
	r.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		if fd != list {
			envelope.Set(fd, val)
		}
		return true
	})
	head, err := m.JSONPb.Marshal(envelope.Interface())
	if err != nil {
		return nil, err
	}
	// The envelope's scalars cannot hold the key unescaped, so the first match is the list's.
	key := []byte(`"` + list.JSONName() + `":`)
	at := bytes.Index(head, key)
	if at < 0 {
		return m.JSONPb.Marshal(v)
	}
	open := at + len(key) + countSpace(head[at+len(key):])
	if !bytes.HasPrefix(head[open:], []byte("[")) {
		return m.JSONPb.Marshal(v)
	}
	end := open + 1 + countSpace(head[open+1:])
	if !bytes.HasPrefix(head[end:], []byte("]")) {
		return m.JSONPb.Marshal(v)
	}
	rows := r.Get(list).List()
	jsonRows := make([][]byte, rows.Len())
	size := len(head) + rows.Len() // the commas
	for i := range rows.Len() {
		b, err := m.row(rows.Get(i).Message().Interface())
		if err != nil {
			return nil, err
		}
		jsonRows[i] = b
		size += len(b)
	}
	out := make([]byte, 0, size) // exactly the response: it is the largest allocation of the call
	out = append(out, head[:open+1]...)
	for i, b := range jsonRows {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, head[end:]...), nil
}

// row returns the JSON of one list row, from the cache when a row with the
// same key was encoded before.
func (m bodyMarshaler) row(row proto.Message) ([]byte, error) {
	key, err := keyOf(row.ProtoReflect())
	if err != nil {
		return nil, err
	}
	if b, ok := m.rows.Get(key); ok {
		return b, nil
	}
	b, err := m.JSONPb.Marshal(row)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", row.ProtoReflect().Descriptor().FullName(), err)
	}
	m.rows.Add(key, b)
	return b, nil
}

// keyOf returns the cache key of a row (see rowKey). A versioned row without
// a version or an update time (not one a service returns) is keyed by its hash.
func keyOf(r protoreflect.Message) (rowKey, error) {
	md := r.Descriptor()
	key := rowKey{kind: md.FullName()}
	if versioned[key.kind] {
		f := md.Fields()
		id, version, updated := f.ByName("id"), f.ByName("version"), f.ByName("update_time")
		if id != nil && version != nil && updated != nil && r.Has(version) && r.Has(updated) {
			ts := r.Get(updated).Message()
			tf := ts.Descriptor().Fields()
			key.id, key.version = r.Get(id).String(), r.Get(version).Uint()
			key.updated = ts.Get(tf.ByName("seconds")).Int()*1e9 + ts.Get(tf.ByName("nanos")).Int()
			return key, nil
		}
	}
	bin, err := proto.MarshalOptions{Deterministic: true}.Marshal(r.Interface())
	if err != nil {
		return rowKey{}, err
	}
	key.hash = sha256.Sum256(bin)
	return key, nil
}

// listField returns the repeated message field of a list response: the one
// list of messages when every other field is a scalar (so no other part of the
// envelope's JSON can hold that field's key), else nil.
func listField(md protoreflect.MessageDescriptor) protoreflect.FieldDescriptor {
	var list protoreflect.FieldDescriptor
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsList() && fd.Message() != nil && list == nil:
			list = fd
		case fd.IsList() || fd.IsMap() || fd.Message() != nil:
			return nil
		}
	}
	return list
}

// countSpace is the number of JSON whitespace bytes b starts with.
func countSpace(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\n' || b[n] == '\t' || b[n] == '\r') {
		n++
	}
	return n
}

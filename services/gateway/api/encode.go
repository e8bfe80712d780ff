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
// keeps the JSON of the rows it has encoded, keyed by the SHA-256 of their
// protobuf encoding, and re-encodes only rows it has not seen: a changed row
// has another encoding, so nothing stale is served.

// elementCacheSize bounds the cached rows: a row's JSON is a few KB (a tender
// with its lots and documents is the largest), so some 10–20 MB at most.
const elementCacheSize = 4096

// elementCache maps the hash of a row's protobuf encoding to its JSON.
type elementCache = lru.Cache[[sha256.Size]byte, []byte]

func newElementCache() *elementCache {
	c, _ := lru.New[[sha256.Size]byte, []byte](elementCacheSize) // fails only for a size ≤ 0
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
	out := make([]byte, 0, len(head)+rows.Len()*2048)
	out = append(out, head[:open+1]...)
	for i := range rows.Len() {
		b, err := m.row(rows.Get(i).Message().Interface())
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, head[end:]...), nil
}

// row returns the JSON of one list row, from the cache when its protobuf
// encoding was seen before.
func (m bodyMarshaler) row(row proto.Message) ([]byte, error) {
	bin, err := proto.MarshalOptions{Deterministic: true}.Marshal(row)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write([]byte(row.ProtoReflect().Descriptor().FullName()))
	h.Write([]byte{0})
	h.Write(bin)
	var key [sha256.Size]byte
	h.Sum(key[:0])
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

package grpcserver

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"google.golang.org/protobuf/proto"
)

// RowCacheSize is how many rows a RowCache keeps by default: a list page
// is 20–100 rows and the first pages of the common lists are asked for again
// and again; a row's message is a few KB, so some 10–20 MB at most.
const RowCacheSize = 8192

// RowKey identifies one state of a read-model row: an aggregate's id, its
// version (the number of events folded into it) and the time of its last
// event. A row with another event has another key, so a cached message is
// never stale.
type RowKey struct {
	ID      string
	Version uint64
	Updated int64 // Unix nanoseconds of the last event
}

// Key is the RowKey of a row.
func Key(id string, version uint64, updated time.Time) RowKey {
	return RowKey{ID: id, Version: version, Updated: updated.UnixNano()}
}

// RowCache keeps the protobuf message of read-model rows already converted,
// so that a list call converts (allocates) only the rows it has not sent
// before. The cached messages are shared by every response that carries them:
// they are only marshalled, never changed (gRPC marshals a message without
// changing it, and concurrently safely). Safe for concurrent use.
type RowCache[M proto.Message] struct {
	rows *lru.Cache[RowKey, M]
}

// NewRowCache returns a cache of at most size rows (RowCacheSize when size ≤ 0).
func NewRowCache[M proto.Message](size int) *RowCache[M] {
	if size <= 0 {
		size = RowCacheSize
	}
	rows, _ := lru.New[RowKey, M](size) // fails only for size ≤ 0
	return &RowCache[M]{rows: rows}
}

// Get returns the message of the row with key k, converting it with convert
// when it is not cached.
func (c *RowCache[M]) Get(k RowKey, convert func() M) M {
	if m, ok := c.rows.Get(k); ok {
		return m
	}
	m := convert()
	c.rows.Add(k, m)
	return m
}

// Len is the number of cached rows.
func (c *RowCache[M]) Len() int { return c.rows.Len() }

package grpcserver

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestRowCacheConvertsEachStateOnce checks that a row is converted once per
// state (id, version, update time) and that another state of the same row, or
// another row, is converted afresh.
func TestRowCacheConvertsEachStateOnce(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	type get struct {
		key  RowKey
		want string // the value of the message returned
	}
	cases := []struct {
		name        string
		gets        []get
		conversions int
	}{
		{"same state twice", []get{{Key("a", 1, at), "a1"}, {Key("a", 1, at), "a1"}}, 1},
		{"next version", []get{{Key("a", 1, at), "a1"}, {Key("a", 2, at.Add(time.Second)), "a2"}}, 2},
		{"same version, another update time", []get{{Key("a", 1, at), "a1"}, {Key("a", 1, at.Add(time.Nanosecond)), "a1'"}}, 2},
		{"two rows", []get{{Key("a", 1, at), "a1"}, {Key("b", 1, at), "b1"}, {Key("a", 1, at), "a1"}}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := NewRowCache[*wrapperspb.StringValue](0)
			conversions := 0
			for i, g := range c.gets {
				got := rows.Get(g.key, func() *wrapperspb.StringValue {
					conversions++
					return wrapperspb.String(g.want)
				})
				if got.GetValue() != g.want {
					t.Errorf("get %d: %q, want %q", i, got.GetValue(), g.want)
				}
			}
			if conversions != c.conversions {
				t.Errorf("%d conversions, want %d", conversions, c.conversions)
			}
		})
	}
}

// TestRowCacheBounded checks that the cache keeps at most its size.
func TestRowCacheBounded(t *testing.T) {
	rows := NewRowCache[*wrapperspb.StringValue](2)
	for _, id := range []string{"a", "b", "c"} {
		rows.Get(Key(id, 1, time.Time{}), func() *wrapperspb.StringValue { return wrapperspb.String(id) })
	}
	if rows.Len() != 2 {
		t.Errorf("%d rows cached, want 2", rows.Len())
	}
}

package web

import (
	"testing"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// TestLotName: a lot numbered by its source keeps its number; a lot with a
// generated id is named by its position, never by the id.
func TestLotName(t *testing.T) {
	lots := []*tenderv1.Lot{{Id: "0b8f3c2e-1d4a-4f6b-9c7e-5a2d1e3f4b6c"}, {Id: "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"}, {Id: "3"}}
	for _, tc := range []struct{ id, want string }{
		{"0b8f3c2e-1d4a-4f6b-9c7e-5a2d1e3f4b6c", "1"},
		{"6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", "2"},
		{"3", "3"},
		{"LOT-A", "LOT-A"},
		{"11111111-2222-4333-8444-555555555555", "?"}, // a generated id of no lot of the tender
	} {
		if got := lotName(lots, tc.id); got != tc.want {
			t.Errorf("lotName(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

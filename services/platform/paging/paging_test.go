package paging_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/paging"
)

func id(s string) string { return s }

func TestPage(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		token     string
		size      int
		want      string
		wantToken string
	}{
		{"", 2, "a,b", "b"},
		{"b", 2, "c,d", "d"},
		{"d", 2, "e", ""},
		{"", 5, "a,b,c,d,e", ""},
		{"bb", 2, "c,d", "d"}, // the token's item is gone: continue after where it was
		{"e", 2, "", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.token, tt.size), func(t *testing.T) {
			page, next := paging.Page(all, id, tt.token, tt.size)
			if got := strings.Join(page, ","); got != tt.want || next != tt.wantToken {
				t.Fatalf("page %q next %q, want %q next %q", got, next, tt.want, tt.wantToken)
			}
		})
	}
}

func TestSize(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{0, 50}, {-3, 50}, {7, 7}, {500, 500}, {501, 500}} {
		if got := paging.Size(tt.n, 50, 500); got != tt.want {
			t.Errorf("Size(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

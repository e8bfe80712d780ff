package paging_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

func id(s string) string { return s }

func TestPage(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		after     string // sort key the token points at ("" = first page)
		size      int
		want      string
		wantAfter string // sort key in the next token ("" = last page)
	}{
		{"", 2, "a,b", "b"},
		{"b", 2, "c,d", "d"},
		{"d", 2, "e", ""},
		{"", 5, "a,b,c,d,e", ""},
		{"bb", 2, "c,d", "d"}, // the token's item is gone: continue after where it was
		{"e", 2, "", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.after, tt.size), func(t *testing.T) {
			token := ""
			if tt.after != "" {
				token = paging.EncodeToken(tt.after)
			}
			page, next, err := paging.Page(all, id, token, tt.size)
			if err != nil {
				t.Fatal(err)
			}
			gotAfter, err := paging.DecodeToken(next)
			if err != nil {
				t.Fatalf("next token %q does not decode: %v", next, err)
			}
			if got := strings.Join(page, ","); got != tt.want || gotAfter != tt.wantAfter {
				t.Fatalf("page %q next after %q, want %q next after %q", got, gotAfter, tt.want, tt.wantAfter)
			}
		})
	}
}

func TestTokenRoundTrip(t *testing.T) {
	for _, key := range []string{"x", "Acme S.L.\x00b6f1", "2026-05-01T10:00:00Z|id", "ñ€\x00"} {
		tok := paging.EncodeToken(key)
		if strings.Contains(tok, key) {
			t.Errorf("token %q shows its key %q", tok, key)
		}
		got, err := paging.DecodeToken(tok)
		if err != nil || got != key {
			t.Errorf("DecodeToken(EncodeToken(%q)) = %q, %v", key, got, err)
		}
	}
}

func TestBadTokens(t *testing.T) {
	good := paging.EncodeToken("Acme\x00id-1")
	for _, tok := range []string{
		"LTU",                  // valid base64, not a token (issue 10)
		"Acme\x00id-1",         // a raw sort key
		"%%%",                  // not base64
		"AAAA",                 // too short
		good[:len(good)-1],     // truncated
		good + "A",             // extended
		strings.ToUpper(good),  // altered
		paging.EncodeToken(""), // a checksum of nothing
	} {
		_, err := paging.DecodeToken(tok)
		var inv *domainerr.InvalidError
		if !errors.As(err, &inv) || len(inv.Violations) != 1 || inv.Violations[0].Field != "page_token" {
			t.Errorf("DecodeToken(%q) = %v, want an InvalidArgument on page_token", tok, err)
		}
		if _, _, err := paging.Page([]string{"a"}, id, tok, 1); !errors.As(err, &inv) {
			t.Errorf("Page with token %q: err %v, want InvalidArgument", tok, err)
		}
	}
}

func TestSize(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{0, 50}, {-3, 50}, {7, 7}, {500, 500}, {501, 500}} {
		if got := paging.Size(tt.n, 50, 500); got != tt.want {
			t.Errorf("Size(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

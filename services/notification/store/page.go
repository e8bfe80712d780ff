package store

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// PageSize applies the default (20) and the maximum (100) to a requested size.
func PageSize(n int) int {
	switch {
	case n <= 0:
		return 20
	case n > 100:
		return 100
	}
	return n
}

// EncodeToken makes the opaque page token for the sort key of a page's last item.
func EncodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("n1:" + key)) }

// DecodeToken returns the sort key of a token ("" for the first page); a token
// this list did not hand out is an InvalidArgument naming page_token.
func DecodeToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	key, ok := strings.CutPrefix(string(b), "n1:")
	if err != nil || !ok || key == "" {
		return "", DecodeTokenError()
	}
	return key, nil
}

// DecodeTokenError is the InvalidArgument for a page token this list did not hand out.
func DecodeTokenError() error {
	return domainerr.Invalid("page_token", "is not a page token of this list: pass next_page_token unchanged, or none for the first page")
}

// Page returns the items of sorted (ascending by key, keys unique) after the
// token's key, at most size of them, and the next page's token.
func Page[T any](sorted []T, key func(T) string, token string, size int) ([]T, string, error) {
	after, err := DecodeToken(token)
	if err != nil {
		return nil, "", err
	}
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(sorted, after, func(x T, k string) int { return strings.Compare(key(x), k) })
		if start < len(sorted) && key(sorted[start]) == after {
			start++
		}
	}
	end := min(start+size, len(sorted))
	page, next := sorted[start:end], ""
	if end < len(sorted) {
		next = EncodeToken(key(page[len(page)-1]))
	}
	return page, next, nil
}

// Package paging pages through sorted results with opaque tokens: the token of
// a page is the sort key of its last item, so a page stays stable while items
// are added or removed elsewhere.
package paging

import (
	"slices"
	"strings"
)

// Size applies a default (for n ≤ 0) and a maximum to a requested page size.
func Size(n, def, max int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}

// Page returns at most size items of sorted (ascending by key, keys unique)
// that come after the item whose key is token ("" starts at the beginning),
// and the token of the next page ("" on the last).
func Page[T any](sorted []T, key func(T) string, token string, size int) ([]T, string) {
	start := 0
	if token != "" {
		start, _ = slices.BinarySearchFunc(sorted, token, func(x T, tok string) int { return strings.Compare(key(x), tok) })
		if start < len(sorted) && key(sorted[start]) == token {
			start++
		}
	}
	end := min(start+size, len(sorted))
	page, next := sorted[start:end], ""
	if end < len(sorted) {
		next = key(page[len(page)-1])
	}
	return page, next
}

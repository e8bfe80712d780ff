// Package paging pages through sorted results with opaque tokens: the token of
// a page encodes the sort key of its last item, so a page stays stable while
// items are added or removed elsewhere. Every read-model adapter (memory,
// mongo) makes and checks its tokens here, so a token is one format whatever
// the adapter.
package paging

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// TokenField is the request field a bad token is reported against.
const TokenField = "page_token"

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

// EncodeToken makes the opaque token for a sort key: URL-safe base64 of a
// CRC-32 of the key and the key, so that a token typed or altered by hand is
// recognised as such instead of silently paging from somewhere else.
func EncodeToken(key string) string {
	b := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(key)))
	return base64.RawURLEncoding.EncodeToString(append(b, key...))
}

// DecodeToken returns the sort key of a token made by EncodeToken ("" for the
// empty token, the first page). Anything else is an InvalidArgument naming
// page_token.
func DecodeToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) <= 4 || binary.BigEndian.Uint32(b) != crc32.ChecksumIEEE(b[4:]) {
		return "", InvalidToken()
	}
	return string(b[4:]), nil
}

// InvalidToken is the error for a token this list did not hand out.
func InvalidToken() error {
	return domainerr.Invalid(TokenField, "is not a page token of this list: pass next_page_token from the previous page unchanged, or none for the first page")
}

// Page returns at most size items of sorted (ascending by key, keys unique)
// that come after the item whose token is token ("" starts at the beginning),
// and the token of the next page ("" on the last). A token not made by this
// package is an InvalidArgument (see DecodeToken).
func Page[T any](sorted []T, key func(T) string, token string, size int) ([]T, string, error) {
	after, err := DecodeToken(token)
	if err != nil {
		return nil, "", err
	}
	start := 0
	if token != "" {
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

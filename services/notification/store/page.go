package store

import "github.com/consortia-dev/consortia/services/platform/paging"

// The inbox pages with the platform's tokens (one format for every service
// and adapter); these name the notification lists' default and maximum size.

// PageSize applies the default (20) and the maximum (100) to a requested size.
func PageSize(n int) int { return paging.Size(n, 20, 100) }

// EncodeToken makes the opaque page token for the sort key of a page's last item.
func EncodeToken(key string) string { return paging.EncodeToken(key) }

// DecodeToken returns the sort key of a token ("" for the first page); a token
// this list did not hand out is an InvalidArgument naming page_token.
func DecodeToken(token string) (string, error) { return paging.DecodeToken(token) }

// DecodeTokenError is the InvalidArgument for a page token this list did not hand out.
func DecodeTokenError() error { return paging.InvalidToken() }

// Page returns the items of sorted (ascending by key, keys unique) after the
// token's key, at most size of them, and the next page's token.
func Page[T any](sorted []T, key func(T) string, token string, size int) ([]T, string, error) {
	return paging.Page(sorted, key, token, size)
}

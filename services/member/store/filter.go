package store

import (
	"cmp"
	"github.com/consortia-dev/consortia/services/platform/paging"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/member/domain"
)

// Matches reports whether o passes the filter (shared by adapters that filter in
// process, and the reference semantics for those that do not).
func Matches(o domain.Organization, f Filter) bool {
	if f.ClusterID != "" {
		if _, ok := o.Membership(f.ClusterID); !ok {
			return false
		}
	}
	if f.Capability != "" && !slices.Contains(o.Profile.Capabilities, f.Capability) {
		return false
	}
	if f.CPVPrefix != "" && !slices.ContainsFunc(o.Profile.CPVInterests, func(c string) bool { return strings.HasPrefix(c, f.CPVPrefix) }) {
		return false
	}
	return true
}

// SortKey orders organisations by legal name, then id; it doubles as page token.
func SortKey(o domain.Organization) string { return o.LegalName + "\x00" + o.ID }

// Compare orders by SortKey.
func Compare(a, b domain.Organization) int { return cmp.Compare(SortKey(a), SortKey(b)) }

// PageSize applies the default (100) and maximum (1000) page size.
func PageSize(n int) int { return paging.Size(n, 100, 1000) }

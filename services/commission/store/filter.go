package store

import (
	"cmp"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

// Matches reports whether c passes the filter (the reference semantics every
// adapter implements).
func Matches(c domain.Commission, f Filter) bool {
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" &&
		!strings.Contains(strings.ToLower(c.Name), q) && !strings.Contains(strings.ToLower(c.Theme), q) &&
		!strings.Contains(strings.ToLower(c.Description), q) {
		return false
	}
	if f.Status != 0 && c.Status != f.Status {
		return false
	}
	if f.AgencyConvened && !c.AgencyConvened() {
		return false
	}
	if len(f.ConvenerIDs) > 0 || len(f.SittingAny) > 0 {
		convened := c.ConvenerID != "" && slices.Contains(f.ConvenerIDs, c.ConvenerID)
		sits := slices.ContainsFunc(c.Sitting(), func(m domain.Member) bool { return slices.Contains(f.SittingAny, m.OrganizationID) })
		if !convened && !sits {
			return false
		}
	}
	if f.MemberOrg != "" {
		m, _, ok := c.Member(f.MemberOrg)
		if !ok || (m.Status != domain.MemberStatusJoined && m.Status != domain.MemberStatusInvited) {
			return false
		}
	}
	return true
}

// SortKey orders commissions by name, then id; it is what page tokens hold.
func SortKey(c domain.Commission) string { return c.Name + "\x00" + c.ID }

// Compare orders by SortKey.
func Compare(a, b domain.Commission) int { return cmp.Compare(SortKey(a), SortKey(b)) }

// PageSize applies the default (50) and maximum (500) page size.
func PageSize(n int) int { return paging.Size(n, 50, 500) }

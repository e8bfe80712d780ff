package store

import (
	"cmp"
	"github.com/consortia-dev/consortia/services/platform/paging"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/tender/domain"
)

// MatchesTender is the reference semantics of TenderFilter.
func MatchesTender(t domain.Tender, f TenderFilter) bool {
	if f.Status != 0 && t.Status != f.Status {
		return false
	}
	if f.Status == 0 && f.OpenOnly && !t.Status.Open() {
		return false
	}
	if f.CPVPrefix != "" {
		has := slices.ContainsFunc(t.Details.CPVs, func(c string) bool { return strings.HasPrefix(c, f.CPVPrefix) })
		for _, l := range t.Details.Lots {
			has = has || slices.ContainsFunc(l.CPVs, func(c string) bool { return strings.HasPrefix(c, f.CPVPrefix) })
		}
		if !has {
			return false
		}
	}
	if f.ClusterID != "" && !slices.Contains(t.Clusters(), f.ClusterID) {
		return false
	}
	if !f.DeadlineAfter.IsZero() && !t.Details.Deadline.After(f.DeadlineAfter) {
		return false
	}
	// An unknown deadline is in no deadline window (the zero time is "before" everything).
	if !f.DeadlineBefore.IsZero() && (t.Details.Deadline.IsZero() || !t.Details.Deadline.Before(f.DeadlineBefore)) {
		return false
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" &&
		!strings.Contains(strings.ToLower(t.Details.Title), q) && !strings.Contains(strings.ToLower(t.Details.Authority.Name), q) {
		return false
	}
	return true
}

// TenderKey orders tenders by deadline (soonest first, unknown last), then id;
// it doubles as the page token.
func TenderKey(t domain.Tender) string {
	d := "9999-99-99T99:99:99Z"
	if !t.Details.Deadline.IsZero() {
		d = t.Details.Deadline.UTC().Format("2006-01-02T15:04:05Z")
	}
	return d + "|" + t.ID
}

// CompareTenders orders by TenderKey.
func CompareTenders(a, b domain.Tender) int { return cmp.Compare(TenderKey(a), TenderKey(b)) }

// MatchesConsortium is the reference semantics of ConsortiumFilter.
func MatchesConsortium(c domain.Consortium, f ConsortiumFilter) bool {
	if f.TenderID != "" && c.TenderID != f.TenderID {
		return false
	}
	if f.TenderID != "" && f.LotID != "" && c.LotID != f.LotID {
		return false
	}
	if f.OrganizationID != "" {
		if _, _, ok := c.Member(f.OrganizationID); !ok {
			return false
		}
	}
	if f.LiveOnly && (c.Status == domain.BidDissolved || c.Status == domain.BidLost) {
		return false
	}
	return true
}

// PageSize applies the default (50) and maximum (500).
func PageSize(n int) int { return paging.Size(n, 50, 500) }

package store

import (
	"cmp"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/paging"
	"github.com/consortia-dev/consortia/services/tender/domain"
)

// AwardFilter selects awards of the history (imported results and recorded
// awards). An award's CPV codes are its lot's when the lot has any, else its
// tender's.
type AwardFilter struct {
	// CPVPrefix: one of the award's CPV codes starts with it.
	CPVPrefix string
	// CPVGroups: one of the award's CPV codes is in one of these groups (first
	// 3 digits); empty = any.
	CPVGroups []string
	// WinnerTaxID matches the winner's tax id, case-insensitively.
	WinnerTaxID string
	// ExcludeTenderID leaves out the awards of one tender (the one compared with).
	ExcludeTenderID string
	// Limit applies the default (50) and maximum (500).
	Limit int
}

// AwardRecord is one award with its tender's context.
type AwardRecord struct {
	TenderID, SourceID, Title, Buyer string
	CPVs                             []string
	Award                            domain.Award
	// Position is the award's index in the tender's awards (a stable tie-break).
	Position int
}

// AwardLimit applies the default (50) and maximum (500) number of awards.
func AwardLimit(n int) int { return paging.Size(n, 50, 500) }

// AwardRecords returns the tender's awards as history records.
func AwardRecords(t domain.Tender) []AwardRecord {
	out := make([]AwardRecord, 0, len(t.Details.Awards))
	for i, a := range t.Details.Awards {
		cpvs := t.Details.CPVs
		if l, ok := t.Lot(a.LotID); ok && len(l.CPVs) > 0 {
			cpvs = l.CPVs
		}
		out = append(out, AwardRecord{TenderID: t.ID, SourceID: t.Source.SourceID, Title: t.Details.Title,
			Buyer: t.Details.Authority.Name, CPVs: cpvs, Award: a, Position: i})
	}
	return out
}

// CPVGroup is the group (first 3 digits) of a CPV code, "" for a shorter code.
func CPVGroup(code string) string {
	if len(code) < 3 {
		return ""
	}
	return code[:3]
}

// MatchesAward is the reference semantics of AwardFilter.
func MatchesAward(r AwardRecord, f AwardFilter) bool {
	if f.ExcludeTenderID != "" && r.TenderID == f.ExcludeTenderID {
		return false
	}
	if f.CPVPrefix != "" && !slices.ContainsFunc(r.CPVs, func(c string) bool { return strings.HasPrefix(c, f.CPVPrefix) }) {
		return false
	}
	if len(f.CPVGroups) > 0 && !slices.ContainsFunc(r.CPVs, func(c string) bool { g := CPVGroup(c); return g != "" && slices.Contains(f.CPVGroups, g) }) {
		return false
	}
	if f.WinnerTaxID != "" && !strings.EqualFold(r.Award.WinnerTaxID, f.WinnerTaxID) {
		return false
	}
	return true
}

// CompareAwards orders the history: largest amount first, then source id, lot,
// tender id and position (so that equal awards have one order everywhere).
func CompareAwards(a, b AwardRecord) int {
	return cmp.Or(cmp.Compare(b.Award.AmountCents, a.Award.AmountCents), cmp.Compare(a.SourceID, b.SourceID),
		cmp.Compare(a.Award.LotID, b.Award.LotID), cmp.Compare(a.TenderID, b.TenderID), cmp.Compare(a.Position, b.Position))
}

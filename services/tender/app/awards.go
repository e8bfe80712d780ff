package app

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
)

// AwardRecord is one award of the history, with its tender's context.
type AwardRecord struct {
	SourceID, Title, Buyer string
	CPVs                   []string
	Award                  domain.Award
}

// AwardQuery selects awards.
type AwardQuery struct {
	// LikeTender: awards of tenders sharing a CPV group (3 digits) with it.
	LikeTender, CPVPrefix, WinnerTaxID string
	PageSize                           int
}

// ListAwards searches the award history (imported results and recorded
// awards): who won tenders like this one, largest amount first.
func (s *Service) ListAwards(ctx context.Context, q AwardQuery) ([]AwardRecord, error) {
	if _, err := requireAuth(ctx); err != nil {
		return nil, err
	}
	for _, r := range q.CPVPrefix {
		if r < '0' || r > '9' {
			return nil, domainerr.Invalid("cpv_prefix", "digits only, got %q", q.CPVPrefix)
		}
	}
	var groups []string
	if q.LikeTender != "" {
		t, err := s.store.GetTender(ctx, q.LikeTender)
		if err != nil {
			return nil, err
		}
		for _, c := range t.Details.CPVs {
			if len(c) >= 3 && !slices.Contains(groups, c[:3]) {
				groups = append(groups, c[:3])
			}
		}
	}
	all, err := s.store.AllTenders(ctx)
	if err != nil {
		return nil, err
	}
	var out []AwardRecord
	for _, t := range all {
		if t.ID == q.LikeTender {
			continue
		}
		for _, a := range t.Details.Awards {
			cpvs := t.Details.CPVs
			if l, ok := t.Lot(a.LotID); ok && len(l.CPVs) > 0 {
				cpvs = l.CPVs
			}
			if q.CPVPrefix != "" && !slices.ContainsFunc(cpvs, func(c string) bool { return strings.HasPrefix(c, q.CPVPrefix) }) {
				continue
			}
			if len(groups) > 0 && !slices.ContainsFunc(cpvs, func(c string) bool { return len(c) >= 3 && slices.Contains(groups, c[:3]) }) {
				continue
			}
			if q.WinnerTaxID != "" && !strings.EqualFold(a.WinnerTaxID, q.WinnerTaxID) {
				continue
			}
			out = append(out, AwardRecord{SourceID: t.Source.SourceID, Title: t.Details.Title, Buyer: t.Details.Authority.Name, CPVs: cpvs, Award: a})
		}
	}
	slices.SortFunc(out, func(a, b AwardRecord) int {
		return cmp.Or(cmp.Compare(b.Award.AmountCents, a.Award.AmountCents), cmp.Compare(a.SourceID, b.SourceID), cmp.Compare(a.Award.LotID, b.Award.LotID))
	})
	n := q.PageSize
	if n <= 0 {
		n = 50
	}
	return out[:min(n, 500, len(out))], nil
}

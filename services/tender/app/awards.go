package app

import (
	"context"
	"slices"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// AwardRecord is one award of the history, with its tender's context.
type AwardRecord = store.AwardRecord

// AwardQuery selects awards.
type AwardQuery struct {
	// LikeTender: awards of tenders sharing a CPV group (3 digits) with it.
	LikeTender, CPVPrefix, WinnerTaxID string
	PageSize                           int
}

// ListAwards searches the award history (imported results and recorded
// awards): who won tenders like this one, largest amount first. The read
// model answers the query (store.ListAwards).
func (s *Service) ListAwards(ctx context.Context, q AwardQuery) ([]AwardRecord, error) {
	if _, err := requireAuth(ctx); err != nil {
		return nil, err
	}
	for _, r := range q.CPVPrefix {
		if r < '0' || r > '9' {
			return nil, domainerr.Invalid("cpv_prefix", "digits only, got %q", q.CPVPrefix)
		}
	}
	f := store.AwardFilter{CPVPrefix: q.CPVPrefix, WinnerTaxID: q.WinnerTaxID, Limit: q.PageSize}
	if q.LikeTender != "" {
		t, err := s.store.GetTender(ctx, q.LikeTender)
		if err != nil {
			return nil, err
		}
		f.ExcludeTenderID = t.ID
		for _, c := range t.Details.CPVs {
			if g := store.CPVGroup(c); g != "" && !slices.Contains(f.CPVGroups, g) {
				f.CPVGroups = append(f.CPVGroups, g)
			}
		}
	}
	return s.store.ListAwards(ctx, f)
}

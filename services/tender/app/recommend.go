package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/domain/msg"
	"github.com/consortia-dev/consortia/services/tender/matching"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Ranking explains, for a person, how recommendations are ordered (the
// English text of msg.RecommendRanking).
var Ranking = msg.English(msg.New(msg.RecommendRanking))

// RecommendOptions are the knobs of a recommendation request.
type RecommendOptions struct {
	MaxSize, TopK    int
	IncludeCommitted bool
	Budget           time.Duration
}

// RecommendConsortia proposes the best teams for a tender or lot from the
// active members of the clusters it is shared with (the tender service's own
// member index), excluding organisations already committed on the lot unless
// asked. Every team passes the same eligibility check as consortia do.
//
// Recommendations name companies and show their solvency, so they are for the
// managers of the tender's clusters (who assemble the bids), agency staff and
// administrators; a company is refused. A tender without a deadline is
// evaluated as of today, and every explanation says so; requirements that
// cannot be evaluated are a FailedPrecondition naming the reason, never an
// internal error.
func (s *Service) RecommendConsortia(ctx context.Context, tenderID, lotID string, o RecommendOptions) (matching.Result, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return matching.Result{}, err
	}
	var v domainerr.Violations
	if o.MaxSize < 0 || o.MaxSize > 10 {
		v.Add("max_team_size", "must be between 1 and 10 (0 = default 5), got %d", o.MaxSize)
	}
	if o.TopK < 0 || o.TopK > 50 {
		v.Add("top_k", "must be between 1 and 50 (0 = default 10), got %d", o.TopK)
	}
	if o.Budget < 0 || o.Budget > 30*time.Second {
		v.Add("budget_ms", "must be between 0 and 30000, got %d", o.Budget.Milliseconds())
	}
	if err := v.Err(); err != nil {
		return matching.Result{}, err
	}
	if o.Budget == 0 {
		o.Budget = 2 * time.Second
	}
	t, err := s.GetTender(ctx, tenderID)
	if err != nil {
		return matching.Result{}, err
	}
	if !p.Has(auth.RoleAgency) && !managesAny(p, &t) {
		return matching.Result{}, denied(p, "ask for recommendations for tender "+tenderID+" (the managers of its clusters, agency staff and administrators do)")
	}
	req, err := s.requirements(&t, lotID)
	if err != nil {
		return matching.Result{}, err
	}
	companies, err := s.store.ListCompanies(ctx, t.Clusters())
	if err != nil {
		return matching.Result{}, err
	}
	committed := map[string]bool{}
	if !o.IncludeCommitted {
		cs, err := s.store.ListConsortia(ctx, store.ConsortiumFilter{TenderID: t.ID, LotID: lotID, LiveOnly: true})
		if err != nil {
			return matching.Result{}, err
		}
		for _, c := range cs {
			if c.LotID != lotID {
				continue
			}
			for _, m := range c.Joined() {
				committed[m.OrganizationID] = true
			}
		}
	}
	pool := make([]eligibility.Company, 0, len(companies))
	for _, c := range companies {
		if !committed[c.ID] {
			pool = append(pool, c.Eligibility(t.Clusters()))
		}
	}
	res, err := matching.Recommend(ctx, req, pool, matching.Options{MaxSize: o.MaxSize, TopK: o.TopK, Budget: o.Budget, SharedClusters: t.Clusters()})
	if errors.Is(err, matching.ErrInvalidRequest) {
		why := strings.TrimPrefix(err.Error(), matching.ErrInvalidRequest.Error()+": ")
		return res, domainerr.Precondition("tender_requirements", "tender/"+t.ID, "the requirements of tender %s cannot be evaluated: %s", t.ID, why)
	}
	if err != nil {
		return res, err
	}
	if req.DeadlineAssumed {
		for i := range res.Teams {
			res.Teams[i].SetWhy(append([]msg.Message{msg.New(msg.RecommendNoDeadline)}, res.Teams[i].WhyMessages...))
		}
	}
	return res, nil
}

// NoDeadlineNote opens the explanation of a recommendation for a tender
// without a deadline (the English text of msg.RecommendNoDeadline).
var NoDeadlineNote = msg.English(msg.New(msg.RecommendNoDeadline))

// Drafts turns a recommendation into the members of a new consortium: the first
// member (highest individual score) leads.
func Drafts(r matching.Recommendation) []domain.Draft {
	out := make([]domain.Draft, len(r.Team.Members))
	best := int64(-1)
	lead := 0
	for i, m := range r.Team.Members {
		out[i] = domain.Draft{OrganizationID: m.Company.ID}
		for _, ms := range r.Score.Members {
			if ms.CompanyID == m.Company.ID && ms.Total > best {
				best, lead = ms.Total, i
			}
		}
	}
	if len(out) > 0 {
		out[lead].Lead = true
	}
	return out
}

package app

import (
	"context"
	"errors"
	"slices"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// mayRead reports whether p may see organisation orgID's solvency evidence
// (turnover, references, certifications), by the rule the member service
// applies to profiles (README, "Who sees what"), judged on the tender
// service's own company index: administrators and agency staff see every
// organisation; a company itself and the fellow active members of its
// clusters; a cluster manager the active members of the clusters they manage.
// Besides, anyone sees the members of the consortia they are in (invited or
// joined) or manage (as a manager of the tender's clusters). An organisation
// unknown to the index is not visible to the others, so a refusal does not
// tell whether it exists.
func (s *Service) mayRead(ctx context.Context, p *auth.Principal, orgID string) (bool, error) {
	if p.Has(auth.RoleAdmin) || p.Has(auth.RoleAgency) || p.ActsFor(orgID) {
		return true, nil
	}
	co, err := s.store.GetCompany(ctx, orgID)
	switch {
	case err == nil:
		var mine []string
		if p.Has(auth.RoleCompany) && p.Organization != "" {
			if own, err := s.store.GetCompany(ctx, p.Organization); err == nil {
				mine = own.ActiveIn
			} else if !errors.Is(err, domainerr.ErrNotFound) {
				return false, err
			}
		}
		for _, c := range co.ActiveIn {
			if p.ManagesCluster(c) || slices.Contains(mine, c) {
				return true, nil
			}
		}
	case !errors.Is(err, domainerr.ErrNotFound):
		return false, err
	}
	cs, err := s.store.ListConsortia(ctx, store.ConsortiumFilter{OrganizationID: orgID})
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if p.Has(auth.RoleCompany) && holds(&c, p.Organization) && holds(&c, orgID) {
			return true, nil
		}
		t, err := s.store.GetTender(ctx, c.TenderID)
		if err != nil {
			if errors.Is(err, domainerr.ErrNotFound) {
				continue
			}
			return false, err
		}
		if managesAny(p, &t) {
			return true, nil
		}
	}
	return false, nil
}

// holds: orgID is invited to or has joined consortium c.
func holds(c *domain.Consortium, orgID string) bool {
	m, _, ok := c.Member(orgID)
	return ok && (m.Status == domain.MemberInvited || m.Status == domain.MemberJoined)
}

// requirements are the eligibility rules of a tender or lot. A tender without
// a submission deadline (none of the 5,355 tenders of the real OpenPLACSP
// spreadsheet export gives one) is checked as of today: certifications must be valid
// today, turnover and references count for the three years before today, and
// the certification results say so (eligibility.Requirements.DeadlineAssumed).
func (s *Service) requirements(t *domain.Tender, lotID string) (eligibility.Requirements, error) {
	req, err := t.EligibilityRequirements(lotID)
	if err != nil {
		return req, err
	}
	if req.Deadline.IsZero() {
		req.Deadline, req.DeadlineAssumed = s.now(), true
	}
	return req, nil
}

package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Who may do what (README "Who sees what"):
//   - administrators: everything;
//   - agency staff: read every commission, manage those the agency convenes;
//   - a cluster manager: manage the commissions their cluster convenes, read
//     those an organisation of their cluster sits on;
//   - a company: read the commissions it sits on or is invited to, answer its
//     invitations, complete the decisions it owns.

// canManage reports whether p may change commission c.
func canManage(p *auth.Principal, c *domain.Commission) bool {
	switch {
	case p.Has(auth.RoleAdmin):
		return true
	case c.AgencyConvened():
		return p.Has(auth.RoleAgency)
	default:
		return p.ManagesCluster(c.ConvenerID)
	}
}

func denied(p *auth.Principal, what string) error {
	return fmt.Errorf("%s may not %s: %w", p.Actor(), what, domainerr.ErrPermissionDenied)
}

// manage is the authorisation of the managers' commands.
func manage(p *auth.Principal, c *domain.Commission) error {
	if canManage(p, c) {
		return nil
	}
	return denied(p, "change commission "+c.ID)
}

// reader returns whether the caller may read a commission. A manager's
// "their cluster sits on it" is judged from the service's own directory of
// active memberships.
func (s *Service) reader(ctx context.Context) func(*domain.Commission) bool {
	p := auth.FromContext(ctx)
	if p.Has(auth.RoleAdmin) || p.Has(auth.RoleAgency) {
		return func(*domain.Commission) bool { return true }
	}
	inManaged := map[string]bool{} // organisation → active in a cluster the caller manages
	managed := func(orgID string) bool {
		if v, ok := inManaged[orgID]; ok {
			return v
		}
		o, err := s.store.GetOrganization(ctx, orgID)
		v := err == nil && slices.ContainsFunc(o.ActiveIn, p.ManagesCluster)
		inManaged[orgID] = v
		return v
	}
	return func(c *domain.Commission) bool {
		if canManage(p, c) {
			return true
		}
		if p.Has(auth.RoleCompany) && p.Organization != "" {
			if m, _, ok := c.Member(p.Organization); ok && (m.Status == domain.MemberStatusJoined || m.Status == domain.MemberStatusInvited) {
				return true
			}
		}
		if p.Has(auth.RoleClusterManager) {
			for _, m := range c.Sitting() {
				if managed(m.OrganizationID) {
					return true
				}
			}
		}
		return false
	}
}

// read is the authorisation of reads of one commission.
func (s *Service) read(ctx context.Context, c *domain.Commission) error {
	if s.reader(ctx)(c) {
		return nil
	}
	return denied(auth.FromContext(ctx), "read commission "+c.ID)
}

// mayCreate: the agency convenes its own commissions, a manager their cluster's.
func mayCreate(p *auth.Principal, convenerID string) error {
	switch {
	case p.Has(auth.RoleAdmin):
		return nil
	case convenerID == "" && p.Has(auth.RoleAgency):
		return nil
	case convenerID != "" && p.ManagesCluster(convenerID):
		return nil
	case convenerID == "":
		return denied(p, "create a commission convened by the agency (agency staff only)")
	}
	return denied(p, "create a commission convened by cluster "+convenerID+" (its managers only)")
}

// reportClusters returns the clusters the caller may get figures for: agency
// staff and administrators any (empty: all), a cluster manager their own
// (empty: all of theirs); anyone else none.
func reportClusters(p *auth.Principal, asked []string) ([]string, error) {
	switch {
	case p.Has(auth.RoleAdmin) || p.Has(auth.RoleAgency):
		return asked, nil
	case p.Has(auth.RoleClusterManager):
		if len(asked) == 0 {
			return slices.Clone(p.Clusters), nil
		}
		for _, c := range asked {
			if !p.ManagesCluster(c) {
				return nil, denied(p, "see the figures of cluster "+c)
			}
		}
		return asked, nil
	}
	return nil, denied(p, "see cross-cluster figures (agency staff and cluster managers)")
}

package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// membersURL is the members page, where membership actions return.
const membersURL = "/members"

// membersData is the cluster manager's members page: one section per managed cluster.
type membersData struct {
	Clusters []clusterMembers
	// SizeBands are the choices of the form registering a company.
	SizeBands []memberv1.SizeBand
}

// clusterMembers is a cluster with the organisations holding a membership of
// it, pending requests first.
type clusterMembers struct {
	Cluster   *memberv1.Cluster
	Rows      []memberRow
	Requested int
	Active    int
	Suspended int
}

// memberRow is an organisation with its membership of the cluster shown.
type memberRow struct {
	Org *memberv1.Organization
	M   *memberv1.Membership
}

// CanApprove reports whether the membership may be approved (requested or suspended).
func (m memberRow) CanApprove() bool {
	return m.M.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED ||
		m.M.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_SUSPENDED
}

// CanSuspend reports whether the membership may be suspended (active).
func (m memberRow) CanSuspend() bool {
	return m.M.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE
}

// Suspended reports whether the membership is suspended (its reason is shown).
func (m memberRow) Suspended() bool {
	return m.M.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_SUSPENDED
}

// membershipOrder ranks statuses on the members page: pending requests first,
// then active members, then suspended ones.
var membershipOrder = map[memberv1.MembershipStatus]int{
	memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED: 0,
	memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE:    1,
	memberv1.MembershipStatus_MEMBERSHIP_STATUS_SUSPENDED: 2,
}

// managerOnly checks that the user is a cluster manager or an administrator
// (who acts for any cluster), or renders a 403 page.
func (s *Server) managerOnly(w http.ResponseWriter, r *http.Request) bool {
	if !managesClusters(principal(r)) {
		s.errorPage(w, r, http.StatusForbidden, localeOf(r).T("error.manageronly"))
		return false
	}
	return true
}

// listOrganizations pages through ListOrganizations until the end.
func (s *Server) listOrganizations(ctx context.Context, req *memberv1.ListOrganizationsRequest) ([]*memberv1.Organization, error) {
	var out []*memberv1.Organization
	if req.PageSize == 0 {
		req.PageSize = 500
	}
	for {
		resp, err := s.d.Member.ListOrganizations(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list organizations: %w", err)
		}
		out = append(out, resp.GetOrganizations()...)
		if resp.GetNextPageToken() == "" {
			return out, nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
}

// membersOf returns the organisations with a membership (any status) of a
// cluster, pending requests first, then by legal name as the service orders them.
func (s *Server) membersOf(ctx context.Context, clusterID string) ([]memberRow, error) {
	orgs, err := s.listOrganizations(ctx, &memberv1.ListOrganizationsRequest{ClusterId: clusterID})
	if err != nil {
		return nil, err
	}
	var rows []memberRow
	for _, o := range orgs {
		i := slices.IndexFunc(o.GetMemberships(), func(m *memberv1.Membership) bool { return m.GetClusterId() == clusterID })
		if i < 0 {
			continue
		}
		rows = append(rows, memberRow{Org: o, M: o.GetMemberships()[i]})
	}
	slices.SortStableFunc(rows, func(a, b memberRow) int {
		return membershipOrder[a.M.GetStatus()] - membershipOrder[b.M.GetStatus()]
	})
	return rows, nil
}

// pendingRequests counts the requested memberships of the manager's clusters.
func (s *Server) pendingRequests(ctx context.Context, p *auth.Principal) (int, error) {
	n := 0
	for _, id := range p.Clusters {
		rows, err := s.membersOf(ctx, id)
		if err != nil {
			return 0, err
		}
		for _, row := range rows {
			if row.M.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED {
				n++
			}
		}
	}
	return n, nil
}

// managedClusters returns the ids of the clusters the user manages: a
// manager's own, every cluster for an administrator.
func (s *Server) managedClusters(r *http.Request) ([]string, error) {
	p := principal(r)
	if !isAdmin(p) {
		return p.Clusters, nil
	}
	resp, err := s.d.Member.ListClusters(rpc(r), &memberv1.ListClustersRequest{})
	if err != nil {
		return nil, fmt.Errorf("list clusters: %w", err)
	}
	var ids []string
	for _, c := range resp.GetClusters() {
		ids = append(ids, c.GetId())
	}
	return ids, nil
}

// membersPage lists, for each cluster the manager manages (every cluster for
// an administrator), the organisations with a membership of it, with approve
// and suspend actions.
func (s *Server) membersPage(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	ctx := rpc(r)
	d := membersData{SizeBands: sizeBands}
	ids, err := s.managedClusters(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, id := range ids {
		c, err := s.d.Member.GetCluster(ctx, &memberv1.GetClusterRequest{ClusterId: id})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rows, err := s.membersOf(ctx, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		cm := clusterMembers{Cluster: c.GetCluster(), Rows: rows}
		for _, row := range rows {
			switch row.M.GetStatus() {
			case memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED:
				cm.Requested++
			case memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE:
				cm.Active++
			case memberv1.MembershipStatus_MEMBERSHIP_STATUS_SUSPENDED:
				cm.Suspended++
			}
		}
		d.Clusters = append(d.Clusters, cm)
	}
	s.render(w, r, http.StatusOK, "members", "membership.title", d)
}

// approveMembership makes a requested or suspended membership active. The
// service checks that the user manages the form's cluster.
func (s *Server) approveMembership(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	resp, err := s.d.Member.ApproveMembership(rpc(r), &memberv1.ApproveMembershipRequest{
		OrganizationId: r.PathValue("org"), ClusterId: r.FormValue("cluster"),
	})
	if err != nil {
		s.actionFail(w, r, err, membersURL)
		return
	}
	done(w, r, membersURL, "membership.approved", resp.GetOrganization().GetLegalName())
}

// suspendMembership suspends an active membership; the service requires a reason.
func (s *Server) suspendMembership(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	resp, err := s.d.Member.SuspendMembership(rpc(r), &memberv1.SuspendMembershipRequest{
		OrganizationId: r.PathValue("org"), ClusterId: r.FormValue("cluster"), Reason: strings.TrimSpace(r.FormValue("reason")),
	})
	if err != nil {
		s.actionFail(w, r, err, membersURL)
		return
	}
	done(w, r, membersURL, "membership.suspended", resp.GetOrganization().GetLegalName())
}

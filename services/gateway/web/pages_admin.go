package web

import (
	"net/http"
	"slices"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// adminURL is the administrator's page.
const adminURL = "/admin"

// adminData is the administrator's page: the clusters with their managers,
// the users the console knows and the roles with what each may do.
type adminData struct {
	Clusters []adminCluster
	Users    []adminUser
	Roles    []string
	// Dev: the users are the development users; in production they come
	// from the identity provider and are not listed here.
	Dev bool
}

// adminCluster is a cluster with its members' tally and its managers.
type adminCluster struct {
	C        *memberv1.Cluster
	Managers []string // the known users who manage it
	Members  int      // organisations with an active membership
}

// adminUser is a known user with its roles and what it acts for.
type adminUser struct {
	Key, Name, Email string
	Roles            []string
	Org              string   // organisation's legal name (company users)
	Clusters         []string // managed clusters' names
}

// adminRoles are the roles in the order the page explains them.
var adminRoles = []string{auth.RoleAdmin, auth.RoleAgency, auth.RoleClusterManager, auth.RoleCompany}

// adminPage lists the clusters, the users and the roles (administrators only).
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) {
	if !isAdmin(principal(r)) {
		s.errorPage(w, r, http.StatusForbidden, localeOf(r).T("error.adminonly"))
		return
	}
	ctx := rpc(r)
	resp, err := s.d.Member.ListClusters(ctx, &memberv1.ListClustersRequest{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, c := range resp.GetClusters() {
		names[c.GetId()] = c.GetName()
	}
	orgs, err := s.listOrganizations(ctx, &memberv1.ListOrganizationsRequest{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orgNames, active := map[string]string{}, map[string]int{}
	for _, o := range orgs {
		orgNames[o.GetId()] = o.GetLegalName()
		for _, m := range o.GetMemberships() {
			if m.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE {
				active[m.GetClusterId()]++
			}
		}
	}
	d := adminData{Roles: adminRoles, Dev: s.d.Issuer != nil && len(s.d.Users) > 0}
	for _, c := range resp.GetClusters() {
		ac := adminCluster{C: c, Members: active[c.GetId()]}
		for _, u := range s.d.Users {
			if slices.Contains(u.Claims.Roles, auth.RoleClusterManager) && slices.Contains(u.Claims.Clusters, c.GetId()) {
				ac.Managers = append(ac.Managers, u.Claims.Name)
			}
		}
		d.Clusters = append(d.Clusters, ac)
	}
	if d.Dev {
		for _, u := range s.d.Users {
			au := adminUser{Key: u.Key, Name: u.Claims.Name, Email: u.Claims.Email, Roles: u.Claims.Roles}
			if o := u.Claims.Organization; o != "" {
				au.Org = orgNames[o]
				if au.Org == "" {
					au.Org = o
				}
			}
			for _, c := range u.Claims.Clusters {
				if n := names[c]; n != "" {
					c = n
				}
				au.Clusters = append(au.Clusters, c)
			}
			d.Users = append(d.Users, au)
		}
	}
	s.render(w, r, http.StatusOK, "admin", "admin.title", d)
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
)

// memberData is one organisation as a cluster manager sees it: profile,
// certifications, turnover, references and memberships.
type memberData struct {
	Org *memberv1.Organization
	// Clusters names the clusters of its memberships.
	Clusters map[string]string
}

// memberPage shows an organisation to a manager of one of its clusters (the
// member service decides who may read it; a refusal is the translated
// forbidden page).
func (s *Server) memberPage(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	ctx := rpc(r)
	resp, err := s.d.Member.GetOrganization(ctx, &memberv1.GetOrganizationRequest{OrganizationId: r.PathValue("org")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, _ := s.clusterNames(r)
	d := memberData{Org: resp.GetOrganization(), Clusters: names}
	s.render(w, r, http.StatusOK, "member", "member.title", d)
}

// registerOrganization registers a company from the members page (legal
// name, tax id, size, headcount). It then requests membership from its own
// profile; the manager approves it on the members page.
func (s *Server) registerOrganization(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	headcount := int64(0)
	if h := strings.TrimSpace(r.FormValue("headcount")); h != "" {
		n, err := strconv.ParseInt(h, 10, 32)
		if err != nil || n < 0 {
			invalidInput(w, r, membersURL, "member.register.badheadcount")
			return
		}
		headcount = n
	}
	size := memberv1.SizeBand(memberv1.SizeBand_value[r.FormValue("size")])
	resp, err := s.d.Member.RegisterOrganization(rpc(r), &memberv1.RegisterOrganizationRequest{
		Kind:      memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY,
		LegalName: strings.TrimSpace(r.FormValue("legal_name")),
		TaxId:     strings.TrimSpace(r.FormValue("tax_id")),
		Profile:   &memberv1.OrganizationProfile{SizeBand: size, Headcount: int32(headcount)},
	})
	if err != nil {
		s.actionFail(w, r, err, membersURL)
		return
	}
	// Back to the list: the manager reads the company once it is a member
	// (the member service lets a manager read its clusters' members only).
	done(w, r, membersURL, "member.registered", resp.GetOrganization().GetLegalName())
}

// requestMembership is a company asking to join a cluster from its profile;
// the cluster's manager approves it.
func (s *Server) requestMembership(w http.ResponseWriter, r *http.Request) {
	org, ok := s.companyOrg(w, r)
	if !ok {
		return
	}
	if _, err := s.d.Member.RequestMembership(rpc(r), &memberv1.RequestMembershipRequest{OrganizationId: org, ClusterId: r.FormValue("cluster")}); err != nil {
		s.actionFail(w, r, err, "/profile")
		return
	}
	done(w, r, "/profile", "member.requested")
}

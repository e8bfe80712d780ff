package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// consortiumData is the consortium page.
type consortiumData struct {
	Row       consortiumRow
	T         *tenderv1.Tender
	Audit     []*tenderv1.AuditEvent
	AuditErr  string
	CanManage bool
	CanLead   bool                     // may change the lead, withdraw invitations and submit (lead company or a tender's manager)
	CanRemove bool                     // may remove a joined member (a manager of one of the tender's clusters)
	Pending   string                   // legal names of the invited who have not answered, comma-separated
	Org       string                   // the viewing company, if any
	Invitable []*memberv1.Organization // cluster members not in the consortium (managers)
	Names     map[string]string        // organisation id → legal name
	Roles     *roleChoices             // what the viewing member may say it covers (joined, open consortium)
}

// consortiumPage shows a consortium: members and their answers, shares, the
// eligibility panel (each rule, needed vs have) and the audit trail.
func (s *Server) consortiumPage(w http.ResponseWriter, r *http.Request) {
	ctx := rpc(r)
	id := r.PathValue("id")
	resp, err := s.d.Tender.GetConsortium(ctx, &tenderv1.GetConsortiumRequest{ConsortiumId: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	c := resp.GetConsortium()
	d := consortiumData{Row: rowOf(c, p.Organization), Org: p.Organization, Names: map[string]string{}}
	for _, m := range c.GetMembers() {
		d.Names[m.GetOrganizationId()] = m.GetLegalName()
	}
	d.T = s.newTenderCache().get(ctx, c.GetTenderId())
	d.Row.Tender = d.T
	d.CanManage = d.T != nil && canManage(p, d.T.GetClusterId())
	if open(c) {
		d.CanLead, d.CanRemove = leadsConsortium(p, c, d.T), managesTender(p, d.T)
		if m := d.Row.Mine; m.GetStatus() == tenderv1.MemberStatus_MEMBER_STATUS_JOINED {
			d.Roles = rolesOf(d.T, m)
		}
	}
	var pending []string
	for _, m := range c.GetMembers() {
		if m.GetStatus() == tenderv1.MemberStatus_MEMBER_STATUS_INVITED {
			pending = append(pending, memberName(c, m.GetOrganizationId()))
		}
	}
	d.Pending = strings.Join(pending, ", ")
	if d.CanLead {
		// The lead company lists the fellow members of the tender's cluster
		// (it may see them); a manager of a cluster the tender is shared with
		// may not list the owning cluster's, and gets no list.
		orgs, err := s.d.Member.ListOrganizations(ctx, &memberv1.ListOrganizationsRequest{ClusterId: d.T.GetClusterId(), PageSize: 1000})
		if err == nil {
			in := map[string]bool{}
			for _, m := range c.GetMembers() {
				in[m.GetOrganizationId()] = true
			}
			for _, o := range orgs.GetOrganizations() {
				// Only an active member of the tender's cluster may be
				// invited (the tender service refuses requested and
				// suspended memberships).
				if !in[o.GetId()] && activeMember(o, d.T.GetClusterId()) {
					d.Invitable = append(d.Invitable, o)
				}
			}
		}
	}
	d.Audit, d.AuditErr = s.audit(r, "consortium", id)
	s.render(w, r, http.StatusOK, "consortium", "consortium.title", d)
}

// activeMember reports whether o is an active member of cluster.
func activeMember(o *memberv1.Organization, cluster string) bool {
	return slices.ContainsFunc(o.GetMemberships(), func(m *memberv1.Membership) bool {
		return m.GetClusterId() == cluster && m.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE
	})
}

// open reports whether a consortium still takes invitations and answers.
func open(c *tenderv1.Consortium) bool {
	return c.GetStatus() == tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING || c.GetStatus() == tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_READY
}

// orgFor returns the organisation a company user acts for: the form's
// "organization" field falls back to the token's organisation. The service
// checks that the caller may act for it.
func orgFor(r *http.Request) string {
	if o := r.FormValue("organization"); o != "" {
		return o
	}
	return principal(r).Organization
}

func consortiumURL(id string) string { return "/consortia/" + url.PathEscape(id) }

// acceptInvitation joins the consortium.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.d.Tender.AcceptInvitation(rpc(r), &tenderv1.AcceptInvitationRequest{ConsortiumId: id, OrganizationId: orgFor(r)})
	if err != nil {
		s.actionFail(w, r, err, back(r, consortiumURL(id)))
		return
	}
	done(w, r, back(r, consortiumURL(id)), "invitation.accepted")
}

// declineInvitation declines the invitation, with an optional reason.
func (s *Server) declineInvitation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.d.Tender.DeclineInvitation(rpc(r), &tenderv1.DeclineInvitationRequest{ConsortiumId: id, OrganizationId: orgFor(r), Reason: strings.TrimSpace(r.FormValue("reason"))})
	if err != nil {
		s.actionFail(w, r, err, back(r, consortiumURL(id)))
		return
	}
	done(w, r, back(r, consortiumURL(id)), "invitation.declined")
}

// parsePercent reads a share in percent ("33,5" or "33.5") as hundredths of a percent.
func parsePercent(s string) (int32, bool) {
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), ",", "."), 64)
	if err != nil || f <= 0 || f > 100 {
		return 0, false
	}
	return int32(math.Round(f * 100)), true
}

// setShare sets a joined member's share.
func (s *Server) setShare(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	to := back(r, consortiumURL(id))
	bp, ok := parsePercent(r.FormValue("share"))
	if !ok {
		invalidInput(w, r, to, "share.invalid")
		return
	}
	_, err := s.d.Tender.SetShare(rpc(r), &tenderv1.SetShareRequest{ConsortiumId: id, OrganizationId: orgFor(r), ShareBp: bp})
	if err != nil {
		s.actionFail(w, r, err, to)
		return
	}
	done(w, r, to, "share.set", localeOf(r).Percent(bp))
}

// inviteMember invites another organisation (cluster manager).
func (s *Server) inviteMember(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.d.Tender.InviteMember(rpc(r), &tenderv1.InviteMemberRequest{ConsortiumId: id, OrganizationId: r.FormValue("organization")})
	if err != nil {
		s.actionFail(w, r, err, consortiumURL(id))
		return
	}
	done(w, r, consortiumURL(id), "consortium.invited")
}

// submitConsortium records the submission of the bid.
func (s *Server) submitConsortium(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.d.Tender.SubmitConsortium(rpc(r), &tenderv1.SubmitConsortiumRequest{ConsortiumId: id})
	if err != nil {
		s.consortiumFail(w, r, err, id)
		return
	}
	done(w, r, consortiumURL(id), "consortium.submitted")
}

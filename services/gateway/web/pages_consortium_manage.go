package web

import (
	"net/http"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// The consortium actions below follow the tender service's rules, so the
// page shows a button only to whom the service would allow it:
//   - change the lead, withdraw an unanswered invitation, submit: the lead
//     company or a manager of one of the tender's clusters (leads);
//   - remove a joined member: a manager (managesTender) — the member itself
//     leaves from its own panel.

// managesTender reports whether p manages one of the tender's clusters (the
// owning one or one it is shared with), or is an administrator.
func managesTender(p *auth.Principal, t *tenderv1.Tender) bool {
	if p == nil || t == nil {
		return false
	}
	if p.Has(auth.RoleAdmin) || p.ManagesCluster(t.GetClusterId()) {
		return true
	}
	for _, c := range t.GetSharedWith() {
		if p.ManagesCluster(c) {
			return true
		}
	}
	return false
}

// leadsConsortium reports whether p may act as the consortium's lead.
func leadsConsortium(p *auth.Principal, c *tenderv1.Consortium, t *tenderv1.Tender) bool {
	if managesTender(p, t) {
		return true
	}
	for _, m := range c.GetMembers() {
		if m.GetLead() && m.GetStatus() == tenderv1.MemberStatus_MEMBER_STATUS_JOINED {
			return p.ActsFor(m.GetOrganizationId())
		}
	}
	return false
}

// changeLead names another joined member as the lead.
func (s *Server) changeLead(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	org := r.FormValue("organization")
	resp, err := s.d.Tender.ChangeLead(rpc(r), &tenderv1.ChangeLeadRequest{ConsortiumId: id, OrganizationId: org})
	if err != nil {
		s.consortiumFail(w, r, err, id)
		return
	}
	done(w, r, consortiumURL(id), "consortium.lead.changed", memberName(resp.GetConsortium(), org))
}

// withdrawMember removes a joined member (manager) or withdraws an
// unanswered invitation (lead or manager).
func (s *Server) withdrawMember(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	org := r.FormValue("organization")
	resp, err := s.d.Tender.WithdrawMember(rpc(r), &tenderv1.WithdrawMemberRequest{ConsortiumId: id, OrganizationId: org, Reason: strings.TrimSpace(r.FormValue("reason"))})
	if err != nil {
		s.consortiumFail(w, r, err, id)
		return
	}
	done(w, r, consortiumURL(id), "consortium.member.removed", memberName(resp.GetConsortium(), org))
}

func memberName(c *tenderv1.Consortium, org string) string {
	for _, m := range c.GetMembers() {
		if m.GetOrganizationId() == org && m.GetLegalName() != "" {
			return m.GetLegalName()
		}
	}
	return org
}

// consortiumFail reports a refused consortium action in the page's language:
// a refusal is the catalogue's text (not the service's English with ids), and
// a pending invitation names the organisation by its legal name.
func (s *Server) consortiumFail(w http.ResponseWriter, r *http.Request, err error, id string) {
	st := status.Convert(err)
	l := localeOf(r)
	switch st.Code() {
	case codes.PermissionDenied:
		setFlash(w, flash{Kind: "error", Key: "error.forbidden"})
		http.Redirect(w, r, consortiumURL(id), http.StatusSeeOther)
		return
	case codes.FailedPrecondition:
	default:
		s.actionFail(w, r, err, consortiumURL(id))
		return
	}
	var c *tenderv1.Consortium
	if resp, err := s.d.Tender.GetConsortium(rpc(r), &tenderv1.GetConsortiumRequest{ConsortiumId: id}); err == nil {
		c = resp.GetConsortium()
	}
	f := flash{Kind: "error", Msg: l.T("consortium.refused")}
	rules := false
	for _, d := range st.Details() {
		pf, ok := d.(*errdetails.PreconditionFailure)
		if !ok {
			continue
		}
		for _, v := range pf.GetViolations() {
			org := strings.TrimPrefix(v.GetSubject(), "organization/")
			switch v.GetType() {
			case "invitation_pending":
				f.Items = append(f.Items, l.T("violation.invitation_pending", memberName(c, org)))
			case "lead":
				f.Items = append(f.Items, l.T("violation.lead"))
			case "membership":
				f.Items = append(f.Items, l.T("violation.membership"))
			default:
				if c == nil {
					f.Items = append(f.Items, v.GetSubject()+": "+v.GetDescription())
				}
				rules = true
			}
		}
	}
	// The eligibility rules that fail, as the page's eligibility panel words them.
	if rules && c != nil {
		names := map[string]string{}
		for _, m := range c.GetMembers() {
			names[m.GetOrganizationId()] = m.GetLegalName()
		}
		for _, res := range c.GetEligibility().GetResults() {
			if !res.GetOk() {
				f.Items = append(f.Items, l.rule(res, names).Detail)
			}
		}
	}
	setFlash(w, f)
	http.Redirect(w, r, consortiumURL(id), http.StatusSeeOther)
}

// hasViolation reports whether err carries a precondition violation of type typ.
func hasViolation(err error, typ string) bool {
	for _, d := range status.Convert(err).Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				if v.GetType() == typ {
					return true
				}
			}
		}
	}
	return false
}

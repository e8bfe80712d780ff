package web

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// Who may use which action. The console shows an action only to whom the
// services allow it; each helper below restates one service rule over the
// session's claims and the object (the services still decide every call):
//
//   - managesClusters (tender service CreateTender, ImportTenders; member
//     service Approve/SuspendMembership): a cluster manager for the clusters it
//     manages, an administrator for any cluster;
//   - canManage (publish, change the deadline, award, cancel): the manager of
//     the tender's owning cluster, or an administrator;
//   - managesTender (recommend, form a consortium from a team, remove a
//     member): a manager of the owning cluster or of one the tender is shared
//     with, or an administrator;
//   - leadsConsortium (change the lead, invite, withdraw an invitation,
//     submit): managesTender or the lead company;
//   - a company's own bid: an active member of one of the tender's clusters
//     (activeIn), the tender planned or active (takesConsortia);
//   - mayOpen (links to a tender or a consortium from another page): the
//     service's own answer to reading it.

// managesClusters reports whether p manages clusters (the manager's pages:
// members, new tender, import): cluster managers and administrators.
func managesClusters(p *auth.Principal) bool {
	return p.Has(auth.RoleClusterManager) || p.Has(auth.RoleAdmin)
}

// isAdmin reports whether p is a platform administrator.
func isAdmin(p *auth.Principal) bool { return p.Has(auth.RoleAdmin) }

// activeIn returns the clusters org is an active member of; a tender
// service rule for joining or forming a consortium (checkEligibleMember) is
// an active membership of one of the tender's clusters. Nil when the
// organisation cannot be read.
func (s *Server) activeIn(r *http.Request, org string) []string {
	resp, err := s.d.Member.GetOrganization(rpc(r), &memberv1.GetOrganizationRequest{OrganizationId: org})
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range resp.GetOrganization().GetMemberships() {
		if m.GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE {
			out = append(out, m.GetClusterId())
		}
	}
	return out
}

// tenderClusters are the owning cluster and those the tender is shared with.
func tenderClusters(t *tenderv1.Tender) []string {
	return append([]string{t.GetClusterId()}, t.GetSharedWith()...)
}

// takesConsortia reports whether consortia may still be formed for the
// tender (planned or active: the tender service refuses others).
func takesConsortia(t *tenderv1.Tender) bool {
	st := t.GetStatus()
	return st == tenderv1.TenderStatus_TENDER_STATUS_PLANNED || st == tenderv1.TenderStatus_TENDER_STATUS_ACTIVE
}

// mayOpen asks the tender service whether the user may read a tender or a
// consortium that another page links to (a commission's linked tenders and
// consortia may belong to bids the user is not part of); only a refusal
// hides the link.
func (s *Server) mayOpen(r *http.Request, kind, id string) bool {
	var err error
	switch kind {
	case "tender":
		_, err = s.d.Tender.GetTender(rpc(r), &tenderv1.GetTenderRequest{TenderId: id})
	case "consortium":
		_, err = s.d.Tender.GetConsortium(rpc(r), &tenderv1.GetConsortiumRequest{ConsortiumId: id})
	}
	return status.Code(err) != codes.PermissionDenied
}

// failureHeadline is a refused action's message in the page's language, by
// the service's status code (its English message with ids is not shown).
func failureHeadline(l *Locale, code codes.Code) string {
	switch code {
	case codes.PermissionDenied:
		return l.T("error.forbidden")
	case codes.InvalidArgument:
		return l.T("error.invalid")
	case codes.FailedPrecondition:
		return l.T("error.precondition")
	case codes.NotFound:
		return l.T("error.notfound")
	case codes.AlreadyExists:
		return l.T("error.exists")
	case codes.Aborted:
		return l.T("error.conflict")
	case codes.Unavailable, codes.DeadlineExceeded:
		return l.T("error.unavailable")
	}
	return l.T("error.failed")
}

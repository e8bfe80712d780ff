package web

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
//   - mayOpen (links to a tender or a consortium from another page): the
//     service's own answer to reading it.

// managesClusters reports whether p manages clusters (the manager's pages:
// members, new tender, import): cluster managers and administrators.
func managesClusters(p *auth.Principal) bool {
	return p.Has(auth.RoleClusterManager) || p.Has(auth.RoleAdmin)
}

// isAdmin reports whether p is a platform administrator.
func isAdmin(p *auth.Principal) bool { return p.Has(auth.RoleAdmin) }

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

package web

import (
	"net/http"
	"slices"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// roleChoices are the tender's required capabilities and certification
// kinds, each ticked when the member already covers it: the "covers" form
// of a joined member.
type roleChoices struct {
	Capabilities []roleChoice
	Certs        []roleChoice
}

// roleChoice is one checkbox.
type roleChoice struct {
	ID      string
	Checked bool
}

// rolesOf offers the requirements of t to member m (nil when the tender
// requires nothing a member could cover).
func rolesOf(t *tenderv1.Tender, m *tenderv1.ConsortiumMember) *roleChoices {
	if t == nil || m == nil {
		return nil
	}
	var rc roleChoices
	for _, c := range t.GetRequirements().GetCapabilities() {
		rc.Capabilities = append(rc.Capabilities, roleChoice{ID: c, Checked: slices.Contains(m.GetCovers(), c)})
	}
	for _, c := range t.GetRequirements().GetCertifications() {
		if !slices.ContainsFunc(rc.Certs, func(x roleChoice) bool { return x.ID == c.GetKind() }) {
			rc.Certs = append(rc.Certs, roleChoice{ID: c.GetKind(), Checked: slices.Contains(m.GetCertifies(), c.GetKind())})
		}
	}
	if len(rc.Capabilities) == 0 && len(rc.Certs) == 0 {
		return nil
	}
	return &rc
}

// assignRoles records which required capabilities and certified systems the
// member covers (the member itself, the lead or a manager; the tender
// service checks who).
func (s *Server) assignRoles(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	to := back(r, consortiumURL(id))
	if err := r.ParseForm(); err != nil {
		invalidInput(w, r, to, "roles.invalid")
		return
	}
	_, err := s.d.Tender.AssignRoles(rpc(r), &tenderv1.AssignRolesRequest{
		ConsortiumId: id, OrganizationId: orgFor(r), Covers: r.PostForm["covers"], Certifies: r.PostForm["certifies"],
	})
	if err != nil {
		s.actionFail(w, r, err, to)
		return
	}
	done(w, r, to, "roles.saved")
}

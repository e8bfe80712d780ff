package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// week is the horizon of "deadlines this week".
const week = 7 * 24 * time.Hour

// homeData is a persona's home page: what needs attention now.
type homeData struct {
	// Cluster manager.
	Clusters  []*memberv1.Cluster
	Deadlines []*tenderv1.Tender
	New       []*tenderv1.Tender
	Forming   []consortiumRow
	Requests  int // membership requests waiting for the manager
	// Company.
	Org         *memberv1.Organization
	Invitations []consortiumRow
	Mine        []consortiumRow // consortia the company joined, deadline this week
	MatchDue    []matchRow      // matching tenders due this week
	MatchNew    []matchRow      // newest matching tenders
	// Agency staff and administrators.
	Overview []clusterRow
}

// home shows the signed-in persona's home page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var (
		d   homeData
		err error
	)
	switch roleOf(p) {
	case auth.RoleClusterManager:
		err = s.managerHome(r, p, &d)
	case auth.RoleCompany:
		err = s.companyHome(r, p, &d)
	case auth.RoleAgency, auth.RoleAdmin:
		d.Overview, err = s.overview(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", "home.title", d)
}

// managerHome: pending membership requests, deadlines this week, newest
// tenders, consortia forming.
func (s *Server) managerHome(r *http.Request, p *auth.Principal, d *homeData) error {
	ctx := rpc(r)
	tc := s.newTenderCache()
	for _, id := range p.Clusters {
		c, err := s.d.Member.GetCluster(ctx, &memberv1.GetClusterRequest{ClusterId: id})
		if err != nil {
			return err
		}
		d.Clusters = append(d.Clusters, c.GetCluster())
		open, err := s.listTenders(ctx, &tenderv1.ListTendersRequest{ClusterId: id, DeadlineAfter: timestamppb.Now()})
		if err != nil {
			return err
		}
		for _, t := range open {
			tc.ts[t.GetId()] = t
			if dueWithin(t.GetSubmissionDeadline(), week) {
				d.Deadlines = append(d.Deadlines, t)
			}
		}
		d.New = append(d.New, newest(open, 5)...)
		// Consortia of the soonest open tenders: who has answered the invitations.
		for i, t := range open {
			if i == 30 {
				break
			}
			cs, err := s.d.Tender.ListConsortia(ctx, &tenderv1.ListConsortiaRequest{TenderId: t.GetId()})
			if err != nil {
				return err
			}
			for _, c := range cs.GetConsortia() {
				if c.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING && c.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_READY {
					continue
				}
				row := rowOf(c, "")
				row.Tender = t
				d.Forming = append(d.Forming, row)
			}
		}
	}
	d.New = newest(d.New, 5)
	n, err := s.pendingRequests(ctx, p)
	d.Requests = n
	return err
}

// companyHome: pending invitations, deadlines this week, new matching tenders.
func (s *Server) companyHome(r *http.Request, p *auth.Principal, d *homeData) error {
	ctx := rpc(r)
	o, err := s.d.Member.GetOrganization(ctx, &memberv1.GetOrganizationRequest{OrganizationId: p.Organization})
	if err != nil {
		return err
	}
	d.Org = o.GetOrganization()
	rows, err := s.consortiaOf(ctx, p.Organization)
	if err != nil {
		return err
	}
	for _, row := range rows {
		switch row.Mine.GetStatus() {
		case tenderv1.MemberStatus_MEMBER_STATUS_INVITED:
			d.Invitations = append(d.Invitations, row)
		case tenderv1.MemberStatus_MEMBER_STATUS_JOINED:
			if dueWithin(row.Tender.GetSubmissionDeadline(), week) {
				d.Mine = append(d.Mine, row)
			}
		}
	}
	matches, err := s.matchingTenders(ctx, d.Org)
	if err != nil {
		return err
	}
	for _, m := range matches {
		if dueWithin(m.T.GetSubmissionDeadline(), week) {
			d.MatchDue = append(d.MatchDue, m)
		}
	}
	d.MatchNew = matches
	slices.SortStableFunc(d.MatchNew, func(a, b matchRow) int {
		return b.T.GetCreateTime().AsTime().Compare(a.T.GetCreateTime().AsTime())
	})
	if len(d.MatchNew) > 5 {
		d.MatchNew = d.MatchNew[:5]
	}
	return nil
}

// clusterRow is one cluster's figures on the agency overview.
type clusterRow struct {
	Cluster *memberv1.Cluster
	Total   int
	Planned int
	Active  int
	// Evaluation: bidding closed at the deadline, not yet decided (not in Value).
	Evaluation int
	Complete   int
	Closed     int   // cancelled or unsuccessful
	Value      int64 // estimated value of the active tenders, cents
}

// overview counts tenders per cluster (agency staff read across clusters).
func (s *Server) overview(r *http.Request) ([]clusterRow, error) {
	ctx := rpc(r)
	cs, err := s.d.Member.ListClusters(ctx, &memberv1.ListClustersRequest{})
	if err != nil {
		return nil, err
	}
	var rows []clusterRow
	for _, c := range cs.GetClusters() {
		ts, err := s.listTenders(ctx, &tenderv1.ListTendersRequest{ClusterId: c.GetId(), AnyStatus: true})
		if err != nil {
			return nil, err
		}
		row := clusterRow{Cluster: c, Total: len(ts)}
		for _, t := range ts {
			switch t.GetStatus() {
			case tenderv1.TenderStatus_TENDER_STATUS_PLANNED:
				row.Planned++
			case tenderv1.TenderStatus_TENDER_STATUS_ACTIVE:
				row.Active++
				row.Value += t.GetEstimatedValueCents()
			case tenderv1.TenderStatus_TENDER_STATUS_EVALUATION:
				row.Evaluation++
			case tenderv1.TenderStatus_TENDER_STATUS_COMPLETE:
				row.Complete++
			default:
				row.Closed++
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// invitationsData lists a company's consortia.
type invitationsData struct {
	Org  string
	Rows []consortiumRow
}

// invitationsPage lists the consortia a company is invited to or in, with
// accept/decline and share actions.
func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p.Organization == "" {
		s.errorPage(w, r, http.StatusForbidden, localeOf(r).T("error.companyonly"))
		return
	}
	rows, err := s.consortiaOf(rpc(r), p.Organization)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "invitations", "invitations.title", invitationsData{Org: p.Organization, Rows: rows})
}

// matchingData lists the tenders matching a company's CPV interests.
type matchingData struct {
	Org    *memberv1.Organization
	Groups []string
	Rows   []matchRow
}

// matchingPage lists open tenders sharing a CPV group with the company's interests.
func (s *Server) matchingPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p.Organization == "" {
		s.errorPage(w, r, http.StatusForbidden, localeOf(r).T("error.companyonly"))
		return
	}
	ctx := rpc(r)
	o, err := s.d.Member.GetOrganization(ctx, &memberv1.GetOrganizationRequest{OrganizationId: p.Organization})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := s.matchingTenders(ctx, o.GetOrganization())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "matching", "matching.title", matchingData{
		Org: o.GetOrganization(), Groups: cpvGroups(o.GetOrganization().GetProfile().GetCpvInterests()), Rows: rows,
	})
}

// cpvHit is one CPV search result, as JSON for the profile page's script.
type cpvHit struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// cpvSearch answers the CPV autocompletion: codes by prefix or labels
// containing the text, in the user's language.
func (s *Server) cpvSearch(w http.ResponseWriter, r *http.Request) {
	if s.session(r) == nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	l := localeOf(r)
	hits := []cpvHit{}
	for _, c := range s.d.Catalog.Search(r.URL.Query().Get("q"), limit) {
		label := c.NameES
		if l.Lang == "en" {
			label = c.NameEN
		}
		hits = append(hits, cpvHit{Code: c.ID, Label: label})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(hits)
}

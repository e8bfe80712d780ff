package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// statusFilters are the tender status filter values, in display order.
var statusFilters = []tenderv1.TenderStatus{
	tenderv1.TenderStatus_TENDER_STATUS_ACTIVE,
	tenderv1.TenderStatus_TENDER_STATUS_PLANNED,
	tenderv1.TenderStatus_TENDER_STATUS_EVALUATION,
	tenderv1.TenderStatus_TENDER_STATUS_COMPLETE,
	tenderv1.TenderStatus_TENDER_STATUS_CANCELLED,
	tenderv1.TenderStatus_TENDER_STATUS_UNSUCCESSFUL,
}

// anyStatus is the status filter's value for every status.
const anyStatus = "any"

// tenderFilter is the tender list's filter form.
type tenderFilter struct {
	Status string // enum name; "" = the open ones (the default), anyStatus = every status
	CPV    string // CPV prefix
	From   string // deadline on or after, YYYY-MM-DD
	To     string // deadline on or before, YYYY-MM-DD
	Query  string
}

// tenderListData is the tender list page.
type tenderListData struct {
	F        tenderFilter
	Statuses []tenderv1.TenderStatus
	Tenders  []*tenderv1.Tender
	Next     string // URL of the next page, "" on the last
}

// day parses a YYYY-MM-DD date in Madrid time; end moves it to the day's end.
func day(s string, end bool) (*timestamppb.Timestamp, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, madrid)
	if err != nil {
		return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	if end {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return timestamppb.New(t), nil
}

// tenderList lists the tenders the user can see, with filters by status, CPV
// prefix, deadline range and text.
func (s *Server) tenderList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := tenderFilter{Status: q.Get("status"), CPV: strings.TrimSpace(q.Get("cpv")), From: q.Get("from"), To: q.Get("to"), Query: strings.TrimSpace(q.Get("q"))}
	req := &tenderv1.ListTendersRequest{CpvPrefix: f.CPV, Query: f.Query, PageSize: 50, PageToken: q.Get("page"), ClusterId: q.Get("cluster")}
	if v, ok := tenderv1.TenderStatus_value[f.Status]; ok {
		req.Status = tenderv1.TenderStatus(v)
	}
	// By default the tender service lists the open tenders, nearest deadline first.
	req.AnyStatus = f.Status == anyStatus
	var err error
	if req.DeadlineAfter, err = day(f.From, false); err == nil {
		req.DeadlineBefore, err = day(f.To, true)
	}
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	resp, err := s.d.Tender.ListTenders(rpc(r), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := tenderListData{F: f, Statuses: statusFilters, Tenders: resp.GetTenders()}
	if tok := resp.GetNextPageToken(); tok != "" {
		q.Set("page", tok)
		d.Next = "/tenders?" + q.Encode()
	}
	s.render(w, r, http.StatusOK, "tenders", "tenders.title", d)
}

// tenderData is the tender page.
type tenderData struct {
	T         *tenderv1.Tender
	Consortia []consortiumRow
	Audit     []*tenderv1.AuditEvent
	AuditErr  string
	CanManage bool                   // cluster manager of the owning cluster, or administrator
	IsManager bool                   // manager of the owning cluster or administrator: may publish, change the deadline, award, cancel
	Submitted []*tenderv1.Consortium // submitted consortia, candidates for the award
	// CanRecommend: a manager of the owning cluster or of one it is shared with
	// (the tender service's rule for recommendations and forming consortia).
	CanRecommend bool
	Clusters     map[string]string // cluster id → name, for the owning and shared clusters
	// OwnBid: a company may form a bid of its own as lead (the service checks
	// its membership and seat); Org is that company.
	OwnBid bool
	Org    string
}

// Open reports whether the tender is planned, active or under evaluation (it
// may still change: a deadline moved after bidding closed reopens it).
func (d tenderData) Open() bool {
	st := d.T.GetStatus()
	return st == tenderv1.TenderStatus_TENDER_STATUS_PLANNED || st == tenderv1.TenderStatus_TENDER_STATUS_ACTIVE ||
		st == tenderv1.TenderStatus_TENDER_STATUS_EVALUATION
}

// Planned reports whether the tender is planned (it may be published).
func (d tenderData) Planned() bool {
	return d.T.GetStatus() == tenderv1.TenderStatus_TENDER_STATUS_PLANNED
}

// Active reports whether the tender is active or under evaluation (it may be awarded).
func (d tenderData) Active() bool {
	return d.T.GetStatus() == tenderv1.TenderStatus_TENDER_STATUS_ACTIVE || d.T.GetStatus() == tenderv1.TenderStatus_TENDER_STATUS_EVALUATION
}

// canManage reports whether p manages the cluster (or is an administrator).
func canManage(p *auth.Principal, cluster string) bool {
	return p.ManagesCluster(cluster) || p.Has(auth.RoleAdmin)
}

// tenderPage shows a tender with its lots and requirements, its consortia and
// its audit trail.
func (s *Server) tenderPage(w http.ResponseWriter, r *http.Request) {
	ctx := rpc(r)
	id := r.PathValue("id")
	resp, err := s.d.Tender.GetTender(ctx, &tenderv1.GetTenderRequest{TenderId: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	manages := canManage(p, resp.GetTender().GetClusterId())
	d := tenderData{T: resp.GetTender(), CanManage: manages, IsManager: manages}
	d.CanRecommend = managesTender(p, d.T)
	d.Org = p.Organization
	d.OwnBid = p.Has(auth.RoleCompany) && p.Organization != "" && d.T.GetStatus() == tenderv1.TenderStatus_TENDER_STATUS_ACTIVE
	if d.OwnBid {
		// The tender service lets a company lead a bid of its own only as an
		// active member of one of the tender's clusters.
		active := s.activeIn(r, p.Organization)
		d.OwnBid = slices.ContainsFunc(tenderClusters(d.T), func(c string) bool { return slices.Contains(active, c) })
	}
	if len(d.T.GetSharedWith()) > 0 {
		d.Clusters = map[string]string{}
		if cl, err := s.d.Member.ListClusters(ctx, &memberv1.ListClustersRequest{}); err == nil {
			for _, c := range cl.GetClusters() {
				d.Clusters[c.GetId()] = c.GetName()
			}
		}
	}
	cs, err := s.d.Tender.ListConsortia(ctx, &tenderv1.ListConsortiaRequest{TenderId: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range cs.GetConsortia() {
		row := rowOf(c, p.Organization)
		row.Tender = d.T
		if m := row.Mine; m != nil && len(d.T.GetLots()) == 0 && open(c) &&
			(m.GetStatus() == tenderv1.MemberStatus_MEMBER_STATUS_INVITED || m.GetStatus() == tenderv1.MemberStatus_MEMBER_STATUS_JOINED) {
			d.OwnBid = false // already in a bid for this tender: one consortium per lot
		}
		d.Consortia = append(d.Consortia, row)
		if c.GetStatus() == tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_SUBMITTED {
			d.Submitted = append(d.Submitted, c)
		}
	}
	// An award names its consortium with a link; a consortium the user may not
	// see (the tender service lists only those it may) is not linked to.
	for _, a := range d.T.GetAwards() {
		if !slices.ContainsFunc(d.Consortia, func(row consortiumRow) bool { return row.C.GetId() == a.GetConsortiumId() }) {
			a.ConsortiumId = ""
		}
	}
	d.Audit, d.AuditErr = s.audit(r, "tender", id)
	s.render(w, r, http.StatusOK, "tender", "tender.title", d)
}

// audit reads an aggregate's audit trail; a failure is shown in the panel
// rather than failing the whole page.
func (s *Server) audit(r *http.Request, aggregate, id string) ([]*tenderv1.AuditEvent, string) {
	resp, err := s.d.Tender.GetAuditTrail(rpc(r), &tenderv1.GetAuditTrailRequest{Aggregate: aggregate, Id: id})
	if err != nil {
		s.d.Logger.WarnContext(r.Context(), "audit trail", "aggregate", aggregate, "id", id, "err", err)
		return nil, err.Error()
	}
	return resp.GetEvents(), ""
}

// recommendData is the recommendations page.
type recommendData struct {
	T     *tenderv1.Tender
	Lot   string
	Resp  *tenderv1.RecommendConsortiaResponse
	Teams []team
	Names map[string]string // organisation id → legal name
	// CanForm: the user may form a consortium from a team (a manager of one
	// of the tender's clusters or an administrator, the tender planned or
	// active); agency staff see the recommendations only.
	CanForm bool
}

// team is a recommendation with its members in order, lead first, ready to
// become a CreateConsortium form.
type team struct {
	R       *tenderv1.Recommendation
	Members []teamMember
}

// teamMember is one recommended member with its name and form value.
type teamMember struct {
	ID, Name string
	Covers   []string
	Certs    []string
	Value    string // "org|cover,cover|cert,cert" posted to create the consortium
}

// recommendPage asks the matching engine for the best teams for a tender (or lot).
func (s *Server) recommendPage(w http.ResponseWriter, r *http.Request) {
	ctx := rpc(r)
	id, lot := r.PathValue("id"), r.URL.Query().Get("lot")
	t, err := s.d.Tender.GetTender(ctx, &tenderv1.GetTenderRequest{TenderId: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp, err := s.d.Tender.RecommendConsortia(ctx, &tenderv1.RecommendConsortiaRequest{TenderId: id, LotId: lot})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := recommendData{T: t.GetTender(), Lot: lot, Resp: resp, Names: map[string]string{}, CanForm: managesTender(principal(r), t.GetTender()) && takesConsortia(t.GetTender())}
	for _, rec := range resp.GetRecommendations() {
		tm := team{R: rec}
		for i, m := range rec.GetMembers() {
			name := m.GetOrganizationId()
			if i < len(rec.GetMemberNames()) {
				name = rec.GetMemberNames()[i]
			}
			d.Names[m.GetOrganizationId()] = name
			tm.Members = append(tm.Members, teamMember{
				ID: m.GetOrganizationId(), Name: name, Covers: m.GetCovers(), Certs: m.GetCertifies(),
				Value: m.GetOrganizationId() + "|" + strings.Join(m.GetCovers(), ",") + "|" + strings.Join(m.GetCertifies(), ","),
			})
		}
		d.Teams = append(d.Teams, tm)
	}
	s.render(w, r, http.StatusOK, "recommend", "recommend.title", d)
}

// createConsortium forms a consortium from a recommended team in one click:
// the members are invited in the team's order; the lead is the one chosen in
// the form (the first when none is).
func (s *Server) createConsortium(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		invalidMessage(w, r, "/tenders/"+id, err.Error())
		return
	}
	req := &tenderv1.CreateConsortiumRequest{TenderId: id, LotId: r.PostForm.Get("lot"), Name: strings.TrimSpace(r.PostForm.Get("name"))}
	lead := r.PostForm.Get("lead")
	for i, v := range r.PostForm["member"] {
		org, rest, _ := strings.Cut(v, "|")
		covers, certs, _ := strings.Cut(rest, "|")
		if org == "" {
			continue
		}
		req.Members = append(req.Members, &tenderv1.DraftMember{
			OrganizationId: org, Lead: org == lead || (lead == "" && i == 0), Covers: parseCSV(covers), Certifies: parseCSV(certs),
		})
	}
	back := "/tenders/" + url.PathEscape(id) + "/recommend"
	if req.LotId != "" {
		back += "?lot=" + url.QueryEscape(req.LotId)
	}
	if p := principal(r); p.Organization != "" && len(req.Members) == 1 && req.Members[0].GetOrganizationId() == p.Organization {
		back = tenderURL(id) // a company's own bid, from the tender page
	}
	if len(req.Members) == 0 {
		invalidInput(w, r, back, "consortium.noteam")
		return
	}
	resp, err := s.d.Tender.CreateConsortium(rpc(r), req)
	if err != nil {
		if hasViolation(err, "one_consortium_per_lot") {
			invalidInput(w, r, back, "violation.one_consortium_per_lot")
			return
		}
		s.actionFail(w, r, err, back)
		return
	}
	done(w, r, "/consortia/"+url.PathEscape(resp.GetConsortium().GetId()), "consortium.created", resp.GetConsortium().GetName())
}

// importData is the import page.
type importData struct {
	Clusters []*memberv1.Cluster
	Formats  []string
	Result   *tenderv1.ImportSummary
	File     string
}

// importFormats are the ImportTenders formats.
var importFormats = []string{"placsp", "xlsx", "eforms", "ocds"}

// importClusters lists the clusters the user may import into.
func (s *Server) importClusters(r *http.Request) ([]*memberv1.Cluster, error) {
	p := principal(r)
	ctx := rpc(r)
	if p.Has(auth.RoleAdmin) {
		resp, err := s.d.Member.ListClusters(ctx, &memberv1.ListClustersRequest{})
		return resp.GetClusters(), err
	}
	var out []*memberv1.Cluster
	for _, id := range p.Clusters {
		resp, err := s.d.Member.GetCluster(ctx, &memberv1.GetClusterRequest{ClusterId: id})
		if err != nil {
			return nil, err
		}
		out = append(out, resp.GetCluster())
	}
	return out, nil
}

// importForm shows the import form (cluster managers and administrators).
func (s *Server) importForm(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	cs, err := s.importClusters(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "import", "import.title", importData{Clusters: cs, Formats: importFormats})
}

// formatOf guesses the import format from a file name.
func formatOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		return "xlsx"
	case ".atom":
		return "placsp"
	case ".json":
		return "ocds"
	case ".xml":
		return "eforms"
	}
	return ""
}

// maxImportBytes bounds an uploaded import document.
const maxImportBytes = 32 << 20

// importTenders uploads a document to ImportTenders and shows the summary.
func (s *Server) importTenders(w http.ResponseWriter, r *http.Request) {
	if !s.managerOnly(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			invalidInput(w, r, "/tenders/import", "import.toobig")
			return
		}
		invalidMessage(w, r, "/tenders/import", err.Error())
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		invalidInput(w, r, "/tenders/import", "import.nofile")
		return
	}
	defer f.Close()
	content, err := io.ReadAll(f)
	if err != nil {
		invalidMessage(w, r, "/tenders/import", err.Error())
		return
	}
	format := r.FormValue("format")
	if format == "" {
		format = formatOf(hdr.Filename)
	}
	sum, err := s.runImport(r, &tenderv1.ImportTendersRequest{
		ClusterId: r.FormValue("cluster"), Format: format, Content: content, Filename: hdr.Filename,
		NutsPrefix: strings.TrimSpace(r.FormValue("nuts")), CpvPrefix: strings.TrimSpace(r.FormValue("cpv")),
		// The cluster's profile filters unless the user asks for everything.
		ClusterProfile: r.FormValue("all") != "1",
	})
	if err != nil {
		s.actionFail(w, r, err, "/tenders/import")
		return
	}
	s.d.Logger.InfoContext(r.Context(), "tenders imported", "file", hdr.Filename, "format", format,
		"created", sum.GetCreated(), "updated", sum.GetUpdated(), "rejected", len(sum.GetRejected()))
	cs, err := s.importClusters(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "import", "import.title", importData{Clusters: cs, Formats: importFormats, Result: sum, File: hdr.Filename})
}

// errNoSummary is returned when an import stream ends without its summary.
var errNoSummary = errors.New("the import ended without a summary")

// runImport calls ImportTenders and reads its progress stream to the end; the
// last message carries the summary.
func (s *Server) runImport(r *http.Request, req *tenderv1.ImportTendersRequest) (*tenderv1.ImportSummary, error) {
	stream, err := s.d.Tender.ImportTenders(rpc(r), req)
	if err != nil {
		return nil, err
	}
	var sum *tenderv1.ImportSummary
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if msg.GetSummary() != nil {
			sum = msg.GetSummary()
		}
	}
	if sum == nil {
		return nil, errNoSummary
	}
	return sum, nil
}

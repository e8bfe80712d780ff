package web

// The agency's cross-cluster pages and the commission pages: the overview
// with its charts (from the commission service's GetCrossClusterReport), the
// commission list with filters, a commission's page, and the CSV/XLSX
// downloads. Every call goes to the commission service with the user's
// token; it decides what each persona may see.

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
)

// CommissionEnum returns the translated name of a commission-service enum
// value ("commission.enum.MEMBER_ROLE_CHAIR"); its names overlap the tender
// service's, hence a key prefix of its own.
func (l *Locale) CommissionEnum(e protoreflect.Enum) string {
	name := string(e.Descriptor().Values().ByNumber(e.Number()).Name())
	if msg, ok := messages[l.Lang]["commission.enum."+name]; ok {
		return msg
	}
	return name
}

// clusterNames returns cluster id → name (empty map when the member service
// does not answer: pages then show ids).
func (s *Server) clusterNames(r *http.Request) (map[string]string, []*memberv1.Cluster) {
	names := map[string]string{}
	res, err := s.d.Member.ListClusters(rpc(r), &memberv1.ListClustersRequest{})
	if err != nil {
		s.d.Logger.WarnContext(r.Context(), "cluster names unavailable", "err", err)
		return names, nil
	}
	for _, c := range res.GetClusters() {
		names[c.GetId()] = c.GetName()
	}
	return names, res.GetClusters()
}

// overviewData is the agency overview: tender counts per cluster (tender
// service) and the cross-cluster report with its charts (commission service).
type overviewData struct {
	Overview    []clusterRow // the tender table (partial "overviewtable")
	Report      *commissionv1.CrossClusterReport
	Unavailable bool // the commission service did not answer
	From, To    string
	Period      template.URL // from=…&to=… for the export links (a query: its & and = stay as they are)
	Won         template.HTML
	Value       template.HTML
	Matrix      template.HTML
	Activity    template.HTML
	Names       map[string]string
}

// overviewPage is the cross-cluster overview (agency staff, administrators,
// and cluster managers for their own clusters).
func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) {
	l := localeOf(r)
	q := r.URL.Query()
	d := overviewData{From: q.Get("from"), To: q.Get("to")}
	d.Period = template.URL(url.Values{"from": {d.From}, "to": {d.To}}.Encode())
	res, err := s.d.Commission.GetCrossClusterReport(rpc(r), &commissionv1.GetCrossClusterReportRequest{FromDate: d.From, ToDate: d.To})
	switch status.Code(err) {
	case codes.OK:
		d.Report = res.GetReport()
	case codes.Unavailable, codes.DeadlineExceeded:
		s.d.Logger.WarnContext(r.Context(), "commission service unavailable", "err", err)
		d.Unavailable = true
	default:
		s.fail(w, r, err)
		return
	}
	if rows, err := s.overview(r); err == nil {
		d.Overview = rows
	} else if status.Code(err) != codes.Unavailable && status.Code(err) != codes.PermissionDenied {
		s.fail(w, r, err)
		return
	}
	if d.Report != nil {
		d.Names, _ = s.clusterNames(r)
		for _, c := range d.Report.GetClusters() {
			d.Names[c.GetClusterId()] = c.GetClusterName()
		}
		d.Won, d.Value, d.Matrix, d.Activity = overviewCharts(l, d.Report, d.Names)
	}
	s.render(w, r, http.StatusOK, "overview", "overview.title", d)
}

// overviewCharts draws the four overview charts from the report.
func overviewCharts(l *Locale, rep *commissionv1.CrossClusterReport, names map[string]string) (won, value, matrix, activity template.HTML) {
	clusters := rep.GetClusters()
	var bars []bar
	for _, c := range clusters {
		b := c.GetBids()
		bars = append(bars, bar{Key: c.GetClusterId(), Label: c.GetClusterName(), Value: float64(b.GetTendersWon()),
			Text: l.T("chart.won.value", b.GetTendersWon(), l.Money(b.GetAwardedValueCents()))})
	}
	won = hbarChart("chart-won", l.T("chart.won"), bars, l.T("chart.none"))

	// Awarded value per cluster and month: only clusters with an award.
	var months []string
	byCluster := map[string]map[string]int64{}
	for _, m := range rep.GetMonths() {
		if !slices.Contains(months, m.GetMonth()) {
			months = append(months, m.GetMonth())
		}
		if byCluster[m.GetClusterId()] == nil {
			byCluster[m.GetClusterId()] = map[string]int64{}
		}
		byCluster[m.GetClusterId()][m.GetMonth()] += m.GetAwardedValueCents()
	}
	slices.Sort(months)
	var ss []series
	for _, c := range clusters {
		vals, ok := byCluster[c.GetClusterId()]
		if !ok {
			continue
		}
		s := series{Name: c.GetClusterName()}
		for _, m := range months {
			s.Values = append(s.Values, float64(vals[m]))
			s.Texts = append(s.Texts, l.Money(vals[m]))
		}
		ss = append(ss, s)
	}
	value = groupedBars("chart-value", l.T("chart.value"), months, ss, l.T("chart.none"))

	// The matrix over the reported clusters (and any partner cluster outside them).
	var ids []string
	for _, c := range clusters {
		ids = append(ids, c.GetClusterId())
	}
	for _, p := range rep.GetMatrix() {
		for _, id := range []string{p.GetClusterAId(), p.GetClusterBId()} {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	labels := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = cmp.Or(names[id], id)
	}
	cells := map[[2]int]cell{}
	for _, p := range rep.GetMatrix() {
		a, b := slices.Index(ids, p.GetClusterAId()), slices.Index(ids, p.GetClusterBId())
		c := cell{Count: int(p.GetConsortia()), Text: l.T("chart.matrix.cell", p.GetConsortia(), l.Money(p.GetAwardedValueCents())),
			Title: l.T("chart.matrix.title", p.GetClusterAName(), p.GetClusterBName(), p.GetConsortia(), p.GetAwarded(), l.Money(p.GetAwardedValueCents()))}
		cells[[2]int{a, b}], cells[[2]int{b, a}] = c, c
	}
	matrix = heatMap("chart-matrix", l.T("chart.matrix"), labels, cells, l.T("chart.none"))

	bars = nil
	for _, c := range rep.GetCommissions() {
		bars = append(bars, bar{Key: c.GetCommissionId(), Label: c.GetName(), Value: float64(c.GetMeetingsHeld()),
			Text: l.T("chart.activity.value", c.GetMeetingsHeld(), c.GetMembers(), c.GetDecisionsOpen()+c.GetDecisionsDone())})
	}
	activity = hbarChart("chart-activity", l.T("chart.activity"), bars, l.T("chart.none"))
	return won, value, matrix, activity
}

// commissionsData is the commission list.
type commissionsData struct {
	Rows     []*commissionv1.CommissionSummary
	Names    map[string]string
	Clusters []*memberv1.Cluster
	Q        string
	Cluster  string
	Status   string
	Statuses []commissionv1.CommissionStatus
	Next     string
	Filters  template.URL // the filters as a query, for the export links (its & and = stay as they are)
}

// commissionsPage lists the commissions the user may read, with filters.
func (s *Server) commissionsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := commissionsData{Q: q.Get("q"), Cluster: q.Get("cluster"), Status: q.Get("status"),
		Statuses: []commissionv1.CommissionStatus{commissionv1.CommissionStatus_COMMISSION_STATUS_ACTIVE, commissionv1.CommissionStatus_COMMISSION_STATUS_CLOSED}}
	req := &commissionv1.ListCommissionsRequest{Query: d.Q, ClusterId: d.Cluster, PageToken: q.Get("page"), PageSize: 100,
		Status: commissionv1.CommissionStatus(commissionv1.CommissionStatus_value[d.Status])}
	res, err := s.d.Commission.ListCommissions(rpc(r), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Rows = res.GetCommissions()
	d.Names, d.Clusters = s.clusterNames(r)
	filters := url.Values{"q": {d.Q}, "cluster": {d.Cluster}, "status": {d.Status}}
	d.Filters = template.URL(filters.Encode())
	if n := res.GetNextPageToken(); n != "" {
		filters.Set("page", n)
		d.Next = "/commissions?" + filters.Encode()
	}
	s.render(w, r, http.StatusOK, "commissions", "commissions.title", d)
}

// commissionData is a commission's page.
type commissionData struct {
	C         *commissionv1.Commission
	Names     map[string]string // cluster id → name
	Orgs      map[string]string // organisation id → name (members)
	ByCluster []clusterGroup
	Invited   bool // the user's company has a pending invitation
	Trail     []*commissionv1.AuditEvent
	// Closed are the linked tenders and consortia the user may not open
	// (kind/id): they are named without a link.
	Closed map[string]bool
}

// Opens reports whether the user may open a linked tender or consortium.
func (d commissionData) Opens(kind, id string) bool { return !d.Closed[kind+"/"+id] }

// clusterGroup is the commission's members of one cluster.
type clusterGroup struct {
	ClusterID, Name string
	Members         []*commissionv1.CommissionMember
}

// OrgName names an organisation of the commission (its id when unknown).
func (d commissionData) OrgName(id string) string { return cmp.Or(d.Orgs[id], id) }

// commissionPage shows one commission: members by cluster, meetings with
// agenda, attendance, minutes and decisions, projects, linked tenders and consortia.
func (s *Server) commissionPage(w http.ResponseWriter, r *http.Request) {
	ctx := rpc(r)
	res, err := s.d.Commission.GetCommission(ctx, &commissionv1.GetCommissionRequest{CommissionId: r.PathValue("id")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := res.GetCommission()
	d := commissionData{C: c, Orgs: map[string]string{}}
	d.Names, _ = s.clusterNames(r)
	groups := map[string]*clusterGroup{}
	for _, m := range c.GetMembers() {
		d.Orgs[m.GetOrganizationId()] = m.GetOrganizationName()
		if p := principal(r); p.Organization == m.GetOrganizationId() && m.GetStatus() == commissionv1.MemberStatus_MEMBER_STATUS_INVITED {
			d.Invited = true
		}
		ids := m.GetClusterIds()
		if len(ids) == 0 {
			ids = []string{""}
		}
		for _, id := range ids {
			g := groups[id]
			if g == nil {
				g = &clusterGroup{ClusterID: id, Name: cmp.Or(d.Names[id], id)}
				if id == "" {
					g.Name = localeOf(r).T("commission.nocluster")
				}
				groups[id] = g
			}
			g.Members = append(g.Members, m)
		}
	}
	for _, g := range groups {
		d.ByCluster = append(d.ByCluster, *g)
	}
	slices.SortFunc(d.ByCluster, func(a, b clusterGroup) int { return cmp.Compare(a.Name, b.Name) })
	d.Closed = map[string]bool{}
	for _, t := range c.GetTenders() {
		if !s.mayOpen(r, "tender", t.GetTenderId()) {
			d.Closed["tender/"+t.GetTenderId()] = true
		}
	}
	for _, cs := range c.GetConsortia() {
		if !s.mayOpen(r, "consortium", cs.GetConsortiumId()) {
			d.Closed["consortium/"+cs.GetConsortiumId()] = true
		}
	}
	if trail, err := s.d.Commission.GetAuditTrail(ctx, &commissionv1.GetAuditTrailRequest{CommissionId: c.GetId()}); err == nil {
		d.Trail = trail.GetEvents()
	}
	s.render(w, r, http.StatusOK, "commission", "commission.title", d)
}

// answerInvitation accepts or declines the user's company's invitation.
func (s *Server) answerInvitation(accept bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		id, p := r.PathValue("id"), principal(r)
		to := "/commissions/" + url.PathEscape(id)
		if p.Organization == "" {
			s.errorPage(w, r, http.StatusForbidden, localeOf(r).T("error.companyonly"))
			return
		}
		var err error
		if accept {
			_, err = s.d.Commission.AcceptInvitation(rpc(r), &commissionv1.AcceptInvitationRequest{CommissionId: id, OrganizationId: p.Organization})
		} else {
			_, err = s.d.Commission.DeclineInvitation(rpc(r), &commissionv1.DeclineInvitationRequest{CommissionId: id, OrganizationId: p.Organization, Reason: r.FormValue("reason")})
		}
		if err != nil {
			s.actionFail(w, r, err, to)
			return
		}
		if accept {
			done(w, r, to, "commission.accepted")
			return
		}
		done(w, r, "/commissions", "commission.declined")
	}
}

var exportFormats = map[string]commissionv1.ExportFormat{"csv": commissionv1.ExportFormat_EXPORT_FORMAT_CSV, "xlsx": commissionv1.ExportFormat_EXPORT_FORMAT_XLSX}

var reportSections = map[string]commissionv1.ReportSection{
	"clusters": commissionv1.ReportSection_REPORT_SECTION_CLUSTERS, "matrix": commissionv1.ReportSection_REPORT_SECTION_MATRIX,
	"commissions": commissionv1.ReportSection_REPORT_SECTION_COMMISSIONS, "months": commissionv1.ReportSection_REPORT_SECTION_MONTHS,
	"consortia": commissionv1.ReportSection_REPORT_SECTION_CONSORTIA,
}

// download sends an export file as an attachment.
func download(w http.ResponseWriter, name, contentType string, content []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", strings.ReplaceAll(name, `"`, "")))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(content)
}

// exportReport downloads the cross-cluster report (?format=csv|xlsx, section, from, to).
func (s *Server) exportReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, ok := exportFormats[q.Get("format")]
	if !ok {
		s.errorPage(w, r, http.StatusBadRequest, localeOf(r).T("export.badformat"))
		return
	}
	res, err := s.d.Commission.ExportCrossClusterReport(rpc(r), &commissionv1.ExportCrossClusterReportRequest{
		Format: f, Section: reportSections[q.Get("section")], FromDate: q.Get("from"), ToDate: q.Get("to"), LanguageCode: localeOf(r).Lang,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	download(w, res.GetFileName(), res.GetContentType(), res.GetContent())
}

// exportCommissions downloads the commission list with the list's filters.
func (s *Server) exportCommissions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, ok := exportFormats[q.Get("format")]
	if !ok {
		s.errorPage(w, r, http.StatusBadRequest, localeOf(r).T("export.badformat"))
		return
	}
	res, err := s.d.Commission.ExportCommissions(rpc(r), &commissionv1.ExportCommissionsRequest{
		Format: f, Query: q.Get("q"), ClusterId: q.Get("cluster"), LanguageCode: localeOf(r).Lang,
		Status: commissionv1.CommissionStatus(commissionv1.CommissionStatus_value[q.Get("status")]),
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	download(w, res.GetFileName(), res.GetContentType(), res.GetContent())
}

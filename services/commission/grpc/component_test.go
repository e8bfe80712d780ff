package grpc_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	"github.com/consortia-dev/consortia/services/commission/internal/testenv"
)

const awarded = 250_000_00 // the awarded amount, cents

// TestCrossClusterReportOverGRPC is the scenario over real gRPC: a
// commission with members from three clusters links a tender; a consortium of
// members of two clusters is submitted and awarded in the tender service; the
// report shows one inter-cluster consortium, the awarded value under both
// clusters and the pair in the matrix, also once the tender service is
// stopped; the CSV and XLSX exports re-read give the same figures.
func TestCrossClusterReportOverGRPC(t *testing.T) {
	e := testenv.New(t)
	tera, gira, marca := e.Cluster("TERA ICT"), e.Cluster("GIRA automoción"), e.Cluster("MarCa marítimo")
	alfa, beta, gamma := e.Join("Alfa Software S.L.", tera), e.Join("Beta Automoción S.L.", gira), e.Join("Gamma Naval S.L.", marca)
	agency := e.Ctx(testenv.Agency())

	// A commission the agency convenes, members from three clusters.
	created, err := e.Commissions.CreateCommission(agency, &commissionv1.CreateCommissionRequest{Name: "Comisión de Salud Digital", Theme: "Salud digital"})
	if err != nil {
		t.Fatalf("CreateCommission: %v", err)
	}
	id := created.GetCommission().GetId()
	if created.GetCommission().GetStatus() != commissionv1.CommissionStatus_COMMISSION_STATUS_ACTIVE {
		t.Errorf("new commission status %v", created.GetCommission().GetStatus())
	}
	for _, m := range []struct {
		org  string
		role commissionv1.MemberRole
	}{{alfa, commissionv1.MemberRole_MEMBER_ROLE_CHAIR}, {beta, commissionv1.MemberRole_MEMBER_ROLE_SECRETARY}, {gamma, 0}} {
		if _, err := e.Commissions.AddMember(agency, &commissionv1.AddMemberRequest{CommissionId: id, OrganizationId: m.org, Role: m.role, JoinedDate: "2026-01-15"}); err != nil {
			t.Fatalf("AddMember(%s): %v", m.org, err)
		}
	}

	// A tender of TERA shared with GIRA, linked to the commission.
	tenderID := e.NewTender(tera, "Historia clínica interoperable", 300_000_00, gira)
	linked, err := e.Commissions.LinkTender(agency, &commissionv1.LinkTenderRequest{CommissionId: id, TenderId: tenderID, Note: "salud digital"})
	if err != nil {
		t.Fatalf("LinkTender: %v", err)
	}
	c := linked.GetCommission()
	if len(c.GetMembers()) != 3 || len(c.GetTenders()) != 1 || c.GetTenders()[0].GetTenderTitle() != "Historia clínica interoperable" {
		t.Fatalf("commission after link (read-your-writes): %d members, tenders %v", len(c.GetMembers()), c.GetTenders())
	}
	clusters := map[string][]string{}
	for _, m := range c.GetMembers() {
		clusters[m.GetOrganizationId()] = m.GetClusterIds()
	}
	if !slices.Equal(clusters[alfa], []string{tera}) || !slices.Equal(clusters[beta], []string{gira}) || !slices.Equal(clusters[gamma], []string{marca}) {
		t.Errorf("members' clusters: %v", clusters)
	}

	// A consortium of a TERA and a GIRA member wins the tender.
	consortiumID := e.AwardedConsortium(tera, tenderID, awarded, testenv.Member{Org: alfa, ShareBP: 6000}, testenv.Member{Org: beta, ShareBP: 4000})
	var rep *commissionv1.CrossClusterReport
	e.Wait("the report shows the award", func() bool {
		res, err := e.Commissions.GetCrossClusterReport(agency, &commissionv1.GetCrossClusterReportRequest{})
		if err != nil {
			t.Fatalf("GetCrossClusterReport: %v", err)
		}
		rep = res.GetReport()
		return rep.GetTotals().GetAwardedValueCents() == awarded
	})
	checkReport(t, rep, tera, gira, marca, consortiumID, id)

	// A period that ends before the award: nothing won in it.
	old, err := e.Commissions.GetCrossClusterReport(agency, &commissionv1.GetCrossClusterReportRequest{FromDate: "2020-01-01", ToDate: "2020-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if old.GetReport().GetTotals().GetTendersWon() != 0 || len(old.GetReport().GetMatrix()) != 0 || len(old.GetReport().GetInterClusterConsortia()) != 0 {
		t.Errorf("2020 report: totals %v, matrix %v", old.GetReport().GetTotals(), old.GetReport().GetMatrix())
	}

	// The tender service goes away; the commission service answers from its own projections.
	e.StopTender()
	res, err := e.Commissions.GetCrossClusterReport(agency, &commissionv1.GetCrossClusterReportRequest{})
	if err != nil {
		t.Fatalf("GetCrossClusterReport with the tender service stopped: %v", err)
	}
	checkReport(t, res.GetReport(), tera, gira, marca, consortiumID, id)
	got, err := e.Commissions.GetCommission(agency, &commissionv1.GetCommissionRequest{CommissionId: id})
	if err != nil {
		t.Fatalf("GetCommission with the tender service stopped: %v", err)
	}
	if got.GetCommission().GetTenders()[0].GetTenderTitle() == "" {
		t.Error("tender title missing with the tender service stopped")
	}

	checkExports(t, e, res.GetReport())
}

func clusterRow(t *testing.T, r *commissionv1.CrossClusterReport, id string) *commissionv1.ClusterFigures {
	t.Helper()
	for _, c := range r.GetClusters() {
		if c.GetClusterId() == id {
			return c
		}
	}
	t.Fatalf("no row for cluster %s in %v", id, r.GetClusters())
	return nil
}

func checkReport(t *testing.T, r *commissionv1.CrossClusterReport, tera, gira, marca, consortiumID, commissionID string) {
	t.Helper()
	if n := len(r.GetInterClusterConsortia()); n != 1 {
		t.Fatalf("%d inter-cluster consortia, want 1: %v", n, r.GetInterClusterConsortia())
	}
	ic := r.GetInterClusterConsortia()[0]
	wantPair := []string{tera, gira}
	slices.Sort(wantPair)
	if ic.GetConsortiumId() != consortiumID || !slices.Equal(ic.GetClusterIds(), wantPair) || ic.GetAwardedValueCents() != awarded ||
		ic.GetStatus() != commissionv1.BidStatus_BID_STATUS_AWARDED {
		t.Errorf("inter-cluster consortium %v", ic)
	}
	for _, id := range []string{tera, gira} {
		c := clusterRow(t, r, id)
		b := c.GetBids()
		if b.GetAwardedValueCents() != awarded || b.GetTendersWon() != 1 || b.GetTendersSubmitted() != 1 || b.GetTendersPursued() != 1 ||
			b.GetPursuedValueCents() != 300_000_00 || c.GetInterClusterConsortia() != 1 || c.GetMemberOrganizations() != 1 || c.GetCommissionMembers() != 1 {
			t.Errorf("cluster %s (%s): %v", c.GetClusterName(), id, c)
		}
	}
	m := clusterRow(t, r, marca)
	if m.GetBids().GetAwardedValueCents() != 0 || m.GetInterClusterConsortia() != 0 || m.GetCommissionMembers() != 1 {
		t.Errorf("cluster MarCa: %v", m)
	}
	if len(r.GetMatrix()) != 1 {
		t.Fatalf("matrix %v, want the one pair", r.GetMatrix())
	}
	p := r.GetMatrix()[0]
	if p.GetClusterAId() != wantPair[0] || p.GetClusterBId() != wantPair[1] || p.GetConsortia() != 1 || p.GetAwarded() != 1 || p.GetAwardedValueCents() != awarded {
		t.Errorf("matrix pair %v", p)
	}
	// Counted once in the totals, though under two clusters.
	if r.GetTotals().GetAwardedValueCents() != awarded || r.GetTotals().GetTendersWon() != 1 {
		t.Errorf("totals %v", r.GetTotals())
	}
	if len(r.GetCommissions()) != 1 {
		t.Fatalf("commissions %v", r.GetCommissions())
	}
	cf := r.GetCommissions()[0]
	if cf.GetCommissionId() != commissionID || cf.GetMembers() != 3 || len(cf.GetMembersByCluster()) != 3 || cf.GetLinkedTenders() != 1 ||
		cf.GetBids().GetTendersWon() != 1 || cf.GetBids().GetAwardedValueCents() != awarded {
		t.Errorf("commission figures %v", cf)
	}
	if len(r.GetMonths()) != 2 || r.GetMonths()[0].GetMonth() != time.Now().UTC().Format("2006-01") {
		t.Errorf("months %v", r.GetMonths())
	}
	if r.GetStreamSequences()["TENDER"] == 0 || r.GetStreamSequences()["MEMBER"] == 0 || r.GetStreamSequences()["COMMISSION"] == 0 {
		t.Errorf("stream sequences %v", r.GetStreamSequences())
	}
}

// cents parses an exported euro amount ("2500.00").
func cents(t *testing.T, s string) int64 {
	t.Helper()
	euros, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 2 {
		t.Fatalf("amount %q is not euros with two decimals", s)
	}
	n, err := strconv.ParseInt(euros+frac, 10, 64)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return n
}

// byHeader maps each data row of a table to its columns by header.
func byHeader(t *testing.T, rows [][]string) []map[string]string {
	t.Helper()
	if len(rows) < 1 {
		t.Fatal("no header row")
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

func exportReport(t *testing.T, e *testenv.Env, f commissionv1.ExportFormat, s commissionv1.ReportSection, lang string) *commissionv1.ExportCrossClusterReportResponse {
	t.Helper()
	res, err := e.Commissions.ExportCrossClusterReport(e.Ctx(testenv.Agency()), &commissionv1.ExportCrossClusterReportRequest{Format: f, Section: s, LanguageCode: lang})
	if err != nil {
		t.Fatalf("ExportCrossClusterReport(%v, %v): %v", f, s, err)
	}
	return res
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("exported CSV does not parse: %v", err)
	}
	return rows
}

// checkExports re-reads the CSV and XLSX exports and compares their figures
// with the report's.
func checkExports(t *testing.T, e *testenv.Env, r *commissionv1.CrossClusterReport) {
	t.Helper()
	want := map[string]*commissionv1.ClusterFigures{}
	for _, c := range r.GetClusters() {
		want[c.GetClusterId()] = c
	}
	compareClusters := func(what string, rows []map[string]string) {
		t.Helper()
		if len(rows) != len(want) {
			t.Fatalf("%s: %d cluster rows, want %d", what, len(rows), len(want))
		}
		for _, row := range rows {
			c := want[row["Cluster id"]]
			if c == nil {
				t.Fatalf("%s: unknown cluster row %v", what, row)
			}
			if row["Cluster"] != c.GetClusterName() || cents(t, row["Awarded amount (EUR)"]) != c.GetBids().GetAwardedValueCents() ||
				row["Tenders won"] != strconv.Itoa(int(c.GetBids().GetTendersWon())) ||
				row["Inter-cluster consortia"] != strconv.Itoa(int(c.GetInterClusterConsortia())) ||
				row["Member organisations"] != strconv.Itoa(int(c.GetMemberOrganizations())) ||
				cents(t, row["Value pursued (EUR)"]) != c.GetBids().GetPursuedValueCents() {
				t.Errorf("%s: row %v, report %v", what, row, c)
			}
		}
	}
	comparePair := func(what string, rows []map[string]string) {
		t.Helper()
		p := r.GetMatrix()[0]
		if len(rows) != 1 || rows[0]["Cluster A id"] != p.GetClusterAId() || rows[0]["Cluster B id"] != p.GetClusterBId() ||
			rows[0]["Consortia"] != "1" || rows[0]["Awarded"] != "1" || cents(t, rows[0]["Awarded amount (EUR)"]) != awarded {
			t.Errorf("%s: %v, want the pair %v", what, rows, p)
		}
	}

	// CSV: one table per file.
	f := exportReport(t, e, commissionv1.ExportFormat_EXPORT_FORMAT_CSV, 0, "en")
	if f.GetContentType() != "text/csv; charset=utf-8" || !strings.HasSuffix(f.GetFileName(), "_clusters.csv") {
		t.Errorf("CSV file %q, %q", f.GetFileName(), f.GetContentType())
	}
	compareClusters("CSV clusters", byHeader(t, readCSV(t, f.GetContent())))
	m := exportReport(t, e, commissionv1.ExportFormat_EXPORT_FORMAT_CSV, commissionv1.ReportSection_REPORT_SECTION_MATRIX, "en")
	comparePair("CSV matrix", byHeader(t, readCSV(t, m.GetContent())))
	es := exportReport(t, e, commissionv1.ExportFormat_EXPORT_FORMAT_CSV, commissionv1.ReportSection_REPORT_SECTION_MATRIX, "es")
	if rows := readCSV(t, es.GetContent()); rows[0][4] != "Consorcios" {
		t.Errorf("Spanish headers: %v", rows[0])
	}

	// XLSX: every table, one sheet each; money as numbers.
	x := exportReport(t, e, commissionv1.ExportFormat_EXPORT_FORMAT_XLSX, 0, "en")
	if !strings.HasSuffix(x.GetFileName(), ".xlsx") {
		t.Errorf("XLSX file name %q", x.GetFileName())
	}
	wb, err := excelize.OpenReader(bytes.NewReader(x.GetContent()))
	if err != nil {
		t.Fatalf("exported XLSX does not open: %v", err)
	}
	defer wb.Close()
	if sheets := wb.GetSheetList(); !slices.Equal(sheets, []string{"Clusters", "Collaboration matrix", "Commissions", "Awards by month", "Inter-cluster consortia"}) {
		t.Errorf("sheets %v", sheets)
	}
	read := func(sheet string) []map[string]string {
		rows, err := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		// Raw money cells are numbers ("250000"): written back with two decimals to compare.
		for _, r := range rows[1:] {
			for i, h := range rows[0] {
				if strings.HasSuffix(h, "(EUR)") && i < len(r) {
					v, err := strconv.ParseFloat(r[i], 64)
					if err != nil {
						t.Fatalf("sheet %s, %s: %q is not a number", sheet, h, r[i])
					}
					r[i] = strconv.FormatFloat(v, 'f', 2, 64)
				}
			}
		}
		return byHeader(t, rows)
	}
	compareClusters("XLSX clusters", read("Clusters"))
	comparePair("XLSX matrix", read("Collaboration matrix"))
	if cons := read("Inter-cluster consortia"); len(cons) != 1 || cents(t, cons[0]["Awarded amount (EUR)"]) != awarded {
		t.Errorf("XLSX inter-cluster consortia %v", cons)
	}

	// The commission list, both formats.
	for _, format := range []commissionv1.ExportFormat{commissionv1.ExportFormat_EXPORT_FORMAT_CSV, commissionv1.ExportFormat_EXPORT_FORMAT_XLSX} {
		l, err := e.Commissions.ExportCommissions(e.Ctx(testenv.Agency()), &commissionv1.ExportCommissionsRequest{Format: format, LanguageCode: "es"})
		if err != nil {
			t.Fatalf("ExportCommissions(%v): %v", format, err)
		}
		var rows [][]string
		if format == commissionv1.ExportFormat_EXPORT_FORMAT_CSV {
			rows = readCSV(t, l.GetContent())
		} else {
			wb, err := excelize.OpenReader(bytes.NewReader(l.GetContent()))
			if err != nil {
				t.Fatal(err)
			}
			rows, err = wb.GetRows("Comisiones")
			wb.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		list := byHeader(t, rows)
		if len(list) != 1 || list[0]["Comisión"] != "Comisión de Salud Digital" || list[0]["Miembros"] != "3" || list[0]["Convoca"] != "Agencia" ||
			list[0]["Licitaciones vinculadas"] != "1" {
			t.Errorf("commission list (%v): %v", format, list)
		}
	}

	// A bad format names the field.
	_, err = e.Commissions.ExportCrossClusterReport(e.Ctx(testenv.Agency()), &commissionv1.ExportCrossClusterReportRequest{LanguageCode: "fr"})
	st := testenv.WantCode(t, err, codes.InvalidArgument)
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if !slices.Equal(fields, []string{"format", "language_code"}) {
		t.Errorf("field violations %v, want format and language_code", fields)
	}
}

// TestCommissionLifecycle covers meetings, attendance, minutes, decisions,
// projects, invitations and the audit trail, with bad input naming fields and
// changing nothing.
func TestCommissionLifecycle(t *testing.T) {
	e := testenv.New(t)
	tera, gira := e.Cluster("TERA ICT"), e.Cluster("GIRA")
	alfa, beta, gamma := e.Join("Alfa S.L.", tera), e.Join("Beta S.L.", gira), e.Join("Gamma S.L.", tera)
	mgr := e.Ctx(testenv.Manager(tera))
	res, err := e.Commissions.CreateCommission(mgr, &commissionv1.CreateCommissionRequest{Name: "Industria 4.0 TERA", Theme: "Industria 4.0", ConveningClusterId: tera})
	if err != nil {
		t.Fatalf("CreateCommission: %v", err)
	}
	id := res.GetCommission().GetId()
	if res.GetCommission().GetConveningClusterName() != "TERA ICT" {
		t.Errorf("convening cluster name %q", res.GetCommission().GetConveningClusterName())
	}
	for _, org := range []string{alfa, beta} {
		if _, err := e.Commissions.AddMember(mgr, &commissionv1.AddMemberRequest{CommissionId: id, OrganizationId: org, JoinedDate: "2026-01-01"}); err != nil {
			t.Fatalf("AddMember: %v", err)
		}
	}

	// Bad input: every bad field named, nothing appended.
	_, err = e.Commissions.ScheduleMeeting(mgr, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Link: "ftp://x", Agenda: []*commissionv1.AgendaItem{{Title: " "}}})
	st := testenv.WantCode(t, err, codes.InvalidArgument)
	if got := violations(st.Details()); !slices.Equal(got, []string{"title", "start_time", "link", "agenda[0].title"}) {
		t.Errorf("ScheduleMeeting violations %v", got)
	}
	_, err = e.Commissions.AddMember(mgr, &commissionv1.AddMemberRequest{CommissionId: id, OrganizationId: "not-an-id"})
	testenv.WantCode(t, err, codes.InvalidArgument)
	_, err = e.Commissions.CreateCommission(mgr, &commissionv1.CreateCommissionRequest{Name: "", Theme: strings.Repeat("x", 101), ConveningClusterId: tera})
	st = testenv.WantCode(t, err, codes.InvalidArgument)
	if got := violations(st.Details()); !slices.Equal(got, []string{"name", "theme"}) {
		t.Errorf("CreateCommission violations %v", got)
	}

	// A past meeting: attendance, minutes, a decision completed by its owner.
	past, err := e.Commissions.ScheduleMeeting(mgr, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Title: "Constitución", Place: "Santander",
		StartTime: timestamppb.New(time.Now().Add(-48 * time.Hour)), Agenda: []*commissionv1.AgendaItem{{Title: "Plan de trabajo", PresenterOrganizationId: alfa}}})
	if err != nil {
		t.Fatalf("ScheduleMeeting: %v", err)
	}
	mid := past.GetMeetingId()
	_, err = e.Commissions.RecordAttendance(mgr, &commissionv1.RecordAttendanceRequest{CommissionId: id, MeetingId: mid, Attendance: []*commissionv1.Attendance{
		{OrganizationId: alfa, Status: commissionv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT}, {OrganizationId: gamma, Status: commissionv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT}}})
	st = testenv.WantCode(t, err, codes.InvalidArgument) // gamma does not sit on it
	if got := violations(st.Details()); !slices.Equal(got, []string{"attendance[1].organization_id"}) {
		t.Errorf("RecordAttendance violations %v", got)
	}
	if _, err := e.Commissions.RecordAttendance(mgr, &commissionv1.RecordAttendanceRequest{CommissionId: id, MeetingId: mid, Attendance: []*commissionv1.Attendance{
		{OrganizationId: alfa, Status: commissionv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT}, {OrganizationId: beta, Status: commissionv1.AttendanceStatus_ATTENDANCE_STATUS_EXCUSED}}}); err != nil {
		t.Fatalf("RecordAttendance: %v", err)
	}
	if _, err := e.Commissions.RecordMinutes(mgr, &commissionv1.RecordMinutesRequest{CommissionId: id, MeetingId: mid, Minutes: "Se aprueba el plan."}); err != nil {
		t.Fatalf("RecordMinutes: %v", err)
	}
	dec, err := e.Commissions.RecordDecision(mgr, &commissionv1.RecordDecisionRequest{CommissionId: id, MeetingId: mid, Text: "Enviar el plan", OwnerOrganizationId: alfa, DueDate: "2030-01-31"})
	if err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	// Another company cannot complete it; the owner can.
	_, err = e.Commissions.CompleteDecision(e.Ctx(testenv.Company(beta)), &commissionv1.CompleteDecisionRequest{CommissionId: id, DecisionId: dec.GetDecisionId()})
	testenv.WantCode(t, err, codes.PermissionDenied)
	done, err := e.Commissions.CompleteDecision(e.Ctx(testenv.Company(alfa)), &commissionv1.CompleteDecisionRequest{CommissionId: id, DecisionId: dec.GetDecisionId()})
	if err != nil {
		t.Fatalf("CompleteDecision by its owner: %v", err)
	}
	d := done.GetCommission().GetMeetings()[0].GetDecisions()[0]
	if d.GetStatus() != commissionv1.DecisionStatus_DECISION_STATUS_DONE || d.GetCompleteTime() == nil {
		t.Errorf("decision %v", d)
	}

	// An upcoming meeting cannot have minutes yet; it can be cancelled.
	next, err := e.Commissions.ScheduleMeeting(mgr, &commissionv1.ScheduleMeetingRequest{CommissionId: id, Title: "Seguimiento", Link: "https://meet.example/tera",
		StartTime: timestamppb.New(time.Now().Add(30 * 24 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Commissions.RecordMinutes(mgr, &commissionv1.RecordMinutesRequest{CommissionId: id, MeetingId: next.GetMeetingId(), Minutes: "x"})
	testenv.WantCode(t, err, codes.FailedPrecondition)

	// Projects: CPV codes checked against the list, status moves forward only.
	_, err = e.Commissions.AddProject(mgr, &commissionv1.AddProjectRequest{CommissionId: id, Title: "Gemelo digital", PartnerOrganizationIds: []string{alfa}, CpvCodes: []string{"99999999"}, BudgetCents: -1})
	st = testenv.WantCode(t, err, codes.InvalidArgument)
	if got := violations(st.Details()); !slices.Equal(got, []string{"budget_cents", "cpv_codes[0]"}) {
		t.Errorf("AddProject violations %v", got)
	}
	proj, err := e.Commissions.AddProject(mgr, &commissionv1.AddProjectRequest{CommissionId: id, Title: "Gemelo digital", PartnerOrganizationIds: []string{alfa, beta},
		BudgetCents: 80_000_00, FundingSource: "Programa Industria Conectada", CpvCodes: []string{"72260000"}})
	if err != nil {
		t.Fatalf("AddProject: %v", err)
	}
	_, err = e.Commissions.ChangeProjectStatus(mgr, &commissionv1.ChangeProjectStatusRequest{CommissionId: id, ProjectId: proj.GetProjectId(), Status: commissionv1.ProjectStatus_PROJECT_STATUS_COMPLETED})
	testenv.WantCode(t, err, codes.FailedPrecondition)
	if _, err := e.Commissions.ChangeProjectStatus(mgr, &commissionv1.ChangeProjectStatusRequest{CommissionId: id, ProjectId: proj.GetProjectId(), Status: commissionv1.ProjectStatus_PROJECT_STATUS_ACTIVE}); err != nil {
		t.Fatalf("ChangeProjectStatus: %v", err)
	}

	// An invitation: the company sees the commission and accepts.
	if _, err := e.Commissions.InviteMember(mgr, &commissionv1.InviteMemberRequest{CommissionId: id, OrganizationId: gamma}); err != nil {
		t.Fatalf("InviteMember: %v", err)
	}
	mine, err := e.Commissions.ListCommissions(e.Ctx(testenv.Company(gamma)), &commissionv1.ListCommissionsRequest{})
	if err != nil || len(mine.GetCommissions()) != 1 {
		t.Fatalf("invited company's list: %v %v", mine, err)
	}
	acc, err := e.Commissions.AcceptInvitation(e.Ctx(testenv.Company(gamma)), &commissionv1.AcceptInvitationRequest{CommissionId: id, OrganizationId: gamma})
	if err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	for _, m := range acc.GetCommission().GetMembers() {
		if m.GetOrganizationId() == gamma && (m.GetStatus() != commissionv1.MemberStatus_MEMBER_STATUS_JOINED || m.GetJoinedDate() != time.Now().UTC().Format(time.DateOnly)) {
			t.Errorf("accepted member %v", m)
		}
	}

	// The same idempotency key twice: one event.
	ctxKey := withKey(mgr, "minutes-again")
	for range 2 {
		if _, err := e.Commissions.RecordMinutes(ctxKey, &commissionv1.RecordMinutesRequest{CommissionId: id, MeetingId: mid, Minutes: "Acta corregida."}); err != nil {
			t.Fatal(err)
		}
	}
	// Optimistic concurrency: a stale expected version is ABORTED.
	cur, _ := e.Commissions.GetCommission(mgr, &commissionv1.GetCommissionRequest{CommissionId: id})
	_, err = e.Commissions.UpdateCommission(mgr, &commissionv1.UpdateCommissionRequest{CommissionId: id, Name: "X", Theme: "Y", ExpectedVersion: cur.GetCommission().GetVersion() - 1})
	testenv.WantCode(t, err, codes.Aborted)

	trail, err := e.Commissions.GetAuditTrail(e.Ctx(testenv.Agency()), &commissionv1.GetAuditTrailRequest{CommissionId: id})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range trail.GetEvents() {
		types = append(types, strings.TrimPrefix(ev.GetType(), "consortia.commission.v1."))
	}
	want := []string{"CommissionCreated", "CommissionMemberAdded", "CommissionMemberAdded", "MeetingScheduled", "MeetingAttendanceRecorded",
		"MeetingMinutesRecorded", "DecisionRecorded", "DecisionCompleted", "MeetingScheduled", "ProjectAdded", "ProjectStatusChanged",
		"CommissionMemberInvited", "CommissionInvitationAccepted", "MeetingMinutesRecorded"}
	if !slices.Equal(types, want) {
		t.Errorf("audit trail\n got %v\nwant %v", types, want)
	}
	if trail.GetEvents()[0].GetActor() == "" || !strings.Contains(trail.GetEvents()[0].GetDataJson(), "Industria 4.0 TERA") {
		t.Errorf("first audit event %v", trail.GetEvents()[0])
	}

	// The report: attendance and projects under the clusters.
	rep, err := e.Commissions.GetCrossClusterReport(e.Ctx(testenv.Agency()), &commissionv1.GetCrossClusterReportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	tr, gr := clusterRow(t, rep.GetReport(), tera), clusterRow(t, rep.GetReport(), gira)
	if tr.GetMeetingsAttended() != 1 || tr.GetMeetingsExpected() != 1 || gr.GetMeetingsAttended() != 0 || gr.GetMeetingsExpected() != 1 ||
		tr.GetProjects().GetActive() != 1 || gr.GetProjects().GetActive() != 1 || tr.GetCommissionMembers() != 2 {
		t.Errorf("TERA %v\nGIRA %v", tr, gr)
	}
	cf := rep.GetReport().GetCommissions()[0]
	if cf.GetMeetingsHeld() != 1 || cf.GetDecisionsDone() != 1 || cf.GetMeetingsAttended() != 1 || cf.GetMeetingsExpected() != 2 || cf.GetMembers() != 3 {
		t.Errorf("commission figures %v", cf)
	}
	// A manager gets their own cluster only.
	mine2, err := e.Commissions.GetCrossClusterReport(mgr, &commissionv1.GetCrossClusterReportRequest{})
	if err != nil || len(mine2.GetReport().GetClusters()) != 1 || mine2.GetReport().GetClusters()[0].GetClusterId() != tera {
		t.Errorf("manager's report: %v %v", mine2.GetReport().GetClusters(), err)
	}
	_, err = e.Commissions.GetCrossClusterReport(e.Ctx(testenv.Agency()), &commissionv1.GetCrossClusterReportRequest{FromDate: "2026-13-01", ToDate: "x"})
	st = testenv.WantCode(t, err, codes.InvalidArgument)
	if got := violations(st.Details()); !slices.Equal(got, []string{"from_date", "to_date"}) {
		t.Errorf("report violations %v", got)
	}
}

func violations(details []any) []string {
	var out []string
	for _, d := range details {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetField())
			}
		}
	}
	return out
}

func withKey(ctx context.Context, key string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "idempotency-key", key)
}

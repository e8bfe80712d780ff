package domain_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/commission/domain"
)

var orgs = map[string]domain.Organization{
	"a":  {ID: "a", ActiveIn: []string{"tera"}},
	"a2": {ID: "a2", ActiveIn: []string{"tera"}},
	"b":  {ID: "b", ActiveIn: []string{"gira"}},
	"c":  {ID: "c", ActiveIn: []string{"marca"}},
	"ab": {ID: "ab", ActiveIn: []string{"gira", "tera"}},
	"x":  {ID: "x"}, // no active membership
}

func TestClustersOf(t *testing.T) {
	for _, tc := range []struct {
		name     string
		members  []string
		clusters []string
		inter    bool
		pairs    [][2]string
	}{
		{"one cluster", []string{"a", "a2"}, []string{"tera"}, false, nil},
		{"two clusters", []string{"a", "b"}, []string{"gira", "tera"}, true, [][2]string{{"gira", "tera"}}},
		{"three clusters", []string{"a", "b", "c"}, []string{"gira", "marca", "tera"}, true,
			[][2]string{{"gira", "marca"}, {"gira", "tera"}, {"marca", "tera"}}},
		// A member of both clusters with a TERA member: TERA alone has them all.
		{"dual member with a TERA member", []string{"a", "ab"}, []string{"gira", "tera"}, false, nil},
		{"dual member with a MarCa member", []string{"ab", "c"}, []string{"gira", "marca", "tera"}, true,
			[][2]string{{"gira", "marca"}, {"marca", "tera"}}},
		{"members without cluster do not count", []string{"a", "x"}, []string{"tera"}, false, nil},
		{"one member", []string{"ab"}, []string{"gira", "tera"}, false, nil},
		{"unknown organisation", []string{"a", "zz"}, []string{"tera"}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, inter, pairs := domain.ClustersOf(tc.members, orgs)
			if !slices.Equal(cl, tc.clusters) || inter != tc.inter || !reflect.DeepEqual(pairs, tc.pairs) {
				t.Errorf("ClustersOf(%v) = %v, %v, %v; want %v, %v, %v", tc.members, cl, inter, pairs, tc.clusters, tc.inter, tc.pairs)
			}
		})
	}
}

func day(s string) time.Time {
	t, err := time.Parse(domain.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestComputeReport(t *testing.T) {
	clusters := []domain.Cluster{{ID: "tera", Name: "TERA"}, {ID: "gira", Name: "GIRA"}, {ID: "marca", Name: "MarCa"}}
	tenders := map[string]domain.Tender{
		"t1": {ID: "t1", Title: "Uno", EstimatedCents: 1000, Lots: []domain.Lot{{ID: "1", EstimatedCents: 400}, {ID: "2", EstimatedCents: 600}},
			Awards: []domain.Award{{LotID: "1", ConsortiumID: "b1", AmountCents: 390, Time: day("2026-03-10")}, {LotID: "2", ConsortiumID: "b2", AmountCents: 580, Time: day("2026-04-02")}}},
		"t2": {ID: "t2", Title: "Dos", EstimatedCents: 2000},
	}
	bids := []domain.Bid{
		// Both lots of t1 won by inter-cluster consortia: t1 counts once per cluster.
		{ID: "b1", TenderID: "t1", LotID: "1", Members: []string{"a", "b"}, Status: domain.BidAwarded, Formed: day("2026-01-05"), Submitted: day("2026-02-01"), Decided: day("2026-03-11")},
		{ID: "b2", TenderID: "t1", LotID: "2", Members: []string{"a2", "b"}, Status: domain.BidAwarded, Formed: day("2026-01-06"), Submitted: day("2026-02-01"), Decided: day("2026-04-03")},
		// A TERA-only bid that lost.
		{ID: "b3", TenderID: "t2", Members: []string{"a", "a2"}, Status: domain.BidLost, Formed: day("2026-01-07"), Submitted: day("2026-02-02"), Decided: day("2026-05-01")},
		// Formed before the period.
		{ID: "b4", TenderID: "t2", Members: []string{"b", "c"}, Status: domain.BidForming, Formed: day("2025-06-01")},
	}
	in := domain.ReportInput{Period: domain.Period{From: day("2026-01-01"), To: day("2026-12-31")}, Clusters: clusters,
		Organizations: orgs, Tenders: tenders, Bids: bids, Now: day("2026-06-01")}
	r := domain.ComputeReport(in)

	byID := map[string]domain.ClusterFigures{}
	for _, c := range r.Clusters {
		byID[c.ClusterID] = c
	}
	if names := []string{r.Clusters[0].ClusterName, r.Clusters[1].ClusterName, r.Clusters[2].ClusterName}; !slices.Equal(names, []string{"GIRA", "MarCa", "TERA"}) {
		t.Errorf("clusters by name: %v", names)
	}
	tera := byID["tera"].Bids
	if tera != (domain.BidFigures{TendersPursued: 2, TendersSubmitted: 2, TendersWon: 1, TendersLost: 1, PursuedValueCents: 400 + 600 + 2000, AwardedValueCents: 390 + 580}) {
		t.Errorf("TERA bids %+v", tera)
	}
	gira := byID["gira"].Bids
	if gira != (domain.BidFigures{TendersPursued: 1, TendersSubmitted: 1, TendersWon: 1, PursuedValueCents: 1000, AwardedValueCents: 970}) {
		t.Errorf("GIRA bids %+v", gira)
	}
	if byID["marca"].Bids != (domain.BidFigures{}) || byID["marca"].InterClusterConsortia != 0 {
		t.Errorf("MarCa %+v (its only bid was formed before the period)", byID["marca"])
	}
	if byID["tera"].InterClusterConsortia != 2 || byID["gira"].InterClusterConsortia != 2 || len(r.InterBids) != 2 {
		t.Errorf("inter-cluster: TERA %d, GIRA %d, list %d", byID["tera"].InterClusterConsortia, byID["gira"].InterClusterConsortia, len(r.InterBids))
	}
	if len(r.Matrix) != 1 || r.Matrix[0] != (domain.ClusterPair{A: "gira", B: "tera", Consortia: 2, Awarded: 2, AwardedValueCents: 970}) {
		t.Errorf("matrix %+v", r.Matrix)
	}
	if r.Totals.AwardedValueCents != 970 || r.Totals.TendersWon != 1 || r.Totals.TendersPursued != 2 {
		t.Errorf("totals %+v", r.Totals)
	}
	wantMonths := []domain.MonthFigures{
		{Month: "2026-03", ClusterID: "gira", TendersWon: 1, AwardedValueCents: 390}, {Month: "2026-03", ClusterID: "tera", TendersWon: 1, AwardedValueCents: 390},
		{Month: "2026-04", ClusterID: "gira", TendersWon: 1, AwardedValueCents: 580}, {Month: "2026-04", ClusterID: "tera", TendersWon: 1, AwardedValueCents: 580},
	}
	if !reflect.DeepEqual(r.Months, wantMonths) {
		t.Errorf("months %+v", r.Months)
	}

	// Only GIRA selected: the matrix keeps pairs involving GIRA; TERA-only bids leave the totals.
	in.Selected = []string{"gira"}
	g := domain.ComputeReport(in)
	if len(g.Clusters) != 1 || len(g.Matrix) != 1 || g.Totals.TendersLost != 0 || g.Totals.AwardedValueCents != 970 {
		t.Errorf("GIRA only: %+v", g)
	}
	// Open start, ending before the awards: nothing won; the 2025 GIRA–MarCa bid now counts.
	in.Selected, in.Period = nil, domain.Period{To: day("2026-02-28")}
	early := domain.ComputeReport(in)
	if early.Totals.TendersWon != 0 || early.Totals.AwardedValueCents != 0 || len(early.Matrix) != 2 ||
		early.Matrix[0] != (domain.ClusterPair{A: "gira", B: "marca", Consortia: 1}) || early.Matrix[1] != (domain.ClusterPair{A: "gira", B: "tera", Consortia: 2}) {
		t.Errorf("early: totals %+v matrix %+v", early.Totals, early.Matrix)
	}
}

func TestReportMeetingsAndProjects(t *testing.T) {
	c := domain.Commission{ID: "k", Name: "Salud", Status: domain.StatusActive,
		Members: []domain.Member{
			{OrganizationID: "a", Status: domain.MemberStatusJoined, Joined: day("2026-01-01")},
			{OrganizationID: "b", Status: domain.MemberStatusJoined, Joined: day("2026-01-01")},
			{OrganizationID: "c", Status: domain.MemberStatusLeft, Joined: day("2026-01-01"), Left: day("2026-02-01")},
		},
		Meetings: []domain.Meeting{
			{ID: "m1", Start: day("2026-01-20"), Attendance: []domain.Attendance{{OrganizationID: "a", Status: domain.Present}, {OrganizationID: "b", Status: domain.Absent}, {OrganizationID: "c", Status: domain.Present}},
				Decisions: []domain.Decision{{ID: "d1", Status: domain.DecisionDone}, {ID: "d2", Status: domain.DecisionOpen}}},
			{ID: "m2", Start: day("2026-03-01"), Cancelled: true},
			{ID: "m3", Start: day("2026-09-01")}, // after now
		},
		Projects: []domain.Project{{ID: "p1", PartnerIDs: []string{"a", "b"}, Status: domain.ProjectActive}, {ID: "p2", PartnerIDs: []string{"c"}, Status: domain.ProjectProposed}},
	}
	r := domain.ComputeReport(domain.ReportInput{Clusters: []domain.Cluster{{ID: "tera", Name: "TERA"}, {ID: "gira", Name: "GIRA"}, {ID: "marca", Name: "MarCa"}},
		Organizations: orgs, Commissions: []domain.Commission{c}, Now: day("2026-06-01")})
	f := r.Commissions[0]
	if f.Members != 2 || f.MeetingsHeld != 1 || f.MeetingsAttended != 2 || f.MeetingsExpected != 3 || f.DecisionsOpen != 1 || f.DecisionsDone != 1 ||
		f.Projects != (domain.ProjectCounts{Proposed: 1, Active: 1}) {
		t.Errorf("commission figures %+v", f)
	}
	by := map[string]domain.ClusterFigures{}
	for _, c := range r.Clusters {
		by[c.ClusterID] = c
	}
	if by["tera"].MeetingsAttended != 1 || by["gira"].MeetingsExpected != 1 || by["gira"].MeetingsAttended != 0 || by["marca"].MeetingsAttended != 1 {
		t.Errorf("attendance by cluster %+v", by)
	}
	if by["tera"].CommissionMembers != 1 || by["marca"].CommissionMembers != 0 || by["marca"].Projects.Proposed != 1 || by["gira"].Projects.Active != 1 {
		t.Errorf("members and projects by cluster %+v", by)
	}
}

func TestParsePeriod(t *testing.T) {
	if _, err := domain.ParsePeriod("2026-05-01", "2026-04-01"); err == nil {
		t.Error("a period ending before it starts was accepted")
	}
	p, err := domain.ParsePeriod("", "2026-04-01")
	if err != nil || !p.From.IsZero() || !p.Contains(day("2020-01-01").Add(13*time.Hour)) || !p.Contains(day("2026-04-01").Add(23*time.Hour)) || p.Contains(day("2026-04-02")) {
		t.Errorf("open start period %+v %v", p, err)
	}
	if p.Contains(time.Time{}) {
		t.Error("a zero time is in a period")
	}
}

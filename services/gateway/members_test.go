package gateway_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/consortia/demo"
)

// signedIn returns a console client signed in as a demo user, in English.
func signedIn(t *testing.T, s *stack, user string) *http.Client {
	t.Helper()
	c := consoleClient(t)
	if resp := post(t, c, s.URL+"/signin", url.Values{"user": {user}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", user, resp.StatusCode)
	}
	get(t, c, s.URL+"/?lang=en").Body.Close() // English from here on (a cookie)
	return c
}

// pendingCompany returns the demo company whose membership of cluster is
// only requested.
func pendingCompany(t *testing.T, s *stack, cluster string) demo.Company {
	t.Helper()
	for _, c := range demo.Companies(s.Year) {
		if slices.Contains(c.Pending, cluster) {
			return c
		}
	}
	t.Fatalf("demo data has no pending request for cluster %s", cluster)
	return demo.Company{}
}

// demoMembers returns the ids of the demo companies with a membership (any
// status) of cluster.
func demoMembers(s *stack, cluster string) []string {
	var ids []string
	for _, c := range demo.Companies(s.Year) {
		if slices.Contains(c.Clusters, cluster) || slices.Contains(c.Pending, cluster) {
			ids = append(ids, c.ID())
		}
	}
	slices.Sort(ids)
	return ids
}

// memberRowRE matches a row of the members page.
var memberRowRE = regexp.MustCompile(`<tr data-org="([^"]+)" data-status="([^"]+)"`)

// memberRow is a row of the members page: organisation id and membership status.
type memberRow struct{ Org, Status string }

// memberRows returns the rows of one cluster's section of the members page,
// in page order (nil when the page has no section for the cluster).
func memberRows(page, cluster string) []memberRow {
	i := strings.Index(page, `data-cluster="`+cluster+`"`)
	if i < 0 {
		return nil
	}
	section := page[i:]
	if end := strings.Index(section, "</section>"); end >= 0 {
		section = section[:end]
	}
	var rows []memberRow
	for _, m := range memberRowRE.FindAllStringSubmatch(section, -1) {
		rows = append(rows, memberRow{Org: m[1], Status: m[2]})
	}
	return rows
}

// rowHTML returns the members page's row of an organisation ("" when absent).
func rowHTML(page, org string) string {
	i := strings.Index(page, `<tr data-org="`+org+`"`)
	if i < 0 {
		return ""
	}
	row := page[i:]
	if end := strings.Index(row, "</tr>"); end >= 0 {
		row = row[:end]
	}
	return row
}

// membershipStatus reads an organisation's membership status through the API.
func membershipStatus(t *testing.T, s *stack, cluster, org string) string {
	t.Helper()
	resp := s.call(t, http.MethodGet, "/v1/clusters/"+cluster+"/members/"+org, s.token(t, "admin", time.Minute), "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("check membership of %s in %s: %d\n%s", org, cluster, resp.StatusCode, readAll(t, resp))
	}
	var out struct {
		Status string `json:"status"`
	}
	decode(t, resp, &out)
	return out.Status
}

// TestConsoleMembers: the TERA manager sees the cluster's members with the
// pending request first and approves it; a suspension without a reason shows
// the field error and changes nothing; with a reason the membership is
// suspended and may be approved again. (The home page's count of pending
// requests is checked in TestConsolePages, which runs the tender service.)
func TestConsoleMembers(t *testing.T) {
	s := startStack(t, false) // the members page needs only the member service
	tera := demo.ClusterID("tera")
	pending := pendingCompany(t, s, "tera")
	org := pending.ID()
	if !strings.HasPrefix(pending.Registration.LegalName, "Demo Udías") {
		t.Fatalf("pending demo company %q, want Demo Udías …", pending.Registration.LegalName)
	}
	c := signedIn(t, s, "tera-manager")

	resp := get(t, c, s.URL+"/members")
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="nav-members"`) {
		t.Fatalf("/members: %d, or no link in the navigation\n%s", resp.StatusCode, flashOf(page))
	}
	rows := memberRows(page, tera)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.Org)
	}
	slices.Sort(ids)
	if want := demoMembers(s, "tera"); !slices.Equal(ids, want) {
		t.Fatalf("TERA members listed: %v\nwant %v", ids, want)
	}
	if rows[0] != (memberRow{org, "MEMBERSHIP_STATUS_REQUESTED"}) {
		t.Errorf("first row %+v, want the pending request of %s", rows[0], org)
	}
	row := rowHTML(page, org)
	for _, want := range []string{pending.Registration.LegalName, pending.Registration.TaxID, "Small (10–49)", "E-health, Software development", "Requested", `action="/members/` + org + `/approve"`, `value="` + tera + `"`, "Approve"} {
		if !strings.Contains(row, want) {
			t.Errorf("pending row lacks %q:\n%s", want, row)
		}
	}
	active := rows[1].Org
	if rows[1].Status != "MEMBERSHIP_STATUS_ACTIVE" || !strings.Contains(rowHTML(page, active), `action="/members/`+active+`/suspend"`) {
		t.Errorf("second row %+v: want an active member with a suspend form", rows[1])
	}

	// A cross-site form post is refused and changes nothing.
	approve := url.Values{"cluster": {tera}}
	if resp := post(t, c, s.URL+"/members/"+org+"/approve", approve, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site approve: %d, want 403", resp.StatusCode)
	}
	if got := membershipStatus(t, s, tera, org); got != "MEMBERSHIP_STATUS_REQUESTED" {
		t.Fatalf("after a cross-site approve: %s, want REQUESTED", got)
	}

	resp = post(t, c, s.URL+"/members/"+org+"/approve", approve)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/members" {
		t.Fatalf("approve: %d → %q, want 303 to /members", resp.StatusCode, resp.Header.Get("Location"))
	}
	page = body(t, get(t, c, s.URL+"/members"))
	if !strings.Contains(page, "Membership of "+pending.Registration.LegalName+" approved.") {
		t.Errorf("no confirmation after approving:\n%s", flashOf(page))
	}
	if row := rowHTML(page, org); !strings.Contains(row, `data-status="MEMBERSHIP_STATUS_ACTIVE"`) || !strings.Contains(row, `/suspend"`) {
		t.Errorf("approved row is not active with a suspend form:\n%s", row)
	}
	if got := membershipStatus(t, s, tera, org); got != "MEMBERSHIP_STATUS_ACTIVE" {
		t.Fatalf("after approving: %s, want ACTIVE", got)
	}

	// Suspending needs a reason: the field error shows and nothing changes.
	for _, reason := range []string{"", "   "} {
		post(t, c, s.URL+"/members/"+org+"/suspend", url.Values{"cluster": {tera}, "reason": {reason}}).Body.Close()
		page = body(t, get(t, c, s.URL+"/members"))
		if !strings.Contains(page, `class="flash error"`) || !strings.Contains(page, "reason: required") {
			t.Errorf("suspend with reason %q: no field error:\n%s", reason, flashOf(page))
		}
		if got := membershipStatus(t, s, tera, org); got != "MEMBERSHIP_STATUS_ACTIVE" {
			t.Fatalf("suspend with reason %q changed the membership to %s", reason, got)
		}
	}

	resp = post(t, c, s.URL+"/members/"+org+"/suspend", url.Values{"cluster": {tera}, "reason": {"Membership fee unpaid"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d", resp.StatusCode)
	}
	page = body(t, get(t, c, s.URL+"/members"))
	if !strings.Contains(page, "Membership of "+pending.Registration.LegalName+" suspended.") {
		t.Errorf("no confirmation after suspending:\n%s", flashOf(page))
	}
	row = rowHTML(page, org)
	for _, want := range []string{`data-status="MEMBERSHIP_STATUS_SUSPENDED"`, "Membership fee unpaid", `/approve"`} {
		if !strings.Contains(row, want) {
			t.Errorf("suspended row lacks %q:\n%s", want, row)
		}
	}
	if got := membershipStatus(t, s, tera, org); got != "MEMBERSHIP_STATUS_SUSPENDED" {
		t.Fatalf("after suspending: %s, want SUSPENDED", got)
	}
	if rows := memberRows(page, tera); rows[len(rows)-1].Org != org {
		t.Errorf("the suspended membership is not listed last: %+v", rows[len(rows)-1])
	}

	// Spanish page.
	if page := body(t, get(t, c, s.URL+"/members?lang=es")); !strings.Contains(page, "Socios del clúster") || !strings.Contains(page, "Aprobar") {
		t.Error("the members page is not in Spanish with ?lang=es")
	}
}

// TestConsoleMembersAccess: a company user may not open the members page or
// approve; another cluster's manager sees only their own cluster's members
// and may not act on TERA's.
func TestConsoleMembersAccess(t *testing.T) {
	s := startStack(t, false) // the members page needs only the member service
	tera := demo.ClusterID("tera")
	org := pendingCompany(t, s, "tera").ID()

	company := signedIn(t, s, "company1")
	resp := get(t, company, s.URL+"/members")
	page := body(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "This page is for cluster managers.") {
		t.Errorf("company /members: %d, want 403 with a message", resp.StatusCode)
	}
	if strings.Contains(page, `id="nav-members"`) {
		t.Error("a company user's navigation links to /members")
	}
	if resp := post(t, company, s.URL+"/members/"+org+"/approve", url.Values{"cluster": {tera}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("company approve: %d, want 403", resp.StatusCode)
	}

	gira := signedIn(t, s, "gira-manager")
	resp = get(t, gira, s.URL+"/members")
	page = body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "GIRA automotive cluster (demo)") {
		t.Fatalf("gira-manager /members: %d\n%s", resp.StatusCode, flashOf(page))
	}
	if rows := memberRows(page, tera); rows != nil || strings.Contains(page, "TERA ICT cluster") || strings.Contains(page, org) {
		t.Errorf("gira-manager sees TERA's members")
	}
	var ids []string
	for _, r := range memberRows(page, demo.ClusterID("gira")) {
		ids = append(ids, r.Org)
	}
	slices.Sort(ids)
	if want := demoMembers(s, "gira"); len(want) == 0 || !slices.Equal(ids, want) {
		t.Errorf("GIRA members listed: %v, want %v", ids, want)
	}

	// Naming TERA in the form does not let the GIRA manager approve.
	resp = post(t, gira, s.URL+"/members/"+org+"/approve", url.Values{"cluster": {tera}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("gira-manager approve in TERA: %d, want 303 with an error", resp.StatusCode)
	}
	if page := body(t, get(t, gira, s.URL+"/members")); !strings.Contains(page, "You may not do this.") {
		t.Errorf("gira-manager approve in TERA: no permission error:\n%s", flashOf(page))
	}
	if got := membershipStatus(t, s, tera, org); got != "MEMBERSHIP_STATUS_REQUESTED" {
		t.Errorf("after refused approvals: %s, want REQUESTED", got)
	}
}

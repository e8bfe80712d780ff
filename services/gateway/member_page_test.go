package gateway_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/taxid"
)

// TestConsoleMemberPageRegisterAndJoin: on /members each name links to the
// member's page with its certifications, turnover and references; a manager
// registers a company there (a bad headcount is refused before any call);
// a company asks to join another cluster from its profile and that
// cluster's manager sees the pending request; a company cannot open a
// member's page.
func TestConsoleMemberPageRegisterAndJoin(t *testing.T) {
	s := startStack(t, false) // only the member service is needed
	tera := "tera"
	var withCerts demo.Company
	for _, c := range demo.Companies(s.Year) {
		if slices.Contains(c.Clusters, tera) && len(c.Registration.Certifications) > 0 && len(c.Registration.Turnover) > 0 {
			withCerts = c
			break
		}
	}
	if withCerts.ID() == "" {
		t.Fatal("no demo TERA company with certifications and turnover")
	}
	m := signedIn(t, s, "tera-manager")

	page := body(t, get(t, m, s.URL+"/members"))
	if link := `href="/members/` + withCerts.ID() + `"`; !strings.Contains(rowHTML(page, withCerts.ID()), link) {
		t.Fatalf("members page: no link %s in the row of %s", link, withCerts.Registration.LegalName)
	}
	resp := get(t, m, s.URL+"/members/"+withCerts.ID())
	page = body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("member page: %d\n%s", resp.StatusCode, flashOf(page))
	}
	wants := []string{withCerts.Registration.LegalName, withCerts.Registration.TaxID, `data-kind="` + withCerts.Registration.Certifications[0].Kind + `"`,
		"TERA", "Active"}
	for _, tu := range withCerts.Registration.Turnover {
		wants = append(wants, fmt.Sprint(tu.Year))
	}
	for _, want := range wants {
		if !strings.Contains(page, want) {
			t.Errorf("member page lacks %q", want)
		}
	}

	// Register a company: a bad headcount is refused, a good form registers it.
	tax := ""
	for c := '0'; c <= '9' && tax == ""; c++ {
		if _, err := taxid.Validate("B7700001" + string(c)); err == nil {
			tax = "B7700001" + string(c)
		}
	}
	form := url.Values{"legal_name": {"Registrada En Consola S.L."}, "tax_id": {tax}, "size": {"SIZE_BAND_MICRO"}, "headcount": {"-3"}}
	post(t, m, s.URL+"/members/register", form).Body.Close()
	if page := body(t, get(t, m, s.URL+"/members")); !strings.Contains(page, "The headcount must be a whole number") {
		t.Errorf("bad headcount: no error shown:\n%s", flashOf(page))
	}
	form.Set("headcount", "4")
	resp = post(t, m, s.URL+"/members/register", form)
	loc := resp.Header.Get("Location")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || loc != "/members" {
		t.Fatalf("register: %d → %q, want 303 to /members", resp.StatusCode, loc)
	}
	if page := body(t, get(t, m, s.URL+loc)); !strings.Contains(page, "Registrada En Consola S.L. is registered.") {
		t.Errorf("no confirmation of the registration:\n%s", flashOf(page))
	}
	got := s.call(t, http.MethodGet, "/v1/organizations/"+domain.OrganizationID(tax), s.token(t, "admin", time.Minute), "")
	if text := readAll(t, got); got.StatusCode != http.StatusOK || !strings.Contains(text, `"legalName":"Registrada En Consola S.L."`) ||
		!strings.Contains(text, `"headcount":4`) || strings.Contains(text, `"memberships":[{`) {
		t.Errorf("registered organisation: %d %s", got.StatusCode, text)
	}
	resp = post(t, m, s.URL+"/members/register", form) // the same tax id again
	resp.Body.Close()
	if page := body(t, get(t, m, s.URL+"/members")); !strings.Contains(page, `class="flash error"`) {
		t.Errorf("registering the same tax id twice: no error:\n%s", flashOf(page))
	}

	// A TERA company asks to join GIRA from its profile.
	var joiner demo.Company
	for _, c := range demo.Companies(s.Year) {
		if slices.Equal(c.Clusters, []string{tera}) && len(c.Pending) == 0 {
			joiner = c
			break
		}
	}
	key := ""
	for k, u := range s.Users {
		if u.Claims.Organization == joiner.ID() {
			key = k
		}
	}
	if key == "" {
		t.Fatalf("no demo user for %s", joiner.Registration.LegalName)
	}
	c := signedIn(t, s, key)
	gira := demo.ClusterID("gira")
	page = body(t, get(t, c, s.URL+"/profile"))
	if !strings.Contains(page, `id="membership-request"`) || !strings.Contains(page, `value="`+gira+`"`) || strings.Contains(page, `<option value="`+demo.ClusterID(tera)+`"`) {
		t.Fatalf("profile: want a membership request form offering GIRA and not TERA")
	}
	resp = post(t, c, s.URL+"/profile/membership", url.Values{"cluster": {gira}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("request membership: %d", resp.StatusCode)
	}
	if page := body(t, get(t, c, s.URL+"/profile")); !strings.Contains(page, "Request sent") {
		t.Errorf("no confirmation of the request:\n%s", flashOf(page))
	}
	if got := membershipStatus(t, s, gira, joiner.ID()); got != "MEMBERSHIP_STATUS_REQUESTED" {
		t.Errorf("GIRA membership of %s: %s, want REQUESTED", joiner.Registration.LegalName, got)
	}
	g := signedIn(t, s, "gira-manager")
	if row := rowHTML(body(t, get(t, g, s.URL+"/members")), joiner.ID()); !strings.Contains(row, "MEMBERSHIP_STATUS_REQUESTED") {
		t.Errorf("GIRA manager: no pending row for %s:\n%s", joiner.Registration.LegalName, row)
	}

	// A company cannot open a member's page.
	if resp := get(t, c, s.URL+"/members/"+withCerts.ID()); resp.StatusCode != http.StatusForbidden {
		t.Errorf("company opening a member page: %d, want 403", resp.StatusCode)
	}
}

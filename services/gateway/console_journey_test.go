package gateway_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/consortia/demo"
)

// TestConsoleSignInEveryCompany: every demo company has a demo user on the
// sign-in page, listed under its cluster's heading, and each can sign in.
func TestConsoleSignInEveryCompany(t *testing.T) {
	s := startStack(t, false)
	c := consoleClient(t)
	page := body(t, get(t, c, s.URL+"/?lang=es"))
	// The page's headings in order, with the users after each.
	sections := regexp.MustCompile(`(?s)<h3>(.*?)</h3>(.*?)</div>`).FindAllStringSubmatch(page, -1)
	under := map[string]string{} // user key → heading
	for _, sec := range sections {
		for _, m := range regexp.MustCompile(`id="signin-([a-z0-9-]+)"`).FindAllStringSubmatch(sec[2], -1) {
			under[m[1]] = sec[1]
		}
	}
	companies := 0
	for key, u := range s.Users {
		if u.Claims.Organization == "" {
			continue
		}
		companies++
		if h, ok := under[key]; !ok || !strings.Contains(h, u.Group) || u.Group == "" {
			t.Errorf("%s (%s): under heading %q, want its cluster %q", key, u.Title, h, u.Group)
		}
	}
	if companies != 24 {
		t.Errorf("%d demo company users, want one per demo company (24)", companies)
	}
	for _, key := range []string{"company6", "company24"} {
		resp := post(t, c, s.URL+"/signin", url.Values{"user": {key}, "next": {"/profile"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in as %s: %d", key, resp.StatusCode)
		}
		name := strings.TrimPrefix(s.Users[key].Title, "Company user, ")
		if page := body(t, get(t, c, s.URL+"/profile")); !strings.Contains(page, name) {
			t.Errorf("%s's profile page does not show %q", key, name)
		}
		post(t, c, s.URL+"/signout", nil)
	}
}

// signedInES signs in as user with the console in Spanish.
func signedInES(t *testing.T, s *stack, user string) *http.Client {
	t.Helper()
	c := signedIn(t, s, user)
	get(t, c, s.URL+"/home?lang=es").Body.Close()
	return c
}

// consortiumRowOf returns the consortium page's table row of org.
func consortiumRowOf(page, org string) string {
	i := strings.Index(page, `<tr data-org="`+org+`"`)
	if i < 0 {
		return ""
	}
	end := strings.Index(page[i:], "</tr>")
	return page[i : i+end]
}

// redirectFlash follows a form's 303 and returns the page it lands on.
func redirectFlash(t *testing.T, c *http.Client, s *stack, resp *http.Response) string {
	t.Helper()
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("form answered %d, want 303", resp.StatusCode)
	}
	return body(t, get(t, c, s.URL+resp.Header.Get("Location")))
}

// TestConsoleConsortiumLeadAndMembers: a manager chooses the lead when
// forming a consortium from a recommended team; submitting with invitations
// pending is refused in Spanish naming who has not answered; the lead company
// sees only the actions it may take; the manager changes the lead, withdraws
// an invitation and removes a member; a company outside sees no manager
// button and gets a translated refusal without ids.
func TestConsoleConsortiumLeadAndMembers(t *testing.T) {
	s := startStack(t, true)
	sc := pickScenario(t, s)
	mgr := signedInES(t, s, "tera-manager")
	tenderPath := "/tenders/" + sc.TenderID

	// The team's form: its members and the lead to choose.
	values, orgs := teamForm(t, s, mgr, sc)
	lead := s.orgOf(t, sc.Company)
	if len(orgs) < 2 || orgs[0] == lead {
		t.Fatalf("team %v: want the scenario's company (%s) after the first", orgs, lead)
	}
	cpath := formConsortium(t, s, mgr, sc, values, lead, "UTE prueba del representante")
	page := body(t, get(t, mgr, s.URL+cpath))
	if row := consortiumRowOf(page, lead); !strings.Contains(row, "representante") {
		t.Fatalf("the chosen lead's row does not say representante: %s", row)
	}
	if row := consortiumRowOf(page, orgs[0]); strings.Contains(row, `class="tag"`) {
		t.Errorf("the team's first member is lead too: %s", row)
	}

	// The lead company joins; the first member has not answered.
	company := signedInES(t, s, sc.Company)
	redirectFlash(t, company, s, post(t, company, s.URL+cpath+"/accept", nil))
	page = body(t, get(t, company, s.URL+cpath))
	first := consortiumRowOf(page, orgs[0])
	if !strings.Contains(first, "revoke-invitation") || strings.Contains(page, "remove-member") {
		t.Errorf("lead company: want withdraw-invitation for the invited and no remove button; row %s", first)
	}
	if !strings.Contains(page, `id="pending-invitations"`) || strings.Contains(page, `id="submit-bid"`) {
		t.Error("lead company: pending invitations not shown, or the submit button shown although submission would be refused")
	}

	// Submitting now is refused, in Spanish, naming who has not answered.
	firstName := legalNameIn(t, page, orgs[0])
	page = redirectFlash(t, mgr, s, post(t, mgr, s.URL+cpath+"/submit", nil))
	if f := flashOf(page); !strings.Contains(f, firstName+" no ha respondido a su invitación") || strings.Contains(f, "organization/") || strings.Contains(f, "consortium/") || strings.Contains(f, "must sum") {
		t.Errorf("refused submission's flash: %s", f)
	}

	// The first member joins; the manager makes it lead, then removes the
	// former lead; any others' invitations are withdrawn.
	firstKey := ""
	for k, u := range s.Users {
		if u.Claims.Organization == orgs[0] {
			firstKey = k
		}
	}
	fc := signedInES(t, s, firstKey)
	redirectFlash(t, fc, s, post(t, fc, s.URL+cpath+"/accept", nil))
	page = redirectFlash(t, mgr, s, post(t, mgr, s.URL+cpath+"/lead", url.Values{"organization": {orgs[0]}}))
	if f := flashOf(page); !strings.Contains(f, "es ahora el representante") {
		t.Errorf("change lead flash: %s", f)
	}
	if row := consortiumRowOf(page, orgs[0]); !strings.Contains(row, "representante") {
		t.Errorf("new lead's row: %s", row)
	}
	page = redirectFlash(t, mgr, s, post(t, mgr, s.URL+cpath+"/withdraw", url.Values{"organization": {lead}}))
	if row := consortiumRowOf(page, lead); !strings.Contains(row, "MEMBER_STATUS_WITHDRAWN") {
		t.Errorf("removed member's row: %s", row)
	}
	for _, o := range orgs[1:] {
		if o == lead {
			continue
		}
		page = redirectFlash(t, mgr, s, post(t, mgr, s.URL+cpath+"/withdraw", url.Values{"organization": {o}}))
		if row := consortiumRowOf(page, o); !strings.Contains(row, "MEMBER_STATUS_WITHDRAWN") {
			t.Errorf("withdrawn invitation's row: %s", row)
		}
	}

	// A company outside the tender's management sees no manager button; a
	// forged request is refused in Spanish without the service's ids.
	outsider := "company2"
	if s.Users[outsider].Claims.Organization == orgs[0] || s.Users[outsider].Claims.Organization == lead {
		outsider = "company3"
	}
	oc := signedInES(t, s, outsider)
	if page := body(t, get(t, oc, s.URL+tenderPath)); strings.Contains(page, `id="recommend"`) {
		t.Error("a company sees the Recomendar button")
	}
	resp := get(t, oc, s.URL+tenderPath+"/recommend")
	page = body(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "No tiene permiso") || strings.Contains(page, "user:demo") || strings.Contains(page, sc.TenderID) && strings.Contains(page, "permission") {
		t.Errorf("company on the recommendations page: %d, want a Spanish 403 without ids", resp.StatusCode)
	}
}

// legalNameIn is the legal name in org's row of a consortium page.
func legalNameIn(t *testing.T, page, org string) string {
	t.Helper()
	m := regexp.MustCompile(`<td>([^<]+)`).FindStringSubmatch(consortiumRowOf(page, org))
	if m == nil {
		t.Fatalf("no name in the row of %s", org)
	}
	return strings.TrimSpace(html.UnescapeString(m[1]))
}

// TestConsoleCompanyOwnBid: a company starts a bid it leads from the tender
// page (a manager sees no such button), joins it at once and may invite
// fellow members; it is offered no second bid on the tender, and a forged
// one is refused in Spanish.
func TestConsoleCompanyOwnBid(t *testing.T) {
	s := startStack(t, true)
	mgr := signedInES(t, s, "tera-manager")
	form := url.Values{
		"cluster": {demo.ClusterID("tera")}, "title": {"Mantenimiento de la sede electrónica (oferta propia)"},
		"authority_name": {"Ayuntamiento de Torrelavega"}, "contract_type": {"CONTRACT_TYPE_SERVICES"}, "procedure": {"PROCEDURE_TYPE_OPEN"},
		"value": {"90.000,00"}, "duration": {"12"}, "deadline_date": {time.Now().AddDate(0, 1, 0).Format("2006-01-02")},
		"cpv_codes": {"72212000"}, "publish": {"1"},
	}
	resp := post(t, mgr, s.URL+"/tenders/new", form)
	resp.Body.Close()
	tenderPath := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(tenderPath, "/tenders/") {
		t.Fatalf("create tender: %d → %q", resp.StatusCode, tenderPath)
	}
	if page := body(t, get(t, mgr, s.URL+tenderPath)); strings.Contains(page, `id="own-bid"`) {
		t.Error("a manager is offered a company's own bid")
	}

	const key = "company20"
	org := s.orgOf(t, key)
	c := signedInES(t, s, key)
	page := body(t, get(t, c, s.URL+tenderPath))
	if !strings.Contains(page, `id="own-bid"`) || !strings.Contains(page, "Formar una oferta como representante") {
		t.Fatal("the company is not offered a bid of its own")
	}
	page = redirectFlash(t, c, s, post(t, c, s.URL+tenderPath+"/consortia", url.Values{"member": {org + "||"}, "lead": {org}, "name": {"UTE propia"}}))
	row := consortiumRowOf(page, org)
	if !strings.Contains(row, "MEMBER_STATUS_JOINED") || !strings.Contains(row, "representante") {
		t.Fatalf("own bid: the company's row %q, want joined lead\n%s", row, flashOf(page))
	}
	if !strings.Contains(page, `action="/consortia/`) || !strings.Contains(page, `/invite"`) {
		t.Error("the lead company cannot invite fellow members")
	}
	if strings.Contains(page, "remove-member") {
		t.Error("the lead company is shown a manager's remove button")
	}
	// Now in a bid for the tender, the company is offered no second one; a
	// forged second one is refused in Spanish, without ids.
	if page := body(t, get(t, c, s.URL+tenderPath)); strings.Contains(page, `id="own-bid"`) {
		t.Error("a company already in a bid for the tender is offered another")
	}
	page = redirectFlash(t, c, s, post(t, c, s.URL+tenderPath+"/consortia", url.Values{"member": {org + "||"}, "lead": {org}}))
	if f := flashOf(page); !strings.Contains(page, `id="tender-title"`) || !strings.Contains(f, "Ya está en otro consorcio") || strings.Contains(f, org) {
		t.Errorf("second own bid: want the tender page with a Spanish refusal\n%s", f)
	}
}

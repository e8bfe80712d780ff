package gateway_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleMemberSaysWhatItCovers: a company that joined a consortium
// ticks which of the tender's required capabilities it covers; the members
// table's "Cubre" column shows them (in Spanish), and unticking all clears it.
func TestConsoleMemberSaysWhatItCovers(t *testing.T) {
	s := startStack(t, true)
	sc := pickScenario(t, s)
	mgr := signedInES(t, s, "tera-manager")
	values, orgs := teamForm(t, s, mgr, sc)
	for i, org := range orgs {
		values[i] = org + "||" // formed with no covers: the member says them itself
	}
	lead := s.orgOf(t, sc.Company)
	cpath := formConsortium(t, s, mgr, sc, values, lead, "UTE prueba de lo que cubre")

	company := signedInES(t, s, sc.Company)
	if page := body(t, get(t, company, s.URL+cpath)); strings.Contains(page, `id="covers-form"`) {
		t.Error("an invited (not joined) member is offered the covers form")
	}
	redirectFlash(t, company, s, post(t, company, s.URL+cpath+"/accept", nil))
	page := body(t, get(t, company, s.URL+cpath))
	form := regexp.MustCompile(`(?s)id="covers-form">(.*?)</form>`).FindStringSubmatch(page)
	if form == nil {
		t.Fatal("a joined member has no covers form")
	}
	caps := regexp.MustCompile(`name="covers" value="([^"]+)"`).FindAllStringSubmatch(form[1], -1)
	if len(caps) == 0 {
		t.Fatalf("the covers form offers no capability:\n%s", form[1])
	}
	capID := caps[0][1]
	label := regexp.MustCompile(`value="` + regexp.QuoteMeta(capID) + `"> ([^<]+)</label>`).FindStringSubmatch(form[1])
	if label == nil || strings.TrimSpace(label[1]) == capID {
		t.Fatalf("capability %s is not labelled in Spanish: %v", capID, label)
	}
	if row := consortiumRowOf(page, lead); strings.Contains(row, label[1]) {
		t.Fatalf("the row already shows %q before saving: %s", label[1], row)
	}

	page = redirectFlash(t, company, s, post(t, company, s.URL+cpath+"/covers", url.Values{"covers": {capID}}))
	if !strings.Contains(flashOf(page), "Guardado lo que cubre su empresa.") {
		t.Errorf("no confirmation: %s", flashOf(page))
	}
	if row := consortiumRowOf(page, lead); !strings.Contains(row, label[1]) {
		t.Errorf("the members table does not show what it covers (%q): %s", label[1], row)
	}
	if !strings.Contains(page, `value="`+capID+`" checked`) {
		t.Error("the saved capability is not ticked in the form")
	}

	// Another company may not say what this one covers.
	other := ""
	for k, u := range s.Users {
		if o := u.Claims.Organization; o != "" && o != lead && !strings.Contains(strings.Join(values, ","), o) {
			other = k
			break
		}
	}
	outsider := signedInES(t, s, other)
	resp := post(t, outsider, s.URL+cpath+"/covers", url.Values{"covers": {}, "organization": {lead}})
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther {
		after := body(t, get(t, company, s.URL+cpath))
		if row := consortiumRowOf(after, lead); !strings.Contains(row, label[1]) {
			t.Errorf("an outsider cleared what %s covers", lead)
		}
	}

	// Unticking everything clears it.
	page = redirectFlash(t, company, s, post(t, company, s.URL+cpath+"/covers", url.Values{}))
	if row := consortiumRowOf(page, lead); strings.Contains(row, label[1]) {
		t.Errorf("unticked, the row still shows %q: %s", label[1], row)
	}
}

// teamForm reads the recommendations page's form of the scenario's team: the
// member values it posts ("org|covers|certifies") and the organisations.
func teamForm(t *testing.T, s *stack, mgr *http.Client, sc scenario) (values, orgs []string) {
	t.Helper()
	page := body(t, get(t, mgr, s.URL+"/tenders/"+sc.TenderID+"/recommend"))
	sec := regexp.MustCompile(fmt.Sprintf(`(?s)id="team-%d">(.*?)</section>`, sc.Rank)).FindStringSubmatch(page)
	if sec == nil {
		t.Fatalf("no team %d on the recommendations page", sc.Rank)
	}
	if !strings.Contains(sec[1], `name="lead"`) {
		t.Fatal("the team's form has no lead to choose")
	}
	for _, m := range regexp.MustCompile(`name="member" value="([^"]*)"`).FindAllStringSubmatch(sec[1], -1) {
		v := html.UnescapeString(m[1])
		values = append(values, v)
		org, _, _ := strings.Cut(v, "|")
		orgs = append(orgs, org)
	}
	return values, orgs
}

// formConsortium posts the team's form with the lead chosen and returns the
// new consortium's path.
func formConsortium(t *testing.T, s *stack, mgr *http.Client, sc scenario, values []string, lead, name string) string {
	t.Helper()
	page := redirectFlash(t, mgr, s, post(t, mgr, s.URL+"/tenders/"+sc.TenderID+"/consortia", url.Values{"member": values, "lead": {lead}, "name": {name}}))
	id := regexp.MustCompile(`action="/consortia/([^/"]+)/`).FindStringSubmatch(page)
	if id == nil {
		t.Fatalf("no consortium page after creating:\n%s", flashOf(page))
	}
	return "/consortia/" + id[1]
}

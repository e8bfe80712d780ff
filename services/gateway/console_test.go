package gateway_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/gateway/web"
)

// consoleClient is a browser-like client: it keeps cookies and does not
// follow redirects, so tests see them.
func consoleClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// body reads a response body as text.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// get fetches a console page, following no redirects.
func get(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// post submits a console form.
func post(t *testing.T, c *http.Client, u string, form url.Values, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestConsoleSignIn: the sign-in page lists the personas; signing in sets an
// HttpOnly, SameSite=Lax session cookie; pages need it.
func TestConsoleSignIn(t *testing.T) {
	s := startStack(t, false)
	c := consoleClient(t)

	resp := get(t, c, s.URL+"/home")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?next=%2Fhome" {
		t.Fatalf("signed-out /home: %d → %q, want 303 to the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := body(t, get(t, c, s.URL+"/?lang=en"))
	for _, want := range []string{"Welcome to Consortia", "signin-tera-manager", "signin-company1", "signin-agency", "Cluster manager", "Agency staff"} {
		if !strings.Contains(page, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}

	resp = post(t, c, s.URL+"/signin", url.Values{"user": {"company1"}, "next": {"/profile"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile" {
		t.Fatalf("sign in: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == web.SessionCookie {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Value == "" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/", session)
	}
	p, err := s.Issuer.Verifier().Verify(t.Context(), session.Value)
	if err != nil || p.Organization != s.orgOf(t, "company1") {
		t.Fatalf("session token: %v, organisation %q", err, p.Organization)
	}

	resp = get(t, c, s.URL+"/profile")
	page = body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Demo Altamira Software S.L.") || !strings.Contains(page, "Company profile") {
		t.Fatalf("profile page: %d\n%.300s", resp.StatusCode, page)
	}
	if page := body(t, get(t, c, s.URL+"/profile?lang=es")); !strings.Contains(page, "Perfil de empresa") {
		t.Error("?lang=es does not switch the page to Spanish")
	}

	if resp := post(t, c, s.URL+"/signin", url.Values{"user": {"nobody"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown demo user: %d, want 400", resp.StatusCode)
	}
	resp = post(t, c, s.URL+"/signout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if resp := get(t, c, s.URL+"/profile"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign-out /profile: %d, want a redirect to sign in", resp.StatusCode)
	}
}

// TestConsoleExpiredSession: an expired session token leads back to sign-in.
func TestConsoleExpiredSession(t *testing.T) {
	s := startStack(t, false)
	c := consoleClient(t)
	u, _ := url.Parse(s.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: web.SessionCookie, Value: s.token(t, "company1", -time.Hour), Path: "/"}})
	resp := get(t, c, s.URL+"/profile")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/?next=") {
		t.Fatalf("expired session: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if page := body(t, get(t, c, s.URL+"/?lang=en")); !strings.Contains(page, "Your session has expired") {
		t.Error("the sign-in page does not say the session expired")
	}
}

// TestConsoleProfileForms: a company edits its certifications through the
// console; bad input comes back as a message naming the field; a cross-origin
// form post is refused and changes nothing.
func TestConsoleProfileForms(t *testing.T) {
	s := startStack(t, false)
	c := consoleClient(t)
	post(t, c, s.URL+"/signin", url.Values{"user": {"company1"}})
	get(t, c, s.URL+"/home?lang=en").Body.Close() // English from here on (a cookie)
	org := s.orgOf(t, "company1")

	cert := url.Values{"kind": {"ISO20000"}, "issue_date": {"2025-01-10"}, "expiry_date": {"2028-01-09"}, "scope": {"Service desk"}}
	resp := post(t, c, s.URL+"/profile/certifications", cert)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add certification: %d", resp.StatusCode)
	}
	page := body(t, get(t, c, s.URL+"/profile"))
	if !strings.Contains(page, "Certification added.") || !strings.Contains(page, "ISO20000") || !strings.Contains(page, "Service desk") {
		t.Fatalf("profile after adding a certification lacks it or the confirmation:\n%s", flashOf(page))
	}

	bad := url.Values{"kind": {"ENS"}, "level": {"media"}, "issue_date": {"2025-06-01"}, "expiry_date": {"2024-06-01"}}
	post(t, c, s.URL+"/profile/certifications", bad)
	page = body(t, get(t, c, s.URL+"/profile?lang=en"))
	if !strings.Contains(page, `class="flash error"`) || !strings.Contains(page, "certification.expiry_date") {
		t.Errorf("invalid certification: the page does not show the field violation")
	}

	before := len(getOrgCerts(t, s, org))
	resp = post(t, c, s.URL+"/profile/certifications", cert, "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form post: %d, want 403", resp.StatusCode)
	}
	if after := len(getOrgCerts(t, s, org)); after != before {
		t.Errorf("cross-site post changed the certifications: %d → %d", before, after)
	}
}

// getOrgCerts returns the ids of an organisation's certifications, read as admin.
func getOrgCerts(t *testing.T, s *stack, org string) []string {
	t.Helper()
	var out struct {
		Organization struct {
			Certifications []struct{ ID string } `json:"certifications"`
		} `json:"organization"`
	}
	decode(t, s.call(t, http.MethodGet, "/v1/organizations/"+org, s.token(t, "admin", time.Minute), ""), &out)
	var ids []string
	for _, c := range out.Organization.Certifications {
		ids = append(ids, c.ID)
	}
	return ids
}

// flashOf extracts the flash message of a page, for failure messages.
func flashOf(page string) string {
	i := strings.Index(page, `id="flash"`)
	if i < 0 {
		return "(no flash)"
	}
	end := min(len(page), i+400)
	return page[i:end]
}

// TestConsolePages renders every page of every persona against the whole
// stack with the demo data (templates fail at run time, so each page is
// rendered at least once with real data) and checks what each shows.
func TestConsolePages(t *testing.T) {
	s := startStack(t, true)
	manager := s.token(t, "tera-manager", time.Hour)
	var list struct {
		Tenders []struct {
			ID   string `json:"id"`
			Lots []struct {
				ID string `json:"id"`
			} `json:"lots"`
		} `json:"tenders"`
	}
	decode(t, s.call(t, http.MethodGet, "/v1/tenders?pageSize=100", manager, ""), &list)
	var plain, split, lot string
	for _, tn := range list.Tenders {
		switch {
		case len(tn.Lots) > 0 && split == "":
			split, lot = tn.ID, tn.Lots[0].ID
		case len(tn.Lots) == 0 && plain == "":
			plain = tn.ID
		}
	}
	if plain == "" || split == "" {
		t.Fatalf("demo data lacks a tender with lots (%q) or without (%q)", split, plain)
	}
	// A consortium of two company users, formed by the manager.
	company, outsider := "company2", "company5"
	resp := s.call(t, http.MethodPost, "/v1/consortia", manager, `{"tenderId":"`+plain+`","members":[`+
		`{"organizationId":"`+s.orgOf(t, "company1")+`","lead":true},{"organizationId":"`+s.orgOf(t, company)+`"}]}`)
	var formed struct {
		Consortium struct{ ID string } `json:"consortium"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form a consortium: %d\n%s", resp.StatusCode, readAll(t, resp))
	}
	decode(t, resp, &formed)
	var consortia struct {
		Consortia []struct{ ID string } `json:"consortia"`
	}
	decode(t, s.call(t, http.MethodGet, "/v1/consortia?organizationId="+s.orgOf(t, company), s.token(t, company, time.Hour), ""), &consortia)
	// Demo consortia may include the company too; the new one must be listed.
	if !slices.ContainsFunc(consortia.Consortia, func(c struct{ ID string }) bool { return c.ID == formed.Consortium.ID }) {
		t.Fatalf("consortia of %s: %+v, want the one formed (%s) among them", company, consortia.Consortia, formed.Consortium.ID)
	}

	type pageCase struct {
		path  string
		wants []string
	}
	personas := []struct {
		user  string
		pages []pageCase
	}{
		{"tera-manager", []pageCase{
			{"/home", []string{"Deadlines this week", "Consortia being formed", "Recent tenders", `<a href="/members">1 pending membership request</a>`}},
			{"/members", []string{"Cluster members", "Demo Udías", "Approve", "Suspend"}},
			{"/tenders?status=TENDER_STATUS_ACTIVE&cpv=72&from=2020-01-01&to=2099-12-31", []string{"tender-list", "Open"}},
			{"/tenders/" + plain, []string{"Requirements", "Economic solvency", "Audit trail", "Tender created", `data-event="TenderCreated"`, "Recommend consortia"}},
			{"/tenders/" + split, []string{"Lots", `id="recommend-lot"`}},
			{"/tenders/" + split + "/recommend?lot=" + lot, []string{"Recommended consortia", "Lot " + lot}},
			{"/tenders/" + plain + "/recommend", []string{"Recommended consortia"}},
			{"/tenders/import", []string{"import-form", "TERA ICT cluster (demo)"}},
		}},
		{company, []pageCase{
			{"/home", []string{"Pending invitations", "New matching tenders", s.Users[company].Claims.Name, formed.Consortium.ID}},
			{"/matching", []string{"matching-list", "CPV groups"}},
			{"/invitations", []string{"invitation-list", `data-consortium="` + formed.Consortium.ID + `"`, "Accept"}},
			{"/profile?cpvq=software", []string{"CPV interests", "cpv-results", "48000000", "Certifications", "Turnover", "References"}},
		}},
		{"agency", []pageCase{
			{"/home", []string{"Clusters and tenders", "TERA ICT cluster (demo)", "MarCa maritime cluster (demo)"}},
			{"/overview", []string{"Clusters and tenders"}},
		}},
		{"admin", []pageCase{
			{"/home", []string{"Clusters and tenders"}},
			{"/tenders", []string{"tender-list"}},
		}},
	}
	// The consortium just formed still waits for the company's answer.
	personas[1].pages = append(personas[1].pages, pageCase{"/consortia/" + formed.Consortium.ID, []string{"Eligibility", "Your participation", `id="accept"`, "Audit trail", "Consortium formed", `data-event="ConsortiumFormed"`}})
	for _, p := range personas {
		t.Run(p.user, func(t *testing.T) {
			c := consoleClient(t)
			post(t, c, s.URL+"/signin", url.Values{"user": {p.user}}).Body.Close()
			get(t, c, s.URL+"/home?lang=en").Body.Close()
			for _, pc := range p.pages {
				resp := get(t, c, s.URL+pc.path)
				page := body(t, resp)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: status %d\n%s", pc.path, resp.StatusCode, flashOf(page))
					continue
				}
				for _, w := range pc.wants {
					if !strings.Contains(page, w) {
						t.Errorf("%s: page lacks %q", pc.path, w)
					}
				}
			}
		})
	}

	// The eligibility panel speaks the page's language: the tender service's
	// catalogue messages rendered in Spanish (numbers the Spanish way, no
	// English left); the English page shows the service's English.
	// Both companies accept, so the rules apply to a team of two.
	for _, u := range []string{"company1", company} {
		resp := s.call(t, http.MethodPost, "/v1/consortia/"+formed.Consortium.ID+"/members/"+s.orgOf(t, u)+":accept", s.token(t, u, time.Hour), "{}")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s accepts: %d\n%s", u, resp.StatusCode, readAll(t, resp))
		}
		resp.Body.Close()
	}
	mc := consoleClient(t)
	post(t, mc, s.URL+"/signin", url.Values{"user": {"tera-manager"}}).Body.Close()
	consortiumPath := s.URL + "/consortia/" + formed.Consortium.ID
	var es string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		es = body(t, get(t, mc, consortiumPath+"?lang=es"))
		if strings.Contains(es, `data-rule="economic_solvency"`) || time.Now().After(deadline) {
			break
		}
	}
	panel := es[strings.Index(es, `id="eligibility"`):]
	for _, w := range []string{"Elegibilidad", "Volumen de negocios del mejor año", "se exigen ", "(1,5 × valor"} {
		if !strings.Contains(panel, w) {
			t.Errorf("Spanish consortium page: eligibility panel lacks %q\n%s", w, panel)
		}
	}
	for _, w := range []string{"Best-year turnover", "the tender requires", "detail-en"} {
		if strings.Contains(panel, w) {
			t.Errorf("Spanish consortium page: eligibility panel shows %q\n%s", w, panel)
		}
	}
	if !regexp.MustCompile(`<td class="needed">\d{1,3}(\.\d{3})*,\d{2} €</td>`).MatchString(panel) {
		t.Errorf("Spanish consortium page: no Spanish-formatted amount (1.234,56 €) in the eligibility panel\n%s", panel)
	}
	en := body(t, get(t, mc, consortiumPath+"?lang=en"))
	panel = en[strings.Index(en, `id="eligibility"`):]
	for _, w := range []string{"Eligibility", "Best-year turnover", "the tender requires"} {
		if !strings.Contains(panel, w) {
			t.Errorf("English consortium page: eligibility panel lacks %q\n%s", w, panel)
		}
	}
	for _, w := range []string{"Volumen de negocios", "se exigen ", "detail-en"} {
		if strings.Contains(panel, w) {
			t.Errorf("English consortium page shows %q", w)
		}
	}

	// The home page shows pending membership requests only when there are
	// some: GIRA's manager has none.
	gira := consoleClient(t)
	post(t, gira, s.URL+"/signin", url.Values{"user": {"gira-manager"}}).Body.Close()
	resp = get(t, gira, s.URL+"/home")
	if page := body(t, resp); resp.StatusCode != http.StatusOK || strings.Contains(page, `id="pending-requests"`) {
		t.Errorf("gira-manager home: %d, want 200 without pending requests", resp.StatusCode)
	}

	// A company may not open a consortium it is not in: 403.
	c := consoleClient(t)
	post(t, c, s.URL+"/signin", url.Values{"user": {outsider}}).Body.Close()
	for _, cs := range consortia.Consortia {
		resp := get(t, c, s.URL+"/consortia/"+cs.ID)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s on %s's consortium %s: %d, want 403", outsider, company, cs.ID, resp.StatusCode)
		}
	}
}

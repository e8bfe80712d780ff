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

// apiTender is a tender as the REST API returns it.
type apiTender struct {
	ID                  string   `json:"id"`
	ClusterID           string   `json:"clusterId"`
	Title               string   `json:"title"`
	Status              string   `json:"status"`
	CpvCodes            []string `json:"cpvCodes"`
	Nuts                []string `json:"nuts"`
	EstimatedValueCents string   `json:"estimatedValueCents"`
	DurationMonths      int      `json:"durationMonths"`
	SubmissionDeadline  string   `json:"submissionDeadline"`
	CloseReason         string   `json:"closeReason"`
	Authority           struct {
		Name string `json:"name"`
		Nif  string `json:"nif"`
	} `json:"authority"`
	Requirements struct {
		Capabilities   []string `json:"capabilities"`
		Certifications []struct {
			Kind  string `json:"kind"`
			Level string `json:"level"`
		} `json:"certifications"`
	} `json:"requirements"`
	DeadlineChanges []struct {
		Reason string `json:"reason"`
	} `json:"deadlineChanges"`
}

// getTender reads a tender through the API.
func getTender(t *testing.T, s *stack, token, id string) apiTender {
	t.Helper()
	resp := s.call(t, http.MethodGet, "/v1/tenders/"+id, token, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("get tender %s: %d\n%s", id, resp.StatusCode, readAll(t, resp))
	}
	var out struct {
		Tender apiTender `json:"tender"`
	}
	decode(t, resp, &out)
	return out.Tender
}

// tenderTitles lists the titles of the tenders a user sees through the API.
func tenderTitles(t *testing.T, s *stack, token string) []string {
	t.Helper()
	var list struct {
		Tenders []apiTender `json:"tenders"`
	}
	decode(t, s.call(t, http.MethodGet, "/v1/tenders?pageSize=500", token, ""), &list)
	var titles []string
	for _, tn := range list.Tenders {
		titles = append(titles, tn.Title)
	}
	return titles
}

// TestConsoleTenderManagement: the TERA manager creates a tender through the
// form (published at once), a form with a bad CPV code and a past deadline
// comes back with both field errors and creates nothing, the deadline is
// changed with a reason shown in the history, and the tender is cancelled.
// A company user may not open the form; both languages render.
func TestConsoleTenderManagement(t *testing.T) {
	s := startStack(t, true)
	tera := demo.ClusterID("tera")
	manager := s.token(t, "tera-manager", time.Hour)
	c := signedIn(t, s, "tera-manager")

	// The tender list links to the form; the form renders in both languages.
	if page := body(t, get(t, c, s.URL+"/tenders")); !strings.Contains(page, `href="/tenders/new"`) {
		t.Error("the tender list has no link to the new tender form")
	}
	resp := get(t, c, s.URL+"/tenders/new")
	page := body(t, resp)
	for _, want := range []string{"New tender", `id="tender-form"`, "TERA ICT cluster (demo)", `value="ES130"`, `name="capability" value="cybersecurity"`, "Medium", "Publish now", `data-endpoint="/cpv/search"`} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("/tenders/new (%d) lacks %q", resp.StatusCode, want)
		}
	}
	if page := body(t, get(t, c, s.URL+"/tenders/new?lang=es")); !strings.Contains(page, "Nueva licitación") || !strings.Contains(page, "Publicar ahora") {
		t.Error("/tenders/new?lang=es is not in Spanish")
	}
	get(t, c, s.URL+"/tenders/new?lang=en").Body.Close()

	deadline := time.Now().In(madrid(t)).AddDate(0, 1, 0)
	form := url.Values{
		"cluster": {tera}, "title": {"Console test: SOC service for the regional health service"},
		"authority_name": {"Servicio Cántabro de Salud"}, "authority_nif": {"Q3900738J"},
		"description": {"Security operations centre"}, "contract_type": {"CONTRACT_TYPE_SERVICES"},
		"procedure": {"PROCEDURE_TYPE_OPEN"}, "cpv_codes": {"72212000 72600000,"}, "nuts": {"ES130"},
		"value": {"250.000,50"}, "duration": {"24"}, "deadline_date": {deadline.Format("2006-01-02")}, "deadline_time": {"14:00"},
		"capability": {"cybersecurity", "software-development"}, "ens": {"media"}, "iso27001": {"1"}, "publish": {"1"},
	}

	// Bad CPV code and a past deadline: the form comes back with both errors
	// next to their fields, as entered, and nothing is created.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("title", "Console test: refused tender")
	bad.Set("cpv_codes", "72212000, 99999999")
	bad.Set("deadline_date", time.Now().AddDate(0, 0, -3).Format("2006-01-02"))
	resp = post(t, c, s.URL+"/tenders/new", bad)
	page = body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad tender form: %d, want 422 with the form\n%s", resp.StatusCode, flashOf(page))
	}
	for _, want := range []string{`id="form-errors"`, "Please check the marked fields.", "99999999: ", "must be in the future", `value="Console test: refused tender"`, `value="72212000, 99999999"`, `value="cybersecurity" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("re-shown form lacks %q", want)
		}
	}
	if n := strings.Count(page, `<ul class="field-errors">`); n < 2 {
		t.Errorf("re-shown form has %d field error lists, want at least 2 (CPV and deadline)", n)
	}
	cpvErr := regexp.MustCompile(`id="tender-cpv"[^>]*></label>\s*<ul class="field-errors"><li>99999999: `)
	if !cpvErr.MatchString(page) {
		t.Error("the CPV error is not shown next to the CPV field")
	}
	if slices.Contains(tenderTitles(t, s, manager), "Console test: refused tender") {
		t.Fatal("the refused form created a tender")
	}
	// A value that is not an amount is caught before calling the service.
	bad.Set("value", "lots")
	resp = post(t, c, s.URL+"/tenders/new", bad)
	if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Give an amount in euros") {
		t.Errorf("non-numeric value: %d, want the form with a value error", resp.StatusCode)
	}

	// Cross-site posts are refused.
	if resp := post(t, c, s.URL+"/tenders/new", form, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site create: %d, want 403", resp.StatusCode)
	}

	// The good form creates and publishes the tender.
	resp = post(t, c, s.URL+"/tenders/new", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/tenders/") {
		t.Fatalf("create tender: %d → %q\n%s", resp.StatusCode, loc, flashOf(body(t, resp)))
	}
	id := strings.TrimPrefix(loc, "/tenders/")
	page = body(t, get(t, c, s.URL+loc))
	if !strings.Contains(page, "created and published") || !strings.Contains(page, `id="manage"`) {
		t.Errorf("tender page after creating: no confirmation or no manage panel\n%s", flashOf(page))
	}
	tn := getTender(t, s, manager, id)
	if tn.Status != "TENDER_STATUS_ACTIVE" || tn.ClusterID != tera || tn.EstimatedValueCents != "25000050" || tn.DurationMonths != 24 ||
		!slices.Equal(tn.CpvCodes, []string{"72212000", "72600000"}) || !slices.Equal(tn.Nuts, []string{"ES130"}) ||
		tn.Authority.Name != "Servicio Cántabro de Salud" || tn.Authority.Nif != "Q3900738J" {
		t.Errorf("created tender: %+v", tn)
	}
	if !slices.Equal(tn.Requirements.Capabilities, []string{"cybersecurity", "software-development"}) || len(tn.Requirements.Certifications) != 2 ||
		tn.Requirements.Certifications[0].Kind != "ENS" || tn.Requirements.Certifications[0].Level != "media" || tn.Requirements.Certifications[1].Kind != "ISO27001" {
		t.Errorf("created tender requirements: %+v", tn.Requirements)
	}
	if dl, err := time.Parse(time.RFC3339, tn.SubmissionDeadline); err != nil || dl.In(madrid(t)).Format("2006-01-02 15:04") != deadline.Format("2006-01-02")+" 14:00" {
		t.Errorf("deadline %q (%v), want %s 14:00 Madrid", tn.SubmissionDeadline, err, deadline.Format("2006-01-02"))
	}

	// Change the deadline: a reason is required; the history shows it.
	newDay := deadline.AddDate(0, 0, 14).Format("2006-01-02")
	post(t, c, s.URL+"/tenders/"+id+"/deadline", url.Values{"deadline_date": {newDay}, "deadline_time": {"12:00"}, "reason": {" "}}).Body.Close()
	if page := body(t, get(t, c, s.URL+"/tenders/"+id)); !strings.Contains(page, `class="flash error"`) || !strings.Contains(page, "reason") {
		t.Errorf("deadline change without a reason: no error\n%s", flashOf(page))
	}
	if n := len(getTender(t, s, manager, id).DeadlineChanges); n != 0 {
		t.Fatalf("deadline change without a reason recorded %d changes", n)
	}
	resp = post(t, c, s.URL+"/tenders/"+id+"/deadline", url.Values{"deadline_date": {newDay}, "deadline_time": {"12:00"}, "reason": {"Clarification of the specifications"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tenders/"+id {
		t.Fatalf("change deadline: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page = body(t, get(t, c, s.URL+"/tenders/"+id))
	if !strings.Contains(page, "Deadline changed to") || !strings.Contains(page, `id="deadline-history"`) || !strings.Contains(page, "Clarification of the specifications") {
		t.Errorf("tender page after the deadline change lacks the confirmation or the history\n%s", flashOf(page))
	}
	if tn := getTender(t, s, manager, id); len(tn.DeadlineChanges) != 1 || tn.DeadlineChanges[0].Reason != "Clarification of the specifications" {
		t.Errorf("deadline changes: %+v", tn.DeadlineChanges)
	}
	if page := body(t, get(t, c, s.URL+"/tenders/"+id+"?lang=es")); !strings.Contains(page, "Cambios de plazo") || !strings.Contains(page, "Anular la licitación") {
		t.Error("the tender page is not in Spanish with ?lang=es")
	}
	get(t, c, s.URL+"/?lang=en").Body.Close()

	// A company user sees no manage panel and may not open the form or act.
	company := signedIn(t, s, "company1")
	resp = get(t, company, s.URL+"/tenders/new")
	if page := body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "This page is for cluster managers.") {
		t.Errorf("company /tenders/new: %d, want 403", resp.StatusCode)
	}
	if resp := post(t, company, s.URL+"/tenders/new", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("company POST /tenders/new: %d, want 403", resp.StatusCode)
	}
	if resp := post(t, company, s.URL+"/tenders/"+id+"/cancel", url.Values{"reason": {"no"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("company cancel: %d, want 403", resp.StatusCode)
	}
	// Another cluster's manager sees no manage panel and is refused by the service.
	gira := signedIn(t, s, "gira-manager")
	if resp := get(t, gira, s.URL+"/tenders/"+id); resp.StatusCode == http.StatusOK && strings.Contains(body(t, resp), `id="manage"`) {
		t.Error("gira-manager sees the manage panel of a TERA tender")
	}
	post(t, gira, s.URL+"/tenders/"+id+"/cancel", url.Values{"reason": {"not mine"}}).Body.Close()
	if st := getTender(t, s, manager, id).Status; st != "TENDER_STATUS_ACTIVE" {
		t.Fatalf("after gira-manager's cancel: %s, want ACTIVE", st)
	}

	// Cancel with a reason.
	resp = post(t, c, s.URL+"/tenders/"+id+"/cancel", url.Values{"reason": {"Budget withdrawn"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	page = body(t, get(t, c, s.URL+"/tenders/"+id))
	if !strings.Contains(page, "Tender cancelled.") || !strings.Contains(page, "Budget withdrawn") || strings.Contains(page, `id="manage"`) {
		t.Errorf("tender page after cancelling: no confirmation, no reason, or still a manage panel\n%s", flashOf(page))
	}
	if tn := getTender(t, s, manager, id); tn.Status != "TENDER_STATUS_CANCELLED" || tn.CloseReason != "Budget withdrawn" {
		t.Errorf("after cancelling: %s %q", tn.Status, tn.CloseReason)
	}

	// Record an award on a second tender: it completes.
	form.Set("title", "Console test: tender to award")
	resp = post(t, c, s.URL+"/tenders/new", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create the second tender: %d\n%s", resp.StatusCode, flashOf(body(t, resp)))
	}
	second := strings.TrimPrefix(resp.Header.Get("Location"), "/tenders/")
	resp = post(t, c, s.URL+"/tenders/"+second+"/award", url.Values{"winner_name": {"Demo Winner S.L."}, "winner_tax_id": {"B39000001"}, "amount": {"199.500,00"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("award: %d", resp.StatusCode)
	}
	if page := body(t, get(t, c, s.URL+"/tenders/"+second)); !strings.Contains(page, "Award to Demo Winner S.L. recorded.") || !strings.Contains(page, `id="awards"`) {
		t.Errorf("tender page after the award lacks the confirmation or the award\n%s", flashOf(page))
	}
	if st := getTender(t, s, manager, second).Status; st != "TENDER_STATUS_COMPLETE" {
		t.Errorf("after the award: %s, want COMPLETE", st)
	}
}

// madrid is the console's time zone.
func madrid(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

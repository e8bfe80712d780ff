package gateway_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestTenderListsDefaultToOpenTenders (issue 15): the API and the console's
// /tenders list the open tenders by default, nearest deadline first; a
// cancelled one is listed with anyStatus=true (the console's "Cualquiera" /
// "Any"), and the agency overview has a column for tenders under evaluation.
func TestTenderListsDefaultToOpenTenders(t *testing.T) {
	s := startStack(t, true)
	manager := s.token(t, "tera-manager", time.Hour)
	type row struct {
		ID                 string `json:"id"`
		Title              string `json:"title"`
		Status             string `json:"status"`
		SubmissionDeadline string `json:"submissionDeadline"`
	}
	list := func(query string) []row {
		t.Helper()
		var out struct {
			Tenders []row `json:"tenders"`
		}
		decode(t, s.call(t, http.MethodGet, "/v1/tenders?pageSize=500"+query, manager, ""), &out)
		return out.Tenders
	}
	before := list("")
	if len(before) < 2 {
		t.Fatalf("demo tenders: %d", len(before))
	}
	gone := before[0]
	if resp := s.call(t, http.MethodPost, "/v1/tenders/"+gone.ID+":cancel", manager, `{"reason":"Presupuesto retirado"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d %s", resp.StatusCode, readAll(t, resp))
	}
	def := list("")
	for i, r := range def {
		if r.ID == gone.ID {
			t.Errorf("the cancelled tender is in the default list")
		}
		if r.Status != "TENDER_STATUS_ACTIVE" && r.Status != "TENDER_STATUS_PLANNED" {
			t.Errorf("default list holds %s (%s)", r.ID, r.Status)
		}
		// RFC 3339 in UTC sorts as text; a tender without a deadline comes last.
		if prev := def[max(i-1, 0)].SubmissionDeadline; i > 0 && r.SubmissionDeadline != "" && (prev == "" || r.SubmissionDeadline < prev) {
			t.Errorf("default list not by nearest deadline: %q before %q", prev, r.SubmissionDeadline)
		}
	}
	if len(def) != len(before)-1 {
		t.Errorf("default list: %d tenders, want %d", len(def), len(before)-1)
	}
	found := false
	for _, r := range list("&anyStatus=true") {
		found = found || (r.ID == gone.ID && r.Status == "TENDER_STATUS_CANCELLED")
	}
	if !found {
		t.Error("anyStatus=true does not list the cancelled tender")
	}

	c := consoleClient(t)
	post(t, c, s.URL+"/signin", url.Values{"user": {"tera-manager"}}).Body.Close()
	for _, tc := range []struct {
		path        string
		wantGone    bool
		wantContain string
	}{
		{"/tenders?lang=es", false, "Abiertas (plazo más próximo primero)"},
		{"/tenders?status=any&lang=es", true, `<option value="any" selected>Cualquiera</option>`},
		{"/tenders?status=TENDER_STATUS_CANCELLED&lang=en", true, "Cancelled"},
	} {
		page := body(t, get(t, c, s.URL+tc.path))
		if strings.Contains(page, gone.ID) != tc.wantGone {
			t.Errorf("%s: cancelled tender listed = %v, want %v", tc.path, !tc.wantGone, tc.wantGone)
		}
		if !strings.Contains(page, tc.wantContain) {
			t.Errorf("%s: page lacks %q", tc.path, tc.wantContain)
		}
	}

	agency := consoleClient(t)
	post(t, agency, s.URL+"/signin", url.Values{"user": {"agency"}}).Body.Close()
	if page := body(t, get(t, agency, s.URL+"/home?lang=es")); !strings.Contains(page, "En evaluación") || !strings.Contains(page, "Anulada") {
		t.Errorf("agency overview lacks the evaluation column or the statuses:\n%s", page)
	}
}

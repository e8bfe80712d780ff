package gateway_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/datadir"
)

// TestAPITenderFlow exercises the tender API over HTTP with the whole stack:
// list, recommend, form a consortium, answer as a company, a rule failure as
// 422 with violations, the audit trail, and the streamed import.
func TestAPITenderFlow(t *testing.T) {
	s := startStack(t, true)
	manager := s.token(t, "tera-manager", time.Hour)

	var list struct {
		Tenders []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Lots  []any  `json:"lots"`
		} `json:"tenders"`
	}
	resp := s.call(t, http.MethodGet, "/v1/tenders?status=TENDER_STATUS_ACTIVE&cpvPrefix=72", manager, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list tenders: %d", resp.StatusCode)
	}
	decode(t, resp, &list)
	if len(list.Tenders) == 0 {
		t.Fatal("no active demo tenders with CPV 72")
	}

	// The first tender without lots that has a team of at least two.
	type member struct {
		OrganizationID string `json:"organizationId"`
	}
	var tenderID string
	var team []member
	for _, tn := range list.Tenders {
		if len(tn.Lots) > 0 {
			continue
		}
		var rec struct {
			Recommendations []struct {
				Members []member `json:"members"`
			} `json:"recommendations"`
		}
		resp := s.call(t, http.MethodPost, "/v1/tenders/"+tn.ID+":recommend", manager, `{"topK":5}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("recommend: %d", resp.StatusCode)
		}
		decode(t, resp, &rec)
		for _, r := range rec.Recommendations {
			if len(r.Members) >= 2 {
				tenderID, team = tn.ID, r.Members
				break
			}
		}
		if tenderID != "" {
			break
		}
	}
	if tenderID == "" {
		t.Fatal("no recommendation with two or more members")
	}

	var members []string
	for i, m := range team {
		members = append(members, fmt.Sprintf(`{"organizationId":%q,"lead":%v}`, m.OrganizationID, i == 0))
	}
	resp = s.call(t, http.MethodPost, "/v1/consortia", manager, `{"tenderId":"`+tenderID+`","members":[`+strings.Join(members, ",")+`]}`, "Idempotency-Key", "api-test-consortium")
	var created struct {
		Consortium struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"consortium"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create consortium: %d\n%s", resp.StatusCode, b)
	}
	decode(t, resp, &created)
	cid := created.Consortium.ID
	if cid == "" || created.Consortium.Status != "CONSORTIUM_STATUS_FORMING" {
		t.Fatalf("created %+v", created)
	}

	// Submitting with invitations pending breaks the rules: 422 with violations.
	p := problemOf(t, s.call(t, http.MethodPost, "/v1/consortia/"+cid+":submit", manager, "{}"), http.StatusUnprocessableEntity)
	if p.Code != "FAILED_PRECONDITION" || len(p.Violations) == 0 {
		t.Errorf("submit too early: %+v, want FAILED_PRECONDITION with violations", p)
	}

	// A company may not answer for another company's invitation.
	other := s.token(t, "company1", time.Hour)
	if s.Users["company1"].Claims.Organization == team[1].OrganizationID {
		other = s.token(t, "company2", time.Hour)
	}
	problemOf(t, s.call(t, http.MethodPost, "/v1/consortia/"+cid+"/members/"+team[1].OrganizationID+":accept", other, "{}"), http.StatusForbidden)

	resp = s.call(t, http.MethodGet, "/v1/audit/consortium/"+cid, manager, "")
	var trail struct {
		Events []struct {
			Type  string `json:"type"`
			Actor string `json:"actor"`
		} `json:"events"`
	}
	decode(t, resp, &trail)
	if len(trail.Events) == 0 || !strings.HasSuffix(trail.Events[0].Type, "ConsortiumFormed") || trail.Events[0].Actor == "" {
		t.Errorf("audit trail %+v: want ConsortiumFormed with its actor first", trail.Events)
	}
	if resp := s.call(t, http.MethodGet, "/v1/consortia/00000000-0000-4000-8000-000000000000", manager, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown consortium: %d, want 404", resp.StatusCode)
	}

	// Import: a company may not import (403 problem before any progress); the
	// manager gets progress lines ending with the summary.
	feed, err := datadir.Path("placsp", "sample_placsp.atom")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(feed)
	if err != nil {
		t.Fatal(err)
	}
	cluster := s.Users["tera-manager"].Claims.Clusters[0]
	importBody := `{"clusterId":"` + cluster + `","format":"placsp","filename":"sample_placsp.atom","content":"` + base64.StdEncoding.EncodeToString(doc) + `"}`
	// The tender service checks the cluster per tender, after the first progress
	// message: the refusal is then the stream's final error line (a problem).
	if resp := s.call(t, http.MethodPost, "/v1/tenders:import", other, importBody); resp.StatusCode == http.StatusOK {
		lines := strings.Split(strings.TrimSpace(readAll(t, resp)), "\n")
		var end struct {
			Error   *struct{ Status int } `json:"error"`
			Summary any                   `json:"summary"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &end); err != nil || end.Error == nil || end.Error.Status != http.StatusForbidden {
			t.Errorf("company import: stream ended with %q, want a 403 problem", lines[len(lines)-1])
		}
	} else {
		problemOf(t, resp, http.StatusForbidden)
	}

	resp = s.call(t, http.MethodPost, "/v1/tenders:import", manager, importBody)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("import: %d\n%s", resp.StatusCode, b)
	}
	var last struct {
		Result *struct {
			Done    int32 `json:"done"`
			Total   int32 `json:"total"`
			Summary *struct {
				Created   int32 `json:"created"`
				Unchanged int32 `json:"unchanged"`
			} `json:"summary"`
		} `json:"result"`
		Error any `json:"error"`
	}
	lines := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines++
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %d: %v: %s", lines, err, sc.Text())
		}
	}
	if last.Error != nil || last.Result == nil || last.Result.Summary == nil || last.Result.Summary.Created+last.Result.Summary.Unchanged == 0 {
		t.Fatalf("import stream ended with %+v after %d lines; want a summary", last, lines)
	}
}

// readAll reads a response body as text.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

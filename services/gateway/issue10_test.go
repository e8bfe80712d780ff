package gateway_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/tender/intake"
)

// issue10 replays the holes of issue 10 as its reporter reproduced them over
// the HTTP API on the demo stack; each subtest is one of them and fails on
// c4f662d. It runs in TestAuthorizationTable, on its stack (a stack with the
// demo data takes a while to start).
func issue10(t *testing.T, s *stack) {
	company1, teraMgr := s.token(t, "company1", time.Hour), s.token(t, "tera-manager", time.Hour)
	tera := demo.ClusterID("tera")
	// An organisation of another cluster (MarCa only) in no consortium with
	// company1: company1 and tera's manager may not see it.
	agency := s.token(t, "agency", time.Hour)
	var outsider demo.Company
	for _, c := range demo.Companies(s.Year) {
		if !slices.Equal(c.Clusters, []string{"marca"}) {
			continue
		}
		var cs struct {
			Consortia []struct {
				Members []struct {
					OrganizationID string `json:"organizationId"`
				} `json:"members"`
			} `json:"consortia"`
		}
		decode(t, s.call(t, http.MethodGet, "/v1/consortia?organizationId="+c.ID(), agency, ""), &cs)
		shared := false
		for _, x := range cs.Consortia {
			for _, m := range x.Members {
				shared = shared || m.OrganizationID == s.orgOf(t, "company1")
			}
		}
		if !shared {
			outsider = c
			break
		}
	}
	if outsider.Registration.TaxID == "" {
		t.Fatal("no MarCa-only demo company outside company1's consortia")
	}
	var tenders struct {
		Tenders []struct {
			ID   string `json:"id"`
			Lots []struct {
				ID string `json:"id"`
			} `json:"lots"`
		} `json:"tenders"`
	}
	decode(t, s.call(t, http.MethodGet, "/v1/tenders?pageSize=50", company1, ""), &tenders)
	tenderID, lot := "", ""
	for _, tn := range tenders.Tenders {
		if len(tn.Lots) == 0 {
			tenderID = tn.ID
			break
		}
	}
	if tenderID == "" {
		tenderID, lot = tenders.Tenders[0].ID, tenders.Tenders[0].Lots[0].ID
	}

	t.Run("checkEligibility does not show a profile GET refuses", func(t *testing.T) {
		problemOf(t, s.call(t, http.MethodGet, "/v1/organizations/"+outsider.ID(), company1, ""), http.StatusForbidden)
		body := fmt.Sprintf(`{"lotId":%q,"members":[{"organizationId":%q,"lead":true}]}`, lot, outsider.ID())
		resp := s.call(t, http.MethodPost, "/v1/tenders/"+tenderID+":checkEligibility", company1, body)
		p := problemOf(t, resp, http.StatusForbidden)
		for _, secret := range []string{outsider.Registration.LegalName, outsider.Registration.TaxID} {
			if strings.Contains(p.Detail, secret) {
				t.Errorf("the refusal shows %q", secret)
			}
		}
	})

	t.Run("a manager cannot take over another cluster's organisation", func(t *testing.T) {
		problemOf(t, s.call(t, http.MethodPost, "/v1/clusters/"+tera+"/members/"+outsider.ID()+":request", teraMgr, "{}"), http.StatusForbidden)
		problemOf(t, s.call(t, http.MethodPut, "/v1/organizations/"+outsider.ID()+"/profile", teraMgr, `{"profile":{"sizeBand":"SIZE_BAND_MICRO"}}`), http.StatusForbidden)
		problemOf(t, s.call(t, http.MethodPost, "/v1/clusters/"+tera+"/members/"+outsider.ID()+":approve", teraMgr, "{}"), http.StatusUnprocessableEntity)
	})

	t.Run("a wildcard id is a bad request naming the field", func(t *testing.T) {
		for _, id := range []string{"*", ">", "a.b"} {
			p := problemOf(t, s.call(t, http.MethodPut, "/v1/organizations/"+id+"/profile", company1, `{"profile":{}}`), http.StatusBadRequest)
			if len(p.Errors) != 1 || p.Errors[0].Field != "organization_id" {
				t.Errorf("%q: errors %+v", id, p.Errors)
			}
		}
	})

	t.Run("a page token that is base64 but not a token is a bad request", func(t *testing.T) {
		for _, path := range []string{"/v1/tenders?pageToken=LTU", "/v1/organizations?pageToken=LTU"} {
			p := problemOf(t, s.call(t, http.MethodGet, path, teraMgr, ""), http.StatusBadRequest)
			if len(p.Errors) != 1 || p.Errors[0].Field != "page_token" {
				t.Errorf("%s: errors %+v", path, p.Errors)
			}
		}
	})

	t.Run("a wrong enum value or a null body names the field", func(t *testing.T) {
		p := problemOf(t, s.call(t, http.MethodPost, "/v1/organizations", teraMgr, `{"kind":"ORGANIZATION_KIND_FOO","legalName":"X S.L."}`), http.StatusBadRequest)
		if len(p.Errors) != 1 || p.Errors[0].Field != "kind" {
			t.Errorf("enum: errors %+v", p.Errors)
		}
		p = problemOf(t, s.call(t, http.MethodPut, "/v1/organizations/"+s.orgOf(t, "company1")+"/profile", company1, `null`), http.StatusBadRequest)
		if len(p.Errors) != 1 || p.Errors[0].Field != "body" {
			t.Errorf("null: errors %+v", p.Errors)
		}
	})

	t.Run("an oversized body is 413", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 2<<20) + `","regionNuts":"ES130"}`
		problemOf(t, s.call(t, http.MethodPost, "/v1/clusters", s.token(t, "admin", time.Hour), big), http.StatusRequestEntityTooLarge)
	})

	t.Run("a CPV code with a wrong check digit is refused naming the right one", func(t *testing.T) {
		body := `{"clusterId":"` + tera + `","details":{"title":"Portal","authority":{"name":"Gobierno de Cantabria"},"cpvCodes":["72212000-9"],` +
			`"estimatedValueCents":"10000000","submissionDeadline":"` + time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339) + `"}}`
		p := problemOf(t, s.call(t, http.MethodPost, "/v1/tenders", teraMgr, body), http.StatusBadRequest)
		if len(p.Errors) == 0 || p.Errors[0].Field != "details.cpv_codes[0]" || !strings.Contains(p.Errors[0].Description, "72212000-4") {
			t.Errorf("errors %+v: want details.cpv_codes[0] naming 72212000-4", p.Errors)
		}
	})

	t.Run("recommend on a tender without a deadline answers", func(t *testing.T) {
		rec := []intake.Tender{{Source: intake.SourceOpenPLACSPXLSX, SourceID: "issue10-no-deadline", Updated: time.Now().UTC().Truncate(time.Second),
			Status: intake.StatusActive, Title: "Mantenimiento sin plazo", Authority: intake.Authority{Name: "Ayuntamiento de Santander"},
			ContractType: intake.ContractServices, CPVs: []string{"72212000"}, EstimatedValueCents: 80_000_00}}
		doc, _ := json.Marshal(rec)
		resp := s.call(t, http.MethodPost, "/v1/tenders:import", teraMgr,
			fmt.Sprintf(`{"clusterId":%q,"format":"intake-json","content":%q}`, tera, base64.StdEncoding.EncodeToString(doc)))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("import: %d %s", resp.StatusCode, readAll(t, resp))
		}
		readAll(t, resp)
		var list struct {
			Tenders []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"tenders"`
		}
		decode(t, s.call(t, http.MethodGet, "/v1/tenders?query=sin%20plazo", teraMgr, ""), &list)
		if len(list.Tenders) != 1 {
			t.Fatalf("imported tender not found: %+v", list)
		}
		resp = s.call(t, http.MethodPost, "/v1/tenders/"+list.Tenders[0].ID+":recommend", teraMgr, `{"topK":3}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf(":recommend without a deadline: %d %s", resp.StatusCode, readAll(t, resp))
		}
	})
}

package gateway_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/gateway/api"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// decode reads a JSON response body into v.
func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v\n%s", resp.Request.URL.Path, err, b)
	}
}

// problemOf checks a problem+json response's status and returns it.
func problemOf(t *testing.T, resp *http.Response, status int) api.Problem {
	t.Helper()
	if resp.StatusCode != status {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != api.ProblemContentType {
		t.Fatalf("Content-Type %q, want %q", ct, api.ProblemContentType)
	}
	var p api.Problem
	decode(t, resp, &p)
	if p.Status != status || p.Type == "" || p.Title == "" || p.Code == "" {
		t.Fatalf("problem %+v: want status %d with type, title and code", p, status)
	}
	return p
}

// getOrg reads an organisation through the API as admin.
func getOrg(t *testing.T, s *stack, id string) *memberv1.Organization {
	t.Helper()
	resp := s.call(t, http.MethodGet, "/v1/organizations/"+id, s.token(t, "admin", time.Minute), "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("get organisation %s: %d", id, resp.StatusCode)
	}
	var out struct {
		Organization struct {
			Version string `json:"version"`
			Profile struct {
				Description string   `json:"description"`
				Website     string   `json:"website"`
				CPV         []string `json:"cpvInterests"`
			} `json:"profile"`
			References []json.RawMessage `json:"references"`
		} `json:"organization"`
	}
	decode(t, resp, &out)
	o := &memberv1.Organization{Profile: &memberv1.OrganizationProfile{
		Description: out.Organization.Profile.Description, Website: out.Organization.Profile.Website, CpvInterests: out.Organization.Profile.CPV,
	}}
	for range out.Organization.References {
		o.References = append(o.References, &memberv1.Reference{})
	}
	if _, err := json.Number(out.Organization.Version).Int64(); err != nil {
		t.Fatalf("version %q: %v", out.Organization.Version, err)
	}
	return o
}

// TestAPIAuthentication: every API call needs a valid bearer token; anything
// else is 401 problem+json with a Bearer challenge.
func TestAPIAuthentication(t *testing.T) {
	s := startStack(t, false)
	org := s.orgOf(t, "company1")
	path := "/v1/organizations/" + org

	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherIssuer := auth.NewIssuer(otherKey, devIssuer, devAudience) // same names, wrong key
	foreign, err := otherIssuer.Issue(s.Users["company1"].Claims, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	valid := s.token(t, "company1", time.Hour)
	// Same key id, but the signature does not match the claims.
	tampered := valid[:strings.LastIndex(valid, ".")] + "." + strings.Repeat("A", len(valid)-strings.LastIndex(valid, ".")-1)

	tests := []struct {
		name, header string
		want         int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"not bearer", "Basic Y29tcGFueTE6cHc=", http.StatusUnauthorized},
		{"garbage", "Bearer not-a-jwt", http.StatusUnauthorized},
		{"expired", "Bearer " + s.token(t, "company1", -time.Hour), http.StatusUnauthorized},
		{"signed by another key", "Bearer " + foreign, http.StatusUnauthorized},
		{"tampered signature", "Bearer " + tampered, http.StatusUnauthorized},
		{"valid", "Bearer " + valid, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.header != "" {
				hdr = []string{"Authorization", tc.header}
			}
			resp := s.call(t, http.MethodGet, path, "", "", hdr...)
			if tc.want == http.StatusOK {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d, want 200", resp.StatusCode)
				}
				return
			}
			p := problemOf(t, resp, tc.want)
			if p.Code != "UNAUTHENTICATED" {
				t.Errorf("code %q, want UNAUTHENTICATED", p.Code)
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", got)
			}
		})
	}
}

// TestAPIProfileUpdateOfAnotherCompany: a company may change only its own
// profile; the attempt on another company's is 403 and changes nothing.
func TestAPIProfileUpdateOfAnotherCompany(t *testing.T) {
	s := startStack(t, false)
	victim := s.orgOf(t, "company2")
	before := getOrg(t, s, victim)
	body := `{"profile":{"sizeBand":"SIZE_BAND_SMALL","headcount":12,"description":"hijacked","website":"https://evil.invalid","cpvInterests":["72000000"],"capabilities":["cloud"]}}`

	p := problemOf(t, s.call(t, http.MethodPut, "/v1/organizations/"+victim+"/profile", s.token(t, "company1", time.Hour), body), http.StatusForbidden)
	if p.Code != "PERMISSION_DENIED" || !strings.HasSuffix(p.Type, "/problems/permission-denied") {
		t.Errorf("problem %+v, want PERMISSION_DENIED with the permission-denied type", p)
	}
	after := getOrg(t, s, victim)
	if after.GetProfile().GetDescription() != before.GetProfile().GetDescription() || after.GetProfile().GetWebsite() != before.GetProfile().GetWebsite() {
		t.Fatalf("profile changed by a forbidden request: %q → %q", before.GetProfile().GetDescription(), after.GetProfile().GetDescription())
	}

	// The same request by the company itself goes through: the 403 was authorisation, not the route.
	resp := s.call(t, http.MethodPut, "/v1/organizations/"+victim+"/profile", s.token(t, "company2", time.Hour),
		strings.Replace(body, "hijacked", "updated by its owner", 1))
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("own update: status %d\n%s", resp.StatusCode, b)
	}
	if got := getOrg(t, s, victim).GetProfile().GetDescription(); got != "updated by its owner" {
		t.Fatalf("own update not applied: description %q", got)
	}
}

// TestAPIBadRequest: invalid input is 400 problem+json; the service's field
// violations come through as errors[].
func TestAPIBadRequest(t *testing.T) {
	s := startStack(t, false)
	org := s.orgOf(t, "company1")
	tok := s.token(t, "company1", time.Hour)
	tests := []struct {
		name, method, path, body string
		wantFields               []string // field names expected in errors[]
	}{
		{
			name: "certification with bad dates and kind", method: http.MethodPost, path: "/v1/organizations/" + org + "/certifications",
			body:       `{"certification":{"kind":"NOPE","issueDate":"2025-05-01","expiryDate":"2024-01-01"}}`,
			wantFields: []string{"certification.kind"},
		},
		{
			name: "profile with unknown CPV", method: http.MethodPut, path: "/v1/organizations/" + org + "/profile",
			body:       `{"profile":{"sizeBand":"SIZE_BAND_SMALL","headcount":12,"cpvInterests":["99999999"]}}`,
			wantFields: []string{"profile.cpv_interests"},
		},
		{name: "malformed JSON", method: http.MethodPost, path: "/v1/organizations/" + org + "/references", body: `{"reference":`},
		{name: "unknown field", method: http.MethodPost, path: "/v1/organizations/" + org + "/references", body: `{"referenc":{}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := problemOf(t, s.call(t, tc.method, tc.path, tok, tc.body), http.StatusBadRequest)
			if p.Code != "INVALID_ARGUMENT" || p.Detail == "" {
				t.Errorf("problem %+v, want INVALID_ARGUMENT with a detail", p)
			}
			for _, f := range tc.wantFields {
				if !slices.ContainsFunc(p.Errors, func(e api.FieldError) bool { return strings.HasPrefix(e.Field, f) && e.Description != "" }) {
					t.Errorf("errors %+v: want a violation of %s", p.Errors, f)
				}
			}
		})
	}
}

// TestAPIIdempotencyKey: the Idempotency-Key header reaches the service, so a
// retried write has one effect.
func TestAPIIdempotencyKey(t *testing.T) {
	s := startStack(t, false)
	org := s.orgOf(t, "company1")
	tok := s.token(t, "company1", time.Hour)
	before := len(getOrg(t, s, org).GetReferences())
	body := `{"reference":{"buyer":"Ayuntamiento de Santander","title":"Portal web","cpv":"72212000","amountCents":"5000000","year":` + time.Now().AddDate(-1, 0, 0).Format("2006") + `}}`
	for range 2 {
		resp := s.call(t, http.MethodPost, "/v1/organizations/"+org+"/references", tok, body, api.IdempotencyKeyHeader, "ref-portal-1")
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("add reference: %d\n%s", resp.StatusCode, b)
		}
	}
	if got := len(getOrg(t, s, org).GetReferences()); got != before+1 {
		t.Fatalf("references %d → %d, want exactly one more for two calls with one idempotency key", before, got)
	}
}

// TestAPIRouting: unknown routes and methods are problem details too.
func TestAPIRouting(t *testing.T) {
	s := startStack(t, false)
	tok := s.token(t, "admin", time.Minute)
	p := problemOf(t, s.call(t, http.MethodGet, "/v1/nothing-here", tok, ""), http.StatusNotFound)
	if p.Code != "NOT_FOUND" {
		t.Errorf("code %q, want NOT_FOUND", p.Code)
	}
	problemOf(t, s.call(t, http.MethodPatch, "/v1/clusters", tok, "{}"), http.StatusMethodNotAllowed)
	// The tender service is not running in this stack: 503, not a hang or a 500.
	problemOf(t, s.call(t, http.MethodGet, "/v1/tenders", tok, ""), http.StatusServiceUnavailable)
}

// TestOpenAPI: the document is served and has a route for every RPC of the
// member and tender services, the problem schema and the bearer scheme.
func TestOpenAPI(t *testing.T) {
	s := startStack(t, false)
	resp := s.call(t, http.MethodGet, "/openapi.json", "", "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc struct {
		Swagger             string                               `json:"swagger"`
		Info                struct{ Title string }               `json:"info"`
		Paths               map[string]map[string]map[string]any `json:"paths"`
		Definitions         map[string]any                       `json:"definitions"`
		SecurityDefinitions map[string]any                       `json:"securityDefinitions"`
	}
	decode(t, resp, &doc)
	if doc.Swagger != "2.0" || doc.Info.Title != "Consortia API" {
		t.Errorf("swagger %q title %q", doc.Swagger, doc.Info.Title)
	}
	for _, p := range []string{"/v1/tenders", "/v1/tenders/{tenderId}", "/v1/tenders/{tenderId}:recommend", "/v1/organizations",
		"/v1/organizations/{organizationId}/profile", "/v1/consortia/{consortiumId}/members/{organizationId}:accept", "/v1/audit/{aggregate}/{id}"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("path %s missing", p)
		}
	}
	ops := map[string]bool{}
	for _, item := range doc.Paths {
		for _, op := range item {
			if id, ok := op["operationId"].(string); ok {
				ops[id] = true
			}
			if _, ok := op["responses"].(map[string]any)["401"]; !ok {
				t.Errorf("operation %v has no 401 response", op["operationId"])
			}
		}
	}
	for _, sd := range []protoreflect.ServiceDescriptor{
		memberv1.File_consortia_member_v1_member_service_proto.Services().Get(0),
		tenderv1.File_consortia_tender_v1_tender_service_proto.Services().Get(0),
	} {
		for i := range sd.Methods().Len() {
			id := string(sd.Name()) + "_" + string(sd.Methods().Get(i).Name())
			if !ops[id] {
				t.Errorf("RPC %s has no HTTP route", id)
			}
		}
	}
	if _, ok := doc.Definitions["Problem"]; !ok {
		t.Error("definition Problem missing")
	}
	if _, ok := doc.SecurityDefinitions["bearer"]; !ok {
		t.Error("security definition bearer missing")
	}
}

// TestHealthAndJWKS: health needs no token; the development issuer's key set
// is published and verifies its tokens' key id.
func TestHealthAndJWKS(t *testing.T) {
	s := startStack(t, false)
	if resp := s.call(t, http.MethodGet, "/healthz", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	resp := s.call(t, http.MethodGet, "/.well-known/jwks.json", "", "")
	var set struct {
		Keys []struct{ Kty, Crv, Kid, X string } `json:"keys"`
	}
	decode(t, resp, &set)
	if len(set.Keys) != 1 || set.Keys[0].Kty != "OKP" || set.Keys[0].Crv != "Ed25519" || set.Keys[0].X == "" {
		t.Fatalf("jwks %+v: want one Ed25519 key", set)
	}
	verifier := &auth.JWKSVerifier{URL: s.URL + "/.well-known/jwks.json", Issuer: devIssuer, Audience: devAudience}
	if _, err := verifier.Verify(t.Context(), s.token(t, "agency", time.Minute)); err != nil {
		t.Fatalf("a token does not verify against the published key set: %v", err)
	}
}

// Package storetest is the contract every tender read-model adapter must meet
// (store.Store). An adapter's test calls Run with a constructor of empty stores:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
//	}
//
// newStore is called once per subtest and must return an empty store (a fresh
// database or collection for persistent adapters); clean it up with t.Cleanup.
// Values must round-trip exactly; fixtures use UTC times at millisecond precision.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Run runs the contract suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"EmptyStore", testEmpty},
		{"PutGetTender", testPutGetTender},
		{"PutGetConsortium", testPutGetConsortium},
		{"PutGetCompany", testPutGetCompany},
		{"NotFound", testNotFound},
		{"CheckpointsIgnoreReplays", testCheckpoints},
		{"LaterWriteReplaces", testReplace},
		{"FindTenderBySource", testFindBySource},
		{"ListTendersFilters", testTenderFilters},
		{"ListTendersPagination", testPagination},
		{"ListTendersOpenFollowsTheStatus", testOpenFollowsStatus},
		{"ListTendersBadPageToken", testBadPageToken},
		{"ListAwards", testListAwards},
		{"ListAwardsFollowsTheLatestVersion", testAwardsReplaced},
		{"ListAwardsLimit", testAwardsLimit},
		{"ListConsortiaFilters", testConsortiumFilters},
		{"ListCompaniesByActiveCluster", testListCompanies},
		{"ConcurrentUse", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned nil")
			}
			tt.fn(t, s)
		})
	}
}

var ctx = context.Background()

// base is a fixed instant at millisecond precision (what most databases keep).
var base = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// day returns base plus n days.
func day(n int) time.Time { return base.AddDate(0, 0, n) }

// Tender returns a populated tender fixture owned by cluster, due in days
// (no deadline when days < 0).
func Tender(id, cluster string, status domain.Status, days int, cpvs ...string) domain.Tender {
	sme := true
	t := domain.Tender{
		ID: id, ClusterID: cluster, Status: status,
		Details: domain.Details{
			Authority: domain.Authority{Name: "Ayuntamiento de " + id, NIF: "P3907500G", DIR3: "L01390759"},
			Title:     "Servicio " + id, Description: "fixture",
			Procedure: 1, ContractType: 1,
			CPVs: cpvs, NUTS: []string{"ES130"},
			EstimatedCents: 300_000_00, BudgetNoVATCents: 250_000_00, BudgetWithVATCents: 302_500_00,
			DurationMonths: 24,
			Documents:      []domain.Document{{Title: "Pliego", URL: "https://example.invalid/" + id}},
			Lots: []domain.Lot{{ID: "1", Title: "Lote 1", CPVs: []string{"79411000"}, EstimatedCents: 100_000_00, BudgetNoVATCents: 90_000_00,
				Requirements: domain.Requirements{Capabilities: []string{"cloud"}, MaxMembers: 3}, HasOwnRequirements: true}},
			Requirements: domain.Requirements{
				Capabilities: []string{"software-development"}, EconomicThresholdCents: 1, EconomicExempt: false,
				Technical:      domain.Technical{PrefixLen: 4, Percent: 60, RequiredCents: 2},
				Certifications: []domain.CertificationRequirement{{Kind: "ENS", Level: "media"}},
				MaxMembers:     4,
			},
			MaxLotsPerBidder: 1,
			Awards:           []domain.Award{{LotID: "1", WinnerName: "X", WinnerTaxID: "B1", SME: &sme, AmountCents: 5, Date: base, OffersReceived: 3}},
		},
		SharedWith:      []string{"shared-" + cluster},
		DeadlineChanges: []domain.DeadlineChange{{Previous: base, Deadline: base.Add(time.Hour), At: base, Reason: "errata"}},
		Source:          domain.Source{System: "manual"},
		Demo:            true,
		CloseReason:     "",
		Created:         base, Updated: base.Add(time.Minute), Version: 1,
	}
	if days >= 0 {
		t.Details.Deadline = day(days)
	}
	return t
}

// Consortium returns a consortium fixture of tender for lot, created at base+minutes.
func Consortium(id, tender, lot string, status domain.ConsortiumStatus, minutes int, members ...domain.Member) domain.Consortium {
	return domain.Consortium{
		ID: id, TenderID: tender, LotID: lot, Name: "UTE " + id, Members: members, Status: status, Demo: true,
		Created: base.Add(time.Duration(minutes) * time.Minute), Updated: base.Add(time.Hour), Version: 7,
	}
}

// Joined and Invited are consortium members.
func Joined(org string, bp int) domain.Member {
	return domain.Member{OrganizationID: org, Status: domain.MemberJoined, ShareBP: bp, Covers: []string{"cloud"}, Certifies: []string{"ENS"}, Invited: base, Responded: base.Add(time.Minute)}
}

// Invited is an invited member.
func Invited(org string) domain.Member {
	return domain.Member{OrganizationID: org, Status: domain.MemberInvited, Invited: base}
}

// Company returns a company fixture active in clusters.
func Company(id string, clusters ...string) domain.Company {
	return domain.Company{
		ID: id, LegalName: "Company " + id, TaxID: id, ActiveIn: clusters,
		Capabilities: []string{"cloud"}, CPVInterests: []string{"72000000"},
		Certifications: []domain.CompanyCertification{{ID: "cert-" + id, Certification: eligibility.Certification{
			Kind: "ENS", Level: eligibility.LevelMedia, Issued: base.AddDate(-1, 0, 0), Expires: base.AddDate(2, 0, 0)}}},
		Turnover:     []eligibility.YearAmount{{Year: 2025, Cents: 100_000_00}, {Year: 2024, Cents: 90_000_00}},
		References:   []eligibility.Reference{{CPV: "72212000", Cents: 50_000_00, Year: 2024, Buyer: "Gobierno de Cantabria"}},
		ReferenceIDs: []string{"ref-" + id},
		Demo:         true, Version: 3,
	}
}

func putTender(t *testing.T, s store.Store, tn domain.Tender, seq uint64) {
	t.Helper()
	if err := s.PutTender(ctx, tn, seq); err != nil {
		t.Fatalf("PutTender(%s, %d): %v", tn.ID, seq, err)
	}
}

func putConsortium(t *testing.T, s store.Store, c domain.Consortium, seq uint64) {
	t.Helper()
	if err := s.PutConsortium(ctx, c, seq); err != nil {
		t.Fatalf("PutConsortium(%s, %d): %v", c.ID, seq, err)
	}
}

func putCompany(t *testing.T, s store.Store, c domain.Company, seq uint64) {
	t.Helper()
	if err := s.PutCompany(ctx, c, seq); err != nil {
		t.Fatalf("PutCompany(%s, %d): %v", c.ID, seq, err)
	}
}

func checkpoints(t *testing.T, s store.Store) (tenders, members uint64) {
	t.Helper()
	tenders, err := s.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	members, err = s.CompanyCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tenders, members
}

func mustTender(t *testing.T, s store.Store, id string) domain.Tender {
	t.Helper()
	got, err := s.GetTender(ctx, id)
	if err != nil {
		t.Fatalf("GetTender(%s): %v", id, err)
	}
	return got
}

func ids[T any](items []T, id func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func tenderIDs(ts []domain.Tender) []string {
	return ids(ts, func(t domain.Tender) string { return t.ID })
}
func consortiumIDs(cs []domain.Consortium) []string {
	return ids(cs, func(c domain.Consortium) string { return c.ID })
}
func companyIDs(cs []domain.Company) []string {
	return ids(cs, func(c domain.Company) string { return c.ID })
}

func wantIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func testEmpty(t *testing.T, s store.Store) {
	if tc, mc := checkpoints(t, s); tc != 0 || mc != 0 {
		t.Fatalf("checkpoints of an empty store = %d, %d", tc, mc)
	}
	ts, next, err := s.ListTenders(ctx, store.TenderFilter{})
	if err != nil || len(ts) != 0 || next != "" {
		t.Errorf("ListTenders = %v, %q, %v", ts, next, err)
	}
	awards, err := s.ListAwards(ctx, store.AwardFilter{})
	if err != nil || len(awards) != 0 {
		t.Errorf("ListAwards = %v, %v", awards, err)
	}
	cs, err := s.ListConsortia(ctx, store.ConsortiumFilter{})
	if err != nil || len(cs) != 0 {
		t.Errorf("ListConsortia = %v, %v", cs, err)
	}
	cos, err := s.ListCompanies(ctx, []string{"tera"})
	if err != nil || len(cos) != 0 {
		t.Errorf("ListCompanies = %v, %v", cos, err)
	}
}

func testPutGetTender(t *testing.T, s store.Store) {
	want := Tender("t1", "tera", domain.StatusActive, 10, "72212000", "72000000")
	putTender(t, s, want, 1)
	if got := mustTender(t, s, "t1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("GetTender =\n%+v\nwant\n%+v", got, want)
	}
	if tc, _ := checkpoints(t, s); tc != 1 {
		t.Errorf("checkpoint = %d, want 1", tc)
	}
}

func testPutGetConsortium(t *testing.T, s store.Store) {
	want := Consortium("c1", "t1", "1", domain.BidForming, 0, Joined("A", 6000), Invited("B"))
	want.Members[0].Lead = true
	putConsortium(t, s, want, 4)
	got, err := s.GetConsortium(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetConsortium =\n%+v\nwant\n%+v", got, want)
	}
	if tc, mc := checkpoints(t, s); tc != 4 || mc != 0 {
		t.Errorf("checkpoints = %d, %d; want 4, 0", tc, mc)
	}
}

func testPutGetCompany(t *testing.T, s store.Store) {
	want := Company("B11111111", "tera", "gira")
	putCompany(t, s, want, 9)
	got, err := s.GetCompany(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetCompany =\n%+v\nwant\n%+v", got, want)
	}
	if tc, mc := checkpoints(t, s); tc != 0 || mc != 9 {
		t.Errorf("checkpoints = %d, %d; want 0, 9", tc, mc)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	putTender(t, s, Tender("t1", "tera", domain.StatusActive, 1, "72000000"), 1)
	putConsortium(t, s, Consortium("c1", "t1", "", domain.BidForming, 0), 2)
	putCompany(t, s, Company("A", "tera"), 1)
	for name, err := range map[string]error{
		"GetTender":          second(s.GetTender(ctx, "nope")),
		"GetConsortium":      second(s.GetConsortium(ctx, "nope")),
		"GetCompany":         second(s.GetCompany(ctx, "nope")),
		"FindTenderBySource": second(s.FindTenderBySource(ctx, "placsp", "nope")),
		// ids of one kind are not found as another
		"GetTender(consortium id)": second(s.GetTender(ctx, "c1")),
		"GetConsortium(tender id)": second(s.GetConsortium(ctx, "t1")),
	} {
		if !errors.Is(err, domainerr.ErrNotFound) {
			t.Errorf("%s: err = %v, want one wrapping domainerr.ErrNotFound", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func testCheckpoints(t *testing.T, s store.Store) {
	v1 := Tender("t1", "tera", domain.StatusActive, 1, "72000000")
	putTender(t, s, v1, 5)

	// Writes at or below the tender checkpoint are replays: ignored, for
	// tenders and consortia alike (they share the TENDER stream).
	stale := v1
	stale.Details.Title, stale.Version = "stale", 99
	putTender(t, s, stale, 5)
	putTender(t, s, stale, 3)
	putConsortium(t, s, Consortium("c-old", "t1", "", domain.BidForming, 0), 4)
	if got := mustTender(t, s, "t1"); got.Details.Title != v1.Details.Title {
		t.Errorf("a replayed write below the checkpoint overwrote the tender: %q", got.Details.Title)
	}
	if _, err := s.GetConsortium(ctx, "c-old"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("a consortium written below the tender checkpoint was stored (err %v)", err)
	}
	if tc, mc := checkpoints(t, s); tc != 5 || mc != 0 {
		t.Fatalf("checkpoints = %d, %d; want 5, 0", tc, mc)
	}

	// The MEMBER stream has its own checkpoint: a company at sequence 1 is new.
	putCompany(t, s, Company("A", "tera"), 1)
	if _, err := s.GetCompany(ctx, "A"); err != nil {
		t.Fatalf("company at member sequence 1 (below the tender checkpoint) was dropped: %v", err)
	}
	moved := Company("A", "gira")
	putCompany(t, s, moved, 1)
	if got, _ := s.GetCompany(ctx, "A"); !slices.Equal(got.ActiveIn, []string{"tera"}) {
		t.Errorf("a replayed company write overwrote the company: %q", got.ActiveIn)
	}
	if tc, mc := checkpoints(t, s); tc != 5 || mc != 1 {
		t.Fatalf("checkpoints = %d, %d; want 5, 1", tc, mc)
	}
	// And a tender at a sequence below the member checkpoint is unaffected by it.
	putCompany(t, s, moved, 50)
	putConsortium(t, s, Consortium("c1", "t1", "", domain.BidForming, 0), 6)
	if _, err := s.GetConsortium(ctx, "c1"); err != nil {
		t.Fatalf("consortium at tender sequence 6 (below the member checkpoint 50) was dropped: %v", err)
	}
	if tc, mc := checkpoints(t, s); tc != 6 || mc != 50 {
		t.Fatalf("checkpoints = %d, %d; want 6, 50", tc, mc)
	}
}

func testReplace(t *testing.T, s store.Store) {
	v1 := Tender("t1", "tera", domain.StatusActive, 1, "72000000")
	v1.Source = domain.Source{System: "placsp", SourceID: "src-1", URL: "https://example.invalid/1", SourceStatus: "PUB", Updated: base}
	putTender(t, s, v1, 1)
	v2 := v1
	v2.Status, v2.CloseReason, v2.Version = domain.StatusCancelled, "withdrawn", 2
	v2.SharedWith = nil
	v2.Details.CPVs = []string{"48000000"}
	putTender(t, s, v2, 2)
	if got := mustTender(t, s, "t1"); !reflect.DeepEqual(got, v2) {
		t.Fatalf("after the second write: %+v", got)
	}
	for _, f := range []store.TenderFilter{{Status: domain.StatusActive}, {CPVPrefix: "72"}, {ClusterID: "shared-tera"}} {
		if ts, _, _ := s.ListTenders(ctx, f); len(ts) != 0 {
			t.Errorf("%+v still finds the old version: %q", f, tenderIDs(ts))
		}
	}
	if ts, _, _ := s.ListTenders(ctx, store.TenderFilter{Status: domain.StatusCancelled, CPVPrefix: "48"}); len(ts) != 1 {
		t.Errorf("the new version is not listed")
	}
	c := Consortium("c1", "t1", "", domain.BidForming, 0, Joined("A", 10000))
	putConsortium(t, s, c, 3)
	c.Status, c.Members = domain.BidSubmitted, []domain.Member{Joined("B", 10000)}
	putConsortium(t, s, c, 4)
	if cs, _ := s.ListConsortia(ctx, store.ConsortiumFilter{OrganizationID: "A"}); len(cs) != 0 {
		t.Errorf("consortium still listed under its old member: %q", consortiumIDs(cs))
	}
	if got, _ := s.GetConsortium(ctx, "c1"); got.Status != domain.BidSubmitted {
		t.Errorf("consortium status = %v", got.Status)
	}
	co := Company("A", "tera")
	putCompany(t, s, co, 1)
	co.ActiveIn = nil
	putCompany(t, s, co, 2)
	if cos, _ := s.ListCompanies(ctx, []string{"tera"}); len(cos) != 0 {
		t.Errorf("suspended company still listed as active: %q", companyIDs(cos))
	}
}

func testFindBySource(t *testing.T, s store.Store) {
	a := Tender("t1", "tera", domain.StatusActive, 1, "72000000")
	a.Source = domain.Source{System: "placsp", SourceID: "https://contrataciondelestado.es/1", Updated: base}
	b := Tender("t2", "tera", domain.StatusActive, 1, "72000000")
	b.Source = domain.Source{System: "ocds", SourceID: "https://contrataciondelestado.es/1", Updated: base}
	manual := Tender("t3", "tera", domain.StatusActive, 1, "72000000")
	putTender(t, s, a, 1)
	putTender(t, s, b, 2)
	putTender(t, s, manual, 3)
	for _, tc := range []struct{ system, id, want string }{
		{"placsp", "https://contrataciondelestado.es/1", "t1"},
		{"ocds", "https://contrataciondelestado.es/1", "t2"},
	} {
		got, err := s.FindTenderBySource(ctx, tc.system, tc.id)
		if err != nil || got.ID != tc.want {
			t.Errorf("FindTenderBySource(%s, %s) = %s, %v; want %s", tc.system, tc.id, got.ID, err, tc.want)
		}
	}
	if _, err := s.FindTenderBySource(ctx, "ted-eforms", "https://contrataciondelestado.es/1"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("another system's record was found: %v", err)
	}
	if _, err := s.FindTenderBySource(ctx, "manual", ""); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("a tender without a source id was found by an empty id: %v", err)
	}
	// The latest version is returned.
	a.Details.Title, a.Status = "revised", domain.StatusComplete
	putTender(t, s, a, 4)
	if got, _ := s.FindTenderBySource(ctx, "placsp", a.Source.SourceID); got.Details.Title != "revised" || got.Status != domain.StatusComplete {
		t.Errorf("FindTenderBySource returned a stale version: %q %v", got.Details.Title, got.Status)
	}
}

// tenderSet stores the tenders the filter tests use:
//
//	t-soon   active     tera (shared gira)  72212000           base+1  "Portal de empleo" / Ayuntamiento de Santander
//	t-lots   planned    gira                48000000 (lot 72222300) base+2  "Licencias" / Gobierno de Cantabria
//	t-done   complete   agency              79411000           base+3
//	t-open   active     tera                72000000           no deadline
//	t-past   cancelled  x                   72212000           base+0
func tenderSet(t *testing.T, s store.Store) {
	t.Helper()
	soon := Tender("t-soon", "tera", domain.StatusActive, 1, "72212000")
	soon.SharedWith = []string{"gira"}
	soon.Details.Lots = nil
	soon.Details.Title, soon.Details.Authority.Name = "Portal de empleo", "Ayuntamiento de Santander"
	lots := Tender("t-lots", "gira", domain.StatusPlanned, 2, "48000000")
	lots.SharedWith = nil
	lots.Details.Lots = []domain.Lot{{ID: "1", CPVs: []string{"72222300"}}}
	lots.Details.Title, lots.Details.Authority.Name = "Licencias", "Gobierno de Cantabria"
	done := Tender("t-done", "agency", domain.StatusComplete, 3, "79411000")
	done.SharedWith, done.Details.Lots = nil, nil
	open := Tender("t-open", "tera", domain.StatusActive, -1, "72000000")
	open.SharedWith, open.Details.Lots = nil, nil
	past := Tender("t-past", "x", domain.StatusCancelled, 0, "72212000")
	past.SharedWith, past.Details.Lots = nil, nil
	for i, tn := range []domain.Tender{soon, lots, done, open, past} {
		putTender(t, s, tn, uint64(i+1))
	}
}

func testTenderFilters(t *testing.T, s store.Store) {
	tenderSet(t, s)
	cases := []struct {
		name string
		f    store.TenderFilter
		want []string
	}{
		{"all, soonest deadline first, unknown last", store.TenderFilter{}, []string{"t-past", "t-soon", "t-lots", "t-done", "t-open"}},
		{"status active", store.TenderFilter{Status: domain.StatusActive}, []string{"t-soon", "t-open"}},
		{"status planned", store.TenderFilter{Status: domain.StatusPlanned}, []string{"t-lots"}},
		{"status unsuccessful", store.TenderFilter{Status: domain.StatusUnsuccessful}, nil},
		{"cpv division", store.TenderFilter{CPVPrefix: "72"}, []string{"t-past", "t-soon", "t-lots", "t-open"}},
		{"cpv class 7221", store.TenderFilter{CPVPrefix: "7221"}, []string{"t-past", "t-soon"}},
		{"cpv prefix only in a lot", store.TenderFilter{CPVPrefix: "7222"}, []string{"t-lots"}},
		{"cpv full code", store.TenderFilter{CPVPrefix: "79411000"}, []string{"t-done"}},
		{"cpv no match", store.TenderFilter{CPVPrefix: "45"}, nil},
		{"cluster owned", store.TenderFilter{ClusterID: "tera"}, []string{"t-soon", "t-open"}},
		{"cluster owned or shared", store.TenderFilter{ClusterID: "gira"}, []string{"t-soon", "t-lots"}},
		{"cluster unknown", store.TenderFilter{ClusterID: "nobody"}, nil},
		{"deadline after (exclusive)", store.TenderFilter{DeadlineAfter: day(1)}, []string{"t-lots", "t-done"}},
		{"deadline before (exclusive)", store.TenderFilter{DeadlineBefore: day(2)}, []string{"t-past", "t-soon"}},
		{"deadline window", store.TenderFilter{DeadlineAfter: day(0), DeadlineBefore: day(3)}, []string{"t-soon", "t-lots"}},
		{"query title, any case", store.TenderFilter{Query: "  PORTAL "}, []string{"t-soon"}},
		{"query authority", store.TenderFilter{Query: "cantabria"}, []string{"t-lots"}},
		{"query no match", store.TenderFilter{Query: "quantum"}, nil},
		{"combined", store.TenderFilter{Status: domain.StatusActive, ClusterID: "tera", CPVPrefix: "722", DeadlineAfter: day(0)}, []string{"t-soon"}},
		// The default list: planned or active, nearest deadline first, no deadline last.
		{"open only", store.TenderFilter{OpenOnly: true}, []string{"t-soon", "t-lots", "t-open"}},
		{"open only, cluster", store.TenderFilter{OpenOnly: true, ClusterID: "tera"}, []string{"t-soon", "t-open"}},
		{"open only, cpv in a lot", store.TenderFilter{OpenOnly: true, CPVPrefix: "7222"}, []string{"t-lots"}},
		{"open only, deadline window", store.TenderFilter{OpenOnly: true, DeadlineAfter: day(1)}, []string{"t-lots"}},
		{"a status overrides open only", store.TenderFilter{OpenOnly: true, Status: domain.StatusComplete}, []string{"t-done"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := s.ListTenders(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if next != "" {
				t.Errorf("next page token %q on a short list", next)
			}
			wantIDs(t, fmt.Sprintf("ListTenders(%+v)", tc.f), tenderIDs(got), tc.want)
			// The adapter agrees with the reference semantics.
			for _, tn := range got {
				if !store.MatchesTender(tn, tc.f) {
					t.Errorf("%s listed but MatchesTender is false", tn.ID)
				}
			}
		})
	}
}

func testPagination(t *testing.T, s store.Store) {
	tenderSet(t, s)
	// Two tenders sharing a deadline are ordered by id.
	twin := Tender("t-soon-2", "tera", domain.StatusActive, 1, "72212000")
	putTender(t, s, twin, 10)
	want := []string{"t-past", "t-soon", "t-soon-2", "t-lots", "t-done", "t-open"}

	for _, size := range []int{1, 2, 4, 6, 7} {
		t.Run(fmt.Sprint("page size ", size), func(t *testing.T) {
			var got []string
			token, pages := "", 0
			for {
				page, next, err := s.ListTenders(ctx, store.TenderFilter{PageSize: size, PageToken: token})
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(page) > size || len(page) == 0 {
					t.Fatalf("page %d has %d tenders (size %d)", pages, len(page), size)
				}
				got = append(got, tenderIDs(page)...)
				if next == "" {
					break
				}
				if pages > len(want) {
					t.Fatal("pagination does not end")
				}
				token = next
			}
			wantIDs(t, "all pages", got, want)
			if wantPages := (len(want) + size - 1) / size; pages != wantPages {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
		})
	}

	t.Run("with a filter", func(t *testing.T) {
		page, next, err := s.ListTenders(ctx, store.TenderFilter{CPVPrefix: "72", PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "first page", tenderIDs(page), []string{"t-past", "t-soon"})
		page, next, err = s.ListTenders(ctx, store.TenderFilter{CPVPrefix: "72", PageSize: 2, PageToken: next})
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "second page", tenderIDs(page), []string{"t-soon-2", "t-lots"})
		page, next, err = s.ListTenders(ctx, store.TenderFilter{CPVPrefix: "72", PageSize: 2, PageToken: next})
		if err != nil || next != "" {
			t.Fatalf("last page: next %q, err %v", next, err)
		}
		wantIDs(t, "last page", tenderIDs(page), []string{"t-open"})
	})

	t.Run("token of a tender that left the filter", func(t *testing.T) {
		page, next, err := s.ListTenders(ctx, store.TenderFilter{Status: domain.StatusActive, PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "first page", tenderIDs(page), []string{"t-soon", "t-soon-2"})
		// t-soon-2, whose key is the token, is cancelled between the pages:
		// the next page still starts after it.
		gone := mustTender(t, s, "t-soon-2")
		gone.Status = domain.StatusCancelled
		putTender(t, s, gone, 11)
		page, next, err = s.ListTenders(ctx, store.TenderFilter{Status: domain.StatusActive, PageSize: 2, PageToken: next})
		if err != nil || next != "" {
			t.Fatalf("next %q, err %v", next, err)
		}
		wantIDs(t, "next page", tenderIDs(page), []string{"t-open"})
	})

	t.Run("default page size", func(t *testing.T) {
		page, next, err := s.ListTenders(ctx, store.TenderFilter{})
		if err != nil || next != "" || len(page) != len(want) {
			t.Fatalf("page size 0: %d tenders, next %q, err %v", len(page), next, err)
		}
	})
}

func testBadPageToken(t *testing.T, s store.Store) {
	tenderSet(t, s)
	_, next, err := s.ListTenders(ctx, store.TenderFilter{PageSize: 1})
	if err != nil || next == "" {
		t.Fatalf("first page: next %q, err %v", next, err)
	}
	for _, tok := range []string{
		"LTU",                         // valid base64, not a token (the gateway's pageToken=LTU)
		"2026-03-05T10:00:00Z|t-soon", // a raw sort key
		next[:len(next)-2],            // truncated
		next + "x",                    // extended
	} {
		ts, n, err := s.ListTenders(ctx, store.TenderFilter{PageSize: 1, PageToken: tok})
		var inv *domainerr.InvalidError
		if !errors.As(err, &inv) || len(inv.Violations) != 1 || inv.Violations[0].Field != "page_token" {
			t.Errorf("token %q: %d tenders, next %q, err %v; want an InvalidArgument on page_token", tok, len(ts), n, err)
		}
	}
}

// awardSet stores tenders with awards (amounts in cents):
//
//	tA  source s-a  CPV 72212000; lot 1 CPV 79411000, lot 2 without CPVs
//	    #0 lot 1  B11  500 → CPVs of lot 1
//	    #1 lot 2  b22  300 → the tender's CPVs (the lot has none)
//	    #2 no lot B33  300 → the tender's CPVs
//	tB  source s-b  CPV 48000000 72000000, no lots: #0 B11 900, #1 B44 300
//	tC  no awards
//	tD  no source id, CPV 45000000: #0 B55 300
func awardSet(t *testing.T, s store.Store) map[string]domain.Tender {
	t.Helper()
	sme := false
	award := func(lot, tax string, cents int64) domain.Award {
		return domain.Award{LotID: lot, WinnerName: "Winner " + tax, WinnerTaxID: tax, AmountCents: cents, Date: base, OffersReceived: 2}
	}
	tA := Tender("tA", "tera", domain.StatusComplete, 1, "72212000")
	tA.Source = domain.Source{System: "placsp", SourceID: "s-a"}
	tA.Details.Lots = []domain.Lot{{ID: "1", CPVs: []string{"79411000"}}, {ID: "2"}}
	tA.Details.Awards = []domain.Award{award("1", "B11", 500), award("2", "b22", 300), award("", "B33", 300)}
	tA.Details.Awards[0].SME, tA.Details.Awards[0].ConsortiumID = &sme, "c-1"
	tB := Tender("tB", "gira", domain.StatusComplete, 2, "48000000", "72000000")
	tB.Source = domain.Source{System: "ocds", SourceID: "s-b"}
	tB.Details.Lots = nil
	tB.Details.Awards = []domain.Award{award("", "B11", 900), award("", "B44", 300)}
	tC := Tender("tC", "tera", domain.StatusActive, 3, "72212000")
	tC.Details.Awards = nil
	tD := Tender("tD", "tera", domain.StatusComplete, 4, "45000000")
	tD.Details.Lots = nil
	tD.Details.Awards = []domain.Award{award("", "B55", 300)}
	out := map[string]domain.Tender{}
	for i, tn := range []domain.Tender{tA, tB, tC, tD} {
		putTender(t, s, tn, uint64(i+1))
		out[tn.ID] = tn
	}
	return out
}

func awardIDs(rs []store.AwardRecord) []string {
	return ids(rs, func(r store.AwardRecord) string { return fmt.Sprintf("%s/%d", r.TenderID, r.Position) })
}

func listAwards(t *testing.T, s store.Store, f store.AwardFilter) []store.AwardRecord {
	t.Helper()
	got, err := s.ListAwards(ctx, f)
	if err != nil {
		t.Fatalf("ListAwards(%+v): %v", f, err)
	}
	return got
}

func testListAwards(t *testing.T, s store.Store) {
	tenders := awardSet(t, s)
	cases := []struct {
		name string
		f    store.AwardFilter
		want []string
	}{
		{"all, largest first, ties by source id then lot", store.AwardFilter{}, []string{"tB/0", "tA/0", "tD/0", "tA/2", "tA/1", "tB/1"}},
		{"cpv prefix: the lot's codes, else the tender's", store.AwardFilter{CPVPrefix: "72"}, []string{"tB/0", "tA/2", "tA/1", "tB/1"}},
		{"cpv prefix of a lot's code", store.AwardFilter{CPVPrefix: "794"}, []string{"tA/0"}},
		{"cpv full code", store.AwardFilter{CPVPrefix: "45000000"}, []string{"tD/0"}},
		{"cpv no match", store.AwardFilter{CPVPrefix: "30"}, nil},
		{"cpv group", store.AwardFilter{CPVGroups: []string{"722"}}, []string{"tA/2", "tA/1"}},
		{"cpv groups, any", store.AwardFilter{CPVGroups: []string{"720", "794"}}, []string{"tB/0", "tA/0", "tB/1"}},
		{"cpv group no match", store.AwardFilter{CPVGroups: []string{"481"}}, nil},
		{"winner, any case", store.AwardFilter{WinnerTaxID: "b11"}, []string{"tB/0", "tA/0"}},
		{"winner stored in lower case", store.AwardFilter{WinnerTaxID: "B22"}, []string{"tA/1"}},
		{"winner unknown", store.AwardFilter{WinnerTaxID: "B99"}, nil},
		{"exclude a tender", store.AwardFilter{ExcludeTenderID: "tA"}, []string{"tB/0", "tD/0", "tB/1"}},
		{"combined", store.AwardFilter{CPVPrefix: "72", CPVGroups: []string{"720"}, ExcludeTenderID: "tA"}, []string{"tB/0", "tB/1"}},
		{"combined with winner", store.AwardFilter{CPVPrefix: "72", CPVGroups: []string{"720"}, WinnerTaxID: "B44"}, []string{"tB/1"}},
		{"limit", store.AwardFilter{Limit: 2}, []string{"tB/0", "tA/0"}},
		{"limit after filters", store.AwardFilter{CPVPrefix: "72", Limit: 3}, []string{"tB/0", "tA/2", "tA/1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := listAwards(t, s, tc.f)
			wantIDs(t, fmt.Sprintf("ListAwards(%+v)", tc.f), awardIDs(got), tc.want)
			for _, r := range got {
				if !store.MatchesAward(r, tc.f) {
					t.Errorf("%s/%d listed but MatchesAward is false", r.TenderID, r.Position)
				}
			}
			if !slices.IsSortedFunc(got, store.CompareAwards) {
				t.Errorf("not in CompareAwards order: %q", awardIDs(got))
			}
		})
	}
	t.Run("records carry the award and its tender's context", func(t *testing.T) {
		tA := tenders["tA"]
		got := listAwards(t, s, store.AwardFilter{CPVPrefix: "794"})
		want := []store.AwardRecord{{TenderID: "tA", SourceID: "s-a", Title: tA.Details.Title, Buyer: tA.Details.Authority.Name,
			CPVs: []string{"79411000"}, Award: tA.Details.Awards[0], Position: 0}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ListAwards =\n%+v\nwant\n%+v", got, want)
		}
		got = listAwards(t, s, store.AwardFilter{WinnerTaxID: "B55"})
		if len(got) != 1 || got[0].SourceID != "" || !slices.Equal(got[0].CPVs, []string{"45000000"}) || !reflect.DeepEqual(got[0].Award, tenders["tD"].Details.Awards[0]) {
			t.Fatalf("award of a tender without a source id: %+v", got)
		}
	})
}

func testAwardsReplaced(t *testing.T, s store.Store) {
	tenders := awardSet(t, s)
	// A new version of tA keeps one award, smaller: the others leave the history.
	tA := tenders["tA"]
	tA.Details.Awards = []domain.Award{{LotID: "1", WinnerTaxID: "B66", AmountCents: 100, Date: base}}
	putTender(t, s, tA, 10)
	wantIDs(t, "after the new version", awardIDs(listAwards(t, s, store.AwardFilter{})), []string{"tB/0", "tD/0", "tB/1", "tA/0"})
	wantIDs(t, "old winner", awardIDs(listAwards(t, s, store.AwardFilter{WinnerTaxID: "B33"})), nil)
	// A replay of the old version changes nothing.
	putTender(t, s, tenders["tA"], 1)
	wantIDs(t, "after a replay", awardIDs(listAwards(t, s, store.AwardFilter{WinnerTaxID: "B66"})), []string{"tA/0"})
	// A tender whose awards are all withdrawn has none.
	tA.Details.Awards = nil
	putTender(t, s, tA, 11)
	wantIDs(t, "awards withdrawn", awardIDs(listAwards(t, s, store.AwardFilter{CPVPrefix: "794"})), nil)
}

func testAwardsLimit(t *testing.T, s store.Store) {
	// One tender with more awards than the maximum page: one write.
	big := Tender("t-big", "tera", domain.StatusComplete, 1, "72000000")
	big.Details.Lots = nil
	big.Details.Awards = nil
	for i := range 501 {
		big.Details.Awards = append(big.Details.Awards, domain.Award{WinnerTaxID: fmt.Sprintf("B%03d", i), AmountCents: int64(1000 - i), Date: base})
	}
	putTender(t, s, big, 1)
	if got := listAwards(t, s, store.AwardFilter{}); len(got) != 50 || got[0].Position != 0 || got[49].Position != 49 {
		t.Errorf("default limit: %d awards (%q…), want the 50 largest", len(got), awardIDs(got[:min(3, len(got))]))
	}
	if got := listAwards(t, s, store.AwardFilter{Limit: 5000}); len(got) != 500 || got[499].Position != 499 {
		t.Errorf("limit 5000: %d awards, want at most 500", len(got))
	}
}

func testConsortiumFilters(t *testing.T, s store.Store) {
	lead := Joined("A", 6000)
	lead.Lead = true
	for i, c := range []domain.Consortium{
		Consortium("c-live", "t1", "", domain.BidForming, 3, lead, Invited("B")),
		Consortium("c-dissolved", "t1", "", domain.BidDissolved, 1, Joined("A", 10000)),
		Consortium("c-lot1", "t2", "1", domain.BidForming, 2, Joined("B", 10000)),
		Consortium("c-lot2-lost", "t2", "2", domain.BidLost, 4, Joined("C", 10000)),
		Consortium("c-submitted", "t1", "", domain.BidSubmitted, 5, Joined("C", 10000)),
		Consortium("c-awarded", "t2", "1", domain.BidAwarded, 2, Joined("D", 10000)), // same minute as c-lot1: by id
	} {
		putConsortium(t, s, c, uint64(i+1))
	}
	cases := []struct {
		name string
		f    store.ConsortiumFilter
		want []string
	}{
		{"all, oldest first", store.ConsortiumFilter{}, []string{"c-dissolved", "c-awarded", "c-lot1", "c-live", "c-lot2-lost", "c-submitted"}},
		{"tender", store.ConsortiumFilter{TenderID: "t1"}, []string{"c-dissolved", "c-live", "c-submitted"}},
		{"tender and lot", store.ConsortiumFilter{TenderID: "t2", LotID: "1"}, []string{"c-awarded", "c-lot1"}},
		{"tender, any lot", store.ConsortiumFilter{TenderID: "t2"}, []string{"c-awarded", "c-lot1", "c-lot2-lost"}},
		{"unknown lot", store.ConsortiumFilter{TenderID: "t2", LotID: "9"}, nil},
		{"lot without tender is ignored", store.ConsortiumFilter{LotID: "2", OrganizationID: "C"}, []string{"c-lot2-lost", "c-submitted"}},
		{"organisation joined", store.ConsortiumFilter{OrganizationID: "A"}, []string{"c-dissolved", "c-live"}},
		{"organisation invited", store.ConsortiumFilter{OrganizationID: "B"}, []string{"c-lot1", "c-live"}},
		{"organisation unknown", store.ConsortiumFilter{OrganizationID: "Z"}, nil},
		{"live only", store.ConsortiumFilter{LiveOnly: true}, []string{"c-awarded", "c-lot1", "c-live", "c-submitted"}},
		{"organisation, live only", store.ConsortiumFilter{OrganizationID: "A", LiveOnly: true}, []string{"c-live"}},
		{"tender, lot, organisation, live", store.ConsortiumFilter{TenderID: "t2", LotID: "2", OrganizationID: "C", LiveOnly: true}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListConsortia(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			wantIDs(t, fmt.Sprintf("ListConsortia(%+v)", tc.f), consortiumIDs(got), tc.want)
			for _, c := range got {
				if !store.MatchesConsortium(c, tc.f) {
					t.Errorf("%s listed but MatchesConsortium is false", c.ID)
				}
			}
		})
	}
}

func testListCompanies(t *testing.T, s store.Store) {
	for i, c := range []domain.Company{
		Company("B3", "tera"), Company("B1", "gira", "tera"), Company("B2"), Company("B4", "agency"),
	} {
		putCompany(t, s, c, uint64(i+1))
	}
	cases := []struct {
		clusters []string
		want     []string
	}{
		{[]string{"tera"}, []string{"B1", "B3"}},
		{[]string{"gira", "agency"}, []string{"B1", "B4"}},
		{[]string{"tera", "gira"}, []string{"B1", "B3"}},
		{[]string{"nobody"}, nil},
		{nil, nil},
	}
	for _, tc := range cases {
		got, err := s.ListCompanies(ctx, tc.clusters)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, fmt.Sprintf("ListCompanies(%q)", tc.clusters), companyIDs(got), tc.want)
	}
}

// testConcurrent writes from one goroutine per stream (as the projections do)
// while others read; run with -race. Sizes are modest (a persistent adapter
// pays a round trip per call) but ids repeat, so most writes replace.
func testConcurrent(t *testing.T, s store.Store) {
	const n = 40
	// Every fifth write lets a read round through, so reads overlap writes
	// however fast or slow the adapter is, without crowding them out.
	wrote := make(chan struct{}, 2*n)
	var writes atomic.Int64
	tick := func() {
		if writes.Add(1)%5 == 0 {
			wrote <- struct{}{}
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 1; i <= n; i++ {
			id := fmt.Sprintf("t%03d", i%20)
			// Bare tenders: a persistent adapter's replace costs grow with the document.
			tn := domain.Tender{ID: id, ClusterID: "tera", Status: domain.StatusActive,
				Details: domain.Details{Title: id, CPVs: []string{"72000000"}, Deadline: day(i % 30)}}
			if err := s.PutTender(ctx, tn, uint64(2*i)); err != nil {
				t.Error(err)
				return
			}
			if err := s.PutConsortium(ctx, Consortium(fmt.Sprintf("c%03d", i%10), id, "", domain.BidForming, i, Joined("A", 100)), uint64(2*i+1)); err != nil {
				t.Error(err)
				return
			}
			tick()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 1; i <= n; i++ {
			if err := s.PutCompany(ctx, Company(fmt.Sprintf("B%03d", i%15), "tera"), uint64(i)); err != nil {
				t.Error(err)
				return
			}
			tick()
		}
	}()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 2; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			var last uint64
			for {
				select {
				case <-stop:
					return
				case <-wrote:
				}
				if _, _, err := s.ListTenders(ctx, store.TenderFilter{CPVPrefix: "72", PageSize: 5}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.ListConsortia(ctx, store.ConsortiumFilter{OrganizationID: "A", LiveOnly: true}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.ListCompanies(ctx, []string{"tera"}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.GetTender(ctx, "t001"); err != nil && !errors.Is(err, domainerr.ErrNotFound) {
					t.Error(err)
					return
				}
				cp, err := s.Checkpoint(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if cp < last {
					t.Errorf("tender checkpoint went back from %d to %d", last, cp)
					return
				}
				last = cp
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if tc, mc := checkpoints(t, s); tc != 2*n+1 || mc != n {
		t.Errorf("checkpoints = %d, %d; want %d, %d", tc, mc, 2*n+1, n)
	}
	if all, _, _ := s.ListTenders(ctx, store.TenderFilter{PageSize: 500}); len(all) != 20 {
		t.Errorf("%d tenders, want 20", len(all))
	}
	if cos, _ := s.ListCompanies(ctx, []string{"tera"}); len(cos) != 15 {
		t.Errorf("%d companies, want 15", len(cos))
	}
}

// testOpenFollowsStatus: a tender whose bidding closes (active → evaluation)
// leaves the open list and is listed under its new status; reopened (a
// deadline moved later), it is back in the open list.
func testOpenFollowsStatus(t *testing.T, s store.Store) {
	list := func(f store.TenderFilter) []string {
		t.Helper()
		got, _, err := s.ListTenders(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tn := range got {
			ids = append(ids, tn.ID)
		}
		return ids
	}
	a := Tender("t-a", "tera", domain.StatusActive, 1, "72000000")
	b := Tender("t-b", "tera", domain.StatusActive, 2, "72000000")
	putTender(t, s, a, 1)
	putTender(t, s, b, 2)
	a.Status = domain.StatusEvaluation
	putTender(t, s, a, 3)
	for _, tc := range []struct {
		f    store.TenderFilter
		want []string
	}{
		{store.TenderFilter{OpenOnly: true}, []string{"t-b"}},
		{store.TenderFilter{Status: domain.StatusEvaluation}, []string{"t-a"}},
		{store.TenderFilter{}, []string{"t-a", "t-b"}},
	} {
		if got := list(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("ListTenders(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
	a.Status = domain.StatusActive
	a.Details.Deadline = b.Details.Deadline.Add(time.Hour)
	putTender(t, s, a, 4)
	if got := list(store.TenderFilter{OpenOnly: true}); !slices.Equal(got, []string{"t-b", "t-a"}) {
		t.Errorf("open list after reopening = %v, want [t-b t-a]", got)
	}
}

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
		{"AllTenders", testAllTenders},
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
	all, err := s.AllTenders(ctx)
	if err != nil || len(all) != 0 {
		t.Errorf("AllTenders = %v, %v", all, err)
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

func testAllTenders(t *testing.T, s store.Store) {
	tenderSet(t, s)
	all, err := s.AllTenders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "AllTenders", tenderIDs(all), []string{"t-done", "t-lots", "t-open", "t-past", "t-soon"})
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
// while others read; run with -race.
func testConcurrent(t *testing.T, s store.Store) {
	const n = 200
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 1; i <= n; i++ {
			id := fmt.Sprintf("t%03d", i%20)
			if err := s.PutTender(ctx, Tender(id, "tera", domain.StatusActive, i%30, "72000000"), uint64(2*i)); err != nil {
				t.Error(err)
				return
			}
			if err := s.PutConsortium(ctx, Consortium(fmt.Sprintf("c%03d", i%10), id, "", domain.BidForming, i, Joined("A", 100)), uint64(2*i+1)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 1; i <= n; i++ {
			if err := s.PutCompany(ctx, Company(fmt.Sprintf("B%03d", i%15), "tera"), uint64(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _, _ = s.ListTenders(ctx, store.TenderFilter{CPVPrefix: "72", PageSize: 5})
				_, _ = s.ListConsortia(ctx, store.ConsortiumFilter{OrganizationID: "A", LiveOnly: true})
				_, _ = s.ListCompanies(ctx, []string{"tera"})
				_, _ = s.GetTender(ctx, "t001")
				_, _ = s.Checkpoint(ctx)
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if tc, mc := checkpoints(t, s); tc != 2*n+1 || mc != n {
		t.Errorf("checkpoints = %d, %d; want %d, %d", tc, mc, 2*n+1, n)
	}
	if all, _ := s.AllTenders(ctx); len(all) != 20 {
		t.Errorf("%d tenders, want 20", len(all))
	}
	if cos, _ := s.ListCompanies(ctx, []string{"tera"}); len(cos) != 15 {
		t.Errorf("%d companies, want 15", len(cos))
	}
}

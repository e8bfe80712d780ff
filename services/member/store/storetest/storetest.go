// Package storetest is the contract every member read-model adapter must meet
// (store.Store). An adapter's test calls Run with a constructor of empty stores:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
//	}
//
// newStore is called once per subtest and must return an empty store (a fresh
// database or collection for persistent adapters); clean it up with t.Cleanup.
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

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Run runs the contract suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"EmptyStore", testEmpty},
		{"PutGetOrganization", testPutGetOrganization},
		{"PutGetCluster", testPutGetCluster},
		{"NotFound", testNotFound},
		{"CheckpointIgnoresReplays", testCheckpoint},
		{"ListClustersByName", testListClusters},
		{"ListOrganizationsFilters", testFilters},
		{"ListOrganizationsOrder", testOrder},
		{"Pagination", testPagination},
		{"PaginationSameLegalName", testPaginationTies},
		{"PaginationStableAcrossWrites", testPaginationStable},
		{"PageSizeDefaultAndMax", testPageSizeLimits},
		{"BadPageToken", testBadPageToken},
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

// Org returns a populated organisation fixture.
func Org(id, name string) domain.Organization {
	return domain.Organization{
		ID: id, Kind: domain.KindCompany, LegalName: name, TaxID: "B" + id,
		Profile: domain.Profile{
			SizeBand: domain.SizeSmall, Headcount: 12,
			Address:      domain.Address{Street: "Calle 1", Locality: "Santander", PostalCode: "39001", Province: "Cantabria", NUTS: "ES130"},
			Capabilities: []string{"software-development"}, CPVInterests: []string{"72212000"},
			Description: "fixture", Website: "https://example.invalid",
		},
		Certifications: []domain.Certification{{ID: "cert-" + id, Kind: "ENS", Level: "media", Issued: base.AddDate(-1, 0, 0), Expires: base.AddDate(2, 0, 0), Scope: "all"}},
		Turnover:       []domain.Turnover{{Year: 2025, Cents: 2_000_000_00}, {Year: 2024, Cents: 1_500_000_00}},
		References:     []domain.Reference{{ID: "ref-" + id, Buyer: "Gobierno de Cantabria", Title: "Portal", CPV: "72212000", Cents: 90_000_00, Year: 2024}},
		Memberships:    []domain.Membership{{ClusterID: "c-tera", Status: domain.MembershipActive, Updated: base.Add(time.Hour), Reason: ""}},
		Demo:           true,
		Created:        base,
		Updated:        base.Add(2 * time.Hour),
		Version:        1,
	}
}

// Cluster returns a cluster fixture.
func Cluster(id, name string) domain.Cluster {
	return domain.Cluster{ID: id, Name: name, RegionNUTS: "ES130", Description: "fixture " + name, Demo: false, Created: base, Version: 1}
}

// normalise makes values comparable across adapters: times in UTC, empty
// slices as nil.
func normalise(o domain.Organization) domain.Organization {
	utc := func(t time.Time) time.Time { return t.UTC() }
	o.Created, o.Updated = utc(o.Created), utc(o.Updated)
	o.Profile.Capabilities = nilIfEmpty(o.Profile.Capabilities)
	o.Profile.CPVInterests = nilIfEmpty(o.Profile.CPVInterests)
	o.Certifications = nilIfEmpty(slices.Clone(o.Certifications))
	for i := range o.Certifications {
		o.Certifications[i].Issued, o.Certifications[i].Expires = utc(o.Certifications[i].Issued), utc(o.Certifications[i].Expires)
	}
	o.Turnover = nilIfEmpty(o.Turnover)
	o.References = nilIfEmpty(o.References)
	o.Memberships = nilIfEmpty(slices.Clone(o.Memberships))
	for i := range o.Memberships {
		o.Memberships[i].Updated = utc(o.Memberships[i].Updated)
	}
	return o
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func sameOrg(t *testing.T, got, want domain.Organization) {
	t.Helper()
	if g, w := normalise(got), normalise(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("organisation differs:\n got %+v\nwant %+v", g, w)
	}
}

func sameCluster(t *testing.T, got, want domain.Cluster) {
	t.Helper()
	got.Created, want.Created = got.Created.UTC(), want.Created.UTC()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("cluster differs:\n got %+v\nwant %+v", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func checkpoint(t *testing.T, s store.Store) uint64 {
	t.Helper()
	cp, err := s.Checkpoint(ctx)
	must(t, err)
	return cp
}

func list(t *testing.T, s store.Store, f store.Filter) ([]domain.Organization, string) {
	t.Helper()
	orgs, next, err := s.ListOrganizations(ctx, f)
	must(t, err)
	return orgs, next
}

func ids(orgs []domain.Organization) []string {
	out := make([]string, len(orgs))
	for i, o := range orgs {
		out[i] = o.ID
	}
	return out
}

// all follows page tokens from f and returns every organisation, failing on
// duplicates or a runaway token chain.
func all(t *testing.T, s store.Store, f store.Filter) (out []domain.Organization, pages int) {
	t.Helper()
	seen := map[string]bool{}
	for pages = 1; ; pages++ {
		page, next := list(t, s, f)
		if f.PageSize > 0 && len(page) > store.PageSize(f.PageSize) {
			t.Fatalf("page %d has %d items, page size %d", pages, len(page), f.PageSize)
		}
		for _, o := range page {
			if seen[o.ID] {
				t.Fatalf("organisation %s returned twice (page %d)", o.ID, pages)
			}
			seen[o.ID] = true
		}
		out = append(out, page...)
		if next == "" {
			return out, pages
		}
		if len(page) == 0 {
			t.Fatalf("page %d is empty but has a next token %q", pages, next)
		}
		if pages > 10_000 {
			t.Fatal("page tokens never end")
		}
		f.PageToken = next
	}
}

func testEmpty(t *testing.T, s store.Store) {
	if cp := checkpoint(t, s); cp != 0 {
		t.Errorf("empty store checkpoint = %d, want 0", cp)
	}
	cs, err := s.ListClusters(ctx)
	must(t, err)
	if len(cs) != 0 {
		t.Errorf("empty store clusters = %+v", cs)
	}
	orgs, next := list(t, s, store.Filter{})
	if len(orgs) != 0 || next != "" {
		t.Errorf("empty store organisations = %+v, next %q", orgs, next)
	}
}

func testPutGetOrganization(t *testing.T, s store.Store) {
	o := Org("o1", "Acme")
	must(t, s.PutOrganization(ctx, o, 1))
	got, err := s.GetOrganization(ctx, "o1")
	must(t, err)
	sameOrg(t, got, o)

	// A later write replaces the whole organisation.
	o2 := o
	o2.LegalName = "Acme Renamed"
	o2.Certifications = nil
	o2.Memberships = append(slices.Clone(o.Memberships), domain.Membership{ClusterID: "c-gira", Status: domain.MembershipPending, Updated: base})
	o2.Version = 2
	must(t, s.PutOrganization(ctx, o2, 2))
	got, err = s.GetOrganization(ctx, "o1")
	must(t, err)
	sameOrg(t, got, o2)

	// Others are untouched.
	must(t, s.PutOrganization(ctx, Org("o2", "Beta"), 3))
	got, err = s.GetOrganization(ctx, "o1")
	must(t, err)
	sameOrg(t, got, o2)
	if cp := checkpoint(t, s); cp != 3 {
		t.Errorf("checkpoint = %d, want 3", cp)
	}
}

func testPutGetCluster(t *testing.T, s store.Store) {
	c := Cluster("c1", "TERA")
	c.Demo = true
	must(t, s.PutCluster(ctx, c, 1))
	got, err := s.GetCluster(ctx, "c1")
	must(t, err)
	sameCluster(t, got, c)
	if cp := checkpoint(t, s); cp != 1 {
		t.Errorf("checkpoint = %d, want 1", cp)
	}
	// Clusters and organisations live apart even with the same id.
	must(t, s.PutOrganization(ctx, Org("c1", "Org c1"), 2))
	got, err = s.GetCluster(ctx, "c1")
	must(t, err)
	sameCluster(t, got, c)
}

func testNotFound(t *testing.T, s store.Store) {
	must(t, s.PutOrganization(ctx, Org("o1", "Acme"), 1))
	must(t, s.PutCluster(ctx, Cluster("c1", "TERA"), 2))
	if _, err := s.GetOrganization(ctx, "missing"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("GetOrganization(missing) = %v, want an error wrapping domainerr.ErrNotFound", err)
	}
	if _, err := s.GetCluster(ctx, "missing"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("GetCluster(missing) = %v, want an error wrapping domainerr.ErrNotFound", err)
	}
	if _, err := s.GetOrganization(ctx, "c1"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("GetOrganization(cluster id) = %v, want ErrNotFound", err)
	}
	if _, err := s.GetCluster(ctx, "o1"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("GetCluster(organisation id) = %v, want ErrNotFound", err)
	}
}

func testCheckpoint(t *testing.T, s store.Store) {
	o := Org("o1", "Acme")
	must(t, s.PutOrganization(ctx, o, 5))
	if cp := checkpoint(t, s); cp != 5 {
		t.Fatalf("checkpoint after write at 5 = %d", cp)
	}

	// Replays at or below the checkpoint are ignored, whatever they carry.
	stale := o
	stale.LegalName = "Stale"
	must(t, s.PutOrganization(ctx, stale, 5))
	must(t, s.PutOrganization(ctx, stale, 3))
	must(t, s.PutOrganization(ctx, Org("o-old", "Old"), 4))
	must(t, s.PutCluster(ctx, Cluster("c-old", "Old"), 2))
	got, err := s.GetOrganization(ctx, "o1")
	must(t, err)
	sameOrg(t, got, o)
	if _, err := s.GetOrganization(ctx, "o-old"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("organisation written below the checkpoint is visible (err %v)", err)
	}
	if _, err := s.GetCluster(ctx, "c-old"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("cluster written below the checkpoint is visible (err %v)", err)
	}
	if cp := checkpoint(t, s); cp != 5 {
		t.Errorf("checkpoint moved back to %d", cp)
	}

	// The checkpoint is one for organisations and clusters alike, and advances
	// with every accepted write, gaps allowed (filtered or parked events).
	must(t, s.PutCluster(ctx, Cluster("c1", "TERA"), 6))
	if cp := checkpoint(t, s); cp != 6 {
		t.Errorf("checkpoint after cluster write at 6 = %d", cp)
	}
	must(t, s.PutOrganization(ctx, Org("o1", "Acme"), 6)) // same seq as the cluster: a replay
	newer := o
	newer.LegalName = "Acme v9"
	must(t, s.PutOrganization(ctx, newer, 9))
	if cp := checkpoint(t, s); cp != 9 {
		t.Errorf("checkpoint after write at 9 = %d", cp)
	}
	got, err = s.GetOrganization(ctx, "o1")
	must(t, err)
	sameOrg(t, got, newer)
	must(t, s.PutCluster(ctx, Cluster("c1", "Replayed"), 7))
	c, err := s.GetCluster(ctx, "c1")
	must(t, err)
	if c.Name != "TERA" {
		t.Errorf("cluster replay below the checkpoint applied: %+v", c)
	}
}

func testListClusters(t *testing.T, s store.Store) {
	names := []string{"Gamma", "Alpha", "Delta", "Beta"}
	for i, n := range names {
		must(t, s.PutCluster(ctx, Cluster("id-"+n, n), uint64(i+1)))
	}
	cs, err := s.ListClusters(ctx)
	must(t, err)
	var got []string
	for _, c := range cs {
		got = append(got, c.Name)
	}
	if want := []string{"Alpha", "Beta", "Delta", "Gamma"}; !slices.Equal(got, want) {
		t.Fatalf("ListClusters names = %q, want %q", got, want)
	}
	sameCluster(t, cs[0], Cluster("id-Alpha", "Alpha"))
}

// filterFixture writes organisations with known memberships, capabilities and
// CPV interests.
func filterFixture(t *testing.T, s store.Store) {
	t.Helper()
	mk := func(id, name string, ms []domain.Membership, caps, cpvs []string) domain.Organization {
		o := Org(id, name)
		o.Memberships, o.Profile.Capabilities, o.Profile.CPVInterests = ms, caps, cpvs
		return o
	}
	m := func(c string, st domain.MembershipStatus) domain.Membership {
		return domain.Membership{ClusterID: c, Status: st, Updated: base}
	}
	orgs := []domain.Organization{
		mk("a", "A active tera", []domain.Membership{m("tera", domain.MembershipActive)}, []string{"cloud", "ai"}, []string{"72212000", "48000000"}),
		mk("b", "B pending tera", []domain.Membership{m("tera", domain.MembershipPending)}, []string{"cloud"}, []string{"30200000"}),
		mk("c", "C suspended tera, active gira", []domain.Membership{m("tera", domain.MembershipOnHold), m("gira", domain.MembershipActive)}, []string{"iot"}, []string{"72000000"}),
		mk("d", "D no cluster", nil, nil, nil),
		mk("e", "E gira", []domain.Membership{m("gira", domain.MembershipPending)}, []string{"ai"}, []string{"72260000"}),
	}
	for i, o := range orgs {
		must(t, s.PutOrganization(ctx, o, uint64(i+1)))
	}
}

func testFilters(t *testing.T, s store.Store) {
	filterFixture(t, s)
	tests := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"none", store.Filter{}, []string{"a", "b", "c", "d", "e"}},
		{"cluster, any status", store.Filter{ClusterID: "tera"}, []string{"a", "b", "c"}},
		{"other cluster", store.Filter{ClusterID: "gira"}, []string{"c", "e"}},
		{"unknown cluster", store.Filter{ClusterID: "nope"}, nil},
		{"capability", store.Filter{Capability: "cloud"}, []string{"a", "b"}},
		{"capability ai", store.Filter{Capability: "ai"}, []string{"a", "e"}},
		{"cpv division", store.Filter{CPVPrefix: "72"}, []string{"a", "c", "e"}},
		{"cpv class", store.Filter{CPVPrefix: "7221"}, []string{"a"}},
		{"cpv full code", store.Filter{CPVPrefix: "48000000"}, []string{"a"}},
		{"cpv no match", store.Filter{CPVPrefix: "45"}, nil},
		{"cluster and capability", store.Filter{ClusterID: "tera", Capability: "cloud"}, []string{"a", "b"}},
		{"cluster and cpv", store.Filter{ClusterID: "gira", CPVPrefix: "7226"}, []string{"e"}},
		{"all three", store.Filter{ClusterID: "tera", Capability: "ai", CPVPrefix: "48"}, []string{"a"}},
		{"all three, none match", store.Filter{ClusterID: "gira", Capability: "cloud", CPVPrefix: "72"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := all(t, s, tt.f)
			if !slices.Equal(ids(got), tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("ids = %q, want %q", ids(got), tt.want)
			}
			if pages != 1 {
				t.Errorf("%d pages for %d results under the default page size", pages, len(got))
			}
			for _, o := range got {
				if !store.Matches(o, tt.f) {
					t.Errorf("%s returned but does not match the reference semantics (store.Matches)", o.ID)
				}
			}
		})
	}
}

func testOrder(t *testing.T, s store.Store) {
	// Written out of order; same legal name twice (ties break on id).
	for i, o := range []domain.Organization{Org("z2", "Zeta"), Org("a1", "Alpha"), Org("m1", "Mu"), Org("z1", "Zeta"), Org("b1", "Beta")} {
		must(t, s.PutOrganization(ctx, o, uint64(i+1)))
	}
	got, _ := list(t, s, store.Filter{})
	if want := []string{"a1", "b1", "m1", "z1", "z2"}; !slices.Equal(ids(got), want) {
		t.Fatalf("order = %q, want by legal name then id %q", ids(got), want)
	}
}

func putMany(t *testing.T, s store.Store, n int, from uint64, name func(i int) string) []domain.Organization {
	t.Helper()
	var out []domain.Organization
	for i := range n {
		o := Org(fmt.Sprintf("org-%04d", i), name(i))
		if i%3 == 0 {
			o.Profile.Capabilities = []string{"cloud"}
		}
		must(t, s.PutOrganization(ctx, o, from+uint64(i)))
		out = append(out, o)
	}
	slices.SortFunc(out, store.Compare)
	return out
}

func testPagination(t *testing.T, s store.Store) {
	want := putMany(t, s, 25, 1, func(i int) string { return fmt.Sprintf("Org %02d", (i*7)%25) })

	page, next := list(t, s, store.Filter{PageSize: 10})
	if len(page) != 10 || next == "" {
		t.Fatalf("first page: %d items, next %q; want 10 and a token", len(page), next)
	}
	if !slices.Equal(ids(page), ids(want[:10])) {
		t.Errorf("first page = %q, want %q", ids(page), ids(want[:10]))
	}
	page2, next2 := list(t, s, store.Filter{PageSize: 10, PageToken: next})
	if !slices.Equal(ids(page2), ids(want[10:20])) || next2 == "" {
		t.Errorf("second page = %q (next %q), want %q", ids(page2), next2, ids(want[10:20]))
	}
	page3, next3 := list(t, s, store.Filter{PageSize: 10, PageToken: next2})
	if !slices.Equal(ids(page3), ids(want[20:])) || next3 != "" {
		t.Errorf("last page = %q (next %q), want %q and no token", ids(page3), next3, ids(want[20:]))
	}

	for _, size := range []int{1, 2, 5, 24, 25, 26} {
		got, pages := all(t, s, store.Filter{PageSize: size})
		if !slices.Equal(ids(got), ids(want)) {
			t.Errorf("page size %d: %d organisations, want all %d in order", size, len(got), len(want))
		}
		if wantPages := (len(want) + size - 1) / size; pages != wantPages {
			t.Errorf("page size %d: %d pages, want %d (no empty page after the last)", size, pages, wantPages)
		}
	}

	// Filters and pages combine.
	var cloud []domain.Organization
	for _, o := range want {
		if slices.Contains(o.Profile.Capabilities, "cloud") {
			cloud = append(cloud, o)
		}
	}
	got, _ := all(t, s, store.Filter{Capability: "cloud", PageSize: 2})
	if !slices.Equal(ids(got), ids(cloud)) {
		t.Errorf("filtered pages = %q, want %q", ids(got), ids(cloud))
	}
}

func testPaginationTies(t *testing.T, s store.Store) {
	want := putMany(t, s, 9, 1, func(i int) string { return []string{"Same", "Same", "Other"}[i%3] })
	got, _ := all(t, s, store.Filter{PageSize: 2})
	if !slices.Equal(ids(got), ids(want)) {
		t.Errorf("pages over equal legal names = %q, want %q", ids(got), ids(want))
	}
}

func testPaginationStable(t *testing.T, s store.Store) {
	before := putMany(t, s, 6, 1, func(i int) string { return fmt.Sprintf("N%d", i*2) }) // N0 N2 N4 N6 N8 N10
	page, next := list(t, s, store.Filter{PageSize: 3})
	// Writes between pages: one sorting before the token, one after, one update.
	must(t, s.PutOrganization(ctx, Org("early", "N1"), 100))
	must(t, s.PutOrganization(ctx, Org("late", "N9"), 101))
	upd := before[4]
	upd.Profile.Headcount = 99
	must(t, s.PutOrganization(ctx, upd, 102))
	rest, _ := all(t, s, store.Filter{PageSize: 3, PageToken: next})
	got := append(ids(page), ids(rest)...)
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, o := range before {
		if seen[o.ID] != 1 {
			t.Errorf("%s seen %d times across pages, want once", o.ID, seen[o.ID])
		}
	}
	if seen["early"] != 0 {
		t.Errorf("an organisation sorting before the token showed up on a later page")
	}
	if seen["late"] != 1 {
		t.Errorf("an organisation sorting after the token is missing from later pages")
	}
}

func testPageSizeLimits(t *testing.T, s store.Store) {
	// More than the maximum page: bare organisations keep this cheap for
	// persistent adapters (the content is covered elsewhere).
	const n = 1001
	for i := range n {
		o := domain.Organization{ID: fmt.Sprintf("org-%04d", i), LegalName: fmt.Sprintf("Org %05d", i)}
		must(t, s.PutOrganization(ctx, o, uint64(i+1)))
	}
	page, next := list(t, s, store.Filter{})
	if len(page) != 100 || next == "" {
		t.Errorf("default page size: %d items (next %q), want 100 and a token", len(page), next)
	}
	page, next = list(t, s, store.Filter{PageSize: 5000})
	if len(page) != 1000 || next == "" {
		t.Errorf("page size 5000: %d items (next %q), want at most 1000 and a token", len(page), next)
	}
	page, next = list(t, s, store.Filter{PageSize: 1000, PageToken: next})
	if len(page) != n-1000 || next != "" {
		t.Errorf("after the first 1000: %d items (next %q), want %d and no token", len(page), next, n-1000)
	}
}

func testBadPageToken(t *testing.T, s store.Store) {
	putMany(t, s, 3, 1, func(i int) string { return fmt.Sprintf("Org %d", i) })
	_, next := list(t, s, store.Filter{PageSize: 1})
	if next == "" {
		t.Fatal("no next token")
	}
	for _, tok := range []string{
		"LTU",               // valid base64, not a token
		"Org 0\x00org-0000", // a raw sort key
		next[:len(next)-2],  // truncated
		next + "x",          // extended
	} {
		orgs, n, err := s.ListOrganizations(ctx, store.Filter{PageSize: 1, PageToken: tok})
		var inv *domainerr.InvalidError
		if !errors.As(err, &inv) || len(inv.Violations) != 1 || inv.Violations[0].Field != "page_token" {
			t.Errorf("token %q: %d organisations, next %q, err %v; want an InvalidArgument on page_token", tok, len(orgs), n, err)
		}
	}
}

// testConcurrent: writers with increasing sequences (like the projection and
// replays racing) and readers at once; run under -race. Sizes are modest: a
// persistent adapter pays a round trip per call.
func testConcurrent(t *testing.T, s store.Store) {
	const writers, perWriter, readers = 4, 25, 2
	var seq atomic.Uint64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, writers+readers)
	// Every fifth write lets a read round through, so reads overlap writes
	// however fast or slow the adapter is, without crowding them out.
	wrote := make(chan struct{}, writers*perWriter)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				n := seq.Add(1)
				var err error
				if i%10 == 0 {
					err = s.PutCluster(ctx, Cluster(fmt.Sprintf("c-%d-%d", w, i), fmt.Sprintf("Cluster %d-%d", w, i)), n)
				} else {
					err = s.PutOrganization(ctx, Org(fmt.Sprintf("o-%d-%d", w, i), fmt.Sprintf("Org %d-%d", w, i)), n)
				}
				if err != nil {
					errs <- err
					return
				}
				if n%5 == 0 {
					wrote <- struct{}{}
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	for range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			var last uint64
			for {
				select {
				case <-stop:
					return
				case <-wrote:
				}
				cp, err := s.Checkpoint(ctx)
				if err != nil {
					errs <- err
					return
				}
				if cp < last {
					errs <- fmt.Errorf("checkpoint went back from %d to %d", last, cp)
					return
				}
				last = cp
				orgs, _, err := s.ListOrganizations(ctx, store.Filter{PageSize: 50})
				if err != nil {
					errs <- err
					return
				}
				if len(orgs) > 2 { // what is listed can be read: the first and last will do
					orgs = []domain.Organization{orgs[0], orgs[len(orgs)-1]}
				}
				for _, o := range orgs {
					if _, err := s.GetOrganization(ctx, o.ID); err != nil {
						errs <- fmt.Errorf("listed %s but Get failed: %w", o.ID, err)
						return
					}
				}
				if _, err := s.ListClusters(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := uint64(writers * perWriter)
	if cp := checkpoint(t, s); cp != total {
		t.Errorf("checkpoint = %d, want the highest sequence written, %d", cp, total)
	}
	// Writes racing below the checkpoint may be dropped (they are replays to
	// the store), but every organisation visible is whole, and some made it.
	got, _ := all(t, s, store.Filter{PageSize: 1000})
	if len(got) == 0 || len(got) > writers*perWriter {
		t.Errorf("%d organisations after %d concurrent writes", len(got), writers*perWriter)
	}
	for _, o := range got {
		sameOrg(t, o, Org(o.ID, o.LegalName))
	}
}

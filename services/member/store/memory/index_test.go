package memory_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/member/store/memory"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

// randomOrg is organisation i with random memberships, capabilities, CPV
// interests and a legal name from a small set (so names tie).
func randomOrg(rng *rand.Rand, i int) domain.Organization {
	o := domain.Organization{ID: fmt.Sprintf("org-%04d", i), LegalName: fmt.Sprintf("Org %d", rng.IntN(40))}
	for _, c := range []string{"c1", "c2", "c3"} {
		if rng.IntN(3) == 0 {
			o.Memberships = append(o.Memberships, domain.Membership{ClusterID: c, Status: domain.MembershipStatus(rng.IntN(3))})
		}
	}
	for _, c := range []string{"cloud", "ai", "web", "erp"} {
		if rng.IntN(2) == 0 {
			o.Profile.Capabilities = append(o.Profile.Capabilities, c)
		}
	}
	for range rng.IntN(3) {
		o.Profile.CPVInterests = append(o.Profile.CPVInterests, []string{"72000000", "72200000", "72212000", "48000000", "79400000"}[rng.IntN(5)])
	}
	return o
}

// reference is the list the indexes must reproduce: filter, sort, page.
func reference(orgs map[string]domain.Organization, f store.Filter) ([]domain.Organization, string, error) {
	var all []domain.Organization
	for _, o := range orgs {
		if store.Matches(o, f) {
			all = append(all, o)
		}
	}
	slices.SortFunc(all, store.Compare)
	return paging.Page(all, store.SortKey, f.PageToken, store.PageSize(f.PageSize))
}

// TestIndexesMatchReference writes, rewrites (changing names, memberships,
// capabilities and interests, so entries move between indexes, or keeping the
// name, so an entry changes in place) and walks every filter page by page,
// comparing each page and token with the reference: with the indexes built
// incrementally from the start (CaughtUp before any write), and deferred
// (built in bulk by the first list, incremental after).
func TestIndexesMatchReference(t *testing.T) {
	for _, tc := range []struct {
		name     string
		caughtUp bool
	}{{"incremental", true}, {"deferred until the first list", false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := memory.New()
			if tc.caughtUp {
				if err := s.CaughtUp(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			checkAgainstReference(t, s)
		})
	}
}

func checkAgainstReference(t *testing.T, s *memory.Store) {
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(3, 4))
	model := map[string]domain.Organization{}
	seq := uint64(0)
	filters := []store.Filter{{}, {ClusterID: "c1"}, {ClusterID: "c3", Capability: "ai"}, {Capability: "erp"},
		{CPVPrefix: "7"}, {CPVPrefix: "722"}, {CPVPrefix: "72212000"}, {CPVPrefix: "48", ClusterID: "c2"}, {CPVPrefix: "9"}, {ClusterID: "none"}}
	for round := range 6 {
		for range 150 {
			o := randomOrg(rng, rng.IntN(300))
			seq++
			if err := s.PutOrganization(ctx, o, seq); err != nil {
				t.Fatal(err)
			}
			model[o.ID] = o
		}
		for _, f := range filters {
			f.PageSize = 1 + rng.IntN(25)
			for pages := 0; ; pages++ {
				got, next, err := s.ListOrganizations(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want, wantNext, _ := reference(model, f)
				if !slices.EqualFunc(got, want, func(a, b domain.Organization) bool { return a.ID == b.ID && a.LegalName == b.LegalName }) || next != wantNext {
					t.Fatalf("round %d filter %+v page %d: got %d items (next %q), want %d (next %q)", round, f, pages, len(got), next, len(want), wantNext)
				}
				if next == "" {
					break
				}
				f.PageToken = next
			}
		}
	}
}

// BenchmarkListOrganizations is a page of 20 from 100k organisations: the
// first page, a page deep in the list (from a cursor) and a filtered page.
func BenchmarkListOrganizations(b *testing.B) {
	ctx := context.Background()
	s := memory.New()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100_000 {
		if err := s.PutOrganization(ctx, randomOrg(rng, i), uint64(i+1)); err != nil {
			b.Fatal(err)
		}
	}
	_, deep, err := s.ListOrganizations(ctx, store.Filter{PageSize: 1000})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		f    store.Filter
	}{
		{"first", store.Filter{PageSize: 20}},
		{"deep", store.Filter{PageSize: 20, PageToken: deep}},
		{"cluster+capability", store.Filter{PageSize: 20, ClusterID: "c2", Capability: "web"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				page, _, err := s.ListOrganizations(ctx, bc.f)
				if err != nil || len(page) != 20 {
					b.Fatalf("%d organisations, %v", len(page), err)
				}
			}
		})
	}
}

// TestRewriteRefilesExactly: rewriting an organisation (same name, so in
// place; or renamed, so moved) leaves it in exactly the indexes of its new
// values, with the indexes built incrementally or deferred.
func TestRewriteRefilesExactly(t *testing.T) {
	org := func(name string, caps ...string) domain.Organization {
		return domain.Organization{ID: "org-1", LegalName: name, Profile: domain.Profile{Capabilities: caps}}
	}
	for _, tc := range []struct {
		name     string
		caughtUp bool
		writes   []domain.Organization
		want     map[string]int
	}{
		{"in place, incremental", true, []domain.Organization{org("A", "ai", "web"), org("A", "web", "erp")}, map[string]int{"web": 1, "erp": 1}},
		{"renamed, incremental", true, []domain.Organization{org("A", "ai", "web"), org("B", "erp")}, map[string]int{"erp": 1}},
		{"in place, deferred", false, []domain.Organization{org("A", "ai"), org("A", "web")}, map[string]int{"web": 1}},
		{"in place after the build", false, []domain.Organization{org("A", "ai"), {}, org("A")}, map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := memory.New()
			if tc.caughtUp {
				if err := s.CaughtUp(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			for i, o := range tc.writes {
				if o.ID == "" { // a list in between: the deferred indexes are built
					if _, _, err := s.ListOrganizations(t.Context(), store.Filter{}); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := s.PutOrganization(t.Context(), o, uint64(i+1)); err != nil {
					t.Fatal(err)
				}
			}
			all, caps := memory.IndexLens(s)
			if all != 1 || !maps.Equal(caps, tc.want) {
				t.Fatalf("filed in all: %d, by capability: %v; want 1, %v", all, caps, tc.want)
			}
		})
	}
}

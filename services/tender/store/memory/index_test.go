package memory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/paging"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
	"github.com/consortia-dev/consortia/services/tender/store/memory"
)

var base = time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)

// randomTender is tender i with a random status, clusters, CPV codes (some in
// lots only), title and a deadline on a coarse grid (so deadlines tie), some
// with sub-second parts and some unknown.
func randomTender(rng *rand.Rand, i int) domain.Tender {
	t := domain.Tender{ID: fmt.Sprintf("t-%04d", i), ClusterID: []string{"c1", "c2", "c3"}[rng.IntN(3)], Status: domain.Status(1 + rng.IntN(5))}
	if rng.IntN(3) == 0 {
		t.SharedWith = []string{"c4"}
	}
	codes := []string{"72000000", "72200000", "72212000", "48000000", "79400000"}
	for range rng.IntN(3) {
		t.Details.CPVs = append(t.Details.CPVs, codes[rng.IntN(len(codes))])
	}
	if rng.IntN(4) == 0 {
		t.Details.Lots = []domain.Lot{{ID: "1", CPVs: []string{codes[rng.IntN(len(codes))]}}}
	}
	t.Details.Title = []string{"Portal web", "Servicio de limpieza", "Plataforma cloud"}[rng.IntN(3)]
	t.Details.Authority.Name = []string{"Ayuntamiento", "Gobierno"}[rng.IntN(2)]
	if rng.IntN(10) > 0 {
		t.Details.Deadline = base.Add(time.Duration(rng.IntN(30))*time.Hour + time.Duration(rng.IntN(2))*400*time.Millisecond)
	}
	return t
}

func reference(ts map[string]domain.Tender, f store.TenderFilter) ([]domain.Tender, string, error) {
	var all []domain.Tender
	for _, t := range ts {
		if store.MatchesTender(t, f) {
			all = append(all, t)
		}
	}
	slices.SortFunc(all, store.CompareTenders)
	return paging.Page(all, store.TenderKey, f.PageToken, store.PageSize(f.PageSize))
}

// TestIndexesMatchReference writes and rewrites tenders (status, clusters,
// codes and deadlines change, so entries move between indexes, or stay, so
// an entry changes in place) and walks every filter page by page, comparing
// each page and token with the reference: with the indexes built
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
	rng := rand.New(rand.NewPCG(8, 9))
	model := map[string]domain.Tender{}
	seq := uint64(0)
	at := func(h int, extra time.Duration) time.Time { return base.Add(time.Duration(h)*time.Hour + extra) }
	filters := []store.TenderFilter{{}, {Status: domain.StatusActive}, {ClusterID: "c4"}, {ClusterID: "c2", Status: domain.StatusPlanned},
		{CPVPrefix: "7"}, {CPVPrefix: "7221"}, {CPVPrefix: "48000000", ClusterID: "c1"}, {CPVPrefix: "9"}, {ClusterID: "none"},
		{DeadlineAfter: at(10, 0)}, {DeadlineBefore: at(5, 200*time.Millisecond)}, {DeadlineAfter: at(3, 0), DeadlineBefore: at(12, 0), CPVPrefix: "72"},
		{Query: "CLOUD"}, {Query: "gob", Status: domain.StatusComplete}}
	for round := range 6 {
		for range 150 {
			tn := randomTender(rng, rng.IntN(300))
			seq++
			if err := s.PutTender(ctx, tn, seq); err != nil {
				t.Fatal(err)
			}
			model[tn.ID] = tn
		}
		for _, f := range filters {
			f.PageSize = 1 + rng.IntN(25)
			for pages := 0; ; pages++ {
				got, next, err := s.ListTenders(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want, wantNext, _ := reference(model, f)
				if !slices.EqualFunc(got, want, func(a, b domain.Tender) bool { return a.ID == b.ID }) || next != wantNext {
					t.Fatalf("round %d filter %+v page %d: got %d tenders (next %q), want %d (next %q)", round, f, pages, len(got), next, len(want), wantNext)
				}
				if next == "" {
					break
				}
				f.PageToken = next
			}
		}
	}
}

// BenchmarkListTenders is a page of 20 from 100k tenders: the first page, a
// page deep in the list (from a cursor), and filtered pages.
func BenchmarkListTenders(b *testing.B) {
	ctx := context.Background()
	s := memory.New()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100_000 {
		if err := s.PutTender(ctx, randomTender(rng, i), uint64(i+1)); err != nil {
			b.Fatal(err)
		}
	}
	_, deep, err := s.ListTenders(ctx, store.TenderFilter{PageSize: 500})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		f    store.TenderFilter
	}{
		{"first", store.TenderFilter{PageSize: 20}},
		{"deep", store.TenderFilter{PageSize: 20, PageToken: deep}},
		{"status+cluster", store.TenderFilter{PageSize: 20, Status: domain.StatusActive, ClusterID: "c2"}},
		{"deadline-window", store.TenderFilter{PageSize: 20, DeadlineAfter: base.Add(10 * time.Hour), DeadlineBefore: base.Add(20 * time.Hour)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				page, _, err := s.ListTenders(ctx, bc.f)
				if err != nil || len(page) != 20 {
					b.Fatalf("%d tenders, %v", len(page), err)
				}
			}
		})
	}
}

// Package memory is the in-memory member read model, rebuilt from the event log
// at every start.
//
// Organisations are kept in ordered indexes (B-trees) by the list's sort key
// (legal name, then id): one over every organisation and one per value of each
// filter (cluster, capability, CPV prefix of every length). A page walks the
// index of the most selective filter from the cursor, so it costs O(log n +
// page) with one filter, plus the entries the other filters skip with more;
// no request copies or sorts the table.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/google/btree"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

// degree is the B-trees' degree: nodes of up to 63 entries (pointers).
const degree = 32

// entry is an organisation with its sort key, as the indexes hold it.
type entry struct {
	key string // store.SortKey
	org domain.Organization
	// The index values the organisation is filed under, to unfile it exactly.
	clusters, capabilities, cpvPrefixes []string
}

func lessEntry(a, b *entry) bool { return a.key < b.key }

// index is one ordered index.
type index = *btree.BTreeG[*entry]

func newIndex() index { return btree.NewG(degree, lessEntry) }

// Store is safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	seq      uint64
	orgs     map[string]*entry
	all      index
	byFilter [3]map[string]index // by cluster, capability, CPV prefix
	clusters map[string]domain.Cluster
}

// The filters, as positions in Store.byFilter.
const (
	byCluster = iota
	byCapability
	byCPVPrefix
)

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	s := &Store{orgs: map[string]*entry{}, all: newIndex(), clusters: map[string]domain.Cluster{}}
	for i := range s.byFilter {
		s.byFilter[i] = map[string]index{}
	}
	return s
}

// PutOrganization implements store.Store.
func (s *Store) PutOrganization(_ context.Context, o domain.Organization, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	if old, ok := s.orgs[o.ID]; ok {
		s.unfile(old)
	}
	e := &entry{key: store.SortKey(o), org: o}
	for _, m := range o.Memberships {
		e.clusters = appendNew(e.clusters, m.ClusterID)
	}
	for _, c := range o.Profile.Capabilities {
		e.capabilities = appendNew(e.capabilities, c)
	}
	for _, code := range o.Profile.CPVInterests {
		for _, p := range digitPrefixes(code) {
			e.cpvPrefixes = appendNew(e.cpvPrefixes, p)
		}
	}
	s.file(e)
	s.orgs[o.ID] = e
	s.seq = seq
	return nil
}

// file adds e to every index it belongs in.
func (s *Store) file(e *entry) {
	s.all.ReplaceOrInsert(e)
	for f, values := range e.values() {
		for _, v := range values {
			ix, ok := s.byFilter[f][v]
			if !ok {
				ix = newIndex()
				s.byFilter[f][v] = ix
			}
			ix.ReplaceOrInsert(e)
		}
	}
}

// unfile removes e from every index it is in, dropping indexes left empty.
func (s *Store) unfile(e *entry) {
	s.all.Delete(e)
	for f, values := range e.values() {
		for _, v := range values {
			if ix, ok := s.byFilter[f][v]; ok {
				ix.Delete(e)
				if ix.Len() == 0 {
					delete(s.byFilter[f], v)
				}
			}
		}
	}
}

// values are e's index values, by filter.
func (e *entry) values() [3][]string {
	return [3][]string{byCluster: e.clusters, byCapability: e.capabilities, byCPVPrefix: e.cpvPrefixes}
}

// appendNew appends v unless it is there already.
func appendNew(vs []string, v string) []string {
	if slices.Contains(vs, v) {
		return vs
	}
	return append(vs, v)
}

// digitPrefixes returns every prefix of code's leading digits ("72", "720",
// … for "72000000"): a CPV prefix filter (digits only) matches a code exactly
// when it is one of them.
func digitPrefixes(code string) []string {
	n := 0
	for n < len(code) && code[n] >= '0' && code[n] <= '9' {
		n++
	}
	out := make([]string, 0, n)
	for l := 1; l <= n; l++ {
		out = append(out, code[:l])
	}
	return out
}

// PutCluster implements store.Store.
func (s *Store) PutCluster(_ context.Context, c domain.Cluster, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	s.clusters[c.ID] = c
	s.seq = seq
	return nil
}

// GetOrganization implements store.Store.
func (s *Store) GetOrganization(_ context.Context, id string) (domain.Organization, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.orgs[id]
	if !ok {
		return domain.Organization{}, fmt.Errorf("organization %q: %w", id, domainerr.ErrNotFound)
	}
	return e.org, nil
}

// GetCluster implements store.Store.
func (s *Store) GetCluster(_ context.Context, id string) (domain.Cluster, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.clusters[id]
	if !ok {
		return domain.Cluster{}, fmt.Errorf("cluster %q: %w", id, domainerr.ErrNotFound)
	}
	return c, nil
}

// ListClusters implements store.Store (clusters are few: sorted per call).
func (s *Store) ListClusters(context.Context) ([]domain.Cluster, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]domain.Cluster, 0, len(s.clusters))
	for _, c := range s.clusters {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b domain.Cluster) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// ListOrganizations implements store.Store: ordered by legal name then id; the
// page token encodes store.SortKey of the last item returned. The page is read
// from the smallest index among the filters given (the whole table without
// one), from the cursor on; the other filters are checked on the way.
func (s *Store) ListOrganizations(_ context.Context, f store.Filter) ([]domain.Organization, string, error) {
	after, err := paging.DecodeToken(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	size := store.PageSize(f.PageSize)
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix := s.all
	for fi, v := range [3]string{byCluster: f.ClusterID, byCapability: f.Capability, byCPVPrefix: f.CPVPrefix} {
		if v == "" || fi == byCPVPrefix && len(digitPrefixes(v)) != len(v) {
			continue // no filter, or a prefix with a non-digit: only the check on the way applies
		}
		cand, ok := s.byFilter[fi][v]
		if !ok {
			return nil, "", nil // nothing is filed under this value
		}
		if cand.Len() < ix.Len() || ix == s.all {
			ix = cand
		}
	}
	page := make([]domain.Organization, 0, min(size, ix.Len())) // one allocation: rows are large structs
	next := ""
	visit := func(e *entry) bool {
		if f.PageToken != "" && e.key == after {
			return true // the last item of the previous page
		}
		if !store.Matches(e.org, f) {
			return true
		}
		if len(page) == size {
			next = paging.EncodeToken(store.SortKey(page[len(page)-1]))
			return false // one more matches: there is a next page
		}
		page = append(page, e.org)
		return true
	}
	if f.PageToken == "" {
		ix.Ascend(visit)
	} else {
		ix.AscendGreaterOrEqual(&entry{key: after}, visit)
	}
	return page, next, nil
}

// Checkpoint implements store.Store.
func (s *Store) Checkpoint(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq, nil
}

// Package memory is the in-memory member read model, rebuilt from the event log
// at every start.
//
// Organisations are kept in ordered indexes (B-trees) by the list's sort key
// (legal name, then id): one over every organisation and one per value of each
// filter (cluster, capability, CPV prefix of every length). A page walks the
// index of the most selective filter from the cursor, so it costs O(log n +
// page) with one filter, plus the entries the other filters skip with more;
// no request copies or sorts the table.
//
// A new store defers its indexes: while the read model is rebuilt from the log
// a write only replaces the organisation in a map, and CaughtUp (which the
// projection calls once it has caught up, before the service is ready) or
// else the first list builds every index at once, from the organisations
// sorted once, each index loaded in order. From then on every write updates
// the indexes, touching only those whose membership changed.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tidwall/btree"

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
	// The index values the organisation is filed under (by filter), to
	// unfile it exactly.
	values [3][]string
}

func lessEntry(a, b *entry) bool { return a.key < b.key }

// index is one ordered index. The store's lock guards it.
type index = *btree.BTreeG[*entry]

func newIndex() index {
	return btree.NewBTreeGOptions(lessEntry, btree.Options{Degree: degree, NoLocks: true})
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.RWMutex
	seq  uint64
	orgs map[string]*entry
	// indexed: all and byFilter hold every organisation (else they are empty
	// and built at CaughtUp or the first list).
	indexed  bool
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

// New returns an empty store, its indexes deferred until CaughtUp.
func New() *Store {
	s := &Store{orgs: map[string]*entry{}, all: newIndex(), clusters: map[string]domain.Cluster{}}
	for i := range s.byFilter {
		s.byFilter[i] = map[string]index{}
	}
	return s
}

// indexValues are the values of each filter o is filed under.
func indexValues(o domain.Organization) [3][]string {
	var v [3][]string
	for _, m := range o.Memberships {
		v[byCluster] = appendNew(v[byCluster], m.ClusterID)
	}
	for _, c := range o.Profile.Capabilities {
		v[byCapability] = appendNew(v[byCapability], c)
	}
	for _, code := range o.Profile.CPVInterests {
		for _, p := range digitPrefixes(code) {
			v[byCPVPrefix] = appendNew(v[byCPVPrefix], p)
		}
	}
	return v
}

// PutOrganization implements store.Store.
func (s *Store) PutOrganization(_ context.Context, o domain.Organization, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	s.seq = seq
	key := store.SortKey(o)
	if !s.indexed {
		s.orgs[o.ID] = &entry{key: key, org: o} // values: at build
		return nil
	}
	values := indexValues(o)
	old, ok := s.orgs[o.ID]
	switch {
	case ok && old.key == key:
		// Same place in every index: the entry changes in place (readers
		// copy it under the read lock) and moves only between the filter
		// indexes whose values changed.
		for f := range values {
			for _, v := range old.values[f] {
				if !slices.Contains(values[f], v) {
					s.drop(f, v, old)
				}
			}
			for _, v := range values[f] {
				if !slices.Contains(old.values[f], v) {
					s.add(f, v, old)
				}
			}
		}
		old.org, old.values = o, values
	default:
		if ok {
			s.unfile(old)
		}
		e := &entry{key: key, org: o, values: values}
		s.file(e)
		s.orgs[o.ID] = e
	}
	return nil
}

// CaughtUp builds the deferred indexes (nothing once they are built): the
// entries are sorted once and every index is loaded in that order, the
// filter indexes spread over the CPUs.
func (s *Store) CaughtUp(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.build()
	return nil
}

// build builds the indexes if they are deferred; s.mu is held for writing.
func (s *Store) build() {
	if s.indexed {
		return
	}
	s.indexed = true
	sorted := make([]*entry, 0, len(s.orgs))
	for _, e := range s.orgs {
		sorted = append(sorted, e)
	}
	slices.SortFunc(sorted, func(a, b *entry) int { return strings.Compare(a.key, b.key) })
	for _, e := range sorted {
		e.values = indexValues(e.org)
	}
	// One job per index, its entries in order; the whole table first (the
	// largest).
	type job struct {
		f  int
		v  string
		es []*entry
		ix index
	}
	jobs := []*job{{f: -1, es: sorted}}
	var byValue [3]map[string]*job
	for f := range byValue {
		byValue[f] = map[string]*job{}
	}
	for _, e := range sorted {
		for f, vs := range e.values {
			for _, v := range vs {
				j, ok := byValue[f][v]
				if !ok {
					j = &job{f: f, v: v}
					byValue[f][v] = j
					jobs = append(jobs, j)
				}
				j.es = append(j.es, e)
			}
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(jobs); i = int(next.Add(1) - 1) {
				j := jobs[i]
				j.ix = newIndex()
				for _, e := range j.es {
					j.ix.Load(e) // in order: appended, no search
				}
			}
		})
	}
	wg.Wait()
	s.all = jobs[0].ix
	for _, j := range jobs[1:] {
		s.byFilter[j.f][j.v] = j.ix
	}
}

// file adds e to every index it belongs in.
func (s *Store) file(e *entry) {
	s.all.Set(e)
	for f, values := range e.values {
		for _, v := range values {
			s.add(f, v, e)
		}
	}
}

// unfile removes e from every index it is in, dropping indexes left empty.
func (s *Store) unfile(e *entry) {
	s.all.Delete(e)
	for f, values := range e.values {
		for _, v := range values {
			s.drop(f, v, e)
		}
	}
}

// add files e under value v of filter f.
func (s *Store) add(f int, v string, e *entry) {
	ix, ok := s.byFilter[f][v]
	if !ok {
		ix = newIndex()
		s.byFilter[f][v] = ix
	}
	ix.Set(e)
}

// drop unfiles e from value v of filter f, dropping the index if left empty.
func (s *Store) drop(f int, v string, e *entry) {
	if ix, ok := s.byFilter[f][v]; ok {
		ix.Delete(e)
		if ix.Len() == 0 {
			delete(s.byFilter[f], v)
		}
	}
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
	s.ensureIndexed()
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
		ix.Scan(visit)
	} else {
		ix.Ascend(&entry{key: after}, visit)
	}
	return page, next, nil
}

// ensureIndexed builds the indexes before a list if no CaughtUp did.
func (s *Store) ensureIndexed() {
	s.mu.RLock()
	indexed := s.indexed
	s.mu.RUnlock()
	if !indexed {
		s.mu.Lock()
		s.build()
		s.mu.Unlock()
	}
}

// Checkpoint implements store.Store.
func (s *Store) Checkpoint(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq, nil
}

// Package memory is the in-memory tender read model, rebuilt from the event log
// at every start.
//
// Tenders are kept in ordered indexes (B-trees) by the list's sort key
// (deadline, then id): one over every tender and one per status, cluster
// (owner or shared with) and CPV prefix of every length (tender and lot
// codes). A page walks the index of the most selective filter from the
// cursor, starting at DeadlineAfter and stopping past DeadlineBefore (the
// order is the deadline's), so it costs O(log n + page) with one filter, plus
// the entries the other filters skip; no request copies or sorts the table.
// Companies are kept in id order, the order ListCompanies returns.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tidwall/btree"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// degree is the B-trees' degree: nodes of up to 63 entries (pointers).
const degree = 32

// entry is a tender with its sort key, as the indexes hold it.
type entry struct {
	key    string // store.TenderKey
	tender domain.Tender
	// The index values the tender is filed under (by filter), to unfile it
	// exactly. Statuses: the status, and "open" for an open one
	// (store.TenderFilter.OpenOnly).
	values [3][]string
}

func lessEntry(a, b *entry) bool { return a.key < b.key }

// index is one ordered index. The store's lock guards it.
type index = *btree.BTreeG[*entry]

func newIndex() index {
	return btree.NewBTreeGOptions(lessEntry, btree.Options{Degree: degree, NoLocks: true})
}

// openStatus is the status index's value for every open tender (planned or active).
const openStatus = "open"

// The filters with an index, as positions in Store.byFilter.
const (
	byStatus = iota
	byCluster
	byCPVPrefix
)

// Store is safe for concurrent use.
//
// A new store defers its tender indexes: while the read model is rebuilt
// from the log a write only replaces the tender in a map, and CaughtUp
// (which the projection calls once it has caught up, before the service is
// ready) or else the first list builds every index at once, from the tenders
// sorted once, each index loaded in order. From then on every write updates
// the indexes, touching only those whose membership changed.
type Store struct {
	mu          sync.RWMutex
	seq, memSeq uint64
	tenders     map[string]*entry
	// indexed: all and byFilter hold every tender (else they are empty and
	// built at CaughtUp or the first list).
	indexed   bool
	all       index
	byFilter  [3]map[string]index
	bySource  map[string]string
	consortia map[string]domain.Consortium
	companies *btree.BTreeG[domain.Company] // by id
}

var _ store.Store = (*Store)(nil)

// New returns an empty store, its tender indexes deferred until CaughtUp.
func New() *Store {
	s := &Store{tenders: map[string]*entry{}, all: newIndex(), bySource: map[string]string{}, consortia: map[string]domain.Consortium{},
		companies: btree.NewBTreeGOptions(func(a, b domain.Company) bool { return a.ID < b.ID }, btree.Options{Degree: degree, NoLocks: true})}
	for i := range s.byFilter {
		s.byFilter[i] = map[string]index{}
	}
	return s
}

func sourceKey(system, id string) string { return system + "\x00" + id }

// indexValues are the values of each filter t is filed under.
func indexValues(t domain.Tender) [3][]string {
	var v [3][]string
	v[byStatus] = []string{strconv.Itoa(int(t.Status))}
	if t.Status.Open() {
		v[byStatus] = append(v[byStatus], openStatus)
	}
	v[byCluster] = t.Clusters()
	for _, code := range t.Details.CPVs {
		v[byCPVPrefix] = addPrefixes(v[byCPVPrefix], code)
	}
	for _, l := range t.Details.Lots {
		for _, code := range l.CPVs {
			v[byCPVPrefix] = addPrefixes(v[byCPVPrefix], code)
		}
	}
	return v
}

// PutTender implements store.Store.
func (s *Store) PutTender(_ context.Context, t domain.Tender, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	s.seq = seq
	if t.Source.SourceID != "" {
		s.bySource[sourceKey(t.Source.System, t.Source.SourceID)] = t.ID
	}
	key := store.TenderKey(t)
	if !s.indexed {
		s.tenders[t.ID] = &entry{key: key, tender: t} // values: at build
		return nil
	}
	values := indexValues(t)
	old, ok := s.tenders[t.ID]
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
		old.tender, old.values = t, values
	default:
		if ok {
			s.unfile(old)
		}
		e := &entry{key: key, tender: t, values: values}
		s.file(e)
		s.tenders[t.ID] = e
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

// build builds the indexes if they are deferred; s.mu is held for writing.
func (s *Store) build() {
	if s.indexed {
		return
	}
	s.indexed = true
	sorted := make([]*entry, 0, len(s.tenders))
	for _, e := range s.tenders {
		sorted = append(sorted, e)
	}
	slices.SortFunc(sorted, func(a, b *entry) int { return strings.Compare(a.key, b.key) })
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
		e.values = indexValues(e.tender)
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

// addPrefixes adds every prefix of code's leading digits not there yet: a CPV
// prefix filter (digits only) matches a code exactly when it is one of them.
func addPrefixes(prefixes []string, code string) []string {
	n := 0
	for n < len(code) && code[n] >= '0' && code[n] <= '9' {
		n++
	}
	for l := 1; l <= n; l++ {
		if !slices.Contains(prefixes, code[:l]) {
			prefixes = append(prefixes, code[:l])
		}
	}
	return prefixes
}

// allDigits reports whether v is non-empty and only digits.
func allDigits(v string) bool {
	return v != "" && strings.Trim(v, "0123456789") == ""
}

// PutConsortium implements store.Store.
func (s *Store) PutConsortium(_ context.Context, c domain.Consortium, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	s.consortia[c.ID] = c
	s.seq = seq
	return nil
}

// GetTender implements store.Store.
func (s *Store) GetTender(_ context.Context, id string) (domain.Tender, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.tenders[id]
	if !ok {
		return domain.Tender{}, fmt.Errorf("tender %q: %w", id, domainerr.ErrNotFound)
	}
	return e.tender, nil
}

// FindTenderBySource implements store.Store.
func (s *Store) FindTenderBySource(_ context.Context, system, sourceID string) (domain.Tender, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.bySource[sourceKey(system, sourceID)]
	if !ok {
		return domain.Tender{}, fmt.Errorf("tender from %s %q: %w", system, sourceID, domainerr.ErrNotFound)
	}
	return s.tenders[id].tender, nil
}

// ListTenders implements store.Store: in store.TenderKey order, read from the
// smallest index among the filters given (the whole table without one), from
// the later of the cursor and DeadlineAfter, until past DeadlineBefore; every
// filter is checked on the way (store.MatchesTender).
func (s *Store) ListTenders(_ context.Context, f store.TenderFilter) ([]domain.Tender, string, error) {
	after, err := paging.DecodeToken(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	size := store.PageSize(f.PageSize)
	status := ""
	switch {
	case f.Status != 0:
		status = fmt.Sprint(int(f.Status))
	case f.OpenOnly:
		status = openStatus
	}
	cpv := f.CPVPrefix
	if !allDigits(cpv) {
		cpv = "" // a prefix with a non-digit has no index: only the check on the way applies
	}
	s.ensureIndexed()
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix := s.all
	for fi, v := range [3]string{byStatus: status, byCluster: f.ClusterID, byCPVPrefix: cpv} {
		if v == "" {
			continue
		}
		cand, ok := s.byFilter[fi][v]
		if !ok {
			return nil, "", nil // nothing is filed under this value
		}
		if ix == s.all || cand.Len() < ix.Len() {
			ix = cand
		}
	}
	// Keys start with the deadline to the second: a deadline window is a key range.
	from := after
	if !f.DeadlineAfter.IsZero() {
		from = max(from, f.DeadlineAfter.UTC().Format(keyTime))
	}
	until := ""
	if !f.DeadlineBefore.IsZero() {
		until = f.DeadlineBefore.UTC().Format(keyTime) + "\xff" // every key of that second or before
	}
	page := make([]domain.Tender, 0, min(size, ix.Len())) // one allocation: rows are large structs
	next := ""
	ix.Ascend(&entry{key: from}, func(e *entry) bool {
		if until != "" && e.key > until {
			return false // every later tender's deadline is past the window
		}
		if f.PageToken != "" && e.key == after {
			return true // the last item of the previous page
		}
		if !store.MatchesTender(e.tender, f) {
			return true
		}
		if len(page) == size {
			next = paging.EncodeToken(store.TenderKey(page[len(page)-1]))
			return false // one more matches: there is a next page
		}
		page = append(page, e.tender)
		return true
	})
	return page, next, nil
}

// keyTime is the deadline's layout in store.TenderKey.
const keyTime = "2006-01-02T15:04:05Z"

// ListAwards implements store.Store.
func (s *Store) ListAwards(_ context.Context, f store.AwardFilter) ([]store.AwardRecord, error) {
	s.mu.RLock()
	var out []store.AwardRecord
	for _, t := range s.tenders {
		for _, r := range store.AwardRecords(t.tender) {
			if store.MatchesAward(r, f) {
				out = append(out, r)
			}
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, store.CompareAwards)
	return out[:min(len(out), store.AwardLimit(f.Limit))], nil
}

// GetConsortium implements store.Store.
func (s *Store) GetConsortium(_ context.Context, id string) (domain.Consortium, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.consortia[id]
	if !ok {
		return c, fmt.Errorf("consortium %q: %w", id, domainerr.ErrNotFound)
	}
	return c, nil
}

// ListConsortia implements store.Store: oldest first.
func (s *Store) ListConsortia(_ context.Context, f store.ConsortiumFilter) ([]domain.Consortium, error) {
	s.mu.RLock()
	var out []domain.Consortium
	for _, c := range s.consortia {
		if store.MatchesConsortium(c, f) {
			out = append(out, c)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b domain.Consortium) int { return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// Checkpoint implements store.Store.
func (s *Store) Checkpoint(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq, nil
}

// PutCompany implements store.Store.
func (s *Store) PutCompany(_ context.Context, c domain.Company, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.memSeq {
		return nil
	}
	s.companies.Set(c)
	s.memSeq = seq
	return nil
}

// GetCompany implements store.Store.
func (s *Store) GetCompany(_ context.Context, id string) (domain.Company, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.companies.Get(domain.Company{ID: id})
	if !ok {
		return c, fmt.Errorf("organization %q in the tender service's member index: %w", id, domainerr.ErrNotFound)
	}
	return c, nil
}

// ListCompanies implements store.Store: the companies are kept in id order.
func (s *Store) ListCompanies(_ context.Context, clusters []string) ([]domain.Company, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []domain.Company
	s.companies.Scan(func(c domain.Company) bool {
		if c.ActiveInAny(clusters) {
			out = append(out, c)
		}
		return true
	})
	return out, nil
}

// CompanyCheckpoint implements store.Store.
func (s *Store) CompanyCheckpoint(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.memSeq, nil
}

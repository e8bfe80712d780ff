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
	"slices"
	"strings"
	"sync"

	"github.com/google/btree"

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
	// The index values the tender is filed under, to unfile it exactly.
	// statuses: the status, and "open" for an open one (store.TenderFilter.OpenOnly).
	statuses, clusters, cpvPrefixes []string
}

func lessEntry(a, b *entry) bool { return a.key < b.key }

type index = *btree.BTreeG[*entry]

func newIndex() index { return btree.NewG(degree, lessEntry) }

// openStatus is the status index's value for every open tender (planned or active).
const openStatus = "open"

// The filters with an index, as positions in Store.byFilter.
const (
	byStatus = iota
	byCluster
	byCPVPrefix
)

// Store is safe for concurrent use.
type Store struct {
	mu          sync.RWMutex
	seq, memSeq uint64
	tenders     map[string]*entry
	all         index
	byFilter    [3]map[string]index
	bySource    map[string]string
	consortia   map[string]domain.Consortium
	companies   *btree.BTreeG[domain.Company] // by id
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	s := &Store{tenders: map[string]*entry{}, all: newIndex(), bySource: map[string]string{}, consortia: map[string]domain.Consortium{},
		companies: btree.NewG(degree, func(a, b domain.Company) bool { return a.ID < b.ID })}
	for i := range s.byFilter {
		s.byFilter[i] = map[string]index{}
	}
	return s
}

func sourceKey(system, id string) string { return system + "\x00" + id }

// PutTender implements store.Store.
func (s *Store) PutTender(_ context.Context, t domain.Tender, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	if old, ok := s.tenders[t.ID]; ok {
		s.unfile(old)
	}
	e := &entry{key: store.TenderKey(t), tender: t, statuses: []string{fmt.Sprint(int(t.Status))}, clusters: t.Clusters()}
	if t.Status.Open() {
		e.statuses = append(e.statuses, openStatus)
	}
	for _, code := range t.Details.CPVs {
		e.cpvPrefixes = addPrefixes(e.cpvPrefixes, code)
	}
	for _, l := range t.Details.Lots {
		for _, code := range l.CPVs {
			e.cpvPrefixes = addPrefixes(e.cpvPrefixes, code)
		}
	}
	s.file(e)
	s.tenders[t.ID] = e
	if t.Source.SourceID != "" {
		s.bySource[sourceKey(t.Source.System, t.Source.SourceID)] = t.ID
	}
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
	return [3][]string{byStatus: e.statuses, byCluster: e.clusters, byCPVPrefix: e.cpvPrefixes}
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
	ix.AscendGreaterOrEqual(&entry{key: from}, func(e *entry) bool {
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
	s.companies.ReplaceOrInsert(c)
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
	s.companies.Ascend(func(c domain.Company) bool {
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

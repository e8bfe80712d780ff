// Package memory is the in-memory tender read model, rebuilt from the event log
// at every start.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Store is safe for concurrent use.
type Store struct {
	mu          sync.RWMutex
	seq, memSeq uint64
	tenders     map[string]domain.Tender
	bySource    map[string]string
	consortia   map[string]domain.Consortium
	companies   map[string]domain.Company
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{tenders: map[string]domain.Tender{}, bySource: map[string]string{}, consortia: map[string]domain.Consortium{}, companies: map[string]domain.Company{}}
}

func sourceKey(system, id string) string { return system + "\x00" + id }

// PutTender implements store.Store.
func (s *Store) PutTender(_ context.Context, t domain.Tender, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	s.tenders[t.ID] = t
	if t.Source.SourceID != "" {
		s.bySource[sourceKey(t.Source.System, t.Source.SourceID)] = t.ID
	}
	s.seq = seq
	return nil
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
	t, ok := s.tenders[id]
	if !ok {
		return t, fmt.Errorf("tender %q: %w", id, domainerr.ErrNotFound)
	}
	return t, nil
}

// FindTenderBySource implements store.Store.
func (s *Store) FindTenderBySource(_ context.Context, system, sourceID string) (domain.Tender, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.bySource[sourceKey(system, sourceID)]
	if !ok {
		return domain.Tender{}, fmt.Errorf("tender from %s %q: %w", system, sourceID, domainerr.ErrNotFound)
	}
	return s.tenders[id], nil
}

// ListTenders implements store.Store.
func (s *Store) ListTenders(_ context.Context, f store.TenderFilter) ([]domain.Tender, string, error) {
	s.mu.RLock()
	var all []domain.Tender
	for _, t := range s.tenders {
		if store.MatchesTender(t, f) {
			all = append(all, t)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, store.CompareTenders)
	return paging.Page(all, store.TenderKey, f.PageToken, store.PageSize(f.PageSize))
}

// ListAwards implements store.Store.
func (s *Store) ListAwards(_ context.Context, f store.AwardFilter) ([]store.AwardRecord, error) {
	s.mu.RLock()
	var out []store.AwardRecord
	for _, t := range s.tenders {
		for _, r := range store.AwardRecords(t) {
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
	s.companies[c.ID] = c
	s.memSeq = seq
	return nil
}

// GetCompany implements store.Store.
func (s *Store) GetCompany(_ context.Context, id string) (domain.Company, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.companies[id]
	if !ok {
		return c, fmt.Errorf("organization %q in the tender service's member index: %w", id, domainerr.ErrNotFound)
	}
	return c, nil
}

// ListCompanies implements store.Store.
func (s *Store) ListCompanies(_ context.Context, clusters []string) ([]domain.Company, error) {
	s.mu.RLock()
	var out []domain.Company
	for _, c := range s.companies {
		if c.ActiveInAny(clusters) {
			out = append(out, c)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b domain.Company) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// CompanyCheckpoint implements store.Store.
func (s *Store) CompanyCheckpoint(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.memSeq, nil
}

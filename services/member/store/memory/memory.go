// Package memory is the in-memory member read model, rebuilt from the event log
// at every start.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

// Store is safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	seq      uint64
	orgs     map[string]domain.Organization
	clusters map[string]domain.Cluster
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{orgs: map[string]domain.Organization{}, clusters: map[string]domain.Cluster{}}
}

// PutOrganization implements store.Store.
func (s *Store) PutOrganization(_ context.Context, o domain.Organization, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return nil
	}
	s.orgs[o.ID] = o
	s.seq = seq
	return nil
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
	o, ok := s.orgs[id]
	if !ok {
		return domain.Organization{}, fmt.Errorf("organization %q: %w", id, domainerr.ErrNotFound)
	}
	return o, nil
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

// ListClusters implements store.Store.
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
// page token encodes store.SortKey of the last item returned.
func (s *Store) ListOrganizations(_ context.Context, f store.Filter) ([]domain.Organization, string, error) {
	s.mu.RLock()
	var all []domain.Organization
	for _, o := range s.orgs {
		if store.Matches(o, f) {
			all = append(all, o)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, store.Compare)
	return paging.Page(all, store.SortKey, f.PageToken, store.PageSize(f.PageSize))
}

// Checkpoint implements store.Store.
func (s *Store) Checkpoint(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq, nil
}

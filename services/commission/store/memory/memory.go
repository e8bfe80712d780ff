// Package memory is the in-memory commission read model, rebuilt from the
// event logs at every start.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

// Store is safe for concurrent use. Values are stored and returned as copies
// of the structs; their slices are shared, which is safe because the domain
// clones a slice before changing it.
type Store struct {
	mu sync.RWMutex
	// One checkpoint per followed stream.
	commissionSeq, directorySeq, bidsSeq uint64

	commissions map[string]domain.Commission
	clusters    map[string]domain.Cluster
	orgs        map[string]domain.Organization
	tenders     map[string]domain.Tender
	bids        map[string]domain.Bid
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		commissions: map[string]domain.Commission{}, clusters: map[string]domain.Cluster{},
		orgs: map[string]domain.Organization{}, tenders: map[string]domain.Tender{}, bids: map[string]domain.Bid{},
	}
}

// put stores v under id when seq is past the stream's checkpoint *cp.
func put[T any](s *Store, cp *uint64, m map[string]T, id string, v T, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= *cp {
		return nil
	}
	m[id] = v
	*cp = seq
	return nil
}

func get[T any](s *Store, m map[string]T, kind, id string) (T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := m[id]
	if !ok {
		return v, fmt.Errorf("%s %q: %w", kind, id, domainerr.ErrNotFound)
	}
	return v, nil
}

func all[T any](s *Store, m map[string]T, cmpFn func(a, b T) int) []T {
	s.mu.RLock()
	out := slices.Collect(maps.Values(m))
	s.mu.RUnlock()
	slices.SortFunc(out, cmpFn)
	return out
}

func checkpoint(s *Store, cp *uint64) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return *cp, nil
}

// PutCommission implements store.Commissions.
func (s *Store) PutCommission(_ context.Context, c domain.Commission, seq uint64) error {
	return put(s, &s.commissionSeq, s.commissions, c.ID, c, seq)
}

// GetCommission implements store.Commissions.
func (s *Store) GetCommission(_ context.Context, id string) (domain.Commission, error) {
	return get(s, s.commissions, "commission", id)
}

// ListCommissions implements store.Commissions.
func (s *Store) ListCommissions(_ context.Context, f store.Filter) ([]domain.Commission, string, error) {
	s.mu.RLock()
	var match []domain.Commission
	for _, c := range s.commissions {
		if store.Matches(c, f) {
			match = append(match, c)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(match, store.Compare)
	return paging.Page(match, store.SortKey, f.PageToken, store.PageSize(f.PageSize))
}

// Checkpoint implements store.Commissions.
func (s *Store) Checkpoint(context.Context) (uint64, error) { return checkpoint(s, &s.commissionSeq) }

// PutCluster implements store.Directory.
func (s *Store) PutCluster(_ context.Context, c domain.Cluster, seq uint64) error {
	return put(s, &s.directorySeq, s.clusters, c.ID, c, seq)
}

// GetCluster implements store.Directory.
func (s *Store) GetCluster(_ context.Context, id string) (domain.Cluster, error) {
	return get(s, s.clusters, "cluster", id)
}

// ListClusters implements store.Directory.
func (s *Store) ListClusters(context.Context) ([]domain.Cluster, error) {
	return all(s, s.clusters, func(a, b domain.Cluster) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) }), nil
}

// PutOrganization implements store.Directory.
func (s *Store) PutOrganization(_ context.Context, o domain.Organization, seq uint64) error {
	return put(s, &s.directorySeq, s.orgs, o.ID, o, seq)
}

// GetOrganization implements store.Directory.
func (s *Store) GetOrganization(_ context.Context, id string) (domain.Organization, error) {
	return get(s, s.orgs, "organization", id)
}

// ListOrganizations implements store.Directory.
func (s *Store) ListOrganizations(context.Context) ([]domain.Organization, error) {
	return all(s, s.orgs, func(a, b domain.Organization) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	}), nil
}

// DirectoryCheckpoint implements store.Directory.
func (s *Store) DirectoryCheckpoint(context.Context) (uint64, error) {
	return checkpoint(s, &s.directorySeq)
}

// PutTender implements store.Bids.
func (s *Store) PutTender(_ context.Context, t domain.Tender, seq uint64) error {
	return put(s, &s.bidsSeq, s.tenders, t.ID, t, seq)
}

// GetTender implements store.Bids.
func (s *Store) GetTender(_ context.Context, id string) (domain.Tender, error) {
	return get(s, s.tenders, "tender", id)
}

// ListTenders implements store.Bids.
func (s *Store) ListTenders(context.Context) ([]domain.Tender, error) {
	return all(s, s.tenders, func(a, b domain.Tender) int { return cmp.Compare(a.ID, b.ID) }), nil
}

// PutBid implements store.Bids.
func (s *Store) PutBid(_ context.Context, b domain.Bid, seq uint64) error {
	return put(s, &s.bidsSeq, s.bids, b.ID, b, seq)
}

// GetBid implements store.Bids.
func (s *Store) GetBid(_ context.Context, id string) (domain.Bid, error) {
	return get(s, s.bids, "consortium", id)
}

// ListBids implements store.Bids.
func (s *Store) ListBids(context.Context) ([]domain.Bid, error) {
	return all(s, s.bids, func(a, b domain.Bid) int { return cmp.Compare(a.ID, b.ID) }), nil
}

// BidsCheckpoint implements store.Bids.
func (s *Store) BidsCheckpoint(context.Context) (uint64, error) { return checkpoint(s, &s.bidsSeq) }

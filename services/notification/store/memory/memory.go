// Package memory is the in-memory notification read model, rebuilt from the
// event log at every start.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Store is safe for concurrent use.
type Store struct {
	mu         sync.RWMutex
	seq        uint64
	recipients map[string]domain.Preferences
	endpoints  map[string]domain.Endpoint
	inbox      map[string]domain.InboxItem // by id
	deliveries map[string]domain.Delivery
	digest     map[string]domain.DigestItem
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{recipients: map[string]domain.Preferences{}, endpoints: map[string]domain.Endpoint{},
		inbox: map[string]domain.InboxItem{}, deliveries: map[string]domain.Delivery{}, digest: map[string]domain.DigestItem{}}
}

// write runs fn under the lock when seq is new, and moves the checkpoint.
func (s *Store) write(seq uint64, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return
	}
	fn()
	s.seq = seq
}

// Checkpoint implements store.Store.
func (s *Store) Checkpoint(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq, nil
}

func notFound(what, id string) error { return fmt.Errorf("%s %q: %w", what, id, domainerr.ErrNotFound) }

// GetRecipient implements store.Store.
func (s *Store) GetRecipient(_ context.Context, userID string) (domain.Preferences, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.recipients[userID]
	if !ok {
		return domain.Preferences{}, notFound("recipient", userID)
	}
	return clonePrefs(p), nil
}

// PutRecipient implements store.Store.
func (s *Store) PutRecipient(_ context.Context, p domain.Preferences, seq uint64) error {
	s.write(seq, func() { s.recipients[p.UserID] = clonePrefs(p) })
	return nil
}

// ListRecipients implements store.Store.
func (s *Store) ListRecipients(_ context.Context, org string) ([]domain.Preferences, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []domain.Preferences
	for _, p := range s.recipients {
		if p.OrganizationID == org {
			out = append(out, clonePrefs(p))
		}
	}
	slices.SortFunc(out, func(a, b domain.Preferences) int { return cmp.Compare(a.UserID, b.UserID) })
	return out, nil
}

// GetEndpoint implements store.Store.
func (s *Store) GetEndpoint(_ context.Context, id string) (domain.Endpoint, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.endpoints[id]
	if !ok {
		return domain.Endpoint{}, notFound("webhook endpoint", id)
	}
	e.Types = slices.Clone(e.Types)
	return e, nil
}

// PutEndpoint implements store.Store.
func (s *Store) PutEndpoint(_ context.Context, e domain.Endpoint, seq uint64) error {
	e.Types = slices.Clone(e.Types)
	s.write(seq, func() { s.endpoints[e.ID] = e })
	return nil
}

// ListEndpoints implements store.Store.
func (s *Store) ListEndpoints(_ context.Context, org string) ([]domain.Endpoint, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []domain.Endpoint
	for _, e := range s.endpoints {
		if e.OrganizationID == org && !e.Deleted {
			e.Types = slices.Clone(e.Types)
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b domain.Endpoint) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// AddInboxItem implements store.Store.
func (s *Store) AddInboxItem(_ context.Context, it domain.InboxItem, seq uint64) (bool, error) {
	added := false
	s.write(seq, func() {
		if _, ok := s.inbox[it.ID]; ok {
			return
		}
		it.Args = maps.Clone(it.Args)
		s.inbox[it.ID] = it
		added = true
	})
	return added, nil
}

// GetInboxItem implements store.Store.
func (s *Store) GetInboxItem(_ context.Context, org, id string) (domain.InboxItem, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.inbox[id]
	if !ok || it.OrganizationID != org {
		return domain.InboxItem{}, notFound("inbox item", id)
	}
	it.Args = maps.Clone(it.Args)
	return it, nil
}

// SetInboxState implements store.Store.
func (s *Store) SetInboxState(_ context.Context, org, id string, state domain.InboxState, seq uint64) error {
	s.write(seq, func() {
		if it, ok := s.inbox[id]; ok && it.OrganizationID == org {
			it.State = state
			s.inbox[id] = it
		}
	})
	return nil
}

// MarkAllRead implements store.Store.
func (s *Store) MarkAllRead(_ context.Context, org string, through, seq uint64) (int, error) {
	n := 0
	s.write(seq, func() {
		for id, it := range s.inbox {
			if it.OrganizationID == org && it.State == domain.InboxUnread && it.Sequence <= through {
				it.State = domain.InboxRead
				s.inbox[id] = it
				n++
			}
		}
	})
	return n, nil
}

// sortKey orders inbox items newest first: the complement of the sequence,
// zero-padded, so ascending keys are descending sequences.
func sortKey(it domain.InboxItem) string {
	return fmt.Sprintf("%020d", ^it.Sequence)
}

// SortKey is the paging key of an item (shared with other adapters' tests).
func SortKey(seq uint64) string { return fmt.Sprintf("%020d", ^seq) }

func matches(it domain.InboxItem, f store.InboxFilter) bool {
	if it.OrganizationID != f.OrganizationID {
		return false
	}
	if f.State == domain.InboxAny {
		return it.State != domain.InboxArchived
	}
	return it.State == f.State
}

// ListInbox implements store.Store.
func (s *Store) ListInbox(_ context.Context, f store.InboxFilter) ([]domain.InboxItem, string, error) {
	s.mu.RLock()
	var all []domain.InboxItem
	for _, it := range s.inbox {
		if matches(it, f) {
			it.Args = maps.Clone(it.Args)
			all = append(all, it)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b domain.InboxItem) int { return cmp.Compare(sortKey(a), sortKey(b)) })
	return store.Page(all, sortKey, f.PageToken, store.PageSize(f.PageSize))
}

// CountUnread implements store.Store.
func (s *Store) CountUnread(_ context.Context, org string) (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, it := range s.inbox {
		if it.OrganizationID == org && it.State == domain.InboxUnread {
			n++
		}
	}
	return n, nil
}

// PutDelivery implements store.Store.
func (s *Store) PutDelivery(_ context.Context, d domain.Delivery, seq uint64) error {
	s.write(seq, func() { s.deliveries[d.Key] = d })
	return nil
}

// GetDelivery implements store.Store.
func (s *Store) GetDelivery(_ context.Context, key string) (domain.Delivery, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.deliveries[key]
	if !ok {
		return domain.Delivery{}, notFound("delivery", key)
	}
	return d, nil
}

// ListDeliveries implements store.Store.
func (s *Store) ListDeliveries(_ context.Context, f store.DeliveryFilter) ([]domain.Delivery, error) {
	s.mu.RLock()
	var out []domain.Delivery
	for _, d := range s.deliveries {
		if d.OrganizationID == f.OrganizationID && (f.EndpointID == "" || d.EndpointID == f.EndpointID) &&
			(f.Channel == domain.ChannelUnspecified || d.Channel == f.Channel) {
			out = append(out, d)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b domain.Delivery) int { return cmp.Compare(b.Sequence, a.Sequence) })
	limit := store.PageSize(f.Limit)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// PutDigestItem implements store.Store.
func (s *Store) PutDigestItem(_ context.Context, it domain.DigestItem, seq uint64) error {
	it.Args = maps.Clone(it.Args)
	s.write(seq, func() { s.digest[it.Key] = it })
	return nil
}

// GetDigestItem implements store.Store.
func (s *Store) GetDigestItem(_ context.Context, key string) (domain.DigestItem, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.digest[key]
	if !ok {
		return domain.DigestItem{}, notFound("digest item", key)
	}
	it.Args = maps.Clone(it.Args)
	return it, nil
}

// MarkDigestSent implements store.Store.
func (s *Store) MarkDigestSent(_ context.Context, keys []string, seq uint64) error {
	s.write(seq, func() {
		for _, k := range keys {
			if it, ok := s.digest[k]; ok {
				it.Sent = true
				s.digest[k] = it
			}
		}
	})
	return nil
}

// PendingDigest implements store.Store.
func (s *Store) PendingDigest(_ context.Context, userID string) ([]domain.DigestItem, error) {
	s.mu.RLock()
	var out []domain.DigestItem
	for _, it := range s.digest {
		if it.UserID == userID && !it.Sent {
			it.Args = maps.Clone(it.Args)
			out = append(out, it)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b domain.DigestItem) int { return cmp.Compare(a.Sequence, b.Sequence) })
	return out, nil
}

func clonePrefs(p domain.Preferences) domain.Preferences {
	p.Types = slices.Clone(p.Types)
	if p.Quiet != nil {
		q := *p.Quiet
		p.Quiet = &q
	}
	return p
}

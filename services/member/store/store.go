// Package store defines the member read model's port. Adapters: memory (default,
// rebuilt from the log at start) and, later, mongo; both pass storetest.Run.
package store

import (
	"context"

	"github.com/consortia-dev/consortia/services/member/domain"
)

// Filter selects organisations.
type Filter struct {
	ClusterID  string // any membership status
	Capability string
	CPVPrefix  string
	PageSize   int
	PageToken  string // opaque (platform/paging); a token not handed out is an InvalidArgument
}

// Store is the member read model. Writes carry the stream sequence of the event
// that produced them; a write at or below Checkpoint is ignored (idempotent
// replays), and the checkpoint moves with the write atomically.
type Store interface {
	PutOrganization(ctx context.Context, o domain.Organization, seq uint64) error
	PutCluster(ctx context.Context, c domain.Cluster, seq uint64) error
	GetOrganization(ctx context.Context, id string) (domain.Organization, error) // domainerr.ErrNotFound
	GetCluster(ctx context.Context, id string) (domain.Cluster, error)           // domainerr.ErrNotFound
	ListClusters(ctx context.Context) ([]domain.Cluster, error)                  // by name
	ListOrganizations(ctx context.Context, f Filter) (orgs []domain.Organization, next string, err error)
	Checkpoint(ctx context.Context) (uint64, error)
}

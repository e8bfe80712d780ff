// Package store defines the commission service's read-model port: its own
// commissions and the facts it projects from the member stream (clusters,
// organisations) and the tender stream (tenders, consortium bids). Adapters:
// memory (rebuilt from the log at start) and mongo (persistent, checkpointed);
// both pass storetest.Run.
//
// Every write carries the stream sequence of the event that produced it and
// each stream has its own checkpoint: a write at or below the checkpoint of its
// stream changes nothing (replays are idempotent), a write above it moves the
// checkpoint to its sequence.
package store

import (
	"context"

	"github.com/consortia-dev/consortia/services/commission/domain"
)

// Filter selects commissions.
type Filter struct {
	// Query: name, theme or description contains it (case-insensitive).
	Query string
	// Status: only this one (0 = any).
	Status domain.Status
	// ConvenerIDs and SittingAny: when either is set, only commissions convened
	// by one of ConvenerIDs or with a sitting member among SittingAny.
	ConvenerIDs []string
	SittingAny  []string
	// MemberOrg: only commissions this organisation sits on or is invited to.
	MemberOrg string
	// AgencyConvened: only commissions the agency convenes.
	AgencyConvened bool
	PageSize       int
	PageToken      string // opaque (paging tokens of the name and id)
}

// Commissions is the commission read model (the COMMISSION stream).
type Commissions interface {
	PutCommission(ctx context.Context, c domain.Commission, seq uint64) error
	GetCommission(ctx context.Context, id string) (domain.Commission, error) // domainerr.ErrNotFound
	// ListCommissions returns a page by name then id, and the next page's token.
	ListCommissions(ctx context.Context, f Filter) ([]domain.Commission, string, error)
	Checkpoint(ctx context.Context) (uint64, error)
}

// Directory is what the service keeps of the MEMBER stream.
type Directory interface {
	PutCluster(ctx context.Context, c domain.Cluster, seq uint64) error
	GetCluster(ctx context.Context, id string) (domain.Cluster, error) // domainerr.ErrNotFound
	ListClusters(ctx context.Context) ([]domain.Cluster, error)        // by name
	PutOrganization(ctx context.Context, o domain.Organization, seq uint64) error
	GetOrganization(ctx context.Context, id string) (domain.Organization, error) // domainerr.ErrNotFound
	ListOrganizations(ctx context.Context) ([]domain.Organization, error)        // by name
	DirectoryCheckpoint(ctx context.Context) (uint64, error)
}

// Bids is what the service keeps of the TENDER stream.
type Bids interface {
	PutTender(ctx context.Context, t domain.Tender, seq uint64) error
	GetTender(ctx context.Context, id string) (domain.Tender, error) // domainerr.ErrNotFound
	ListTenders(ctx context.Context) ([]domain.Tender, error)        // by id
	PutBid(ctx context.Context, b domain.Bid, seq uint64) error
	GetBid(ctx context.Context, id string) (domain.Bid, error) // domainerr.ErrNotFound
	ListBids(ctx context.Context) ([]domain.Bid, error)        // by id
	BidsCheckpoint(ctx context.Context) (uint64, error)
}

// Store is the whole read model.
type Store interface {
	Commissions
	Directory
	Bids
}

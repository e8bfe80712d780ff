// Package store defines the tender read model's port: tenders, consortia and
// the company index (projected from the member stream). Adapters: memory
// (default, rebuilt from the log at start) and mongo (persistent, resumes from
// its checkpoints); both pass storetest.Run.
package store

import (
	"context"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain"
)

// TenderFilter selects tenders.
type TenderFilter struct {
	Status domain.Status // 0 = any (or the open ones with OpenOnly)
	// OpenOnly, when Status is 0: only open tenders (planned or active, domain.Status.Open).
	OpenOnly       bool
	CPVPrefix      string
	ClusterID      string // owned by or shared with
	DeadlineAfter  time.Time
	DeadlineBefore time.Time
	Query          string // case-insensitive substring of title or authority
	PageSize       int
	PageToken      string // opaque (platform/paging); a token not handed out is an InvalidArgument
}

// ConsortiumFilter selects consortia.
type ConsortiumFilter struct {
	TenderID, LotID, OrganizationID string
	// LiveOnly drops dissolved and lost consortia.
	LiveOnly bool
}

// Store is the tender read model. Tender and consortium writes carry the TENDER
// stream sequence, company writes the MEMBER stream sequence; each stream has its
// own checkpoint and writes at or below it are ignored.
type Store interface {
	PutTender(ctx context.Context, t domain.Tender, seq uint64) error
	PutConsortium(ctx context.Context, c domain.Consortium, seq uint64) error
	GetTender(ctx context.Context, id string) (domain.Tender, error)
	FindTenderBySource(ctx context.Context, system, sourceID string) (domain.Tender, error)
	ListTenders(ctx context.Context, f TenderFilter) ([]domain.Tender, string, error)
	// ListAwards searches the award history, in CompareAwards order.
	ListAwards(ctx context.Context, f AwardFilter) ([]AwardRecord, error)
	GetConsortium(ctx context.Context, id string) (domain.Consortium, error)
	ListConsortia(ctx context.Context, f ConsortiumFilter) ([]domain.Consortium, error)
	Checkpoint(ctx context.Context) (uint64, error)

	PutCompany(ctx context.Context, c domain.Company, seq uint64) error
	GetCompany(ctx context.Context, id string) (domain.Company, error)
	// ListCompanies returns the companies active in any of the clusters, by id.
	ListCompanies(ctx context.Context, clusters []string) ([]domain.Company, error)
	CompanyCheckpoint(ctx context.Context) (uint64, error)
}

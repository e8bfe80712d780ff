// Package mongo is the persistent member read model on MongoDB (driver v2): one
// database per service with the collections organizations, clusters and
// checkpoints. Without transactions (FerretDB has none, and none are needed):
// every document records the stream sequence that wrote it and a write at or
// below it is a no-op (conditional upsert), and the checkpoint moves after the
// write and never back ($max). A crash between the two replays the event on
// restart, which then changes nothing.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

// Collection names and the checkpoint's id (the MEMBER stream).
const (
	OrganizationsCollection = "organizations"
	ClustersCollection      = "clusters"
	CheckpointsCollection   = "checkpoints"
	checkpointID            = "member"
)

// Store implements store.Store; safe for concurrent use.
type Store struct {
	orgs, clusters, checkpoints *mongo.Collection

	// writeMu makes each write (document, then checkpoint) one step: a
	// projection writes one event at a time anyway, and FerretDB applies an
	// update as read-modify-write, so two racing $max could lose the higher.
	writeMu sync.Mutex

	// known is a lower bound of the stored checkpoint (loaded at New, raised by
	// every write and read here), so replays below it are dropped without a
	// round trip. Per-document sequences keep writes correct without it.
	mu    sync.Mutex
	known uint64
}

var _ store.Store = (*Store)(nil)

// New opens the read model in db, creating the indexes every query needs.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	s := &Store{
		orgs:        db.Collection(OrganizationsCollection),
		clusters:    db.Collection(ClustersCollection),
		checkpoints: db.Collection(CheckpointsCollection),
	}
	// Every listing sorts by (legal_name, _id) and pages with a range on it;
	// each filter has its own index ending in that order (one array field per
	// compound index, as MongoDB requires).
	if err := createIndexes(ctx, s.orgs,
		index("legal_name_id", "legal_name", "_id"),
		index("cluster_ids_legal_name_id", "cluster_ids", "legal_name", "_id"),
		index("capabilities_legal_name_id", "capabilities", "legal_name", "_id"),
		index("cpv_interests_legal_name_id", "cpv_interests", "legal_name", "_id"),
	); err != nil {
		return nil, err
	}
	if err := createIndexes(ctx, s.clusters, index("name_id", "name", "_id")); err != nil {
		return nil, err
	}
	if _, err := s.Checkpoint(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// indexDef is an index by name and ascending keys.
type indexDef struct {
	name string
	keys bson.D
}

func index(name string, keys ...string) indexDef {
	d := bson.D{}
	for _, k := range keys {
		d = append(d, bson.E{Key: k, Value: 1})
	}
	return indexDef{name: name, keys: d}
}

// createIndexes creates the indexes of models that c does not have yet (by
// name): a restart finds them made. (FerretDB fails a createIndexes that
// names an existing index, which MongoDB would take as a no-op.)
func createIndexes(ctx context.Context, c *mongo.Collection, defs ...indexDef) error {
	specs, err := c.Indexes().ListSpecifications(ctx)
	var se mongo.ServerError
	if errors.As(err, &se) && se.HasErrorCode(26) { // NamespaceNotFound: no collection yet
		err = nil
	}
	if err != nil {
		return fmt.Errorf("member store: indexes on %s: %w", c.Name(), err)
	}
	var missing []mongo.IndexModel
	for _, d := range defs {
		if !slices.ContainsFunc(specs, func(s mongo.IndexSpecification) bool { return s.Name == d.name }) {
			missing = append(missing, mongo.IndexModel{Keys: d.keys, Options: options.Index().SetName(d.name)})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.Indexes().CreateMany(ctx, missing); err != nil {
		return fmt.Errorf("member store: indexes on %s: %w", c.Name(), err)
	}
	return nil
}

// PutOrganization implements store.Store.
func (s *Store) PutOrganization(ctx context.Context, o domain.Organization, seq uint64) error {
	return s.put(ctx, s.orgs, o.ID, toOrgDoc(o, seq), seq)
}

// PutCluster implements store.Store.
func (s *Store) PutCluster(ctx context.Context, c domain.Cluster, seq uint64) error {
	return s.put(ctx, s.clusters, c.ID, toClusterDoc(c, seq), seq)
}

// put writes doc as document id unless the checkpoint or the document's own
// sequence is at or past seq, then moves the checkpoint. Each step is atomic on
// its own, so concurrent writers (several replicas) never put an older version
// over a newer one: the insert fails when the document exists, and the replace
// only matches a document below seq. Inserting first keeps a rebuild into an
// empty database to index lookups (FerretDB scans for anything but an insert).
func (s *Store) put(ctx context.Context, c *mongo.Collection, id string, doc any, seq uint64) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if seq <= s.knownCheckpoint() {
		return nil
	}
	_, err := c.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		err = replaceBelow(ctx, c, id, doc, seq)
	}
	if err != nil {
		return fmt.Errorf("member store: write %s %s at %d: %w", c.Name(), id, seq, err)
	}
	return s.advance(ctx, seq)
}

// replaceBelow replaces document id with doc if its sequence is below seq; a
// document at or past seq is left alone.
func replaceBelow(ctx context.Context, c *mongo.Collection, id string, doc any, seq uint64) error {
	_, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: int64(seq)}}}}, doc)
	return err
}

// advance moves the stored checkpoint to seq unless it is already past it.
func (s *Store) advance(ctx context.Context, seq uint64) error {
	for {
		_, err := s.checkpoints.UpdateOne(ctx,
			bson.D{{Key: "_id", Value: checkpointID}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: int64(seq)}}}},
			options.UpdateOne().SetUpsert(true))
		if mongo.IsDuplicateKeyError(err) {
			continue // the very first two writes raced to insert it: now it exists, update it
		}
		if err != nil {
			return fmt.Errorf("member store: checkpoint to %d: %w", seq, err)
		}
		s.raise(seq)
		return nil
	}
}

func (s *Store) knownCheckpoint() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known
}

func (s *Store) raise(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.known = max(s.known, seq)
}

// Checkpoint implements store.Store.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	var cp checkpointDoc
	err := s.checkpoints.FindOne(ctx, bson.D{{Key: "_id", Value: checkpointID}}).Decode(&cp)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("member store: read checkpoint: %w", err)
	}
	s.raise(uint64(cp.Seq))
	return uint64(cp.Seq), nil
}

// GetOrganization implements store.Store.
func (s *Store) GetOrganization(ctx context.Context, id string) (domain.Organization, error) {
	var d orgDoc
	if err := s.orgs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return domain.Organization{}, fmt.Errorf("organization %q: %w", id, domainerr.ErrNotFound)
		}
		return domain.Organization{}, fmt.Errorf("member store: get organization %q: %w", id, err)
	}
	return d.domain(), nil
}

// GetCluster implements store.Store.
func (s *Store) GetCluster(ctx context.Context, id string) (domain.Cluster, error) {
	var d clusterDoc
	if err := s.clusters.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return domain.Cluster{}, fmt.Errorf("cluster %q: %w", id, domainerr.ErrNotFound)
		}
		return domain.Cluster{}, fmt.Errorf("member store: get cluster %q: %w", id, err)
	}
	return d.domain(), nil
}

// ListClusters implements store.Store: by name, then id.
func (s *Store) ListClusters(ctx context.Context) ([]domain.Cluster, error) {
	cur, err := s.clusters.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("member store: list clusters: %w", err)
	}
	var docs []clusterDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("member store: list clusters: %w", err)
	}
	out := make([]domain.Cluster, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

// ListOrganizations implements store.Store: ordered by legal name then id; the
// page token encodes store.SortKey of the last item returned, as the memory
// adapter's does.
func (s *Store) ListOrganizations(ctx context.Context, f store.Filter) ([]domain.Organization, string, error) {
	size := store.PageSize(f.PageSize)
	filter := bson.D{}
	if f.ClusterID != "" {
		filter = append(filter, bson.E{Key: "cluster_ids", Value: f.ClusterID})
	}
	if f.Capability != "" {
		filter = append(filter, bson.E{Key: "capabilities", Value: f.Capability})
	}
	if f.CPVPrefix != "" {
		// An anchored literal prefix: MongoDB answers it from the index.
		filter = append(filter, bson.E{Key: "cpv_interests", Value: bson.Regex{Pattern: "^" + regexp.QuoteMeta(f.CPVPrefix)}})
	}
	after, err := paging.DecodeToken(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	if f.PageToken != "" {
		name, id, ok := strings.Cut(after, "\x00")
		if !ok {
			return nil, "", paging.InvalidToken()
		}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "legal_name", Value: bson.D{{Key: "$gt", Value: name}}}},
			bson.D{{Key: "legal_name", Value: name}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}},
		}})
	}
	// One more than a page tells whether another page follows.
	opts := options.Find().SetSort(bson.D{{Key: "legal_name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(size + 1))
	cur, err := s.orgs.Find(ctx, filter, opts)
	if err != nil {
		return nil, "", fmt.Errorf("member store: list organizations: %w", err)
	}
	var docs []orgDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", fmt.Errorf("member store: list organizations: %w", err)
	}
	next := ""
	if len(docs) > size {
		docs = docs[:size]
		next = paging.EncodeToken(store.SortKey(docs[size-1].domain()))
	}
	out := make([]domain.Organization, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, next, nil
}

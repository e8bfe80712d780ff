// Package mongo is the persistent commission read model on MongoDB (tested on
// embedded FerretDB and, when CONSORTIA_TEST_MONGODB_URI is set, a real
// MongoDB). Each followed stream has a checkpoint document; a write at or
// below its stream's checkpoint changes nothing, a document is replaced only
// by a write of a later sequence, and the checkpoint moves with $max after the
// document, so a crash in between replays the event harmlessly.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
)

// Stream names of the checkpoint documents.
const (
	cpCommissions = "commission"
	cpDirectory   = "member"
	cpBids        = "tender"
)

// Store is the Mongo read model.
type Store struct {
	commissions, clusters, orgs, tenders, bids, checkpoints *mongo.Collection
}

var _ store.Store = (*Store)(nil)

// New returns the store on db and creates its indexes.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	s := &Store{
		commissions: db.Collection("commissions"), clusters: db.Collection("clusters"), orgs: db.Collection("organizations"),
		tenders: db.Collection("tenders"), bids: db.Collection("bids"), checkpoints: db.Collection("checkpoints"),
	}
	if err := ensureIndexes(ctx, s.commissions, "sort_key", "member_orgs", "sitting", "convener_id"); err != nil {
		return nil, err
	}
	if err := ensureIndexes(ctx, s.orgs, "name"); err != nil {
		return nil, err
	}
	return s, nil
}

// ensureIndexes creates the missing ascending single-field indexes of coll.
// Existing ones are left alone: creating an index that exists is a no-op for
// MongoDB but breaks the connection on FerretDB 1.24, so a restart checks first.
func ensureIndexes(ctx context.Context, coll *mongo.Collection, fields ...string) error {
	names, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		return fmt.Errorf("commission read model: list indexes of %s: %w", coll.Name(), err)
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n.Name] = true
	}
	var missing []mongo.IndexModel
	for _, f := range fields {
		if !have[f+"_1"] {
			missing = append(missing, mongo.IndexModel{Keys: bson.D{{Key: f, Value: 1}}})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := coll.Indexes().CreateMany(ctx, missing); err != nil {
		return fmt.Errorf("commission read model: create indexes on %s: %w", coll.Name(), err)
	}
	return nil
}

func (s *Store) checkpoint(ctx context.Context, stream string) (uint64, error) {
	var d struct {
		Seq uint64 `bson:"seq"`
	}
	err := s.checkpoints.FindOne(ctx, bson.D{{Key: "_id", Value: stream}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read checkpoint %s: %w", stream, err)
	}
	return d.Seq, nil
}

// put replaces the document id with doc when seq is past the stream's
// checkpoint and past the document's own sequence, then moves the checkpoint.
func (s *Store) put(ctx context.Context, stream string, coll *mongo.Collection, id string, doc any, seq uint64) error {
	cp, err := s.checkpoint(ctx, stream)
	if err != nil {
		return err
	}
	if seq <= cp {
		return nil
	}
	_, err = coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: int64(seq)}}}}, doc, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		err = nil // a later version of the document is stored already
	}
	if err != nil {
		return fmt.Errorf("write %s %s: %w", coll.Name(), id, err)
	}
	_, err = s.checkpoints.UpdateOne(ctx, bson.D{{Key: "_id", Value: stream}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: int64(seq)}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("move checkpoint %s to %d: %w", stream, seq, err)
	}
	return nil
}

func getDoc[D any](ctx context.Context, coll *mongo.Collection, kind, id string) (D, error) {
	var d D
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, fmt.Errorf("%s %q: %w", kind, id, domainerr.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read %s %s: %w", kind, id, err)
	}
	return d, nil
}

func findAll[D, T any](ctx context.Context, coll *mongo.Collection, sort bson.D, conv func(D) T) ([]T, error) {
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(sort))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", coll.Name(), err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list %s: %w", coll.Name(), err)
	}
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		out = append(out, conv(d))
	}
	return out, nil
}

// PutCommission implements store.Commissions.
func (s *Store) PutCommission(ctx context.Context, c domain.Commission, seq uint64) error {
	return s.put(ctx, cpCommissions, s.commissions, c.ID, toCommissionDoc(c, seq, store.SortKey(c)), seq)
}

// GetCommission implements store.Commissions.
func (s *Store) GetCommission(ctx context.Context, id string) (domain.Commission, error) {
	d, err := getDoc[commissionDoc](ctx, s.commissions, "commission", id)
	if err != nil {
		return domain.Commission{}, err
	}
	return d.domain(), nil
}

// query is the filter's Mongo query (store.Matches is the reference).
func query(f store.Filter) bson.D {
	q := bson.D{}
	if text := strings.TrimSpace(f.Query); text != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(text), Options: "i"}
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "name", Value: re}}, bson.D{{Key: "theme", Value: re}}, bson.D{{Key: "description", Value: re}},
		}})
	}
	if f.Status != 0 {
		q = append(q, bson.E{Key: "status", Value: int(f.Status)})
	}
	if f.AgencyConvened {
		q = append(q, bson.E{Key: "convener_id", Value: ""})
	}
	if len(f.ConvenerIDs) > 0 || len(f.SittingAny) > 0 {
		conveners := bson.A{}
		for _, id := range f.ConvenerIDs {
			if id != "" {
				conveners = append(conveners, id)
			}
		}
		sitting := bson.A{}
		for _, id := range f.SittingAny {
			sitting = append(sitting, id)
		}
		q = append(q, bson.E{Key: "$and", Value: bson.A{bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "convener_id", Value: bson.D{{Key: "$in", Value: conveners}}}},
			bson.D{{Key: "sitting", Value: bson.D{{Key: "$in", Value: sitting}}}},
		}}}}})
	}
	if f.MemberOrg != "" {
		q = append(q, bson.E{Key: "member_orgs", Value: f.MemberOrg})
	}
	return q
}

// ListCommissions implements store.Commissions: by sort key, one more than the
// page read to know whether another page follows.
func (s *Store) ListCommissions(ctx context.Context, f store.Filter) ([]domain.Commission, string, error) {
	after, err := paging.DecodeToken(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	q := query(f)
	if after != "" {
		q = append(q, bson.E{Key: "sort_key", Value: bson.D{{Key: "$gt", Value: after}}})
	}
	size := store.PageSize(f.PageSize)
	cur, err := s.commissions.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "sort_key", Value: 1}}).SetLimit(int64(size+1)))
	if err != nil {
		return nil, "", fmt.Errorf("list commissions: %w", err)
	}
	var docs []commissionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", fmt.Errorf("list commissions: %w", err)
	}
	next := ""
	if len(docs) > size {
		docs = docs[:size]
		next = paging.EncodeToken(docs[size-1].SortKey)
	}
	out := make([]domain.Commission, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.domain())
	}
	return out, next, nil
}

// Checkpoint implements store.Commissions.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	return s.checkpoint(ctx, cpCommissions)
}

// PutCluster implements store.Directory.
func (s *Store) PutCluster(ctx context.Context, c domain.Cluster, seq uint64) error {
	return s.put(ctx, cpDirectory, s.clusters, c.ID, clusterDoc{ID: c.ID, Seq: seq, Name: c.Name, Demo: c.Demo, Version: c.Version}, seq)
}

func (d clusterDoc) domain() domain.Cluster {
	return domain.Cluster{ID: d.ID, Name: d.Name, Demo: d.Demo, Version: d.Version}
}

// GetCluster implements store.Directory.
func (s *Store) GetCluster(ctx context.Context, id string) (domain.Cluster, error) {
	d, err := getDoc[clusterDoc](ctx, s.clusters, "cluster", id)
	return d.domain(), err
}

// ListClusters implements store.Directory.
func (s *Store) ListClusters(ctx context.Context) ([]domain.Cluster, error) {
	return findAll(ctx, s.clusters, bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}, clusterDoc.domain)
}

// PutOrganization implements store.Directory.
func (s *Store) PutOrganization(ctx context.Context, o domain.Organization, seq uint64) error {
	return s.put(ctx, cpDirectory, s.orgs, o.ID, organizationDoc{ID: o.ID, Seq: seq, Name: o.Name, ActiveIn: strs(o.ActiveIn), Demo: o.Demo, Version: o.Version}, seq)
}

func (d organizationDoc) domain() domain.Organization {
	return domain.Organization{ID: d.ID, Name: d.Name, ActiveIn: strs(d.ActiveIn), Demo: d.Demo, Version: d.Version}
}

// GetOrganization implements store.Directory.
func (s *Store) GetOrganization(ctx context.Context, id string) (domain.Organization, error) {
	d, err := getDoc[organizationDoc](ctx, s.orgs, "organization", id)
	return d.domain(), err
}

// ListOrganizations implements store.Directory.
func (s *Store) ListOrganizations(ctx context.Context) ([]domain.Organization, error) {
	return findAll(ctx, s.orgs, bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}, organizationDoc.domain)
}

// DirectoryCheckpoint implements store.Directory.
func (s *Store) DirectoryCheckpoint(ctx context.Context) (uint64, error) {
	return s.checkpoint(ctx, cpDirectory)
}

// PutTender implements store.Bids.
func (s *Store) PutTender(ctx context.Context, t domain.Tender, seq uint64) error {
	return s.put(ctx, cpBids, s.tenders, t.ID, toTenderDoc(t, seq), seq)
}

// GetTender implements store.Bids.
func (s *Store) GetTender(ctx context.Context, id string) (domain.Tender, error) {
	d, err := getDoc[tenderDoc](ctx, s.tenders, "tender", id)
	if err != nil {
		return domain.Tender{}, err
	}
	return d.domain(), nil
}

// ListTenders implements store.Bids.
func (s *Store) ListTenders(ctx context.Context) ([]domain.Tender, error) {
	return findAll(ctx, s.tenders, bson.D{{Key: "_id", Value: 1}}, tenderDoc.domain)
}

// PutBid implements store.Bids.
func (s *Store) PutBid(ctx context.Context, b domain.Bid, seq uint64) error {
	return s.put(ctx, cpBids, s.bids, b.ID, toBidDoc(b, seq), seq)
}

// GetBid implements store.Bids.
func (s *Store) GetBid(ctx context.Context, id string) (domain.Bid, error) {
	d, err := getDoc[bidDoc](ctx, s.bids, "consortium", id)
	if err != nil {
		return domain.Bid{}, err
	}
	return d.domain(), nil
}

// ListBids implements store.Bids.
func (s *Store) ListBids(ctx context.Context) ([]domain.Bid, error) {
	return findAll(ctx, s.bids, bson.D{{Key: "_id", Value: 1}}, bidDoc.domain)
}

// BidsCheckpoint implements store.Bids.
func (s *Store) BidsCheckpoint(ctx context.Context) (uint64, error) { return s.checkpoint(ctx, cpBids) }

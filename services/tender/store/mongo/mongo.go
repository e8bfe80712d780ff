// Package mongo is the persistent tender read model on MongoDB (driver v2): one
// database per service with the collections tenders, consortia, companies (the
// index of member companies, projected from the MEMBER stream) and
// checkpoints (one per stream: TENDER and MEMBER). Without transactions
// (FerretDB has none, and none are needed): every document records the stream
// sequence that wrote it and a write at or below it is a no-op (conditional
// upsert), and the stream's checkpoint moves after the write and never back
// ($max). A crash between the two replays the event on restart, which then
// changes nothing. A tender's awards live in its document, so the award
// history (ListAwards) is one aggregation and a tender's write replaces them
// at once.
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

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/paging"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Collection names and the checkpoints' ids (one per stream).
const (
	TendersCollection     = "tenders"
	ConsortiaCollection   = "consortia"
	CompaniesCollection   = "companies"
	CheckpointsCollection = "checkpoints"
	TenderCheckpoint      = "tender"
	MemberCheckpoint      = "member"
)

// Store implements store.Store; safe for concurrent use.
type Store struct {
	tenders, consortia, companies *mongo.Collection
	tenderStream, memberStream    *stream

	// writeMu makes each write (document, then checkpoint) one step, for both
	// streams: a projection writes one event at a time anyway; FerretDB
	// applies an update as read-modify-write, so two racing $max could lose
	// the higher; and its SQLite takes one writer at a time, a second one
	// waiting in sleeps, so two streams writing at once are slower than in turn.
	writeMu sync.Mutex
}

var _ store.Store = (*Store)(nil)

// New opens the read model in db, creating the indexes every query needs.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	cps := db.Collection(CheckpointsCollection)
	s := &Store{
		tenders:      db.Collection(TendersCollection),
		consortia:    db.Collection(ConsortiaCollection),
		companies:    db.Collection(CompaniesCollection),
		tenderStream: &stream{checkpoints: cps, id: TenderCheckpoint},
		memberStream: &stream{checkpoints: cps, id: MemberCheckpoint},
	}
	// ListTenders sorts and pages on sort_key (deadline, id); each filter has
	// an index ending in it. The title/authority substring search cannot use
	// an index; it narrows what the others select. The award history filters
	// on the award rows and sorts what it selected.
	if err := createIndexes(ctx, s.tenders,
		index("sort_key", "sort_key"),
		index("status_sort_key", "status", "sort_key"),
		index("cpvs_sort_key", "cpvs", "sort_key"),
		index("clusters_sort_key", "clusters", "sort_key"),
		index("deadline_sort_key", "deadline", "sort_key"),
		index("source", "source_system", "source_id"),
		index("awards_cpvs", "awards.cpvs"),
		index("awards_cpv_groups", "awards.cpv_groups"),
		index("awards_winner", "awards.winner_tax_fold"),
	); err != nil {
		return nil, err
	}
	if err := createIndexes(ctx, s.consortia,
		index("created_id", "created", "_id"),
		index("tender_lot_created_id", "tender_id", "lot_id", "created", "_id"),
		index("member_ids_created_id", "member_ids", "created", "_id"),
	); err != nil {
		return nil, err
	}
	if err := createIndexes(ctx, s.companies, index("active_in_id", "active_in_list", "_id")); err != nil {
		return nil, err
	}
	for _, st := range []*stream{s.tenderStream, s.memberStream} {
		if _, err := st.checkpoint(ctx); err != nil {
			return nil, err
		}
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
		return fmt.Errorf("tender store: indexes on %s: %w", c.Name(), err)
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
		return fmt.Errorf("tender store: indexes on %s: %w", c.Name(), err)
	}
	return nil
}

// stream writes the documents of one stream and keeps its checkpoint.
type stream struct {
	checkpoints *mongo.Collection
	id          string

	// known is a lower bound of the stored checkpoint (loaded at New, raised by
	// every write and read here), so replays below it are dropped without a
	// round trip. Per-document sequences keep writes correct without it.
	mu    sync.Mutex
	known uint64
}

// put writes doc as document id of c (the caller holds Store.writeMu) unless the checkpoint or the document's
// own sequence is at or past seq, then moves the checkpoint. Each step is
// atomic on its own, so concurrent writers never put an older version over a
// newer one: the insert fails when the document exists, and the replace only
// matches a document below seq. Inserting first keeps a rebuild into an empty
// database to index lookups (FerretDB scans for anything but an insert).
func (st *stream) put(ctx context.Context, c *mongo.Collection, id string, doc any, seq uint64) error {
	if seq <= st.knownCheckpoint() {
		return nil
	}
	_, err := c.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		_, err = c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: int64(seq)}}}}, doc)
	}
	if err != nil {
		return fmt.Errorf("tender store: write %s %s at %d: %w", c.Name(), id, seq, err)
	}
	return st.advance(ctx, seq)
}

// advance moves the stored checkpoint to seq unless it is already past it.
func (st *stream) advance(ctx context.Context, seq uint64) error {
	for {
		_, err := st.checkpoints.UpdateOne(ctx,
			bson.D{{Key: "_id", Value: st.id}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: int64(seq)}}}},
			options.UpdateOne().SetUpsert(true))
		if mongo.IsDuplicateKeyError(err) {
			continue // the very first two writes raced to insert it: now it exists, update it
		}
		if err != nil {
			return fmt.Errorf("tender store: %s checkpoint to %d: %w", st.id, seq, err)
		}
		st.raise(seq)
		return nil
	}
}

func (st *stream) checkpoint(ctx context.Context) (uint64, error) {
	var cp checkpointDoc
	err := st.checkpoints.FindOne(ctx, bson.D{{Key: "_id", Value: st.id}}).Decode(&cp)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("tender store: read %s checkpoint: %w", st.id, err)
	}
	st.raise(uint64(cp.Seq))
	return uint64(cp.Seq), nil
}

func (st *stream) knownCheckpoint() uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.known
}

func (st *stream) raise(seq uint64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.known = max(st.known, seq)
}

// PutTender implements store.Store.
func (s *Store) PutTender(ctx context.Context, t domain.Tender, seq uint64) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.tenderStream.put(ctx, s.tenders, t.ID, toTenderDoc(t, seq), seq)
}

// PutConsortium implements store.Store.
func (s *Store) PutConsortium(ctx context.Context, c domain.Consortium, seq uint64) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.tenderStream.put(ctx, s.consortia, c.ID, toConsortiumDoc(c, seq), seq)
}

// PutCompany implements store.Store.
func (s *Store) PutCompany(ctx context.Context, c domain.Company, seq uint64) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.memberStream.put(ctx, s.companies, c.ID, toCompanyDoc(c, seq), seq)
}

// Checkpoint implements store.Store (the TENDER stream).
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	return s.tenderStream.checkpoint(ctx)
}

// CompanyCheckpoint implements store.Store (the MEMBER stream).
func (s *Store) CompanyCheckpoint(ctx context.Context) (uint64, error) {
	return s.memberStream.checkpoint(ctx)
}

// findOne decodes the document matching filter into out, or returns an error
// wrapping domainerr.ErrNotFound naming what.
func findOne(ctx context.Context, c *mongo.Collection, filter bson.D, out any, what string, opts ...options.Lister[options.FindOneOptions]) error {
	err := c.FindOne(ctx, filter, opts...).Decode(out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("%s: %w", what, domainerr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("tender store: %s: %w", what, err)
	}
	return nil
}

// GetTender implements store.Store.
func (s *Store) GetTender(ctx context.Context, id string) (domain.Tender, error) {
	var d tenderDoc
	if err := findOne(ctx, s.tenders, bson.D{{Key: "_id", Value: id}}, &d, fmt.Sprintf("tender %q", id)); err != nil {
		return domain.Tender{}, err
	}
	return d.domain(), nil
}

// FindTenderBySource implements store.Store: the latest tender written with
// that source record.
func (s *Store) FindTenderBySource(ctx context.Context, system, sourceID string) (domain.Tender, error) {
	what := fmt.Sprintf("tender from %s %q", system, sourceID)
	if sourceID == "" { // tenders typed in have no source id and are never found by one
		return domain.Tender{}, fmt.Errorf("%s: %w", what, domainerr.ErrNotFound)
	}
	var d tenderDoc
	filter := bson.D{{Key: "source_system", Value: system}, {Key: "source_id", Value: sourceID}}
	if err := findOne(ctx, s.tenders, filter, &d, what, options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})); err != nil {
		return domain.Tender{}, err
	}
	return d.domain(), nil
}

// ListTenders implements store.Store: by store.TenderKey; the page token
// encodes the key of the last tender returned, as the memory adapter's does.
func (s *Store) ListTenders(ctx context.Context, f store.TenderFilter) ([]domain.Tender, string, error) {
	after, err := paging.DecodeToken(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	size := store.PageSize(f.PageSize)
	filter := bson.D{}
	switch {
	case f.Status != 0:
		filter = append(filter, bson.E{Key: "status", Value: int(f.Status)})
	case f.OpenOnly:
		// The open statuses (domain.Status.Open), from the status_sort_key index.
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{int(domain.StatusPlanned), int(domain.StatusActive)}}}})
	}
	if f.CPVPrefix != "" {
		filter = append(filter, bson.E{Key: "cpvs", Value: prefix(f.CPVPrefix)})
	}
	if f.ClusterID != "" {
		filter = append(filter, bson.E{Key: "clusters", Value: f.ClusterID})
	}
	// A tender without a deadline has no deadline field: no range matches it.
	deadline := bson.D{}
	if !f.DeadlineAfter.IsZero() {
		deadline = append(deadline, bson.E{Key: "$gt", Value: f.DeadlineAfter})
	}
	if !f.DeadlineBefore.IsZero() {
		deadline = append(deadline, bson.E{Key: "$lt", Value: f.DeadlineBefore})
	}
	if len(deadline) > 0 {
		filter = append(filter, bson.E{Key: "deadline", Value: deadline})
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		literal := bson.Regex{Pattern: regexp.QuoteMeta(q)}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "title_lower", Value: literal}},
			bson.D{{Key: "authority_lower", Value: literal}},
		}})
	}
	if after != "" {
		filter = append(filter, bson.E{Key: "sort_key", Value: bson.D{{Key: "$gt", Value: after}}})
	}
	// One more than a page tells whether another page follows.
	cur, err := s.tenders.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "sort_key", Value: 1}}).SetLimit(int64(size+1)))
	if err != nil {
		return nil, "", fmt.Errorf("tender store: list tenders: %w", err)
	}
	var docs []tenderDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", fmt.Errorf("tender store: list tenders: %w", err)
	}
	next := ""
	if len(docs) > size {
		docs = docs[:size]
		next = paging.EncodeToken(docs[size-1].SortKey)
	}
	out := make([]domain.Tender, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, next, nil
}

// prefix matches strings starting with p (an anchored literal: MongoDB answers
// it from an index).
func prefix(p string) bson.Regex { return bson.Regex{Pattern: "^" + regexp.QuoteMeta(p)} }

// awardHit is one unwound award row of a tender.
type awardHit struct {
	TenderID string   `bson:"_id"`
	Award    awardRow `bson:"awards"`
}

// ListAwards implements store.Store: tenders with a matching award, their
// award rows unwound and matched one by one, sorted and cut in the database.
func (s *Store) ListAwards(ctx context.Context, f store.AwardFilter) ([]store.AwardRecord, error) {
	award := bson.D{} // conditions on one award row
	if f.CPVPrefix != "" {
		award = append(award, bson.E{Key: "awards.cpvs", Value: prefix(f.CPVPrefix)})
	}
	if len(f.CPVGroups) > 0 {
		award = append(award, bson.E{Key: "awards.cpv_groups", Value: bson.D{{Key: "$in", Value: f.CPVGroups}}})
	}
	if f.WinnerTaxID != "" {
		award = append(award, bson.E{Key: "awards.winner_tax_fold", Value: foldTaxID(f.WinnerTaxID)})
	}
	tender := bson.D{{Key: "awards.0", Value: bson.D{{Key: "$exists", Value: true}}}}
	if f.ExcludeTenderID != "" {
		tender = append(tender, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: f.ExcludeTenderID}}})
	}
	pipeline := mongo.Pipeline{
		// Before unwinding, the same conditions select tenders with some award
		// meeting each (by index); after it, each award must meet them all.
		{{Key: "$match", Value: append(tender, award...)}},
		{{Key: "$unwind", Value: "$awards"}},
	}
	if len(award) > 0 {
		pipeline = append(pipeline, bson.D{{Key: "$match", Value: award}})
	}
	pipeline = append(pipeline,
		// store.CompareAwards
		bson.D{{Key: "$sort", Value: bson.D{
			{Key: "awards.amount_cents", Value: -1}, {Key: "awards.source_id", Value: 1}, {Key: "awards.lot_id", Value: 1},
			{Key: "_id", Value: 1}, {Key: "awards.position", Value: 1},
		}}},
		bson.D{{Key: "$limit", Value: store.AwardLimit(f.Limit)}},
	)
	cur, err := s.tenders.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, fmt.Errorf("tender store: list awards: %w", err)
	}
	var hits []awardHit
	if err := cur.All(ctx, &hits); err != nil {
		return nil, fmt.Errorf("tender store: list awards: %w", err)
	}
	out := make([]store.AwardRecord, len(hits))
	for i, h := range hits {
		a := h.Award
		out[i] = store.AwardRecord{TenderID: h.TenderID, SourceID: a.SourceID, Title: a.Title, Buyer: a.Buyer,
			CPVs: a.CPVs, Award: a.domain(), Position: a.Position}
	}
	return out, nil
}

// GetConsortium implements store.Store.
func (s *Store) GetConsortium(ctx context.Context, id string) (domain.Consortium, error) {
	var d consortiumDoc
	if err := findOne(ctx, s.consortia, bson.D{{Key: "_id", Value: id}}, &d, fmt.Sprintf("consortium %q", id)); err != nil {
		return domain.Consortium{}, err
	}
	return d.domain(), nil
}

// ListConsortia implements store.Store: oldest first, then by id.
func (s *Store) ListConsortia(ctx context.Context, f store.ConsortiumFilter) ([]domain.Consortium, error) {
	filter := bson.D{}
	if f.TenderID != "" {
		filter = append(filter, bson.E{Key: "tender_id", Value: f.TenderID})
		if f.LotID != "" { // a lot is only meaningful within its tender
			filter = append(filter, bson.E{Key: "lot_id", Value: f.LotID})
		}
	}
	if f.OrganizationID != "" {
		filter = append(filter, bson.E{Key: "member_ids", Value: f.OrganizationID})
	}
	if f.LiveOnly {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$nin", Value: bson.A{int(domain.BidDissolved), int(domain.BidLost)}}}})
	}
	cur, err := s.consortia.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("tender store: list consortia: %w", err)
	}
	var docs []consortiumDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("tender store: list consortia: %w", err)
	}
	out := make([]domain.Consortium, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

// GetCompany implements store.Store.
func (s *Store) GetCompany(ctx context.Context, id string) (domain.Company, error) {
	var d companyDoc
	what := fmt.Sprintf("organization %q in the tender service's member index", id)
	if err := findOne(ctx, s.companies, bson.D{{Key: "_id", Value: id}}, &d, what); err != nil {
		return domain.Company{}, err
	}
	return d.domain(), nil
}

// ListCompanies implements store.Store: active in any of the clusters, by id.
func (s *Store) ListCompanies(ctx context.Context, clusters []string) ([]domain.Company, error) {
	if len(clusters) == 0 {
		return nil, nil
	}
	cur, err := s.companies.Find(ctx, bson.D{{Key: "active_in_list", Value: bson.D{{Key: "$in", Value: clusters}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("tender store: list companies: %w", err)
	}
	var docs []companyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("tender store: list companies: %w", err)
	}
	out := make([]domain.Company, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

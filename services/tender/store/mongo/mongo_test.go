package mongo_test

import (
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/consortia-dev/consortia/services/mongotest"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
	mongostore "github.com/consortia-dev/consortia/services/tender/store/mongo"
	"github.com/consortia-dev/consortia/services/tender/store/storetest"
)

// The contract (storetest, run in the store package) covers what both
// adapters do; these cover what only a persistent one can: a restart, a second
// writer on the same database, a crash between a write and its checkpoint.

func open(t *testing.T, db *mongo.Database) *mongostore.Store {
	t.Helper()
	s, err := mongostore.New(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func checkpoints(t *testing.T, s store.Store) (tender, member uint64) {
	t.Helper()
	tender, err := s.Checkpoint(t.Context())
	must(t, err)
	member, err = s.CompanyCheckpoint(t.Context())
	must(t, err)
	return tender, member
}

func title(t *testing.T, s store.Store, id string) string {
	t.Helper()
	tn, err := s.GetTender(t.Context(), id)
	must(t, err)
	return tn.Details.Title
}

func tender(id, title string) domain.Tender {
	tn := storetest.Tender(id, "tera", domain.StatusActive, 1, "72000000")
	tn.Details.Title = title
	return tn
}

func TestRestartResumesFromBothCheckpoints(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	first := open(t, db)
	must(t, first.PutTender(ctx, tender("t1", "v1"), 1))
	must(t, first.PutConsortium(ctx, storetest.Consortium("c1", "t1", "1", domain.BidForming, 0), 2))
	must(t, first.PutCompany(ctx, storetest.Company("B1", "tera"), 7))

	again := open(t, db) // the service restarted
	if tc, mc := checkpoints(t, again); tc != 2 || mc != 7 {
		t.Fatalf("checkpoints after restart = %d, %d; want 2, 7", tc, mc)
	}
	must(t, again.PutTender(ctx, tender("t1", "replayed"), 1))
	must(t, again.PutCompany(ctx, storetest.Company("B1"), 7))
	if got := title(t, again, "t1"); got != "v1" {
		t.Errorf("a replay after restart overwrote t1: %q", got)
	}
	if cos, err := again.ListCompanies(ctx, []string{"tera"}); err != nil || len(cos) != 1 {
		t.Errorf("a replay after restart changed the company index: %v, %v", cos, err)
	}
	must(t, again.PutTender(ctx, tender("t2", "new"), 3))
	if ts, _, err := again.ListTenders(ctx, store.TenderFilter{}); err != nil || len(ts) != 2 {
		t.Errorf("after restart: %d tenders, %v", len(ts), err)
	}
}

// TestDocumentSequenceGuardsEveryWrite: a second writer that has not seen the
// newer checkpoints cannot put an older version over a newer one, nor move a
// checkpoint back.
func TestDocumentSequenceGuardsEveryWrite(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	slow := open(t, db) // opened at checkpoints 0, 0
	fast := open(t, db)
	newer := tender("t1", "v10")
	newer.Details.Awards = []domain.Award{{WinnerTaxID: "B10", AmountCents: 10}}
	must(t, fast.PutTender(ctx, newer, 10))
	must(t, fast.PutConsortium(ctx, storetest.Consortium("c1", "t1", "1", domain.BidSubmitted, 0), 11))
	must(t, fast.PutCompany(ctx, storetest.Company("B1", "tera"), 20))

	older := tender("t1", "v5")
	older.Details.Awards = []domain.Award{{WinnerTaxID: "B5", AmountCents: 5}}
	must(t, slow.PutTender(ctx, older, 5))
	must(t, slow.PutConsortium(ctx, storetest.Consortium("c1", "t1", "1", domain.BidForming, 0), 6))
	must(t, slow.PutCompany(ctx, storetest.Company("B1"), 15))
	if got := title(t, fast, "t1"); got != "v10" {
		t.Errorf("an older write replaced the tender: %q", got)
	}
	if as, err := fast.ListAwards(ctx, store.AwardFilter{}); err != nil || len(as) != 1 || as[0].Award.WinnerTaxID != "B10" {
		t.Errorf("awards after an older write: %+v, %v", as, err)
	}
	if c, err := fast.GetConsortium(ctx, "c1"); err != nil || c.Status != domain.BidSubmitted {
		t.Errorf("an older write replaced the consortium: %v, %v", c.Status, err)
	}
	if cos, err := fast.ListCompanies(ctx, []string{"tera"}); err != nil || len(cos) != 1 {
		t.Errorf("an older write replaced the company: %v, %v", cos, err)
	}
	if tc, mc := checkpoints(t, fast); tc != 11 || mc != 20 {
		t.Errorf("checkpoints = %d, %d after older writes, want 11, 20 (never back)", tc, mc)
	}
	must(t, slow.PutTender(ctx, tender("t1", "v12"), 12))
	if got := title(t, fast, "t1"); got != "v12" {
		t.Errorf("a newer write was dropped: %q", got)
	}
}

// TestCrashBetweenWriteAndCheckpoint: the document of event 2 was written but
// the process died before the checkpoint moved; after the restart event 2 is
// delivered again and changes nothing but the checkpoint.
func TestCrashBetweenWriteAndCheckpoint(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	s := open(t, db)
	must(t, s.PutTender(ctx, tender("t1", "v1"), 1))
	must(t, s.PutTender(ctx, tender("t1", "v2"), 2))
	_, err := db.Collection(mongostore.CheckpointsCollection).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: mongostore.TenderCheckpoint}}, bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: int64(1)}}}})
	must(t, err)

	restarted := open(t, db)
	if tc, _ := checkpoints(t, restarted); tc != 1 {
		t.Fatalf("tender checkpoint = %d, want the crash's 1", tc)
	}
	must(t, restarted.PutTender(ctx, tender("t1", "v2, redelivered"), 2))
	if got := title(t, restarted, "t1"); got != "v2" {
		t.Errorf("the redelivered event rewrote the document: %q", got)
	}
	if tc, _ := checkpoints(t, restarted); tc != 2 {
		t.Errorf("tender checkpoint = %d after the redelivery, want 2", tc)
	}
}

func TestIndexesForEveryQuery(t *testing.T) {
	db := mongotest.Database(t)
	open(t, db)
	open(t, db) // creating them again at the next start is fine
	want := map[string][]string{
		mongostore.TendersCollection: {"sort_key", "status_sort_key", "cpvs_sort_key", "clusters_sort_key", "deadline_sort_key",
			"source", "awards_cpvs", "awards_cpv_groups", "awards_winner"},
		mongostore.ConsortiaCollection: {"created_id", "tender_lot_created_id", "member_ids_created_id"},
		mongostore.CompaniesCollection: {"active_in_id"},
	}
	for coll, names := range want {
		specs, err := db.Collection(coll).Indexes().ListSpecifications(t.Context())
		must(t, err)
		var have []string
		for _, s := range specs {
			have = append(have, s.Name)
		}
		for _, n := range names {
			if !slices.Contains(have, n) {
				t.Errorf("%s has indexes %q, missing %q", coll, have, n)
			}
		}
	}
}

// TestStoredShape: queried fields are top-level document fields (what the
// indexes cover); an unknown deadline is no deadline field at all.
func TestStoredShape(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	s := open(t, db)
	tn := storetest.Tender("t1", "tera", domain.StatusActive, -1, "72212000")
	must(t, s.PutTender(ctx, tn, 3))
	var raw bson.M
	must(t, db.Collection(mongostore.TendersCollection).FindOne(ctx, bson.D{{Key: "_id", Value: "t1"}}).Decode(&raw))
	if raw["sort_key"] != store.TenderKey(tn) || raw["seq"] != int64(3) || raw["status"] != int32(domain.StatusActive) {
		t.Errorf("sort_key %v, seq %#v, status %#v", raw["sort_key"], raw["seq"], raw["status"])
	}
	if _, ok := raw["deadline"]; ok {
		t.Errorf("a tender without a deadline has a deadline field: %v", raw["deadline"])
	}
	if cpvs, _ := raw["cpvs"].(bson.A); !slices.Equal(cpvs, bson.A{"72212000", "79411000"}) {
		t.Errorf("cpvs = %v, want the tender's and its lots'", raw["cpvs"])
	}
	if cl, _ := raw["clusters"].(bson.A); !slices.Equal(cl, bson.A{"tera", "shared-tera"}) {
		t.Errorf("clusters = %v", raw["clusters"])
	}
	awards, _ := raw["awards"].(bson.A)
	if len(awards) != 1 {
		t.Fatalf("awards = %v", raw["awards"])
	}
	row := bson.M{}
	for _, e := range awards[0].(bson.D) {
		row[e.Key] = e.Value
	}
	if row["winner_tax_fold"] != "B1" || !slices.Equal(row["cpvs"].(bson.A), bson.A{"79411000"}) || !slices.Equal(row["cpv_groups"].(bson.A), bson.A{"794"}) {
		t.Errorf("award row = %v", row)
	}
}

package mongo_test

import (
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	mongostore "github.com/consortia-dev/consortia/services/member/store/mongo"
	"github.com/consortia-dev/consortia/services/member/store/storetest"
	"github.com/consortia-dev/consortia/services/mongotest"
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

func legalName(t *testing.T, s store.Store, id string) string {
	t.Helper()
	o, err := s.GetOrganization(t.Context(), id)
	must(t, err)
	return o.LegalName
}

func checkpoint(t *testing.T, s store.Store) uint64 {
	t.Helper()
	cp, err := s.Checkpoint(t.Context())
	must(t, err)
	return cp
}

func TestRestartResumesFromTheStoredCheckpoint(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	first := open(t, db)
	must(t, first.PutCluster(ctx, storetest.Cluster("c1", "TERA"), 1))
	must(t, first.PutOrganization(ctx, storetest.Org("o1", "Acme"), 2))
	must(t, first.PutOrganization(ctx, storetest.Org("o2", "Beta"), 3))

	again := open(t, db) // the service restarted
	if cp := checkpoint(t, again); cp != 3 {
		t.Fatalf("checkpoint after restart = %d, want 3", cp)
	}
	// The projection resumes after 3; a redelivered event changes nothing.
	stale := storetest.Org("o1", "Stale")
	must(t, again.PutOrganization(ctx, stale, 2))
	if got := legalName(t, again, "o1"); got != "Acme" {
		t.Errorf("a replay after restart overwrote o1: %q", got)
	}
	must(t, again.PutOrganization(ctx, storetest.Org("o3", "Gamma"), 4))
	orgs, _, err := again.ListOrganizations(ctx, store.Filter{})
	must(t, err)
	var ids []string
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	if !slices.Equal(ids, []string{"o1", "o2", "o3"}) {
		t.Errorf("after restart: %q", ids)
	}
	if cs, err := again.ListClusters(ctx); err != nil || len(cs) != 1 {
		t.Errorf("clusters after restart: %v, %v", cs, err)
	}
}

// TestDocumentSequenceGuardsEveryWrite: a second writer that has not seen the
// newer checkpoint (another replica, or a slow one) cannot put an older
// version over a newer one, and cannot move the checkpoint back.
func TestDocumentSequenceGuardsEveryWrite(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	slow := open(t, db) // opened at checkpoint 0
	fast := open(t, db)
	must(t, fast.PutOrganization(ctx, storetest.Org("o1", "Acme v10"), 10))
	must(t, fast.PutCluster(ctx, storetest.Cluster("c1", "TERA v11"), 11))

	must(t, slow.PutOrganization(ctx, storetest.Org("o1", "Acme v5"), 5))
	must(t, slow.PutOrganization(ctx, storetest.Org("o1", "Acme v10 again"), 10))
	must(t, slow.PutCluster(ctx, storetest.Cluster("c1", "TERA v7"), 7))
	if got := legalName(t, fast, "o1"); got != "Acme v10" {
		t.Errorf("an older write replaced the organisation: %q", got)
	}
	if c, err := fast.GetCluster(ctx, "c1"); err != nil || c.Name != "TERA v11" {
		t.Errorf("an older write replaced the cluster: %+v, %v", c, err)
	}
	if cp := checkpoint(t, fast); cp != 11 {
		t.Errorf("checkpoint = %d after an older write, want 11 (never back)", cp)
	}
	// A newer write from either goes through.
	must(t, slow.PutOrganization(ctx, storetest.Org("o1", "Acme v12"), 12))
	if got := legalName(t, fast, "o1"); got != "Acme v12" {
		t.Errorf("a newer write was dropped: %q", got)
	}
}

// TestCrashBetweenWriteAndCheckpoint: the document of event 2 was written but
// the process died before the checkpoint moved; after the restart event 2 is
// delivered again and changes nothing but the checkpoint.
func TestCrashBetweenWriteAndCheckpoint(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	s := open(t, db)
	must(t, s.PutOrganization(ctx, storetest.Org("o1", "Acme v1"), 1))
	must(t, s.PutOrganization(ctx, storetest.Org("o1", "Acme v2"), 2))
	// Put the checkpoint back where the crash left it.
	_, err := db.Collection(mongostore.CheckpointsCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: "member"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: int64(1)}}}})
	must(t, err)

	restarted := open(t, db)
	if cp := checkpoint(t, restarted); cp != 1 {
		t.Fatalf("checkpoint = %d, want the crash's 1", cp)
	}
	must(t, restarted.PutOrganization(ctx, storetest.Org("o1", "Acme v2, redelivered"), 2))
	if got := legalName(t, restarted, "o1"); got != "Acme v2" {
		t.Errorf("the redelivered event rewrote the document: %q", got)
	}
	if cp := checkpoint(t, restarted); cp != 2 {
		t.Errorf("checkpoint = %d after the redelivery, want 2", cp)
	}
}

func TestIndexesForEveryQuery(t *testing.T) {
	db := mongotest.Database(t)
	open(t, db)
	open(t, db) // creating them again at the next start is fine
	want := map[string][]string{
		mongostore.OrganizationsCollection: {"legal_name_id", "cluster_ids_legal_name_id", "capabilities_legal_name_id", "cpv_interests_legal_name_id"},
		mongostore.ClustersCollection:      {"name_id"},
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

// TestStoredShape: queried fields are top-level documents fields with their
// own names (what the indexes cover), not Go field names.
func TestStoredShape(t *testing.T) {
	ctx, db := t.Context(), mongotest.Database(t)
	s := open(t, db)
	o := storetest.Org("o1", "Acme")
	o.Memberships = append(o.Memberships, domain.Membership{ClusterID: "c-gira", Status: domain.MembershipPending})
	must(t, s.PutOrganization(ctx, o, 7))
	var raw bson.M
	must(t, db.Collection(mongostore.OrganizationsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: "o1"}}).Decode(&raw))
	for field, want := range map[string]any{
		"legal_name":    "Acme",
		"seq":           int64(7),
		"cluster_ids":   bson.A{"c-tera", "c-gira"},
		"capabilities":  bson.A{"software-development"},
		"cpv_interests": bson.A{"72212000"},
	} {
		got := raw[field]
		if a, ok := got.(bson.A); ok {
			if !slices.Equal(a, want.(bson.A)) {
				t.Errorf("%s = %v, want %v", field, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s = %#v, want %#v", field, got, want)
		}
	}
	if _, ok := raw["LegalName"]; ok {
		t.Error("a Go field name is stored")
	}
}

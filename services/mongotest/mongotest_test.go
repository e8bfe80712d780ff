package mongotest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/consortia-dev/consortia/services/mongotest"
)

func TestDatabaseIsFreshAndWorks(t *testing.T) {
	a := mongotest.Database(t)
	b := mongotest.Database(t)
	if a.Name() == b.Name() {
		t.Fatalf("two databases share the name %q", a.Name())
	}
	ctx := t.Context()
	if _, err := a.Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	n, err := b.Collection("c").CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("fresh database has %d documents, want 0", n)
	}
	var got struct {
		N int `bson:"n"`
	}
	if err := a.Collection("c").FindOne(ctx, bson.D{{Key: "_id", Value: "x"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.N != 1 {
		t.Fatalf("n = %d, want 1", got.N)
	}
}

func TestBackendNamesTheServer(t *testing.T) {
	got := mongotest.Backend()
	if os.Getenv(mongotest.EnvURI) == "" {
		if !strings.HasPrefix(got, "FerretDB v") || !strings.HasSuffix(got, "(embedded, SQLite)") {
			t.Fatalf("Backend() = %q", got)
		}
	} else if !strings.HasPrefix(got, "MongoDB at ") {
		t.Fatalf("Backend() = %q", got)
	}
	t.Logf("mongo backend: %s", got)
}

func TestFerretDBVersionMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := "github.com/FerretDB/FerretDB " + mongotest.FerretDBVersion + "\n"
	if !strings.Contains(string(mod), want) {
		t.Fatalf("go.mod does not require %q", strings.TrimSpace(want))
	}
}

func TestEmbeddedKeepsDataInItsFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(ctx context.Context, uri string) {
		c := connect(t, uri)
		defer c.Disconnect(context.Background())
		if _, err := c.Database("d").Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(ctx context.Context, uri string) int64 {
		c := connect(t, uri)
		defer c.Disconnect(context.Background())
		n, err := c.Database("d").Collection("c").CountDocuments(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	uri, stop, err := mongotest.Embedded(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	write(t.Context(), uri)
	stop()
	stop() // idempotent

	uri, stop, err = mongotest.Embedded(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if n := count(t.Context(), uri); n != 1 {
		t.Fatalf("after restart: %d documents, want 1", n)
	}
}

func connect(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBackendHidesThePassword(t *testing.T) {
	t.Setenv(mongotest.EnvURI, "mongodb://reader:s3cret@db.example:27017/?replicaSet=rs0")
	got := mongotest.Backend()
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "db.example:27017") {
		t.Fatalf("Backend() = %q, want the host without the password", got)
	}
}

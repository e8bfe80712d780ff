package mongotest

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// TestHelperEndsWithItsStdin: the helper process serves until its stdin
// closes (as when the test binary exits), then goes away.
func TestHelperEndsWithItsStdin(t *testing.T) {
	uri, stdin, err := startHelper()
	if err != nil {
		t.Fatalf("helper process: %v", err)
	}
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(t.Context())
	if _, err := c.Database("d").Collection("c").InsertOne(t.Context(), bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatalf("helper does not serve: %v", err)
	}
	if err := stdin.Close(); err != nil {
		t.Fatal(err)
	}
	// Wait (bounded by the test's own deadline) until it stops answering.
	for c.Ping(t.Context(), readpref.Primary()) == nil {
		if t.Context().Err() != nil {
			t.Fatal("the helper still answers after its stdin closed")
		}
	}
}

package mongo_test

import (
	"testing"

	"github.com/consortia-dev/consortia/services/mongotest"
	"github.com/consortia-dev/consortia/services/notification/store"
	notificationmongo "github.com/consortia-dev/consortia/services/notification/store/mongo"
	"github.com/consortia-dev/consortia/services/notification/store/storetest"
)

// The Mongo read model passes the same contract as the memory one, on the
// embedded FerretDB or on CONSORTIA_TEST_MONGODB_URI (mongotest logs which).
func TestMongoStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		st, err := notificationmongo.Open(t.Context(), mongotest.Database(t))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

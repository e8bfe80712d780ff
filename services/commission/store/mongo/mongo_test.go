package mongo_test

import (
	"testing"

	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/commission/store/mongo"
	"github.com/consortia-dev/consortia/services/commission/store/storetest"
	"github.com/consortia-dev/consortia/services/mongotest"
)

// TestContract runs the read-model contract on embedded FerretDB, or on the
// MongoDB at CONSORTIA_TEST_MONGODB_URI (the backend is logged).
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := mongo.New(t.Context(), mongotest.Database(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

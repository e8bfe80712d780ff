package store_test

import (
	"testing"

	"github.com/consortia-dev/consortia/services/mongotest"
	"github.com/consortia-dev/consortia/services/tender/store"
	"github.com/consortia-dev/consortia/services/tender/store/memory"
	mongostore "github.com/consortia-dev/consortia/services/tender/store/mongo"
	"github.com/consortia-dev/consortia/services/tender/store/storetest"
)

// TestContract runs the one contract suite against every adapter.
func TestContract(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		storetest.Run(t, func(*testing.T) store.Store { return memory.New() })
	})
	t.Run("mongo", func(t *testing.T) {
		t.Logf("mongo backend: %s", mongotest.Backend())
		storetest.Run(t, func(t *testing.T) store.Store {
			s, err := mongostore.New(t.Context(), mongotest.Database(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

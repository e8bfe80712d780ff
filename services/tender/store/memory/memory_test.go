package memory_test

import (
	"testing"

	"github.com/consortia-dev/consortia/services/tender/store"
	"github.com/consortia-dev/consortia/services/tender/store/memory"
	"github.com/consortia-dev/consortia/services/tender/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return memory.New() })
}

package memory_test

import (
	"testing"

	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/commission/store/memory"
	"github.com/consortia-dev/consortia/services/commission/store/storetest"
)

func TestContract(t *testing.T) {
	t.Log("read-model backend: memory")
	storetest.Run(t, func(*testing.T) store.Store { return memory.New() })
}

package memory_test

import (
	"testing"

	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/notification/store/memory"
	"github.com/consortia-dev/consortia/services/notification/store/storetest"
)

func TestMemoryStore(t *testing.T) {
	t.Log("backend: memory")
	storetest.Run(t, func(*testing.T) store.Store { return memory.New() })
}

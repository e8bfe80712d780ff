package notification

import (
	"context"
	"errors"

	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// openMongo returns the Mongo read model (store/mongo) of the kit's database.
func openMongo(ctx context.Context, k *service.Kit) (store.Store, error) {
	return nil, errors.New("notification: mongo read model not wired yet")
}

package notification

import (
	"context"

	"github.com/consortia-dev/consortia/services/notification/store"
	notificationmongo "github.com/consortia-dev/consortia/services/notification/store/mongo"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// openMongo returns the persistent read model on the kit's database
// (consortia_notification). The planner's own view of members and tenders
// stays in memory, rebuilt at start; what it planned is kept in JetStream.
func openMongo(ctx context.Context, k *service.Kit) (store.Store, error) {
	return notificationmongo.Open(ctx, k.Mongo)
}

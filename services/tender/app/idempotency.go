package app

import (
	"context"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// request scopes an idempotency key to the calling principal, the method, the
// object and the request's arguments.
func request(ctx context.Context, key, method, object string, args ...any) eventlog.Idempotency {
	return eventlog.NewIdempotency(key, auth.FromContext(ctx).Actor(), method, object, args...)
}

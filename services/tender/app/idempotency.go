package app

import (
	"context"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// idempotency is a command's idempotency key with the fingerprint of the
// request it came with: the key answers a retry of that same request (the
// recorded result) and refuses any other (eventlog.ErrIdempotencyKeyReused,
// FailedPrecondition), instead of silently dropping it.
type idempotency struct{ key, fingerprint string }

// request scopes key to the caller, the method, the object and the request's
// arguments.
func request(ctx context.Context, key, method, object string, args ...any) idempotency {
	if key == "" {
		return idempotency{}
	}
	return idempotency{key: key, fingerprint: eventlog.Fingerprint(auth.FromContext(ctx).Actor(), method, object, args...)}
}

// mark is the event-log mark of the command: its message id in scope, and the
// request's fingerprint.
func (k idempotency) mark(scope ...string) eventlog.Mark {
	return eventlog.Mark{MsgID: eventlog.MsgID(k.key, scope...), Fingerprint: k.fingerprint}
}

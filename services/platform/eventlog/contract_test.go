package eventlog_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/eventlog/eventlogtest"
	"github.com/consortia-dev/consortia/services/platform/natstest"
)

// The event-log contract on JetStream (embedded nats-server, fsync on every write).
func TestContractOnJetStream(t *testing.T) {
	t.Log("backend: embedded nats-server with JetStream")
	eventlogtest.Run(t, func(t *testing.T) eventlogtest.Target {
		srv := natstest.Start(t)
		l := openLog(t, srv.JS)
		return eventlogtest.Target{
			Log:    l,
			Prefix: "test.",
			Reopen: func() eventlog.Store { return openLog(t, srv.JS) },
			Project: func(p eventlog.Projection) eventlogtest.Runner {
				return l.Project(p)
			},
			Inject: func(ctx context.Context, subject, eventType string, data []byte) (uint64, error) {
				m := nats.NewMsg(subject)
				m.Header.Set(eventlog.HeaderType, eventType)
				m.Data = data
				ack, err := srv.JS.PublishMsg(ctx, m)
				if err != nil {
					return 0, err
				}
				return ack.Sequence, nil
			},
			Parked: func(ctx context.Context, projection string) ([]eventlog.Parked, error) {
				return eventlog.ListParked(ctx, srv.JS, projection)
			},
			Skip: func(ctx context.Context, subject string, seq uint64, reason string) error {
				_, err := l.Skip(ctx, subject, seq, reason, "operator:test")
				return err
			},
		}
	})
}

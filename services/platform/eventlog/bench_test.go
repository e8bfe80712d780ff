package eventlog_test

import (
	"context"
	"strconv"
	"testing"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natstest"
)

// BenchmarkAppend measures one acknowledged append on the embedded server with
// fsync on every write: the baseline (no checks) against the optimistic-
// concurrency and dedup headers the services always use. Compare the two lines
// of one run (benchstat), not numbers across machines.
func BenchmarkAppend(b *testing.B) {
	for _, mode := range []string{"plain", "expected-version+msgid"} {
		b.Run(mode, func(b *testing.B) {
			srv := natstest.Start(b)
			l, err := eventlog.Open(context.Background(), srv.JS, eventlog.StreamConfig{Name: "BENCH", Subjects: []string{"bench.>"}}, "bench")
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var version int64
			b.ResetTimer()
			for i := range b.N {
				d := eventlog.Draft{Subject: "bench.agg.1", Event: wrapperspb.String("x"), ExpectedVersion: eventlog.AnyVersion}
				if mode != "plain" {
					d.ExpectedVersion = version
					d.MsgID = eventlog.MsgID(strconv.Itoa(i), "bench")
				}
				a, err := l.Append(ctx, d)
				if err != nil {
					b.Fatal(err)
				}
				version = int64(a.Sequence)
			}
		})
	}
}

// BenchmarkLoad measures replaying an aggregate of 20 events among 1,000 others.
func BenchmarkLoad(b *testing.B) {
	srv := natstest.Start(b)
	l, err := eventlog.Open(context.Background(), srv.JS, eventlog.StreamConfig{Name: "BENCH", Subjects: []string{"bench.>"}}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range 1000 {
		subject := "bench.agg." + strconv.Itoa(i%50)
		if _, err := l.Append(ctx, eventlog.Draft{Subject: subject, Event: wrapperspb.String("x"), ExpectedVersion: eventlog.AnyVersion}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		n := 0
		if _, err := l.Load(ctx, "bench.agg.7", func(eventlog.Event) error { n++; return nil }); err != nil || n != 20 {
			b.Fatalf("loaded %d events: %v", n, err)
		}
	}
}

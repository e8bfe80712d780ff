package eventlog_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natstest"
)

// Benchmarks run on the embedded server with fsync on every write. Each one
// measures the project and its baseline in the same run, interleaved, and
// reports the ratio: compare ratios, not absolute numbers across machines.
//
//	go test -run '^$' -bench . -benchtime 3x ./services/platform/eventlog/

func benchLog(b *testing.B, js jetstream.JetStream) *eventlog.Log {
	b.Helper()
	l, err := eventlog.Open(context.Background(), js, eventlog.StreamConfig{Name: "TEST", Subjects: []string{"test.>"}}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkAppend measures one acknowledged append: the baseline (no checks)
// against the optimistic-concurrency and dedup headers the services always use.
func BenchmarkAppend(b *testing.B) {
	for _, mode := range []string{"plain", "expected-version+msgid"} {
		b.Run(mode, func(b *testing.B) {
			srv := natstest.Start(b)
			l := benchLog(b, srv.JS)
			ctx := context.Background()
			var version int64
			b.ResetTimer()
			for i := range b.N {
				d := eventlog.Draft{Subject: "test.agg.1", Event: wrapperspb.String("x"), ExpectedVersion: eventlog.AnyVersion}
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

// publishMany stores n events the way Append does (same headers), with async
// publishes so that setting up a large stream takes seconds.
func publishMany(b *testing.B, js jetstream.JetStream, n int, subject func(i int) string) {
	b.Helper()
	ctx := context.Background()
	for i := range n {
		data, _ := proto.Marshal(wrapperspb.String("v" + strconv.Itoa(i)))
		m := nats.NewMsg(subject(i))
		m.Data = data
		m.Header.Set(eventlog.HeaderSpecVersion, "1.0")
		m.Header.Set(eventlog.HeaderID, strconv.Itoa(i))
		m.Header.Set(eventlog.HeaderType, "google.protobuf.StringValue")
		m.Header.Set(eventlog.HeaderSource, "bench")
		m.Header.Set(eventlog.HeaderSubject, m.Subject)
		m.Header.Set(eventlog.HeaderTime, time.Now().UTC().Format(time.RFC3339Nano))
		m.Header.Set(eventlog.HeaderContentType, "application/protobuf")
		if _, err := js.PublishMsgAsync(m); err != nil {
			b.Fatal(err)
		}
		if i%1024 == 1023 {
			<-js.PublishAsyncComplete()
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
	}
}

// countModel counts what it applies (a memory read model doing the least).
type countModel struct{ seq, n uint64 }

func (m *countModel) Apply(_ context.Context, ev eventlog.Event) error {
	if ev.Sequence <= m.seq {
		return nil
	}
	_ = ev.Data.(*wrapperspb.StringValue).GetValue()
	m.seq, m.n = ev.Sequence, m.n+1
	return nil
}
func (m *countModel) Checkpoint(context.Context) (uint64, error) { return m.seq, nil }

// BenchmarkRebuild rebuilds a memory read model from a 100k-event stream,
// start to Ready, against a raw ordered consumer reading the same stream.
func BenchmarkRebuild(b *testing.B) {
	const n = 100_000
	srv := natstest.Start(b)
	benchLog(b, srv.JS)
	publishMany(b, srv.JS, n, func(i int) string { return "test.agg." + strconv.Itoa(i%1000) })
	ctx := context.Background()
	raw := func() time.Duration {
		start := time.Now()
		cons, err := srv.JS.OrderedConsumer(ctx, "TEST", jetstream.OrderedConsumerConfig{})
		if err != nil {
			b.Fatal(err)
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(2048))
		if err != nil {
			b.Fatal(err)
		}
		for range n {
			if _, err := it.Next(); err != nil {
				b.Fatal(err)
			}
		}
		d := time.Since(start)
		it.Stop()
		return d
	}
	project := func() time.Duration {
		start := time.Now()
		m := &countModel{}
		r := eventlog.NewRunner(srv.JS, eventlog.Projection{Name: "rebuild", Stream: "TEST", Handler: m})
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- r.Run(rctx) }()
		<-r.Ready()
		d := time.Since(start)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		if m.n != n {
			b.Fatalf("ready with %d of %d events", m.n, n)
		}
		return d
	}
	var rawT, projT time.Duration
	b.ResetTimer()
	for range b.N {
		rawT += raw()
		projT += project()
	}
	rawRate := float64(n*b.N) / rawT.Seconds()
	projRate := float64(n*b.N) / projT.Seconds()
	b.ReportMetric(projRate, "events/s")
	b.ReportMetric(rawRate, "raw-events/s")
	b.ReportMetric(projRate/rawRate, "ratio")
	b.Logf("rebuild of %d events: projection %.0f events/s, raw ordered consumer %.0f events/s, ratio %.2f (goal >= 100k/s and >= 0.6)", n, projRate, rawRate, projRate/rawRate)
}

// BenchmarkLoadByHistory loads (warm) an aggregate of 3,000 events and one of
// 2, interleaved, among 10,000 others; the ratio is the point (goal <= 1.5).
func BenchmarkLoadByHistory(b *testing.B) {
	srv := natstest.Start(b)
	l := benchLog(b, srv.JS)
	publishMany(b, srv.JS, 3000, func(int) string { return "test.agg.long" })
	publishMany(b, srv.JS, 2, func(int) string { return "test.agg.short" })
	publishMany(b, srv.JS, 10000, func(i int) string { return "test.agg.o" + strconv.Itoa(i%500) })
	ctx := context.Background()
	load := func(subject string, want int) time.Duration {
		start := time.Now()
		n := 0
		if _, err := l.Load(ctx, subject, func(eventlog.Event) error { n++; return nil }); err != nil || n != want {
			b.Fatalf("loaded %d of %d: %v", n, want, err)
		}
		return time.Since(start)
	}
	// LoadInto, as the services load: the folded state is kept too.
	loadInto := func(subject string, want int) time.Duration {
		start := time.Now()
		var st benchState
		if _, _, err := l.LoadInto(ctx, subject, eventlog.Mark{}, &st, st.apply); err != nil {
			b.Fatal(err)
		}
		if st.N != want {
			b.Fatalf("folded %d of %d", st.N, want)
		}
		return time.Since(start)
	}
	cold := load("test.agg.long", 3000)
	var short, long, shortInto, longInto []time.Duration
	b.ResetTimer()
	for range b.N {
		short = append(short, load("test.agg.short", 2))
		long = append(long, load("test.agg.long", 3000))
		shortInto = append(shortInto, loadInto("test.agg.short", 2))
		longInto = append(longInto, loadInto("test.agg.long", 3000))
	}
	ps, pl := p50(short), p50(long)
	pis, pil := p50(shortInto), p50(longInto)
	b.ReportMetric(float64(pl)/float64(ps), "ratio-Load")
	b.ReportMetric(float64(pil)/float64(pis), "ratio-LoadInto")
	b.Logf("Load p50 (cached events replayed): 2 events %v, 3,000 events %v, ratio %.2f; first (cold) load of 3,000 events %v", ps, pl, float64(pl)/float64(ps), cold)
	b.Logf("LoadInto p50 (folded state kept): 2 events %v, 3,000 events %v, ratio %.2f (goal <= 1.5)", pis, pil, float64(pil)/float64(pis))
}

// benchState is a small folded aggregate.
type benchState struct {
	N    int
	Last string
	Seen []string
}

func (s *benchState) apply(e eventlog.Event) error {
	s.N++
	s.Last = e.Data.(*wrapperspb.StringValue).GetValue()
	if s.N%100 == 0 {
		s.Seen = append(s.Seen, s.Last)
	}
	return nil
}

// BenchmarkUpdateByHistory is a command on an aggregate as the services run
// it: load (LoadInto), append at the loaded version, wait for the read model
// (read-your-writes), for histories of 2 and 3,000 events, interleaved.
func BenchmarkUpdateByHistory(b *testing.B) {
	srv := natstest.Start(b)
	l := benchLog(b, srv.JS)
	publishMany(b, srv.JS, 3000, func(int) string { return "test.agg.long" })
	publishMany(b, srv.JS, 2, func(int) string { return "test.agg.short" })
	m := &countModel{}
	r := eventlog.NewRunner(srv.JS, eventlog.Projection{Name: "update", Stream: "TEST", Handler: m})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	<-r.Ready()
	update := func(subject string) time.Duration {
		start := time.Now()
		var st benchState
		v, _, err := l.LoadInto(ctx, subject, eventlog.Mark{}, &st, st.apply)
		if err != nil {
			b.Fatal(err)
		}
		a, err := l.Append(ctx, eventlog.Draft{Subject: subject, Event: wrapperspb.String("u"), ExpectedVersion: int64(v)})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WaitFor(ctx, a.Sequence); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	// Both aggregates get a cached copy before timing, as a running service has.
	update("test.agg.long")
	update("test.agg.short")
	var short, long []time.Duration
	b.ResetTimer()
	for range b.N {
		short = append(short, update("test.agg.short"))
		long = append(long, update("test.agg.long"))
	}
	ps, pl := p50(short), p50(long)
	b.ReportMetric(float64(ps.Microseconds()), "µs-p50-2-events")
	b.ReportMetric(float64(pl.Microseconds()), "µs-p50-3000-events")
	b.ReportMetric(float64(pl)/float64(ps), "ratio")
	b.Logf("update p50 (load + append + read-your-writes): 2 events %v, 3,000 events %v, ratio %.2f (goal <= 1.5)", ps, pl, float64(pl)/float64(ps))
}

func p50(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

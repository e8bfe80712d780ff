package eventlog_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natstest"
)

func openLog(t *testing.T, js jetstream.JetStream) *eventlog.Log {
	t.Helper()
	l, err := eventlog.Open(context.Background(), js, eventlog.StreamConfig{Name: "TEST", Subjects: []string{"test.>"}}, "consortia/test")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestEventHeaders(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	a, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.h", Event: wrapperspb.String("x"), Actor: "user:ana"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := l.Get(ctx, a.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != "google.protobuf.StringValue" || ev.Actor != "user:ana" || ev.Source != "consortia/test" ||
		ev.ID != a.EventID || ev.Time.IsZero() || ev.Header.Get(eventlog.HeaderSpecVersion) != "1.0" {
		t.Fatalf("headers not carried: %+v", ev)
	}
}

// memoryModel is a minimal idempotent read model: the ordered list of values.
// With buffered set it keeps applied values aside until Flush (a persistent
// store writing once per batch).
type memoryModel struct {
	mu       sync.Mutex
	seq      uint64
	values   []string
	applied  int // Apply calls that changed the model
	buffered bool
	pending  []string
	pendSeq  uint64
	flushes  int
}

func (m *memoryModel) Apply(_ context.Context, ev eventlog.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev.Sequence <= max(m.seq, m.pendSeq) {
		return nil
	}
	v := ev.Data.(*wrapperspb.StringValue).GetValue()
	m.applied++
	if m.buffered {
		m.pending, m.pendSeq = append(m.pending, v), ev.Sequence
		return nil
	}
	m.values = append(m.values, v)
	m.seq = ev.Sequence
	return nil
}

func (m *memoryModel) Checkpoint(context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq, nil
}

func (m *memoryModel) snapshot() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.values...)
}

// bufferedModel implements eventlog.Flusher.
type bufferedModel struct{ memoryModel }

func (m *bufferedModel) Flush(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.flushes++
	m.values = append(m.values, m.pending...)
	if m.pendSeq > m.seq {
		m.seq = m.pendSeq
	}
	m.pending = nil
	return nil
}

// runProjection runs p on the TEST stream until the returned stop is called
// (or the test ends).
func runProjection(t *testing.T, js jetstream.JetStream, p eventlog.Projection) (*eventlog.Runner, func()) {
	t.Helper()
	p.Stream = "TEST"
	if p.RetryDelay == 0 {
		p.RetryDelay = 10 * time.Millisecond
	}
	r := eventlog.NewRunner(js, p)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return r, stop
}

func appendValues(t *testing.T, l *eventlog.Log, from, to int) (last uint64) {
	t.Helper()
	for i := from; i < to; i++ {
		a, err := l.Append(t.Context(), eventlog.Draft{Subject: "test.agg." + strconv.Itoa(i%5), Event: wrapperspb.String("v" + strconv.Itoa(i)), ExpectedVersion: eventlog.AnyVersion})
		if err != nil {
			t.Fatal(err)
		}
		last = a.Sequence
	}
	return last
}

// appendConcurrently appends n events from 8 writers (the server batches
// their fsyncs) and returns the last sequence.
func appendConcurrently(t *testing.T, l *eventlog.Log, n int) uint64 {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var last uint64
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				a, err := l.Append(t.Context(), eventlog.Draft{Subject: "test.agg." + strconv.Itoa(w), Event: wrapperspb.String("v" + strconv.Itoa(i)), ExpectedVersion: eventlog.AnyVersion})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				last = max(last, a.Sequence)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return last
}

func consumerNames(t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	s, err := js.Stream(t.Context(), "TEST")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	l := s.ConsumerNames(t.Context())
	for n := range l.Name() {
		names = append(names, n)
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// A memory read model rebuilds from an ordered consumer: nothing named after
// the projection (or the instance) exists on the server, during or after.
func TestMemoryProjectionLeavesNoConsumerBehind(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	last := appendValues(t, l, 0, 100)
	for restart := range 3 {
		m := &memoryModel{}
		r, stop := runProjection(t, srv.JS, eventlog.Projection{Name: "tender-readmodel-pod-7", Handler: m})
		<-r.Ready()
		if err := r.WaitFor(t.Context(), last); err != nil {
			t.Fatal(err)
		}
		for _, n := range consumerNames(t, srv.JS) {
			if strings.Contains(n, "readmodel") || strings.Contains(n, "pod-7") {
				t.Fatalf("restart %d: consumer %q is named after the projection", restart, n)
			}
		}
		stop()
		if names := consumerNames(t, srv.JS); len(names) != 0 {
			t.Fatalf("restart %d: consumers left behind: %v", restart, names)
		}
		if got := len(m.snapshot()); got != 100 {
			t.Fatalf("restart %d: rebuilt %d of 100 events", restart, got)
		}
	}
}

// A persistent read model keeps a durable consumer (with an inactive
// threshold) and, restarted, applies only what was appended since it stopped.
func TestDurableProjectionResumesFromItsCheckpoint(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	last := appendValues(t, l, 0, 300)
	m := &memoryModel{}
	p := eventlog.Projection{Name: "tender-readmodel-pod-1", Handler: m, Durable: true, InactiveThreshold: time.Hour}
	r, stop := runProjection(t, srv.JS, p)
	if err := r.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	stop()
	cons, err := srv.JS.Consumer(t.Context(), "TEST", p.Name)
	if err != nil {
		t.Fatalf("durable consumer: %v", err)
	}
	info := cons.CachedInfo()
	if info.Config.InactiveThreshold != time.Hour || info.Config.AckPolicy != jetstream.AckAllPolicy {
		t.Fatalf("consumer config %+v", info.Config)
	}
	created := info.Created

	last = appendValues(t, l, 300, 340)
	m.mu.Lock()
	m.applied = 0
	m.mu.Unlock()
	r, stop = runProjection(t, srv.JS, p)
	<-r.Ready()
	if err := r.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	stop()
	if m.applied != 40 || len(m.snapshot()) != 340 {
		t.Fatalf("after restart applied %d events (model holds %d), want the 40 appended since", m.applied, len(m.snapshot()))
	}
	cons, err = srv.JS.Consumer(t.Context(), "TEST", p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !cons.CachedInfo().Created.Equal(created) {
		t.Fatalf("the durable consumer was recreated although it agreed with the checkpoint")
	}

	// A store that lost its last writes (restored from a backup): the
	// consumer is ahead of the checkpoint, so it is recreated there and the
	// lost events are applied again.
	m.mu.Lock()
	m.seq, m.values, m.applied = 200, m.values[:200], 0
	m.mu.Unlock()
	r, _ = runProjection(t, srv.JS, p)
	if err := r.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	if got := m.snapshot(); len(got) != 340 || got[339] != "v339" || m.applied != 140 {
		t.Fatalf("after the store went back: %d values, %d applied", len(got), m.applied)
	}
}

// A handler that buffers is flushed per batch, not per event, and WaitFor
// releases a write only once its batch is flushed.
func TestBatchesAreFlushedBeforeWaitForReturns(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	last := appendConcurrently(t, l, 1000)
	m := &bufferedModel{memoryModel{buffered: true}}
	r, _ := runProjection(t, srv.JS, eventlog.Projection{Name: "buffered", Handler: m, Durable: true})
	if err := r.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	if got := len(m.snapshot()); got != 1000 {
		t.Fatalf("WaitFor returned with %d of 1000 values flushed", got)
	}
	m.mu.Lock()
	flushes := m.flushes
	m.mu.Unlock()
	if flushes >= 1000 || flushes == 0 {
		t.Fatalf("%d flushes for 1000 events, want batches", flushes)
	}
	t.Logf("1000 events in %d batches", flushes)
	// Read-your-writes one at a time still works.
	for i := range 5 {
		a, err := l.Append(t.Context(), eventlog.Draft{Subject: "test.agg.ryw", Event: wrapperspb.String("w" + strconv.Itoa(i)), ExpectedVersion: eventlog.AnyVersion})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.WaitFor(t.Context(), a.Sequence); err != nil {
			t.Fatal(err)
		}
		if got := m.snapshot(); got[len(got)-1] != "w"+strconv.Itoa(i) {
			t.Fatalf("WaitFor(%d) returned before the write was visible", a.Sequence)
		}
	}
}

// Open creates the PARKED stream with the service stream's replicas.
func TestOpenCreatesParkedStreamWithTheStreamReplicas(t *testing.T) {
	srv := natstest.Start(t)
	openLog(t, srv.JS)
	s, err := srv.JS.Stream(t.Context(), eventlog.ParkedStream)
	if err != nil {
		t.Fatalf("PARKED stream after Open: %v", err)
	}
	if r := s.CachedInfo().Config.Replicas; r != 1 {
		t.Fatalf("PARKED replicas %d, want the stream's 1", r)
	}
}

func TestTraceContextCrossesNATS(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	tp := sdktrace.NewTracerProvider()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()
	a, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.t", Event: wrapperspb.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := l.Get(context.Background(), a.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	got := otel.GetTextMapPropagator().Extract(context.Background(), propagation.HeaderCarrier(ev.Header))
	if tid := oteltrace.SpanContextFromContext(got).TraceID(); tid != span.SpanContext().TraceID() {
		t.Fatalf("event carries trace %s, want %s", tid, span.SpanContext().TraceID())
	}
}

// catchUpModel implements eventlog.CatchUpper: it records how many values it
// held at each CaughtUp call.
type catchUpModel struct {
	memoryModel
	calls []int
}

func (m *catchUpModel) CaughtUp(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, len(m.values))
	return nil
}

// TestCaughtUpOnceBeforeReady: the runner calls CaughtUp once, with every event
// present at start applied, before Ready closes; not again for later events,
// which WaitFor still waits for. An empty stream is caught up at once.
func TestCaughtUpOnceBeforeReady(t *testing.T) {
	for _, tc := range []struct {
		name    string
		initial int
		durable bool
	}{{"memory, 300 events", 300, false}, {"durable, 300 events", 300, true}, {"empty stream", 0, false}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := natstest.Start(t)
			l := openLog(t, srv.JS)
			appendValues(t, l, 0, tc.initial)
			m := &catchUpModel{}
			r, _ := runProjection(t, srv.JS, eventlog.Projection{Name: "catchup", Handler: m, Durable: tc.durable})
			select {
			case <-r.Ready():
			case <-t.Context().Done():
				t.Fatal("never ready")
			}
			m.mu.Lock()
			calls := slices.Clone(m.calls)
			m.mu.Unlock()
			if !slices.Equal(calls, []int{tc.initial}) {
				t.Fatalf("CaughtUp calls at Ready (values held at each): %v, want [%d]", calls, tc.initial)
			}
			last := appendValues(t, l, tc.initial, tc.initial+20)
			if err := r.WaitFor(t.Context(), last); err != nil {
				t.Fatal(err)
			}
			m.mu.Lock()
			calls = slices.Clone(m.calls)
			m.mu.Unlock()
			if len(calls) != 1 || len(m.snapshot()) != tc.initial+20 {
				t.Fatalf("after 20 more events: CaughtUp calls %v, %d values", calls, len(m.snapshot()))
			}
		})
	}
}

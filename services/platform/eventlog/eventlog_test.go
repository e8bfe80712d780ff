package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
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

func TestConcurrentAppendsAtSameVersion(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	first, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.1", Event: wrapperspb.String("created"), ExpectedVersion: 0})
	if err != nil {
		t.Fatal(err)
	}

	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	start := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = l.Append(ctx, eventlog.Draft{
				Subject:         "test.agg.1",
				Event:           wrapperspb.String("update " + strconv.Itoa(i)),
				ExpectedVersion: int64(first.Sequence),
			})
		}()
	}
	close(start)
	wg.Wait()

	wins, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, domainerr.ErrConflict):
			conflicts++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 || conflicts != writers-1 {
		t.Fatalf("wins=%d conflicts=%d, want 1 and %d", wins, conflicts, writers-1)
	}
	var got []string
	version, err := l.Load(ctx, "test.agg.1", func(e eventlog.Event) error {
		got = append(got, e.Data.(*wrapperspb.StringValue).GetValue())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "created" {
		t.Fatalf("events = %v, want created + one update", got)
	}
	if version <= first.Sequence {
		t.Fatalf("version %d not past %d", version, first.Sequence)
	}
}

func TestCreateTwiceAtVersionZeroConflicts(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	if _, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.x", Event: wrapperspb.String("a")}); err != nil {
		t.Fatal(err)
	}
	_, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.x", Event: wrapperspb.String("b")})
	if !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("second create: err = %v, want conflict", err)
	}
}

func TestIdempotencyKeyYieldsOneEvent(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	id := eventlog.MsgID("key-123", "TestCreated")
	// A create retried with the same key: the retry picks a new aggregate id
	// (subject), so it is the Msg-Id that must catch it.
	a, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.a", Event: wrapperspb.String("x"), MsgID: id})
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.b", Event: wrapperspb.String("x"), MsgID: id})
	if err != nil {
		t.Fatal(err)
	}
	if a.Duplicate || !b.Duplicate || a.Sequence != b.Sequence {
		t.Fatalf("first=%+v second=%+v: want second flagged duplicate of first", a, b)
	}
	info, err := srv.JS.Stream(ctx, "TEST")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := info.Info(ctx)
	if st.State.Msgs != 1 {
		t.Fatalf("stream holds %d events, want 1", st.State.Msgs)
	}
	ev, err := l.Get(ctx, b.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Subject != "test.agg.a" {
		t.Fatalf("duplicate points at %q, want test.agg.a", ev.Subject)
	}
	// A different key is a different command and is not dropped.
	c, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.c", Event: wrapperspb.String("x"), MsgID: eventlog.MsgID("key-124", "TestCreated")})
	if err != nil || c.Duplicate {
		t.Fatalf("other key: %+v, %v", c, err)
	}
}

// A create retried on the same subject with the same key fails JetStream's
// expected-sequence check before its deduplication; Append still reports it as
// the duplicate of the stored event, and a different key stays a conflict.
func TestRetriedCreateOnTheSameSubjectIsADuplicate(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	id := eventlog.MsgID("register-acme", "Registered")
	first, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.acme", Event: wrapperspb.String("x"), MsgID: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.acme", Event: wrapperspb.String("y"), ExpectedVersion: int64(first.Sequence)}); err != nil {
		t.Fatal(err)
	}
	again, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.acme", Event: wrapperspb.String("x"), MsgID: id})
	if err != nil || !again.Duplicate || again.Sequence != first.Sequence {
		t.Fatalf("retry = %+v, %v; want a duplicate of sequence %d", again, err, first.Sequence)
	}
	_, err = l.Append(ctx, eventlog.Draft{Subject: "test.agg.acme", Event: wrapperspb.String("x"), MsgID: eventlog.MsgID("other", "Registered")})
	if !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("another key: err = %v, want conflict", err)
	}
	_, marked, err := l.LoadMarked(ctx, "test.agg.acme", id, func(eventlog.Event) error { return nil })
	if err != nil || marked != first.Sequence {
		t.Fatalf("LoadMarked = %d, %v; want %d", marked, err, first.Sequence)
	}
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
type memoryModel struct {
	mu     sync.Mutex
	seq    uint64
	values []string
	// poison makes Apply fail permanently for this value.
	poison string
}

func (m *memoryModel) Apply(_ context.Context, ev eventlog.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev.Sequence <= m.seq {
		return nil
	}
	v := ev.Data.(*wrapperspb.StringValue).GetValue()
	if m.poison != "" && v == m.poison {
		return eventlog.Permanent(fmt.Errorf("value %q is poison", v))
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

func runProjection(t *testing.T, ctx context.Context, js jetstream.JetStream, name string, h eventlog.Handler) (*eventlog.Runner, func()) {
	t.Helper()
	r := eventlog.NewRunner(js, eventlog.Projection{Name: name, Stream: "TEST", Handler: h, RetryDelay: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return r, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
}

func TestProjectionRestartedMidStreamMatchesUninterrupted(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	const n = 300
	var last uint64
	for i := range n {
		a, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg." + strconv.Itoa(i%7), Event: wrapperspb.String("v" + strconv.Itoa(i)), ExpectedVersion: eventlog.AnyVersion})
		if err != nil {
			t.Fatal(err)
		}
		last = a.Sequence
	}

	steady := &memoryModel{}
	r1, stop1 := runProjection(t, ctx, srv.JS, "steady", steady)
	if err := waitCtx(r1, last); err != nil {
		t.Fatal(err)
	}
	stop1()

	interrupted := &memoryModel{}
	r2, stop2 := runProjection(t, ctx, srv.JS, "interrupted", interrupted)
	if err := waitCtx(r2, n/3); err != nil {
		t.Fatal(err)
	}
	stop2()
	mid := len(interrupted.snapshot())
	if mid == 0 || mid == n {
		t.Logf("stopped at %d of %d events", mid, n)
	}
	// More events arrive while it is down.
	for i := n; i < n+50; i++ {
		a, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.9", Event: wrapperspb.String("v" + strconv.Itoa(i)), ExpectedVersion: eventlog.AnyVersion})
		if err != nil {
			t.Fatal(err)
		}
		last = a.Sequence
	}
	r3, stop3 := runProjection(t, ctx, srv.JS, "interrupted", interrupted)
	defer stop3()
	if err := waitCtx(r3, last); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r3.Ready():
	case <-t.Context().Done():
		t.Fatal("restarted projection never became ready")
	}

	r4, stop4 := runProjection(t, ctx, srv.JS, "steady", steady)
	defer stop4()
	if err := waitCtx(r4, last); err != nil {
		t.Fatal(err)
	}
	got, want := interrupted.snapshot(), steady.snapshot()
	if len(want) != n+50 {
		t.Fatalf("steady projection has %d values, want %d", len(want), n+50)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("restarted projection differs:\n got %d values\nwant %d values", len(got), len(want))
	}
}

func TestPoisonEventIsParkedAndLaterEventsApply(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	for _, v := range []string{"a", "bad", "b"} {
		if _, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.p", Event: wrapperspb.String(v), ExpectedVersion: eventlog.AnyVersion}); err != nil {
			t.Fatal(err)
		}
	}
	// An undecodable event (unknown type) is poison too.
	m := nats.NewMsg("test.agg.p")
	m.Header.Set(eventlog.HeaderType, "consortia.unknown.v1.Nope")
	m.Data = []byte{0xff}
	if _, err := srv.JS.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	a, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg.p", Event: wrapperspb.String("c"), ExpectedVersion: eventlog.AnyVersion})
	if err != nil {
		t.Fatal(err)
	}

	model := &memoryModel{poison: "bad"}
	r, stop := runProjection(t, ctx, srv.JS, "poisoned", model)
	defer stop()
	if err := waitCtx(r, a.Sequence); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(model.snapshot()); got != "[a b c]" {
		t.Fatalf("applied %s, want [a b c]", got)
	}
	parked, err := srv.JS.Stream(ctx, eventlog.ParkedStream)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for seq := uint64(1); seq <= 2; seq++ {
		pm, err := parked.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("parked event %d: %v", seq, err)
		}
		reasons = append(reasons, pm.Header.Get(eventlog.HeaderParkedReason))
		if pm.Header.Get(eventlog.HeaderParkedSubject) != "test.agg.p" {
			t.Fatalf("parked subject = %q", pm.Header.Get(eventlog.HeaderParkedSubject))
		}
	}
	if want := `value "bad" is poison`; reasons[0] != want {
		t.Fatalf("first parked reason %q, want %q", reasons[0], want)
	}
	if reasons[1] == "" {
		t.Fatal("undecodable event parked without a reason")
	}
}

func TestLoadReplaysOneAggregateInOrder(t *testing.T) {
	srv := natstest.Start(t)
	l := openLog(t, srv.JS)
	ctx := context.Background()
	var version int64
	for i := range 5 {
		for _, agg := range []string{"x", "y"} {
			exp := eventlog.AnyVersion
			if agg == "x" {
				exp = version
			}
			a, err := l.Append(ctx, eventlog.Draft{Subject: "test.agg." + agg, Event: wrapperspb.String(agg + strconv.Itoa(i)), ExpectedVersion: exp})
			if err != nil {
				t.Fatal(err)
			}
			if agg == "x" {
				version = int64(a.Sequence)
			}
		}
	}
	var got []string
	v, err := l.Load(ctx, "test.agg.x", func(e eventlog.Event) error {
		got = append(got, e.Data.(*wrapperspb.StringValue).GetValue())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[x0 x1 x2 x3 x4]" || int64(v) != version {
		t.Fatalf("load = %v @%d, want [x0..x4] @%d", got, v, version)
	}
	v, err = l.Load(ctx, "test.agg.none", func(eventlog.Event) error { return errors.New("must not be called") })
	if err != nil || v != 0 {
		t.Fatalf("empty aggregate: %d, %v", v, err)
	}
}

// waitCtx waits without a wall clock of its own: the test's timeout bounds it.
func waitCtx(r *eventlog.Runner, seq uint64) error {
	return r.WaitFor(context.Background(), seq)
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

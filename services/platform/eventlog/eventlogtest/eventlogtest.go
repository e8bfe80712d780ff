// Package eventlogtest is the contract of the event log as a port: a suite
// any implementation of eventlog.Store (with its projection runner) must
// pass, in the style of watermill's pub/sub tests. eventlog's own tests run it
// against the embedded nats-server.
package eventlogtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Runner is a projection runner (eventlog.Runner).
type Runner interface {
	Run(ctx context.Context) error
	Ready() <-chan struct{}
	Done() uint64
	WaitFor(ctx context.Context, seq uint64) error
}

// Target is one implementation under test, on a fresh, empty stream.
type Target struct {
	// Log is the store under test. Its subjects are Prefix + anything.
	Log eventlog.Store
	// Prefix of the subjects the stream holds, e.g. "test.".
	Prefix string
	// Reopen returns another instance on the same stream, sharing no state
	// with Log: another process.
	Reopen func() eventlog.Store
	// Project returns a runner of p on the stream (p.Stream is filled in).
	Project func(p eventlog.Projection) Runner
	// Inject stores a message bypassing Append, with the given type header and
	// payload: a poison event written by an older or broken version.
	Inject func(ctx context.Context, subject, eventType string, data []byte) (uint64, error)
	// Parked lists what the projection named parked.
	Parked func(ctx context.Context, projection string) ([]eventlog.Parked, error)
	// Skip is the operator's repair of a poison event.
	Skip func(ctx context.Context, subject string, seq uint64, reason string) error
}

// Run runs the contract suite; newTarget makes a fresh target per test.
func Run(t *testing.T, newTarget func(t *testing.T) Target) {
	tests := []struct {
		name string
		fn   func(*testing.T, Target)
	}{
		{"OptimisticConcurrency", testOptimisticConcurrency},
		{"OptimisticConcurrencyAcrossInstances", testConcurrencyAcrossInstances},
		{"IdempotencyKeyYieldsOneEvent", testIdempotencyKey},
		{"IdempotencyKeyReusedForAnotherRequest", testIdempotencyKeyReused},
		{"LoadByAggregate", testLoadByAggregate},
		{"SubjectsAreGuarded", testSubjectGuard},
		{"CacheEqualsFullReplay", testCacheEqualsFullReplay},
		{"FoldedStateEqualsFullReplay", testFoldedState},
		{"PoisonEventOnTheWritePath", testPoisonOnWritePath},
		{"ProjectionRestartEqualsUninterrupted", func(t *testing.T, tg Target) { testRestart(t, tg, false) }},
		{"DurableProjectionRestartEqualsUninterrupted", func(t *testing.T, tg Target) { testRestart(t, tg, true) }},
		{"ProjectionParksPoisonAndMovesOn", testPoisonParking},
		{"ProjectionRetriesInOrder", testRetryKeepsOrder},
		{"ProjectionReadyAfterWhatWasThere", testReady},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newTarget(t)) })
	}
}

func str(v string) *wrapperspb.StringValue { return wrapperspb.String(v) }

func value(e eventlog.Event) string { return e.Data.(*wrapperspb.StringValue).GetValue() }

// values loads subject as the list of its values.
func values(t *testing.T, l eventlog.Store, subject string) ([]string, uint64) {
	t.Helper()
	var got []string
	v, err := l.Load(t.Context(), subject, func(e eventlog.Event) error {
		got = append(got, value(e))
		return nil
	})
	if err != nil {
		t.Fatalf("load %s: %v", subject, err)
	}
	return got, v
}

func mustAppend(t *testing.T, l eventlog.Store, d eventlog.Draft) eventlog.Appended {
	t.Helper()
	a, err := l.Append(t.Context(), d)
	if err != nil {
		t.Fatalf("append %s: %v", d.Subject, err)
	}
	return a
}

func testOptimisticConcurrency(t *testing.T, tg Target) {
	subject := tg.Prefix + "agg.1"
	first := mustAppend(t, tg.Log, eventlog.Draft{Subject: subject, Event: str("created")})
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			<-start
			_, errs[i] = tg.Log.Append(t.Context(), eventlog.Draft{Subject: subject, Event: str("update " + strconv.Itoa(i)), ExpectedVersion: int64(first.Sequence)})
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, domainerr.ErrConflict):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d appends at the same version won, want exactly 1", wins, writers)
	}
	if got, _ := values(t, tg.Log, subject); len(got) != 2 || got[0] != "created" {
		t.Fatalf("events = %v, want created and one update", got)
	}
	// A create on an existing aggregate conflicts too.
	if _, err := tg.Log.Append(t.Context(), eventlog.Draft{Subject: subject, Event: str("again")}); !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("second create: %v, want a conflict", err)
	}
}

// Two processes (with their own caches) deciding on the same version: one wins.
func testConcurrencyAcrossInstances(t *testing.T, tg Target) {
	other := tg.Reopen()
	subject := tg.Prefix + "agg.shared"
	mustAppend(t, tg.Log, eventlog.Draft{Subject: subject, Event: str("0")})
	for round := range 20 {
		_, va := values(t, tg.Log, subject)
		_, vb := values(t, other, subject)
		if va != vb {
			t.Fatalf("round %d: instances load versions %d and %d", round, va, vb)
		}
		var wg sync.WaitGroup
		var errA, errB error
		wg.Go(func() {
			_, errA = tg.Log.Append(t.Context(), eventlog.Draft{Subject: subject, Event: str("a" + strconv.Itoa(round)), ExpectedVersion: int64(va)})
		})
		wg.Go(func() {
			_, errB = other.Append(t.Context(), eventlog.Draft{Subject: subject, Event: str("b" + strconv.Itoa(round)), ExpectedVersion: int64(vb)})
		})
		wg.Wait()
		if (errA == nil) == (errB == nil) {
			t.Fatalf("round %d: errors %v and %v, want exactly one winner", round, errA, errB)
		}
		for _, err := range []error{errA, errB} {
			if err != nil && !errors.Is(err, eventlog.ErrConflict) {
				t.Fatalf("round %d: loser got %v, want a conflict", round, err)
			}
		}
	}
	a, _ := values(t, tg.Log, subject)
	b, _ := values(t, other, subject)
	if len(a) != 21 || !slices.Equal(a, b) {
		t.Fatalf("instances disagree or lost events:\n%v\n%v", a, b)
	}
}

func testIdempotencyKey(t *testing.T, tg Target) {
	ctx := t.Context()
	id := eventlog.MsgID("key-123", "Created")
	// A create retried with the same key picks a new aggregate id: the
	// message id must catch it.
	a := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.a", Event: str("x"), MsgID: id, Fingerprint: "f1"})
	b := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.b", Event: str("x"), MsgID: id, Fingerprint: "f1"})
	if a.Duplicate || !b.Duplicate || a.Sequence != b.Sequence {
		t.Fatalf("first %+v, second %+v: want the second a duplicate of the first", a, b)
	}
	if ev, err := tg.Log.Get(ctx, b.Sequence); err != nil || ev.Subject != tg.Prefix+"agg.a" {
		t.Fatalf("duplicate points at %v (%v), want agg.a", ev.Subject, err)
	}
	if got, v := values(t, tg.Log, tg.Prefix+"agg.b"); len(got) != 0 || v != 0 {
		t.Fatalf("agg.b = %v @%d, want nothing", got, v)
	}
	// Retried on the same subject (fails the expected-version check first):
	// still the duplicate, and LoadMarked finds it.
	mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.a", Event: str("y"), ExpectedVersion: int64(a.Sequence)})
	again := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.a", Event: str("x"), MsgID: id, Fingerprint: "f1"})
	if !again.Duplicate || again.Sequence != a.Sequence {
		t.Fatalf("retry = %+v, want a duplicate of %d", again, a.Sequence)
	}
	_, marked, err := tg.Log.LoadMarked(ctx, tg.Prefix+"agg.a", id, func(eventlog.Event) error { return nil })
	if err != nil || marked != a.Sequence {
		t.Fatalf("LoadMarked = %d, %v; want %d", marked, err, a.Sequence)
	}
	// Another key is another command: not dropped (here it conflicts).
	c := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.c", Event: str("x"), MsgID: eventlog.MsgID("key-124", "Created")})
	if c.Duplicate {
		t.Fatalf("another key came back as a duplicate: %+v", c)
	}
	if _, err := tg.Log.Append(ctx, eventlog.Draft{Subject: tg.Prefix + "agg.a", Event: str("x"), MsgID: eventlog.MsgID("other", "Created")}); !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("another key on an existing aggregate: %v, want a conflict", err)
	}
	// Another instance sees the same.
	if _, marked, err := tg.Reopen().LoadMarked(ctx, tg.Prefix+"agg.a", id, func(eventlog.Event) error { return nil }); err != nil || marked != a.Sequence {
		t.Fatalf("other instance: LoadMarked = %d, %v", marked, err)
	}
}

func testIdempotencyKeyReused(t *testing.T, tg Target) {
	ctx := t.Context()
	id := eventlog.MsgID("k", "Created")
	a := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.first", Event: str("x"), MsgID: id, Fingerprint: "company accepts"})
	wantReused := func(what string, err error) {
		t.Helper()
		var pre *domainerr.PreconditionError
		if !errors.Is(err, eventlog.ErrIdempotencyKeyReused) || !errors.As(err, &pre) || pre.Violations[0].Type != "idempotency_key_reused" {
			t.Fatalf("%s: err = %v, want ErrIdempotencyKeyReused as a precondition", what, err)
		}
	}
	// JetStream's duplicate acknowledgement (another subject).
	_, err := tg.Log.Append(ctx, eventlog.Draft{Subject: tg.Prefix + "agg.second", Event: str("x"), MsgID: id, Fingerprint: "manager dissolves"})
	wantReused("duplicate on another subject", err)
	// The expected-version path (the same subject).
	_, err = tg.Log.Append(ctx, eventlog.Draft{Subject: tg.Prefix + "agg.first", Event: str("x"), MsgID: id, Fingerprint: "manager dissolves"})
	wantReused("duplicate on the same subject", err)
	// The load path a command takes before deciding.
	_, _, err = tg.Log.LoadMark(ctx, tg.Prefix+"agg.first", eventlog.Mark{MsgID: id, Fingerprint: "manager dissolves"}, func(eventlog.Event) error { return nil })
	wantReused("LoadMark", err)
	_, _, err = tg.Reopen().LoadMark(ctx, tg.Prefix+"agg.first", eventlog.Mark{MsgID: id, Fingerprint: "manager dissolves"}, func(eventlog.Event) error { return nil })
	wantReused("LoadMark on another instance", err)
	// The same request again is a retry, answered as the first time.
	_, marked, err := tg.Log.LoadMark(ctx, tg.Prefix+"agg.first", eventlog.Mark{MsgID: id, Fingerprint: "company accepts"}, func(eventlog.Event) error { return nil })
	if err != nil || marked != a.Sequence {
		t.Fatalf("same request: marked %d, %v; want %d", marked, err, a.Sequence)
	}
	if got, _ := values(t, tg.Log, tg.Prefix+"agg.first"); len(got) != 1 {
		t.Fatalf("agg.first = %v, want the one event", got)
	}
	if got, _ := values(t, tg.Log, tg.Prefix+"agg.second"); len(got) != 0 {
		t.Fatalf("agg.second = %v, want nothing", got)
	}
}

func testLoadByAggregate(t *testing.T, tg Target) {
	var version uint64
	for i := range 5 {
		for _, agg := range []string{"x", "y"} {
			exp := eventlog.AnyVersion
			if agg == "x" {
				exp = int64(version)
			}
			a := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg." + agg, Event: str(agg + strconv.Itoa(i)), ExpectedVersion: exp})
			if agg == "x" {
				version = a.Sequence
			}
		}
	}
	got, v := values(t, tg.Log, tg.Prefix+"agg.x")
	if fmt.Sprint(got) != "[x0 x1 x2 x3 x4]" || v != version {
		t.Fatalf("load = %v @%d, want [x0 .. x4] @%d", got, v, version)
	}
	h, err := tg.Log.History(t.Context(), tg.Prefix+"agg.y")
	if err != nil || len(h) != 5 || value(h[4]) != "y4" || h[4].Subject != tg.Prefix+"agg.y" {
		t.Fatalf("history = %v, %v", h, err)
	}
	v, err = tg.Log.Load(t.Context(), tg.Prefix+"agg.none", func(eventlog.Event) error { return errors.New("must not be called") })
	if err != nil || v != 0 {
		t.Fatalf("empty aggregate: %d, %v", v, err)
	}
}

func testSubjectGuard(t *testing.T, tg Target) {
	ctx := t.Context()
	before := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.ok", Event: str("x")})
	for _, bad := range []string{
		"", tg.Prefix + "agg.*", tg.Prefix + "agg.>", tg.Prefix + "*.x", tg.Prefix + "agg.a b", tg.Prefix + "agg.a\tb",
		tg.Prefix + "agg.a\nb", tg.Prefix + "agg..x", tg.Prefix + "agg.x.", "." + tg.Prefix + "agg.x", tg.Prefix + "agg. ",
	} {
		var inv *domainerr.InvalidError
		if _, err := tg.Log.Append(ctx, eventlog.Draft{Subject: bad, Event: str("x"), ExpectedVersion: eventlog.AnyVersion}); !errors.As(err, &inv) {
			t.Errorf("Append(%q) = %v, want InvalidArgument", bad, err)
		}
		if _, err := tg.Log.Load(ctx, bad, func(eventlog.Event) error { return nil }); !errors.As(err, &inv) {
			t.Errorf("Load(%q) = %v, want InvalidArgument", bad, err)
		}
		if _, _, err := tg.Log.LoadMarked(ctx, bad, "m", func(eventlog.Event) error { return nil }); !errors.As(err, &inv) {
			t.Errorf("LoadMarked(%q) = %v, want InvalidArgument", bad, err)
		}
	}
	// Nothing was stored by the refused appends.
	after := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.ok2", Event: str("x")})
	if after.Sequence != before.Sequence+1 {
		t.Fatalf("refused appends stored something: sequence %d after %d", after.Sequence, before.Sequence)
	}
}

// The cache is only an optimisation: for random histories written by two
// instances at once, what each instance loads (from its cache plus the tail)
// equals a full replay by a fresh instance.
func testCacheEqualsFullReplay(t *testing.T, tg Target) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	writers := []eventlog.Store{tg.Log, tg.Reopen()}
	subjects := []string{tg.Prefix + "agg.p0", tg.Prefix + "agg.p1", tg.Prefix + "agg.p2"}
	type op struct {
		writer  int
		subject string
		n       int
	}
	for round := range 12 {
		// A burst of concurrent commands: load, decide on the version, append;
		// on a conflict load again (from the cache) and retry.
		ops := make([]op, 2+rng.IntN(6))
		for i := range ops {
			ops[i] = op{rng.IntN(2), subjects[rng.IntN(len(subjects))], 1 + rng.IntN(4)}
		}
		var wg sync.WaitGroup
		for i, o := range ops {
			wg.Go(func() {
				w := writers[o.writer]
				for k := 0; k < o.n; {
					var n int
					v, err := w.Load(t.Context(), o.subject, func(eventlog.Event) error { n++; return nil })
					if err != nil {
						t.Errorf("load: %v", err)
						return
					}
					_, err = w.Append(t.Context(), eventlog.Draft{Subject: o.subject, Event: str(fmt.Sprintf("r%d.o%d.k%d.after%d", round, i, k, n)), ExpectedVersion: int64(v)})
					if errors.Is(err, eventlog.ErrConflict) {
						continue
					}
					if err != nil {
						t.Errorf("append: %v", err)
						return
					}
					k++
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		fresh := tg.Reopen()
		for _, s := range subjects {
			want, wv := values(t, fresh, s)
			for i, w := range writers {
				got, gv := values(t, w, s)
				if gv != wv || !slices.Equal(got, want) {
					t.Fatalf("round %d, instance %d, %s: cached load %v @%d, full replay %v @%d", round, i, s, got, gv, want, wv)
				}
			}
			// Each value records how many events its writer saw: a stale or
			// shuffled cache would have let a write through on a wrong count.
			for i, v := range want {
				var r, o, k, after int
				if _, err := fmt.Sscanf(v, "r%d.o%d.k%d.after%d", &r, &o, &k, &after); err != nil || after != i {
					t.Fatalf("%s event %d (%q) was decided on %d events", s, i, v, after)
				}
			}
		}
	}
}

// folded is an aggregate with every kind of part a deep copy must follow.
type folded struct {
	Values []string
	Count  map[string]int
	Last   *string
	N      int
}

func (f *folded) apply(e eventlog.Event) error {
	v := value(e)
	f.Values = append(f.Values, v)
	if f.Count == nil {
		f.Count = map[string]int{}
	}
	f.Count[v]++
	f.Last = &v
	f.N++
	return nil
}

func loadFolded(t *testing.T, l eventlog.Store, subject string) (folded, uint64, int) {
	t.Helper()
	var f folded
	applied := 0
	v, _, err := l.LoadInto(t.Context(), subject, eventlog.Mark{}, &f, func(e eventlog.Event) error { applied++; return f.apply(e) })
	if err != nil {
		t.Fatalf("LoadInto %s: %v", subject, err)
	}
	return f, v, applied
}

// LoadInto keeps the folded state: what it returns (cached state plus the
// tail, for histories written by two instances at once) equals a full fold,
// whatever the caller does to the state it was given.
func testFoldedState(t *testing.T, tg Target) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	writers := []eventlog.Store{tg.Log, tg.Reopen()}
	subject := tg.Prefix + "agg.folded"
	for round := range 10 {
		var wg sync.WaitGroup
		for w := range 2 {
			n := rng.IntN(5)
			wg.Go(func() {
				for k := 0; k < n; {
					f, v, _ := loadFolded(t, writers[w], subject)
					_, err := writers[w].Append(t.Context(), eventlog.Draft{Subject: subject, Event: str(fmt.Sprintf("r%d.w%d.after%d", round, w, f.N)), ExpectedVersion: int64(v)})
					if errors.Is(err, eventlog.ErrConflict) {
						continue
					}
					if err != nil {
						t.Errorf("append: %v", err)
						return
					}
					k++
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		want, wv := values(t, tg.Reopen(), subject)
		for i, w := range writers {
			f, v, _ := loadFolded(t, w, subject)
			if v != wv || !slices.Equal(f.Values, want) || f.N != len(want) || (len(want) > 0 && *f.Last != want[len(want)-1]) {
				t.Fatalf("round %d, instance %d: folded %v @%d, full replay %v @%d", round, i, f.Values, v, want, wv)
			}
			// The caller owns what it got: changing it changes nothing cached.
			f.Values = append(f.Values[:0], "scribbled")
			for k := range f.Count {
				f.Count[k] = -1
			}
			if f.Last != nil {
				*f.Last = "scribbled"
			}
			g, _, applied := loadFolded(t, w, subject)
			if !slices.Equal(g.Values, want) || (len(want) > 0 && (*g.Last != want[len(want)-1] || g.Count[want[0]] < 1)) {
				t.Fatalf("round %d, instance %d: the cached state changed with the caller's copy: %v", round, i, g.Values)
			}
			if len(want) > 0 && applied != 0 {
				t.Fatalf("round %d, instance %d: a load with nothing new applied %d events", round, i, applied)
			}
		}
		for i, v := range want {
			var r, w, after int
			if _, err := fmt.Sscanf(v, "r%d.w%d.after%d", &r, &w, &after); err != nil || after != i {
				t.Fatalf("event %d (%q) was decided on %d events", i, v, after)
			}
		}
	}
	// One more event: the next load applies just that one.
	_, v, _ := loadFolded(t, tg.Log, subject)
	mustAppend(t, tg.Log, eventlog.Draft{Subject: subject, Event: str("tail"), ExpectedVersion: int64(v)})
	if f, _, applied := loadFolded(t, tg.Log, subject); applied != 1 || *f.Last != "tail" {
		t.Fatalf("after one append the load applied %d events (last %q), want 1", applied, *f.Last)
	}
}

func testPoisonOnWritePath(t *testing.T, tg Target) {
	ctx := t.Context()
	subject := tg.Prefix + "agg.poisoned"
	mustAppend(t, tg.Log, eventlog.Draft{Subject: subject, Event: str("a")})
	bad, err := tg.Inject(ctx, subject, "consortia.unknown.v1.Nope", []byte{0xff})
	if err != nil {
		t.Fatal(err)
	}
	wantPoison := func(l eventlog.Store, seq uint64) {
		t.Helper()
		_, err := l.Load(ctx, subject, func(eventlog.Event) error { return nil })
		var pe *eventlog.PoisonError
		var pre *domainerr.PreconditionError
		if !errors.As(err, &pe) || pe.Sequence != seq || pe.Subject != subject || !errors.Is(err, eventlog.ErrPoisonEvent) ||
			!errors.As(err, &pre) || pre.Violations[0].Type != "poison_event" || pre.Violations[0].Subject != subject {
			t.Fatalf("load = %v, want a poison-event precondition naming %s and %d", err, subject, seq)
		}
	}
	wantPoison(tg.Log, bad)
	wantPoison(tg.Log, bad) // and again, from the cache
	wantPoison(tg.Reopen(), bad)
	// An event the caller's fold refuses is poison too.
	refused := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.refused", Event: str("not foldable")})
	_, err = tg.Log.Load(ctx, tg.Prefix+"agg.refused", func(e eventlog.Event) error { return errors.New("unexpected " + value(e)) })
	var pe *eventlog.PoisonError
	if !errors.As(err, &pe) || pe.Sequence != refused.Sequence {
		t.Fatalf("refused fold: %v, want a PoisonError at %d", err, refused.Sequence)
	}

	// The operator's repair: skip it; the aggregate loads and takes commands.
	if err := tg.Skip(ctx, subject, bad, "written by a broken release"); err != nil {
		t.Fatal(err)
	}
	if err := tg.Skip(ctx, subject, bad, "again"); err != nil {
		t.Fatalf("skipping twice: %v", err)
	}
	h, err := tg.Log.History(ctx, subject)
	if err != nil || len(h) != 1 || value(h[0]) != "a" {
		t.Fatalf("after skip: %v, %v", h, err)
	}
	// A command decides on the version of the last event it folded (as an
	// aggregate records it), not on the marker's sequence: that still holds.
	other := tg.Reopen()
	if _, err := other.Load(ctx, subject, func(eventlog.Event) error { return nil }); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, other, eventlog.Draft{Subject: subject, Event: str("b"), ExpectedVersion: int64(h[0].Sequence)})
	for _, l := range []eventlog.Store{tg.Log, tg.Reopen()} {
		if got, _ := values(t, l, subject); fmt.Sprint(got) != "[a b]" {
			t.Fatalf("after skip and append: %v", got)
		}
		if h, err := l.History(ctx, subject); err != nil || len(h) != 2 {
			t.Fatalf("history after skip: %v, %v", h, err)
		}
	}
	// Only an event of that subject can be skipped.
	var inv *domainerr.InvalidError
	if err := tg.Skip(ctx, tg.Prefix+"agg.other", bad, "wrong subject"); !errors.As(err, &inv) {
		t.Fatalf("skip on another subject: %v, want InvalidArgument", err)
	}
}

// model is an idempotent memory read model: the ordered values it applied.
type model struct {
	mu     sync.Mutex
	seq    uint64
	values []string
	fail   func(v string) error // nil: never
}

func (m *model) Apply(_ context.Context, ev eventlog.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev.Sequence <= m.seq {
		return nil
	}
	v := value(ev)
	if m.fail != nil {
		if err := m.fail(v); err != nil {
			return err
		}
	}
	m.values = append(m.values, v)
	m.seq = ev.Sequence
	return nil
}

func (m *model) Checkpoint(context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq, nil
}

func (m *model) snapshot() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.values)
}

// start runs r until the test ends or stop is called.
func start(t *testing.T, r Runner) (stop func()) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

func project(tg Target, name string, h eventlog.Handler, durable bool) Runner {
	return tg.Project(eventlog.Projection{Name: name, Handler: h, Durable: durable, RetryDelay: 5 * time.Millisecond, MaxAttempts: 3})
}

func testRestart(t *testing.T, tg Target, durable bool) {
	const n = 600
	var last uint64
	appendN := func(from, to int) {
		for i := from; i < to; i++ {
			last = mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg." + strconv.Itoa(i%7), Event: str("v" + strconv.Itoa(i)), ExpectedVersion: eventlog.AnyVersion}).Sequence
		}
	}
	appendN(0, n)
	steady := &model{}
	rs := project(tg, "steady", steady, durable)
	stopSteady := start(t, rs)
	if err := rs.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}

	// Stopped part-way, more events while it is down, started again.
	interrupted := &model{}
	r1 := project(tg, "interrupted", interrupted, durable)
	stop1 := start(t, r1)
	if err := r1.WaitFor(t.Context(), n/3); err != nil {
		t.Fatal(err)
	}
	stop1()
	appendN(n, n+50)
	r2 := project(tg, "interrupted", interrupted, durable)
	start(t, r2)
	<-r2.Ready()
	if err := r2.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	if err := rs.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	stopSteady()
	got, want := interrupted.snapshot(), steady.snapshot()
	if len(want) != n+50 {
		t.Fatalf("uninterrupted projection has %d values, want %d", len(want), n+50)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("restarted projection differs: %d values vs %d", len(got), len(want))
	}
}

func testPoisonParking(t *testing.T, tg Target) {
	ctx := t.Context()
	for _, v := range []string{"a", "bad", "b"} {
		mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.p", Event: str(v), ExpectedVersion: eventlog.AnyVersion})
	}
	undecodable, err := tg.Inject(ctx, tg.Prefix+"agg.p", "consortia.unknown.v1.Nope", []byte{0xff})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.p", Event: str("flaky"), ExpectedVersion: eventlog.AnyVersion})
	last := mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.p", Event: str("c"), ExpectedVersion: eventlog.AnyVersion}).Sequence

	m := &model{fail: func(v string) error {
		switch v {
		case "bad":
			return eventlog.Permanent(fmt.Errorf("value %q is poison", v))
		case "flaky":
			return errors.New("always failing, not marked permanent") // parked after MaxAttempts
		}
		return nil
	}}
	r := project(tg, "poisoned", m, false)
	start(t, r)
	if err := r.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(m.snapshot()); got != "[a b c]" {
		t.Fatalf("applied %s, want [a b c]", got)
	}
	parked, err := tg.Parked(ctx, "poisoned")
	if err != nil {
		t.Fatal(err)
	}
	if len(parked) != 3 {
		t.Fatalf("parked %+v, want 3 events", parked)
	}
	if parked[0].Reason != `value "bad" is poison` || parked[0].Subject != tg.Prefix+"agg.p" {
		t.Fatalf("first parked: %+v", parked[0])
	}
	if parked[1].StreamSequence != undecodable || parked[1].Reason == "" {
		t.Fatalf("undecodable event parked as %+v, want sequence %d with a reason", parked[1], undecodable)
	}
	if parked[2].Reason == "" || parked[2].StreamSequence != last-1 {
		t.Fatalf("event failing every attempt parked as %+v", parked[2])
	}
}

// A failing event is retried before anything after it is applied.
func testRetryKeepsOrder(t *testing.T, tg Target) {
	for _, durable := range []bool{false, true} {
		t.Run(fmt.Sprintf("durable=%v", durable), func(t *testing.T) {
			var last uint64
			var want []string
			prefix := fmt.Sprintf("d%v-", durable)
			for i := range 200 {
				v := prefix + strconv.Itoa(i)
				want = append(want, v)
				last = mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "agg.order", Event: str(v), ExpectedVersion: eventlog.AnyVersion}).Sequence
			}
			var mu sync.Mutex
			failures := map[string]int{}
			m := &model{fail: func(v string) error {
				mu.Lock()
				defer mu.Unlock()
				if v == prefix+"57" || v == prefix+"58" || v == prefix+"150" {
					if failures[v] < 2 { // fails twice, then applies (MaxAttempts 3)
						failures[v]++
						return errors.New("transient")
					}
				}
				return nil
			}}
			r := project(tg, "order-"+strconv.FormatBool(durable), m, durable)
			start(t, r)
			if err := r.WaitFor(t.Context(), last); err != nil {
				t.Fatal(err)
			}
			got := m.snapshot()
			got = slices.DeleteFunc(got, func(v string) bool { return len(v) < len(prefix) || v[:len(prefix)] != prefix })
			if !slices.Equal(got, want) {
				t.Fatalf("applied out of order or lost events:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// Ready closes once what was in the stream at start (and matches the filter)
// is applied, even when the last message of the stream does not match.
func testReady(t *testing.T, tg Target) {
	for i := range 300 {
		mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "wanted." + strconv.Itoa(i%3), Event: str(strconv.Itoa(i)), ExpectedVersion: eventlog.AnyVersion})
	}
	mustAppend(t, tg.Log, eventlog.Draft{Subject: tg.Prefix + "other.1", Event: str("not for us")})
	m := &model{}
	r := tg.Project(eventlog.Projection{Name: "ready", Handler: m, FilterSubjects: []string{tg.Prefix + "wanted.>"}})
	start(t, r)
	<-r.Ready()
	if got := len(m.snapshot()); got != 300 {
		t.Fatalf("ready with %d of 300 events applied", got)
	}
	// And an empty projection is ready at once.
	empty := tg.Project(eventlog.Projection{Name: "ready-empty", Handler: &model{}, FilterSubjects: []string{tg.Prefix + "nothing.>"}})
	start(t, empty)
	<-empty.Ready()
}

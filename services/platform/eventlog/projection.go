package eventlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ParkedStream holds events a projection could not apply, with the reason, so an
// operator can inspect and replay them; the projection moves on.
const (
	ParkedStream        = "PARKED"
	parkedSubjectPrefix = "parked."
	HeaderParkedReason  = "Consortia-Parked-Reason"
	HeaderParkedStream  = "Consortia-Parked-Stream"
	HeaderParkedSeq     = "Consortia-Parked-Sequence"
	HeaderParkedSubject = "Consortia-Parked-Subject"
)

// Handler applies events to a read model.
//
// Apply must be idempotent: it receives each event at least once, in stream
// order, and must ignore events at or below its checkpoint. Checkpoint returns the
// stream sequence of the last event the read model holds (0 for an empty one), so
// a restarted projection resumes right after it.
type Handler interface {
	Apply(ctx context.Context, ev Event) error
	Checkpoint(ctx context.Context) (uint64, error)
}

// Flusher is implemented by handlers that buffer their writes: the runner calls
// Flush at the end of every batch, before it acknowledges the batch and before
// WaitFor callers waiting on it are released, so a persistent read model can
// write once (and move its checkpoint once) per batch.
type Flusher interface {
	Flush(ctx context.Context) error
}

// CatchUpper is implemented by handlers that defer work while their read
// model is rebuilt (a memory read model that builds its indexes once, not per
// event): the runner calls CaughtUp once, when the projection has reached the
// last event present when Run started, before Ready closes and before the
// WaitFor callers of that batch are released.
type CatchUpper interface {
	CaughtUp(ctx context.Context) error
}

// permanentError marks an event that can never be applied (poison).
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err to tell the projection the event is poison: it is parked
// at once instead of retried.
func Permanent(err error) error { return permanentError{err: err} }

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Projection describes a read model fed from a stream.
type Projection struct {
	// Name of the projection: the durable consumer's name when Durable, and
	// the name parked events are filed under. Unique per read-model store.
	Name string
	// Stream to read.
	Stream string
	// FilterSubjects limits the events (empty: all the stream's subjects).
	FilterSubjects []string
	// Handler applies events.
	Handler Handler
	// MaxAttempts before a failing event is parked (default 5).
	MaxAttempts int
	// RetryDelay before a failed event is tried again (default 500ms, doubling).
	RetryDelay time.Duration
	// Logger for parked events and retries.
	Logger *slog.Logger
	// Durable keeps a named consumer on the server (persistent read models that
	// resume from their checkpoint); false reads with an ordered consumer.
	Durable bool
	// InactiveThreshold removes a durable consumer left unused this long
	// (default 24h).
	InactiveThreshold time.Duration
}

const (
	// pullAhead is how many messages the client keeps buffered ahead of the
	// applier: enough that applying never waits for a round trip.
	pullAhead = 2048
	// maxBatch bounds a batch (one Flush, one acknowledgement, one wake-up
	// of WaitFor callers); a batch also ends whenever nothing more is buffered.
	maxBatch = 512
	// ackWait is long against a batch and the retry budget of one event; an
	// expiry causes a redelivery, which makes the runner start over cleanly.
	ackWait = 2 * time.Minute
	// orderedInactive removes the ephemeral consumer of a process that died
	// without deleting it.
	orderedInactive = 2 * time.Minute
	// orderedResetAttempts bounds how often the client recreates the ordered
	// consumer under the same name after losing it. A create sent while a
	// NATS server was dying can leave that name assigned to the dead server,
	// and every retry under it then times out until that server returns
	// (seen in the 3-node cluster test); after these attempts Run starts a
	// new ordered consumer, with a new name, from the last applied event.
	orderedResetAttempts = 2
)

// Runner applies a projection's events in stream order, one goroutine applying
// and a pipeline of pullAhead messages feeding it.
//
// The consumer starts after the handler's checkpoint: the read model, not the
// consumer, is the truth about what was applied. A memory read model
// (Durable false) reads with an ordered consumer, which is ephemeral (nothing
// named is left on the server; the runner deletes it when it stops). A
// persistent one (Durable true) keeps a durable consumer named after the
// projection with an InactiveThreshold, resumes it when its position agrees with
// the checkpoint and recreates it at checkpoint+1 when not, and acknowledges
// once per batch (AckAll on the batch's last message).
//
// A failing event is retried in place, with backoff: nothing after it is applied
// before it, so the order never changes. After MaxAttempts, or at once for a
// Permanent error or an undecodable event, it is parked on the PARKED stream
// with the reason and the projection moves on.
type Runner struct {
	m  instruments
	js jetstream.JetStream
	p  Projection

	mu      sync.Mutex
	done    uint64 // last stream sequence applied or parked
	target  uint64 // last matching sequence when Run started (for Ready)
	changed chan struct{}
	ready   chan struct{}
	once    sync.Once

	caughtUp bool // CatchUpper called (the applying goroutine's)
}

// NewRunner returns a runner; call Run to start it.
func NewRunner(js jetstream.JetStream, p Projection) *Runner {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.RetryDelay <= 0 {
		p.RetryDelay = 500 * time.Millisecond
	}
	if p.InactiveThreshold <= 0 {
		p.InactiveThreshold = 24 * time.Hour
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	return &Runner{m: newInstruments(), js: js, p: p, changed: make(chan struct{}), ready: make(chan struct{})}
}

// errRestart asks Run to start the consumer again after the last applied event.
var errRestart = errors.New("consumer out of step")

// Run consumes until ctx is done. It returns nil on cancellation.
func (r *Runner) Run(ctx context.Context) error {
	stream, err := r.js.Stream(ctx, r.p.Stream)
	if err != nil {
		return fmt.Errorf("projection %s: stream %s: %w", r.p.Name, r.p.Stream, err)
	}
	if err := ensureParkedStream(ctx, r.js, stream.CachedInfo().Config.Replicas); err != nil {
		return err
	}
	cp, err := r.p.Handler.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("projection %s: checkpoint: %w", r.p.Name, err)
	}
	target, err := lastMatching(ctx, stream, r.p.FilterSubjects)
	if err != nil {
		return fmt.Errorf("projection %s: %w", r.p.Name, err)
	}
	r.mu.Lock()
	r.target = target
	r.mu.Unlock()
	if err := r.catchUp(ctx, cp); err != nil {
		return fmt.Errorf("projection %s: %w", r.p.Name, err)
	}
	r.advance(cp)
	pause := r.p.RetryDelay
	for {
		err := r.consume(ctx, stream)
		if ctx.Err() != nil {
			return nil
		}
		var setup setupError
		if errors.As(err, &setup) {
			return fmt.Errorf("projection %s: %w", r.p.Name, setup.err)
		}
		if errors.Is(err, errRestart) {
			r.p.Logger.Info("projection: restarting its consumer", "projection", r.p.Name, "after", r.Done())
			continue
		}
		r.p.Logger.Warn("projection: consumer stopped; resuming", "projection", r.p.Name, "after", r.Done(), "in", pause, "err", err)
		if sleep(ctx, pause) != nil {
			return nil
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// setupError is a failure to create the consumer: Run returns it.
type setupError struct{ err error }

func (s setupError) Error() string { return s.err.Error() }

// lastMatching is the sequence of the stream's last message matching the
// filters (0 when none).
func lastMatching(ctx context.Context, stream jetstream.Stream, filters []string) (uint64, error) {
	info, err := stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream info: %w", err)
	}
	if len(filters) == 0 {
		return info.State.LastSeq, nil
	}
	var last uint64
	for _, f := range filters {
		m, err := stream.GetLastMsgForSubject(ctx, f)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("last message on %s: %w", f, err)
		}
		last = max(last, m.Sequence)
	}
	return last, nil
}

// delivery is one message, decoded by the reading goroutine.
type delivery struct {
	msg       jetstream.Msg
	seq       uint64
	consumer  uint64 // consumer sequence
	delivered uint64 // delivery count
	ev        Event
	err       error // undecodable: poison
	marker    bool  // an event-log marker (Skip), not a domain event
}

// consume reads from a fresh or resumed consumer until ctx ends or the
// consumer fails.
func (r *Runner) consume(ctx context.Context, stream jetstream.Stream) error {
	var (
		msgs   jetstream.MessagesContext
		expect uint64 // next consumer sequence (durable)
	)
	if r.p.Durable {
		cons, next, err := r.durable(ctx, stream)
		if err != nil {
			return err
		}
		expect = next
		if msgs, err = cons.Messages(jetstream.PullMaxMessages(pullAhead)); err != nil {
			return err
		}
	} else {
		cons, err := r.js.OrderedConsumer(ctx, r.p.Stream, jetstream.OrderedConsumerConfig{
			FilterSubjects:    r.p.FilterSubjects,
			DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
			OptStartSeq:       r.Done() + 1,
			InactiveThreshold: orderedInactive,
			MaxResetAttempts:  orderedResetAttempts,
		})
		if err != nil {
			return setupError{fmt.Errorf("ordered consumer: %w", err)}
		}
		if msgs, err = cons.Messages(jetstream.PullMaxMessages(pullAhead)); err != nil {
			return err
		}
		defer func() {
			// Leave nothing behind: the server would keep the consumer until
			// its inactive threshold.
			if info := cons.CachedInfo(); info != nil {
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_ = r.js.DeleteConsumer(dctx, r.p.Stream, info.Name)
				cancel()
			}
		}()
	}

	items := make(chan delivery, pullAhead)
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	defer func() {
		close(stop)
		msgs.Stop()
		for range items { // let the reader finish
		}
	}()
	go func() {
		defer close(items)
		for {
			m, err := msgs.Next()
			if err != nil {
				readErr <- err
				return
			}
			select {
			case items <- r.prepare(m):
			case <-stop:
				return
			}
		}
	}()

	b := batch{r: r, last: r.Done()}
	for {
		var d delivery
		var ok bool
		select {
		case d, ok = <-items:
		case <-ctx.Done():
			// Keep what was applied: the flush must not fail for the stop.
			return b.flush(context.WithoutCancel(ctx))
		}
		if !ok {
			if err := b.flush(ctx); err != nil {
				return err
			}
			return <-readErr
		}
		if r.p.Durable {
			// A redelivery or a gap means the server and the applier are out
			// of step (an ack lost, a message dropped): start again after the
			// last applied event rather than risk applying out of order.
			if d.delivered != 1 || d.consumer != expect {
				if err := b.flush(ctx); err != nil {
					return err
				}
				return errRestart
			}
			expect++
		}
		if d.seq <= b.last {
			continue // handled already
		}
		applied, err := r.handle(ctx, d, &b)
		if err != nil {
			return err
		}
		b.add(d, applied)
		if len(items) == 0 || b.n >= maxBatch {
			if err := b.flush(ctx); err != nil {
				return err
			}
		}
	}
}

// batch is the handled events not yet flushed, acknowledged and published.
type batch struct {
	r       *Runner
	n       int // events handled
	applied int // of which applied (not parked or markers)
	last    uint64
	msg     jetstream.Msg
}

func (b *batch) add(d delivery, applied bool) {
	b.n, b.last, b.msg = b.n+1, d.seq, d.msg
	if applied {
		b.applied++
	}
}

// flush ends the batch: the handler's buffered writes, then the ack (durable),
// then WaitFor callers.
func (b *batch) flush(ctx context.Context) error {
	if b.n == 0 {
		return nil
	}
	r := b.r
	if f, ok := r.p.Handler.(Flusher); ok {
		if err := f.Flush(ctx); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
	}
	if r.p.Durable {
		if err := b.msg.Ack(); err != nil {
			// Not fatal: the batch is applied; a redelivery restarts cleanly.
			r.p.Logger.Warn("projection: ack failed", "projection", r.p.Name, "seq", b.last, "err", err)
		}
	}
	if err := r.catchUp(ctx, b.last); err != nil {
		return err
	}
	if b.applied > 0 {
		r.m.applied.Add(ctx, int64(b.applied), metric.WithAttributes(attribute.String("projection", r.p.Name)))
	}
	r.advance(b.last)
	b.n, b.applied, b.msg = 0, 0, nil
	return nil
}

// catchUp calls the handler's CaughtUp once seq reaches the target.
func (r *Runner) catchUp(ctx context.Context, seq uint64) error {
	if r.caughtUp {
		return nil
	}
	r.mu.Lock()
	target := r.target
	r.mu.Unlock()
	if seq < target {
		return nil
	}
	if c, ok := r.p.Handler.(CatchUpper); ok {
		if err := c.CaughtUp(ctx); err != nil {
			return fmt.Errorf("caught up: %w", err)
		}
	}
	r.caughtUp = true
	return nil
}

// durable returns the projection's durable consumer positioned right after
// the last applied event, and the consumer sequence of its next delivery.
func (r *Runner) durable(ctx context.Context, stream jetstream.Stream) (jetstream.Consumer, uint64, error) {
	from := r.Done() + 1
	cfg := jetstream.ConsumerConfig{
		Durable:           r.p.Name,
		Description:       "Consortia projection " + r.p.Name,
		AckPolicy:         jetstream.AckAllPolicy,
		AckWait:           ackWait,
		MaxAckPending:     2 * pullAhead,
		MaxDeliver:        -1,
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       from,
		InactiveThreshold: r.p.InactiveThreshold,
	}
	switch len(r.p.FilterSubjects) {
	case 0:
	case 1:
		cfg.FilterSubject = r.p.FilterSubjects[0]
	default:
		cfg.FilterSubjects = r.p.FilterSubjects
	}
	cons, err := stream.Consumer(ctx, r.p.Name)
	switch {
	case err == nil:
		info := cons.CachedInfo()
		ok, err := r.agrees(ctx, stream, info, cfg, from)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			if info.Config.InactiveThreshold != cfg.InactiveThreshold {
				up := info.Config
				up.InactiveThreshold = cfg.InactiveThreshold
				if cons, err = stream.UpdateConsumer(ctx, up); err != nil {
					return nil, 0, setupError{fmt.Errorf("update consumer: %w", err)}
				}
			}
			r.p.Logger.Debug("projection: resuming durable consumer", "projection", r.p.Name, "after", from-1)
			return cons, info.Delivered.Consumer + 1, nil
		}
		r.p.Logger.Info("projection: durable consumer disagrees with the checkpoint; recreating it",
			"projection", r.p.Name, "checkpoint", from-1, "consumer_delivered", info.Delivered.Stream, "consumer_ack_pending", info.NumAckPending)
		if err := stream.DeleteConsumer(ctx, r.p.Name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, 0, setupError{fmt.Errorf("reset consumer: %w", err)}
		}
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, 0, setupError{fmt.Errorf("consumer: %w", err)}
	}
	cons, err = stream.CreateConsumer(ctx, cfg)
	if err != nil {
		return nil, 0, setupError{fmt.Errorf("create consumer: %w", err)}
	}
	return cons, 1, nil
}

// agrees reports whether an existing durable consumer would deliver, next, the
// first matching event after the checkpoint (from-1), with nothing in flight.
func (r *Runner) agrees(ctx context.Context, stream jetstream.Stream, info *jetstream.ConsumerInfo, want jetstream.ConsumerConfig, from uint64) (bool, error) {
	c := info.Config
	if info.NumAckPending != 0 || info.NumRedelivered != 0 || c.AckPolicy != want.AckPolicy ||
		c.FilterSubject != want.FilterSubject || !slices.Equal(c.FilterSubjects, want.FilterSubjects) {
		return false, nil
	}
	delivered := info.Delivered.Stream
	switch {
	case delivered+1 == from:
		return true, nil
	case delivered+1 < from:
		return false, nil // behind the read model
	}
	// The consumer is past the checkpoint: it agrees only if it skipped nothing
	// the projection wants (no matching message in from..delivered).
	filters := r.p.FilterSubjects
	if len(filters) == 0 {
		filters = []string{">"}
	}
	for _, f := range filters {
		m, err := stream.GetMsg(ctx, from, jetstream.WithGetMsgSubject(f))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return false, setupError{fmt.Errorf("check consumer position: %w", err)}
		}
		if m.Sequence <= delivered {
			return false, nil
		}
	}
	return true, nil
}

// prepare decodes a message (on the reading goroutine, beside the applier).
func (r *Runner) prepare(m jetstream.Msg) delivery {
	d := delivery{msg: m}
	meta, err := m.Metadata()
	if err != nil {
		// Cannot happen for a JetStream delivery; treat as out of step.
		d.delivered = 0
		return d
	}
	d.seq, d.consumer, d.delivered = meta.Sequence.Stream, meta.Sequence.Consumer, meta.NumDelivered
	if m.Headers().Get(HeaderType) == markerType {
		d.marker = true
		return d
	}
	d.ev, d.err = Decode(m.Subject(), d.seq, m.Headers(), m.Data())
	return d
}

// handle applies one event, retrying in place; a poison event is parked and
// a marker passed over (applied is then false). It returns an error only when
// ctx ends first or the batch cannot be flushed.
func (r *Runner) handle(ctx context.Context, d delivery, b *batch) (applied bool, _ error) {
	if d.marker {
		return false, nil
	}
	for attempt := 1; ; attempt++ {
		err := d.err
		if err != nil {
			err = Permanent(err)
		} else {
			err = r.apply(ctx, d)
		}
		if err == nil {
			return true, nil
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if IsPermanent(err) || attempt >= r.p.MaxAttempts {
			return false, r.park(ctx, d, err)
		}
		// Release what was applied before this event while it is retried.
		if ferr := b.flush(ctx); ferr != nil {
			return false, ferr
		}
		if r.p.Durable {
			_ = d.msg.InProgress()
		}
		delay := r.p.RetryDelay << min(attempt-1, 6)
		r.p.Logger.Warn("projection: apply failed; retrying", "projection", r.p.Name, "seq", d.seq, "attempt", attempt, "delay", delay, "err", err)
		if err := sleep(ctx, delay); err != nil {
			return false, err
		}
	}
}

// apply applies one event in a consumer span that continues the trace of the
// request that appended it. The span ends before the event's batch is
// acknowledged and WaitFor callers are released. An event appended outside any
// trace (a rebuild reads mostly those) is applied without a span.
func (r *Runner) apply(ctx context.Context, d delivery) error {
	carrier := propagation.HeaderCarrier(d.msg.Headers())
	if carrier.Get("traceparent") == "" {
		return r.p.Handler.Apply(ctx, d.ev)
	}
	ctx = otel.GetTextMapPropagator().Extract(ctx, carrier)
	ctx, span := tracer().Start(ctx, "project "+r.p.Name, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.system", "nats"), attribute.String("messaging.destination.name", d.msg.Subject()), attribute.Int64("messaging.nats.stream_sequence", int64(d.seq))))
	defer span.End()
	err := r.p.Handler.Apply(ctx, d.ev)
	if err != nil {
		span.RecordError(err)
	}
	return err
}

// park files a poison event on PARKED, retrying the publish until it is stored
// (or ctx ends): an event is never skipped without a record of it.
func (r *Runner) park(ctx context.Context, d delivery, reason error) error {
	m := d.msg
	pm := nats.NewMsg(parkedSubjectPrefix + r.p.Name)
	pm.Data = m.Data()
	for k, v := range m.Headers() {
		// Nats-* headers (expected stream/sequence, msg id) were for the original publish.
		if !strings.HasPrefix(k, "Nats-") {
			pm.Header[k] = v
		}
	}
	pm.Header.Set(HeaderParkedReason, reason.Error())
	pm.Header.Set(HeaderParkedStream, r.p.Stream)
	pm.Header.Set(HeaderParkedSeq, strconv.FormatUint(d.seq, 10))
	pm.Header.Set(HeaderParkedSubject, m.Subject())
	for {
		// A parked event that is seen again after a restart is parked once.
		_, err := r.js.PublishMsg(ctx, pm, jetstream.WithMsgID(r.p.Name+":"+strconv.FormatUint(d.seq, 10)))
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.p.Logger.Error("projection: could not park event; retrying", "projection", r.p.Name, "seq", d.seq, "err", err)
		if err := sleep(ctx, r.p.RetryDelay); err != nil {
			return err
		}
	}
	r.m.parked.Add(ctx, 1, metric.WithAttributes(attribute.String("projection", r.p.Name)))
	r.p.Logger.Error("projection: event parked", "projection", r.p.Name, "seq", d.seq, "subject", m.Subject(), "reason", reason.Error())
	return nil
}

// ensureParkedStream creates the PARKED stream if it is missing (Open also
// does, with the service stream's replicas).
func ensureParkedStream(ctx context.Context, js jetstream.JetStream, replicas int) error {
	_, err := js.Stream(ctx, ParkedStream)
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("parked stream: %w", err)
	}
	if _, err = js.CreateOrUpdateStream(ctx, parkedConfig(replicas)); err != nil {
		return fmt.Errorf("create parked stream: %w", err)
	}
	return nil
}

func parkedConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        ParkedStream,
		Description: "Events projections could not apply, with the reason",
		Subjects:    []string{parkedSubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
		Duplicates:  24 * time.Hour,
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// advance publishes progress to WaitFor callers; Ready closes once the
// target set by Run is reached.
func (r *Runner) advance(seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq > r.done {
		r.done = seq
		close(r.changed)
		r.changed = make(chan struct{})
	}
	if r.done >= r.target {
		r.markReady()
	}
}

func (r *Runner) markReady() { r.once.Do(func() { close(r.ready) }) }

// Done returns the last stream sequence the projection applied or parked.
func (r *Runner) Done() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// Ready is closed once every event present in the stream (and matching the
// filters) when Run started is applied or parked.
func (r *Runner) Ready() <-chan struct{} { return r.ready }

// WaitFor blocks until the projection has handled the event at seq; commands use
// it so their response (and the next query) reflects the write.
func (r *Runner) WaitFor(ctx context.Context, seq uint64) error {
	for {
		r.mu.Lock()
		done, ch := r.done, r.changed
		r.mu.Unlock()
		if done >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("projection %s waiting for %d (at %d): %w", r.p.Name, seq, done, ctx.Err())
		case <-ch:
		}
	}
}

package eventlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// permanentError marks an event that can never be applied (poison).
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err to tell the projection the event is poison: it is parked
// and terminated at once instead of retried.
func Permanent(err error) error { return permanentError{err: err} }

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Projection describes a read model fed from a stream.
type Projection struct {
	// Name of the durable consumer; unique per read-model instance.
	Name string
	// Stream to read.
	Stream string
	// FilterSubjects limits the events (empty: all the stream's subjects).
	FilterSubjects []string
	// Handler applies events.
	Handler Handler
	// MaxAttempts before a failing event is parked (default 5).
	MaxAttempts int
	// RetryDelay before a failed event is redelivered (default 500ms, doubling).
	RetryDelay time.Duration
	// Logger for parked events and retries.
	Logger *slog.Logger
	// Durable keeps a named consumer on the server (persistent read models that
	// resume from their checkpoint); false reads with an ordered consumer.
	Durable bool
	// InactiveThreshold removes a durable consumer left unused this long.
	InactiveThreshold time.Duration
}

// Runner runs a projection on a durable pull consumer with explicit acks.
//
// The consumer is (re)created at start from the handler's checkpoint: the read
// model, not the consumer's ack floor, is the truth about what was applied, so an
// in-memory read model is rebuilt from the log and a persistent one resumes.
// MaxAckPending is 1: events apply strictly in order, and an event being retried
// holds back the ones after it.
type Runner struct {
	m  instruments
	js jetstream.JetStream
	p  Projection

	mu      sync.Mutex
	done    uint64 // last stream sequence applied or parked
	changed chan struct{}
	ready   chan struct{}
	once    sync.Once
}

// NewRunner returns a runner; call Run to start it.
func NewRunner(js jetstream.JetStream, p Projection) *Runner {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.RetryDelay <= 0 {
		p.RetryDelay = 500 * time.Millisecond
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	return &Runner{m: newInstruments(), js: js, p: p, changed: make(chan struct{}), ready: make(chan struct{})}
}

// Run consumes until ctx is done. It returns nil on cancellation.
func (r *Runner) Run(ctx context.Context) error {
	if err := ensureParkedStream(ctx, r.js); err != nil {
		return err
	}
	cp, err := r.p.Handler.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("projection %s: checkpoint: %w", r.p.Name, err)
	}
	stream, err := r.js.Stream(ctx, r.p.Stream)
	if err != nil {
		return fmt.Errorf("projection %s: stream %s: %w", r.p.Name, r.p.Stream, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("projection %s: stream info: %w", r.p.Name, err)
	}
	r.advance(cp)
	if err := stream.DeleteConsumer(ctx, r.p.Name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("projection %s: reset consumer: %w", r.p.Name, err)
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       r.p.Name,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 1,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if cp > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = cp + 1
	}
	switch len(r.p.FilterSubjects) {
	case 0:
	case 1:
		cfg.FilterSubject = r.p.FilterSubjects[0]
	default:
		cfg.FilterSubjects = r.p.FilterSubjects
	}
	cons, err := stream.CreateConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("projection %s: create consumer: %w", r.p.Name, err)
	}
	// Ready once everything present at start is applied (or nothing matched).
	target := info.State.LastSeq
	if target <= cp {
		r.markReady()
	} else {
		go func() {
			if r.waitFiltered(ctx, cons, target) == nil {
				r.markReady()
			}
		}()
	}

	cc, err := cons.Consume(func(m jetstream.Msg) { r.handle(ctx, m) })
	if err != nil {
		return fmt.Errorf("projection %s: consume: %w", r.p.Name, err)
	}
	<-ctx.Done()
	cc.Stop()
	<-cc.Closed()
	return nil
}

// waitFiltered waits until the consumer has nothing pending below target.
// With filters, the last stream sequence may never be delivered, so this also
// checks the consumer's pending count.
func (r *Runner) waitFiltered(ctx context.Context, cons jetstream.Consumer, target uint64) error {
	for {
		if r.Done() >= target {
			return nil
		}
		info, err := cons.Info(ctx)
		if err == nil && info.NumPending == 0 && info.NumAckPending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (r *Runner) handle(ctx context.Context, m jetstream.Msg) {
	meta, err := m.Metadata()
	if err != nil {
		r.p.Logger.Error("projection: message without metadata", "projection", r.p.Name, "err", err)
		_ = m.Term()
		return
	}
	seq := meta.Sequence.Stream
	err = r.apply(ctx, m, seq)
	switch {
	case err == nil:
		r.m.applied.Add(ctx, 1, metric.WithAttributes(attribute.String("projection", r.p.Name)))
		if ackErr := m.Ack(); ackErr != nil {
			r.p.Logger.Warn("projection: ack failed; event will be redelivered and skipped", "projection", r.p.Name, "seq", seq, "err", ackErr)
		}
		r.advance(seq)
	case IsPermanent(err) || int(meta.NumDelivered) >= r.p.MaxAttempts:
		r.park(ctx, m, seq, err)
	default:
		delay := r.p.RetryDelay << min(meta.NumDelivered-1, 6)
		r.p.Logger.Warn("projection: apply failed; retrying", "projection", r.p.Name, "seq", seq, "attempt", meta.NumDelivered, "delay", delay, "err", err)
		_ = m.NakWithDelay(delay)
	}
}

// apply decodes and applies one event in a consumer span that continues the
// trace of the request that appended it. The span ends here, before the event
// is acknowledged and WaitFor callers are released.
func (r *Runner) apply(ctx context.Context, m jetstream.Msg, seq uint64) error {
	ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(m.Headers()))
	ctx, span := tracer().Start(ctx, "project "+r.p.Name, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.system", "nats"), attribute.String("messaging.destination.name", m.Subject()), attribute.Int64("messaging.nats.stream_sequence", int64(seq))))
	defer span.End()
	ev, err := Decode(m.Subject(), seq, m.Headers(), m.Data())
	if err != nil {
		err = Permanent(err)
	} else {
		err = r.p.Handler.Apply(ctx, ev)
	}
	if err != nil {
		span.RecordError(err)
	}
	return err
}

func (r *Runner) park(ctx context.Context, m jetstream.Msg, seq uint64, reason error) {
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
	pm.Header.Set(HeaderParkedSeq, strconv.FormatUint(seq, 10))
	pm.Header.Set(HeaderParkedSubject, m.Subject())
	// A parked event that is redelivered after a restart is parked once.
	if _, err := r.js.PublishMsg(ctx, pm, jetstream.WithMsgID(r.p.Name+":"+strconv.FormatUint(seq, 10))); err != nil {
		r.p.Logger.Error("projection: could not park event; retrying", "projection", r.p.Name, "seq", seq, "err", err)
		_ = m.NakWithDelay(r.p.RetryDelay)
		return
	}
	r.m.parked.Add(ctx, 1, metric.WithAttributes(attribute.String("projection", r.p.Name)))
	r.p.Logger.Error("projection: event parked", "projection", r.p.Name, "seq", seq, "subject", m.Subject(), "reason", reason.Error())
	_ = m.Term()
	r.advance(seq)
}

func ensureParkedStream(ctx context.Context, js jetstream.JetStream) error {
	_, err := js.Stream(ctx, ParkedStream)
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("parked stream: %w", err)
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        ParkedStream,
		Description: "Events projections could not apply, with the reason",
		Subjects:    []string{parkedSubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Duplicates:  24 * time.Hour,
	})
	if err != nil {
		return fmt.Errorf("create parked stream: %w", err)
	}
	return nil
}

func (r *Runner) advance(seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq <= r.done {
		return
	}
	r.done = seq
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *Runner) markReady() { r.once.Do(func() { close(r.ready) }) }

// Done returns the last stream sequence the projection applied or parked.
func (r *Runner) Done() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// Ready is closed once the events present at start are applied.
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

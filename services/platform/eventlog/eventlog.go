// Package eventlog is Consortia's event store on NATS JetStream.
//
// Each aggregate has its own subject (e.g. member.organization.<id>); an event is
// a protobuf message appended to that subject with optimistic concurrency
// (Nats-Expected-Last-Subject-Sequence) and deduplication (Nats-Msg-Id).
// An aggregate's version is the stream sequence of its last event, which is what
// JetStream compares the expected sequence against. Nothing is written anywhere
// before JetStream acknowledges the event, so the log is the source of truth.
package eventlog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// CloudEvents-style headers (NATS protocol binding: "ce-" prefix), plus the actor.
const (
	HeaderID          = "Ce-Id"
	HeaderSpecVersion = "Ce-Specversion"
	HeaderType        = "Ce-Type"
	HeaderSource      = "Ce-Source"
	HeaderSubject     = "Ce-Subject"
	HeaderTime        = "Ce-Time"
	HeaderActor       = "Ce-Actor"
	HeaderContentType = "Content-Type"
	contentType       = "application/protobuf"
)

// tracer is looked up at each use: a package-level tracer would stay bound to
// the first tracer provider ever installed.
func tracer() trace.Tracer {
	return otel.Tracer("github.com/consortia-dev/consortia/services/platform/eventlog")
}

// instruments are the event log's metrics, bound to the meter provider
// installed when the Log or Runner is created (telemetry.SetupMetrics); without
// one they are no-ops.
type instruments struct {
	appended, conflicts, applied, parked metric.Int64Counter
}

func newInstruments() instruments {
	var m instruments
	meter := otel.Meter("github.com/consortia-dev/consortia/services/platform/eventlog")
	m.appended, _ = meter.Int64Counter("consortia.events.appended", metric.WithDescription("Events appended to the log, by stream and type."))
	m.conflicts, _ = meter.Int64Counter("consortia.events.conflicts", metric.WithDescription("Appends refused by the optimistic-concurrency check."))
	m.applied, _ = meter.Int64Counter("consortia.projection.applied", metric.WithDescription("Events applied by projections."))
	m.parked, _ = meter.Int64Counter("consortia.projection.parked", metric.WithDescription("Poison events parked by projections."))
	return m
}

// ErrConflict is returned by Append when the aggregate moved past the expected
// version. It wraps domainerr.ErrConflict, so it maps to codes.Aborted.
var ErrConflict = fmt.Errorf("eventlog: %w", domainerr.ErrConflict)

// StreamConfig describes a service's event stream.
type StreamConfig struct {
	// Name of the stream, e.g. "MEMBER".
	Name string
	// Subjects it captures, e.g. ["member.>"].
	Subjects []string
	// Replicas: 1 for the embedded default, 3 in production.
	Replicas int
	// Duplicates is the deduplication window for Nats-Msg-Id (idempotency keys).
	Duplicates time.Duration
}

// Log appends to and reads from one service's stream.
type Log struct {
	m      instruments
	js     jetstream.JetStream
	stream jetstream.Stream
	name   string
	source string
}

// Open creates or updates the stream (file storage) and returns a Log writing
// events with the given CloudEvents source (e.g. "consortia/member").
func Open(ctx context.Context, js jetstream.JetStream, cfg StreamConfig, source string) (*Log, error) {
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.Duplicates <= 0 {
		cfg.Duplicates = 24 * time.Hour
	}
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.Name,
		Description: "Consortia event log (" + source + ")",
		Subjects:    cfg.Subjects,
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    cfg.Replicas,
		Duplicates:  cfg.Duplicates,
		// The log is the source of truth: never age events out.
		MaxAge:  0,
		Discard: jetstream.DiscardNew,
	})
	if err != nil {
		return nil, fmt.Errorf("create or update stream %s: %w", cfg.Name, err)
	}
	return &Log{m: newInstruments(), js: js, stream: s, name: cfg.Name, source: source}, nil
}

// Stream returns the stream name.
func (l *Log) Stream() string { return l.name }

// JetStream returns the underlying JetStream context.
func (l *Log) JetStream() jetstream.JetStream { return l.js }

// Event is a stored event, decoded.
type Event struct {
	ID       string
	Type     string // fully-qualified protobuf name, e.g. consortia.member.v1.OrganizationRegistered
	Source   string
	Subject  string // the NATS subject, i.e. the aggregate
	Time     time.Time
	Actor    string
	Sequence uint64 // stream sequence
	Data     proto.Message
	Header   nats.Header
}

// MsgID returns the deduplication id the event was appended with.
func (e Event) MsgID() string { return e.Header.Get(jetstream.MsgIDHeader) }

// AnyVersion disables the optimistic-concurrency check.
const AnyVersion int64 = -1

// Draft is an event to append.
type Draft struct {
	// Subject of the aggregate, e.g. member.organization.<id>.
	Subject string
	// Event payload.
	Event proto.Message
	// ExpectedVersion: the aggregate version the command was decided on; 0 means
	// "the aggregate must not exist yet"; AnyVersion skips the check.
	ExpectedVersion int64
	// MsgID deduplicates: the same MsgID within the stream's window yields one
	// event. Derive it with MsgID(...) from the caller's idempotency key; leave it
	// empty when there is none (a fresh event id is used, so genuine retries of
	// different commands are never dropped as duplicates).
	MsgID string
	// Actor is who caused the event (a user subject or "system:<name>").
	Actor string
}

// Appended is the outcome of a successful Append.
type Appended struct {
	Sequence uint64
	// Duplicate is true when MsgID matched an earlier event; Sequence then points
	// at that earlier event, which may belong to another subject (creates).
	Duplicate bool
	EventID   string
	Time      time.Time
}

// MsgID derives a deduplication id from an idempotency key and a scope (the event
// type, plus the aggregate subject for commands on existing aggregates). The hash
// keeps header values short and free of characters NATS would reject.
func MsgID(idempotencyKey string, scope ...string) string {
	if idempotencyKey == "" {
		return ""
	}
	h := sha256.New()
	for _, s := range scope {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write([]byte(idempotencyKey))
	return hex.EncodeToString(h.Sum(nil))[:40]
}

// Append publishes one event and waits for JetStream's acknowledgement.
func (l *Log) Append(ctx context.Context, d Draft) (Appended, error) {
	if d.Subject == "" || d.Event == nil {
		return Appended{}, errors.New("eventlog: append needs a subject and an event")
	}
	data, err := proto.Marshal(d.Event)
	if err != nil {
		return Appended{}, fmt.Errorf("eventlog: marshal %T: %w", d.Event, err)
	}
	ctx, span := tracer().Start(ctx, "append "+string(d.Event.ProtoReflect().Descriptor().Name()),
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("messaging.system", "nats"), attribute.String("messaging.destination.name", d.Subject)))
	defer span.End()
	now := time.Now().UTC()
	id := uuid.NewString()
	msg := nats.NewMsg(d.Subject)
	msg.Data = data
	msg.Header.Set(HeaderSpecVersion, "1.0")
	msg.Header.Set(HeaderID, id)
	msg.Header.Set(HeaderType, string(d.Event.ProtoReflect().Descriptor().FullName()))
	msg.Header.Set(HeaderSource, l.source)
	msg.Header.Set(HeaderSubject, d.Subject)
	msg.Header.Set(HeaderTime, now.Format(time.RFC3339Nano))
	msg.Header.Set(HeaderContentType, contentType)
	if d.Actor != "" {
		msg.Header.Set(HeaderActor, d.Actor)
	}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(msg.Header))

	msgID := d.MsgID
	if msgID == "" {
		msgID = id
	}
	opts := []jetstream.PublishOpt{jetstream.WithMsgID(msgID), jetstream.WithExpectStream(l.name)}
	if d.ExpectedVersion >= 0 {
		opts = append(opts, jetstream.WithExpectLastSequencePerSubject(uint64(d.ExpectedVersion)))
	}
	ack, err := l.js.PublishMsg(ctx, msg, opts...)
	if err != nil {
		span.RecordError(err)
		if isWrongLastSequence(err) {
			// JetStream checks the expected sequence before it deduplicates, so
			// the retry of an append that was stored (e.g. a create with the same
			// idempotency key) arrives as a conflict: report it as the duplicate
			// it is, like JetStream's own deduplication does.
			if d.MsgID != "" {
				if seq, lerr := l.appendedWith(ctx, d.Subject, d.MsgID); lerr == nil && seq != 0 {
					return Appended{Sequence: seq, Duplicate: true, EventID: id, Time: now}, nil
				}
			}
			l.m.conflicts.Add(ctx, 1, metric.WithAttributes(attribute.String("stream", l.name)))
			return Appended{}, fmt.Errorf("%w: %s is past version %d", ErrConflict, d.Subject, d.ExpectedVersion)
		}
		return Appended{}, fmt.Errorf("eventlog: publish %s: %w", d.Subject, err)
	}
	if !ack.Duplicate {
		l.m.appended.Add(ctx, 1, metric.WithAttributes(attribute.String("stream", l.name),
			attribute.String("type", string(d.Event.ProtoReflect().Descriptor().Name()))))
	}
	return Appended{Sequence: ack.Sequence, Duplicate: ack.Duplicate, EventID: id, Time: now}, nil
}

func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
	}
	// Older servers only say it in the text.
	return strings.Contains(err.Error(), "wrong last sequence")
}

// Get returns the event stored at a stream sequence.
func (l *Log) Get(ctx context.Context, seq uint64) (Event, error) {
	raw, err := l.stream.GetMsg(ctx, seq)
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return Event{}, fmt.Errorf("event %d: %w", seq, domainerr.ErrNotFound)
		}
		return Event{}, fmt.Errorf("eventlog: get %d: %w", seq, err)
	}
	return Decode(raw.Subject, raw.Sequence, raw.Header, raw.Data)
}

// Load replays an aggregate's events in order, calling apply for each, and
// returns the aggregate's version (0 when it has no events).
func (l *Log) Load(ctx context.Context, subject string, apply func(Event) error) (uint64, error) {
	version, _, err := l.LoadMarked(ctx, subject, "", apply)
	return version, err
}

// LoadMarked is Load that also returns the stream sequence of the aggregate's
// event appended with msgID (0 when there is none, or msgID is empty): a
// command retried with the same idempotency key was done already, and its
// caller answers as the first time instead of deciding again.
func (l *Log) LoadMarked(ctx context.Context, subject, msgID string, apply func(Event) error) (version, marked uint64, err error) {
	version, err = l.scan(ctx, subject, func(raw *jetstream.RawStreamMsg) error {
		if msgID != "" && raw.Header.Get(jetstream.MsgIDHeader) == msgID {
			marked = raw.Sequence
		}
		ev, err := Decode(raw.Subject, raw.Sequence, raw.Header, raw.Data)
		if err != nil {
			return err
		}
		if err := apply(ev); err != nil {
			return fmt.Errorf("apply %s@%d: %w", ev.Type, ev.Sequence, err)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return version, marked, nil
}

// scan visits the stored messages of one subject in order and returns the
// sequence of the last (0 when there are none).
func (l *Log) scan(ctx context.Context, subject string, visit func(*jetstream.RawStreamMsg) error) (uint64, error) {
	var last uint64
	for {
		raw, err := l.stream.GetMsg(ctx, last+1, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return last, nil
		}
		if err != nil {
			return 0, fmt.Errorf("eventlog: load %s: %w", subject, err)
		}
		if err := visit(raw); err != nil {
			return 0, fmt.Errorf("eventlog: load %s: %w", subject, err)
		}
		last = raw.Sequence
	}
}

// appendedWith returns the sequence of the subject's message carrying msgID, or 0.
func (l *Log) appendedWith(ctx context.Context, subject, msgID string) (uint64, error) {
	var seq uint64
	_, err := l.scan(ctx, subject, func(raw *jetstream.RawStreamMsg) error {
		if raw.Header.Get(jetstream.MsgIDHeader) == msgID {
			seq = raw.Sequence
		}
		return nil
	})
	return seq, err
}

// Decode turns a stored message into an Event, resolving its protobuf type from
// the Ce-Type header through the global registry (generated packages register
// their types when imported).
func Decode(subject string, seq uint64, h nats.Header, data []byte) (Event, error) {
	typ := h.Get(HeaderType)
	if typ == "" {
		return Event{}, errors.New("event has no " + HeaderType + " header")
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(typ))
	if err != nil {
		return Event{}, fmt.Errorf("unknown event type %q: %w", typ, err)
	}
	msg := mt.New().Interface()
	if err := proto.Unmarshal(data, msg); err != nil {
		return Event{}, fmt.Errorf("decode %s: %w", typ, err)
	}
	t, _ := time.Parse(time.RFC3339Nano, h.Get(HeaderTime))
	return Event{
		ID:       h.Get(HeaderID),
		Type:     typ,
		Source:   h.Get(HeaderSource),
		Subject:  subject,
		Time:     t,
		Actor:    h.Get(HeaderActor),
		Sequence: seq,
		Data:     msg,
		Header:   h,
	}, nil
}

// History returns an aggregate's events (for audit trails).
func (l *Log) History(ctx context.Context, subject string) ([]Event, error) {
	var evs []Event
	_, err := l.Load(ctx, subject, func(e Event) error { evs = append(evs, e); return nil })
	return evs, err
}

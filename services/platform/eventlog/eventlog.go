// Package eventlog is Consortia's event store on NATS JetStream.
//
// Each aggregate has its own subject (e.g. member.organization.<id>); an event is
// a protobuf message appended to that subject with optimistic concurrency
// (Nats-Expected-Last-Subject-Sequence) and deduplication (Nats-Msg-Id).
// An aggregate's version is the stream sequence of its last event, which is what
// JetStream compares the expected sequence against. Nothing is written anywhere
// before JetStream acknowledges the event, so the log is the source of truth.
//
// # Loading
//
// Load folds an aggregate from an in-process cache of its decoded events: one
// request (the subject's last sequence) tells whether the cache is current, and
// only the events appended since are fetched. A stale cache is harmless: a
// decision taken on it fails the expected-sequence check and is taken again.
// Events handed to apply are shared with the cache and must not be modified.
//
// # Subjects
//
// Append and Load refuse a subject that is empty, has an empty token, or
// contains a wildcard or whitespace (an InvalidArgument): an id that reached a
// subject unchecked never writes to, or reads, more than one aggregate.
//
// # Idempotency keys
//
// Draft.MsgID (from MsgID) deduplicates retries; Draft.Fingerprint (from
// Fingerprint) identifies the request the key was first used for. A key
// presented again with a different fingerprint is refused with
// ErrIdempotencyKeyReused (FailedPrecondition, HTTP 422) instead of being
// answered as the earlier, different command.
//
// # Poison events
//
// An event of an aggregate that cannot be decoded, or that the caller's fold
// rejects, is poison. Projections park it and move on (see Runner). The write
// path refuses: Load returns a *PoisonError naming the subject, the sequence and
// the cause (FailedPrecondition, type "poison_event"), for every command on that
// aggregate, rather than deciding on a state that silently lacks an event. The
// repair is an operator's: ListParked shows what projections parked, and Skip
// appends a marker that makes Load (and projections) pass over that one event
// from then on; the marker is itself an event, so the repair is in the log.
package eventlog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

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
	// HeaderFingerprint carries Draft.Fingerprint: the request an idempotency
	// key was first used for.
	HeaderFingerprint = "Consortia-Request-Fingerprint"
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
	// Replicas: 1 for the embedded default, 3 in production. The PARKED stream
	// gets the same.
	Replicas int
	// Duplicates is the deduplication window for Nats-Msg-Id (idempotency keys).
	Duplicates time.Duration
	// CacheEvents bounds the aggregate cache, in events (default
	// DefaultCacheEvents; negative: no cache).
	CacheEvents int
}

// DefaultCacheEvents bounds the aggregate cache: about 1 KiB per decoded event
// with its headers, so some 50 MiB.
const DefaultCacheEvents = 50_000

// Log appends to and reads from one service's stream.
type Log struct {
	m      instruments
	js     jetstream.JetStream
	stream jetstream.Stream
	name   string
	source string
	cache  *cache
}

// Open creates or updates the stream (file storage) and the PARKED stream
// (with the same replicas) and returns a Log writing events with the given
// CloudEvents source (e.g. "consortia/member").
func Open(ctx context.Context, js jetstream.JetStream, cfg StreamConfig, source string) (*Log, error) {
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.Duplicates <= 0 {
		cfg.Duplicates = 24 * time.Hour
	}
	if cfg.CacheEvents == 0 {
		cfg.CacheEvents = DefaultCacheEvents
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
	if _, err := js.CreateOrUpdateStream(ctx, parkedConfig(cfg.Replicas)); err != nil {
		return nil, fmt.Errorf("create or update stream %s: %w", ParkedStream, err)
	}
	return &Log{m: newInstruments(), js: js, stream: s, name: cfg.Name, source: source, cache: newCache(cfg.CacheEvents)}, nil
}

// Stream returns the stream name.
func (l *Log) Stream() string { return l.name }

// JetStream returns the underlying JetStream context.
func (l *Log) JetStream() jetstream.JetStream { return l.js }

// Project returns a runner for p; an empty p.Stream means the log's stream.
func (l *Log) Project(p Projection) *Runner {
	if p.Stream == "" {
		p.Stream = l.name
	}
	return NewRunner(l.js, p)
}

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
	// Fingerprint identifies the request behind MsgID (see Fingerprint): a
	// duplicate with a different fingerprint is ErrIdempotencyKeyReused. Empty:
	// not checked.
	Fingerprint string
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

// Fingerprint identifies a request for its idempotency key: who asked (the
// principal's subject), what (the method), on which object, with which
// arguments (encoded as JSON, so equal values give equal fingerprints). The
// same key with another fingerprint is another command, not a retry.
func Fingerprint(caller, method, object string, request ...any) string {
	h := sha256.New()
	for _, s := range []string{caller, method, object} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, r := range request {
		b, err := json.Marshal(r)
		if err != nil {
			b = fmt.Appendf(nil, "%#v", r)
		}
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// ErrIdempotencyKeyReused is returned when an idempotency key comes back with
// a different request than the one it was first used for. Errors carrying it
// also carry a domainerr.PreconditionError (type "idempotency_key_reused"),
// so they map to FailedPrecondition (HTTP 422), as payment APIs answer.
var ErrIdempotencyKeyReused = errors.New("idempotency key reused for a different request")

type keyReusedError struct {
	subject string
	seq     uint64
}

func (e *keyReusedError) Error() string {
	return fmt.Sprintf("eventlog: %v: the key was used for event %d of %s by another request; use a new key for a new request", ErrIdempotencyKeyReused, e.seq, e.subject)
}

func (e *keyReusedError) Unwrap() []error {
	return []error{ErrIdempotencyKeyReused, domainerr.Precondition("idempotency_key_reused", e.subject,
		"the idempotency key was already used for a different request (event %d); send a new key for a new request", e.seq)}
}

// checkFingerprint refuses a duplicate whose stored fingerprint differs from
// the request's. Events stored without one (older) are taken as retries.
func checkFingerprint(h nats.Header, fingerprint, subject string, seq uint64) error {
	if stored := h.Get(HeaderFingerprint); fingerprint != "" && stored != "" && stored != fingerprint {
		return &keyReusedError{subject: subject, seq: seq}
	}
	return nil
}

// ValidSubject checks that subject names exactly one aggregate: not empty, no
// empty token (a leading, trailing or double dot), no wildcard (* or >), no
// whitespace or control character. Its error is a domainerr InvalidError.
func ValidSubject(subject string) error {
	why := ""
	switch {
	case subject == "":
		why = "it is empty"
	case strings.ContainsAny(subject, "*>"):
		why = "it contains a wildcard (* or >)"
	case strings.IndexFunc(subject, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		why = "it contains whitespace or a control character"
	case strings.HasPrefix(subject, ".") || strings.HasSuffix(subject, ".") || strings.Contains(subject, ".."):
		why = "it has an empty token"
	default:
		return nil
	}
	return fmt.Errorf("eventlog: %w", domainerr.Invalid("subject", "%q is not an aggregate subject: %s", subject, why))
}

// Append publishes one event and waits for JetStream's acknowledgement.
func (l *Log) Append(ctx context.Context, d Draft) (Appended, error) {
	if err := ValidSubject(d.Subject); err != nil {
		return Appended{}, err
	}
	if d.Event == nil {
		return Appended{}, errors.New("eventlog: append needs an event")
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
	if d.Fingerprint != "" {
		msg.Header.Set(HeaderFingerprint, d.Fingerprint)
	}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(msg.Header))

	msgID := d.MsgID
	if msgID == "" {
		msgID = id
	}
	opts := []jetstream.PublishOpt{jetstream.WithMsgID(msgID), jetstream.WithExpectStream(l.name)}
	expected := uint64(d.ExpectedVersion)
	if d.ExpectedVersion >= 0 {
		// A version is the sequence of the aggregate's last event; Skip
		// markers after it do not change the aggregate.
		expected = l.cache.expected(d.Subject, expected)
		opts = append(opts, jetstream.WithExpectLastSequencePerSubject(expected))
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
				if s, lerr := l.marked(ctx, d.Subject, d.MsgID); lerr == nil && s != nil {
					if err := checkFingerprint(s.ev.Header, d.Fingerprint, d.Subject, s.ev.Sequence); err != nil {
						return Appended{}, err
					}
					return Appended{Sequence: s.ev.Sequence, Duplicate: true, EventID: id, Time: now}, nil
				}
			}
			l.m.conflicts.Add(ctx, 1, metric.WithAttributes(attribute.String("stream", l.name)))
			return Appended{}, fmt.Errorf("%w: %s is past version %d", ErrConflict, d.Subject, d.ExpectedVersion)
		}
		return Appended{}, fmt.Errorf("eventlog: publish %s: %w", d.Subject, err)
	}
	if ack.Duplicate {
		if d.Fingerprint != "" {
			prev, err := l.stream.GetMsg(ctx, ack.Sequence)
			if err != nil {
				return Appended{}, fmt.Errorf("eventlog: read the event %d the key was used for: %w", ack.Sequence, err)
			}
			if err := checkFingerprint(prev.Header, d.Fingerprint, prev.Subject, ack.Sequence); err != nil {
				return Appended{}, err
			}
		}
		return Appended{Sequence: ack.Sequence, Duplicate: true, EventID: id, Time: now}, nil
	}
	l.m.appended.Add(ctx, 1, metric.WithAttributes(attribute.String("stream", l.name),
		attribute.String("type", string(d.Event.ProtoReflect().Descriptor().Name()))))
	if d.ExpectedVersion >= 0 {
		// JetStream checked that nothing came between: the cached aggregate,
		// if it is at the expected version, is now one event longer.
		l.cache.appended(d.Subject, expected, l.stored(d.Subject, ack.Sequence, msg.Header, data))
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
// returns the aggregate's version (0 when it has no events). An event that
// cannot be decoded or applied stops it with a *PoisonError.
func (l *Log) Load(ctx context.Context, subject string, apply func(Event) error) (uint64, error) {
	version, _, err := l.LoadMark(ctx, subject, Mark{}, apply)
	return version, err
}

// LoadMarked is Load that also returns the stream sequence of the aggregate's
// event appended with msgID (0 when there is none, or msgID is empty): a
// command retried with the same idempotency key was done already, and its
// caller answers as the first time instead of deciding again.
func (l *Log) LoadMarked(ctx context.Context, subject, msgID string, apply func(Event) error) (version, marked uint64, err error) {
	return l.LoadMark(ctx, subject, Mark{MsgID: msgID}, apply)
}

// Mark identifies a command's event by its idempotency key: MsgID as given to
// Draft.MsgID, and the request's Fingerprint.
type Mark struct {
	MsgID       string
	Fingerprint string
}

// LoadMark is LoadMarked with the request's fingerprint: when the event
// appended with m.MsgID was appended for a different request, it returns
// ErrIdempotencyKeyReused.
func (l *Log) LoadMark(ctx context.Context, subject string, m Mark, apply func(Event) error) (version, marked uint64, err error) {
	evs, version, err := l.aggregate(ctx, subject)
	if err != nil {
		return 0, 0, err
	}
	if m.MsgID != "" {
		if s := find(evs, m.MsgID); s != nil {
			if err := checkFingerprint(s.ev.Header, m.Fingerprint, subject, s.ev.Sequence); err != nil {
				return 0, 0, err
			}
			marked = s.ev.Sequence
		}
	}
	for _, s := range evs {
		if s.poison != nil {
			return 0, 0, s.poisonError()
		}
		if err := apply(s.ev); err != nil {
			return 0, 0, &PoisonError{Subject: subject, Sequence: s.ev.Sequence, Type: s.ev.Type, Err: err}
		}
	}
	return version, marked, nil
}

// History returns an aggregate's events (for audit trails), without skipped
// events and markers.
func (l *Log) History(ctx context.Context, subject string) ([]Event, error) {
	var evs []Event
	_, err := l.Load(ctx, subject, func(e Event) error { evs = append(evs, e); return nil })
	return evs, err
}

// marked returns the subject's event appended with msgID, or nil.
func (l *Log) marked(ctx context.Context, subject, msgID string) (*stored, error) {
	evs, _, err := l.aggregate(ctx, subject)
	if err != nil {
		return nil, err
	}
	return find(evs, msgID), nil
}

func find(evs []*stored, msgID string) *stored {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].msgID == msgID {
			return evs[i]
		}
	}
	return nil
}

// aggregate returns the subject's events and its version: from the cache when
// the subject's last sequence (one request) says it is current, else the
// cached events plus the tail appended since.
func (l *Log) aggregate(ctx context.Context, subject string) ([]*stored, uint64, error) {
	if err := ValidSubject(subject); err != nil {
		return nil, 0, err
	}
	last, err := l.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		l.cache.drop(subject)
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("eventlog: load %s: %w", subject, err)
	}
	base, have := l.cache.get(subject)
	if have == last.Sequence {
		return base, have, nil
	}
	if have > last.Sequence {
		base, have = nil, 0 // the stream was reset under us
	}
	var tail []*stored
	for seq := have; seq < last.Sequence; {
		raw := last
		if seq+1 < last.Sequence {
			raw, err = l.stream.GetMsg(ctx, seq+1, jetstream.WithGetMsgSubject(subject))
			if err != nil {
				return nil, 0, fmt.Errorf("eventlog: load %s: %w", subject, err)
			}
		}
		tail = append(tail, l.stored(subject, raw.Sequence, raw.Header, raw.Data))
		seq = raw.Sequence
	}
	return l.cache.extend(subject, have, base, tail, last.Sequence), last.Sequence, nil
}

// stored decodes one message for the cache.
func (l *Log) stored(subject string, seq uint64, h nats.Header, data []byte) *stored {
	s := &stored{}
	if id := h.Get(jetstream.MsgIDHeader); id != h.Get(HeaderID) {
		s.msgID = id // a caller's idempotency key, not the event's own id
	}
	if h.Get(HeaderType) == markerType {
		s.skips = parseSkipped(h)
		s.ev = Event{Subject: subject, Sequence: seq, Type: markerType, Header: h}
		return s
	}
	s.ev, s.poison = Decode(subject, seq, h, data)
	if s.poison != nil {
		s.ev = Event{Subject: subject, Sequence: seq, Type: h.Get(HeaderType), Header: h}
	}
	return s
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

// Idempotency is a command's idempotency key with the fingerprint of the
// request it came with: the key answers a retry of that same request (the
// recorded result) and refuses any other (ErrIdempotencyKeyReused), instead of
// silently dropping it.
type Idempotency struct{ key, fingerprint string }

// NewIdempotency scopes key to the caller, the method, the object and the
// request's arguments; an empty key is no idempotency.
func NewIdempotency(key, caller, method, object string, args ...any) Idempotency {
	if key == "" {
		return Idempotency{}
	}
	return Idempotency{key: key, fingerprint: Fingerprint(caller, method, object, args...)}
}

// Mark is the event-log mark of the command: its message id in scope, and the
// request's fingerprint.
func (k Idempotency) Mark(scope ...string) Mark {
	return Mark{MsgID: MsgID(k.key, scope...), Fingerprint: k.fingerprint}
}

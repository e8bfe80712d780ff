package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// ErrPoisonEvent is wrapped by every *PoisonError.
var ErrPoisonEvent = errors.New("poison event")

// PoisonError is a stored event of an aggregate that cannot be decoded or
// that the caller's fold refused. Load returns it for every command on the
// aggregate until an operator skips the event (Skip). It maps to
// FailedPrecondition with a violation of type "poison_event" naming the
// subject and the sequence.
type PoisonError struct {
	Subject  string
	Sequence uint64
	Type     string // the event's Ce-Type, if it has one
	Err      error  // why it cannot be applied
}

func (e *PoisonError) Error() string {
	return fmt.Sprintf("eventlog: %s: %v: event %d (%s) cannot be applied: %v", e.Subject, ErrPoisonEvent, e.Sequence, e.Type, e.Err)
}

// Unwrap gives ErrPoisonEvent and the precondition the client sees; the cause
// stays in Err and the message, so a cause that happens to be, say, an
// InvalidError never turns the refusal into "your request was invalid".
func (e *PoisonError) Unwrap() []error {
	return []error{ErrPoisonEvent, domainerr.Precondition("poison_event", e.Subject,
		"event %d of %s cannot be applied (%v); nothing is written to it until an operator repairs it", e.Sequence, e.Subject, e.Err)}
}

// Skip markers: an event on the aggregate's subject, with no payload, that
// makes loads and projections pass over the event it names.
const (
	markerType          = "consortia.eventlog.EventSkipped"
	HeaderSkipped       = "Consortia-Skipped-Sequence"
	HeaderSkippedReason = "Consortia-Skipped-Reason"
)

func parseSkipped(h nats.Header) []uint64 {
	out := []uint64{}
	for _, v := range h.Values(HeaderSkipped) {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// Skip is the operator's repair of a poison event: it appends a marker to the
// event's subject so that Load, History and projections pass over the event at
// seq from then on (projections that parked it had done so already). The
// reason and the actor are recorded on the marker. Skipping an event twice
// appends nothing the second time.
func (l *Log) Skip(ctx context.Context, subject string, seq uint64, reason, actor string) (Appended, error) {
	if err := ValidSubject(subject); err != nil {
		return Appended{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Appended{}, domainerr.Invalid("reason", "say why the event is skipped")
	}
	raw, err := l.stream.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Appended{}, fmt.Errorf("eventlog: event %d: %w", seq, domainerr.ErrNotFound)
	}
	if err != nil {
		return Appended{}, fmt.Errorf("eventlog: get %d: %w", seq, err)
	}
	if raw.Subject != subject {
		return Appended{}, domainerr.Invalid("sequence", "event %d belongs to %s, not %s", seq, raw.Subject, subject)
	}
	if raw.Header.Get(HeaderType) == markerType {
		return Appended{}, domainerr.Invalid("sequence", "event %d is a skip marker itself", seq)
	}
	evs, _, err := l.aggregate(ctx, subject)
	if err != nil {
		return Appended{}, err
	}
	skipped := true
	for _, s := range evs {
		if s.ev.Sequence == seq {
			skipped = false
		}
	}
	if skipped {
		return Appended{Sequence: seq, Duplicate: true}, nil
	}
	now := time.Now().UTC()
	id := uuid.NewString()
	m := nats.NewMsg(subject)
	m.Header.Set(HeaderSpecVersion, "1.0")
	m.Header.Set(HeaderID, id)
	m.Header.Set(HeaderType, markerType)
	m.Header.Set(HeaderSource, l.source)
	m.Header.Set(HeaderSubject, subject)
	m.Header.Set(HeaderTime, now.Format(time.RFC3339Nano))
	m.Header.Set(HeaderSkipped, strconv.FormatUint(seq, 10))
	m.Header.Set(HeaderSkippedReason, reason)
	if actor != "" {
		m.Header.Set(HeaderActor, actor)
	}
	ack, err := l.js.PublishMsg(ctx, m, jetstream.WithMsgID(MsgID(strconv.FormatUint(seq, 10), "skip", subject)), jetstream.WithExpectStream(l.name))
	if err != nil {
		return Appended{}, fmt.Errorf("eventlog: skip %s@%d: %w", subject, seq, err)
	}
	return Appended{Sequence: ack.Sequence, Duplicate: ack.Duplicate, EventID: id, Time: now}, nil
}

// Parked is an event a projection parked.
type Parked struct {
	// Sequence on the PARKED stream.
	Sequence uint64
	// Projection that parked it.
	Projection string
	// Stream, StreamSequence and Subject locate the original event.
	Stream         string
	StreamSequence uint64
	Subject        string
	Type           string
	Reason         string
	Time           time.Time // when it was parked
}

// ListParked returns the events parked by a projection ("" for every
// projection), oldest first: what an operator looks at before deciding to
// fix a handler and replay, or to Skip an event.
func ListParked(ctx context.Context, js jetstream.JetStream, projection string) ([]Parked, error) {
	s, err := js.Stream(ctx, ParkedStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("eventlog: parked stream: %w", err)
	}
	filter := parkedSubjectPrefix + ">"
	if projection != "" {
		filter = parkedSubjectPrefix + projection
	}
	var out []Parked
	for seq := uint64(1); ; {
		raw, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(filter))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("eventlog: parked event after %d: %w", seq, err)
		}
		orig, _ := strconv.ParseUint(raw.Header.Get(HeaderParkedSeq), 10, 64)
		out = append(out, Parked{
			Sequence:       raw.Sequence,
			Projection:     strings.TrimPrefix(raw.Subject, parkedSubjectPrefix),
			Stream:         raw.Header.Get(HeaderParkedStream),
			StreamSequence: orig,
			Subject:        raw.Header.Get(HeaderParkedSubject),
			Type:           raw.Header.Get(HeaderType),
			Reason:         raw.Header.Get(HeaderParkedReason),
			Time:           raw.Time,
		})
		seq = raw.Sequence + 1
	}
}

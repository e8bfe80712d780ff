package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/timestamppb"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification/convert"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Sender makes one delivery attempt of an intent (items: a digest's contents).
type Sender func(ctx context.Context, in domain.Intent, items []domain.DigestItem, st store.Store) Outcome

// Worker delivers the intents of one channel. It runs a durable JetStream
// consumer on notification.intent.<channel>.> that is never reset: its ack
// floor, kept by the server, is how far delivery got, and a message being
// retried waits in the server (NakWithDelay), not in this process. Before each
// attempt it reads the delivery's outcomes from the log, so an intent that was
// delivered (or dead-lettered) is never delivered again after a redelivery or
// a restart; an attempt that crashed before its outcome was recorded is made
// again with the same key (webhook-id, Message-ID).
type Worker struct {
	JS       jetstream.JetStream
	Log      *eventlog.Log
	Store    store.Store
	Stream   string
	Channel  domain.Channel
	Send     Sender
	Backoff  domain.Backoff
	Parallel int
	// AckWait bounds one attempt before the server redelivers the intent.
	AckWait time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
	// Rand draws the jitter (tests pin it).
	Rand func() float64
}

// ConsumerName is the durable consumer of a channel's worker.
func ConsumerName(ch domain.Channel) string { return "notification-deliver-" + ch.String() }

// Run consumes until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	if w.Parallel <= 0 {
		w.Parallel = 8
	}
	if w.AckWait <= 0 {
		w.AckWait = time.Minute
	}
	if w.Logger == nil {
		w.Logger = slog.Default()
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Rand == nil {
		w.Rand = rand.Float64
	}
	cons, err := w.JS.CreateOrUpdateConsumer(ctx, w.Stream, jetstream.ConsumerConfig{
		Durable:       ConsumerName(w.Channel),
		Description:   "Delivers " + w.Channel.String() + " notifications (durable: never reset)",
		FilterSubject: domain.IntentSubjectPrefix + w.Channel.String() + ".>",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.AckWait,
		MaxAckPending: 4 * w.Parallel,
		MaxDeliver:    -1, // attempts are counted in the log, not by the server
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("%s delivery consumer: %w", w.Channel, err)
	}
	sem := make(chan struct{}, w.Parallel)
	var wg sync.WaitGroup
	cc, err := cons.Consume(func(m jetstream.Msg) {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			w.handle(ctx, m)
		}()
	}, jetstream.PullMaxMessages(2*w.Parallel))
	if err != nil {
		return fmt.Errorf("%s delivery consume: %w", w.Channel, err)
	}
	<-ctx.Done()
	cc.Stop()
	<-cc.Closed()
	wg.Wait()
	return nil
}

// history is what the log says about one round of a delivery.
type history struct {
	attempts int
	done     bool
}

func (w *Worker) history(ctx context.Context, key string, after uint64) (history, error) {
	var h history
	_, err := w.Log.Load(ctx, domain.DeliverySubject(key), func(ev eventlog.Event) error {
		if ev.Sequence <= after {
			return nil
		}
		switch ev.Data.(type) {
		case *notificationv1.DeliveryAttemptFailed:
			h.attempts++
		case *notificationv1.DeliverySucceeded, *notificationv1.DeliveryDeadLettered:
			h.done = true
		}
		return nil
	})
	return h, err
}

func (w *Worker) intent(ctx context.Context, key string) (domain.Intent, error) {
	var in domain.Intent
	found := false
	_, err := w.Log.Load(ctx, domain.IntentSubject(w.Channel, key), func(ev eventlog.Event) error {
		if e, ok := ev.Data.(*notificationv1.NotificationIntended); ok && !found {
			in, found = convert.IntentFrom(e), true
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("intent %s: %w", key, domainerr.ErrNotFound)
	}
	return in, err
}

func (w *Worker) handle(ctx context.Context, m jetstream.Msg) {
	meta, err := m.Metadata()
	if err != nil {
		_ = m.Term()
		return
	}
	ev, err := eventlog.Decode(m.Subject(), meta.Sequence.Stream, m.Headers(), m.Data())
	if err != nil {
		w.Logger.Error("delivery: undecodable intent; dropped", "subject", m.Subject(), "err", err)
		_ = m.Term()
		return
	}
	var in domain.Intent
	round := "0"
	after := uint64(0)
	switch e := ev.Data.(type) {
	case *notificationv1.NotificationIntended:
		in = convert.IntentFrom(e)
	case *notificationv1.DeliveryResendRequested:
		// A resend is a new round after everything recorded before it.
		in, err = w.intent(ctx, e.GetKey())
		if err != nil {
			w.retryLater(m, err)
			return
		}
		round, after = strconv.Itoa(int(e.GetResend())), ev.Sequence
	default:
		_ = m.Ack()
		return
	}
	if in.Digest {
		_ = m.Ack() // held for the user's digest; the digest e-mail is its own intent
		return
	}
	h, err := w.history(ctx, in.Key, after)
	if err != nil {
		w.retryLater(m, err)
		return
	}
	if h.done {
		_ = m.Ack()
		return
	}
	if w.Channel == domain.ChannelEmail {
		if r, err := w.Store.GetRecipient(ctx, in.UserID); err == nil {
			if until := r.QuietUntil(w.Now()); !until.IsZero() {
				_ = m.NakWithDelay(until.Sub(w.Now()))
				return
			}
		}
	}
	var items []domain.DigestItem
	if in.Type == domain.TypeDigest {
		for _, k := range in.DigestKeys {
			if it, err := w.Store.GetDigestItem(ctx, k); err == nil {
				items = append(items, it)
			}
		}
	}
	attempt := h.attempts + 1
	// Keep the server from redelivering while a slow attempt runs.
	_ = m.InProgress()
	out := w.Send(ctx, in, items, w.Store)
	if ctx.Err() != nil {
		return // shutting down: the server redelivers after AckWait
	}
	subject := domain.DeliverySubject(in.Key)
	if out.Err == nil {
		if _, err := w.Log.Append(ctx, eventlog.Draft{Subject: subject, Event: &notificationv1.DeliverySucceeded{Key: in.Key, Attempt: int32(attempt), HttpStatus: int32(out.HTTPStatus)},
			ExpectedVersion: eventlog.AnyVersion, MsgID: "delivered:" + in.Key + ":" + round, Actor: "system:notification"}); err != nil {
			w.retryLater(m, err)
			return
		}
		if in.Type == domain.TypeDigest {
			if _, err := w.Log.Append(ctx, eventlog.Draft{Subject: subject, Event: &notificationv1.DigestItemsSent{Key: in.Key, ItemKeys: in.DigestKeys},
				ExpectedVersion: eventlog.AnyVersion, MsgID: "digest-sent:" + in.Key, Actor: "system:notification"}); err != nil {
				w.retryLater(m, err)
				return
			}
		}
		_ = m.Ack()
		return
	}
	if !out.Retry || w.Backoff.Final(attempt) {
		w.Logger.Warn("delivery: dead-lettered", "channel", w.Channel.String(), "key", in.Key, "attempts", attempt, "err", out.Err)
		if _, err := w.Log.Append(ctx, eventlog.Draft{Subject: subject, Event: &notificationv1.DeliveryDeadLettered{Key: in.Key, Attempts: int32(attempt), LastError: out.Err.Error(), HttpStatus: int32(out.HTTPStatus)},
			ExpectedVersion: eventlog.AnyVersion, MsgID: "dead:" + in.Key + ":" + round, Actor: "system:notification"}); err != nil {
			w.retryLater(m, err)
			return
		}
		_ = m.Ack()
		return
	}
	delay := w.Backoff.Delay(attempt, w.Rand())
	w.Logger.Info("delivery: attempt failed; retrying", "channel", w.Channel.String(), "key", in.Key, "attempt", attempt, "delay", delay.String(), "err", out.Err)
	if _, err := w.Log.Append(ctx, eventlog.Draft{Subject: subject, Event: &notificationv1.DeliveryAttemptFailed{Key: in.Key, Attempt: int32(attempt), Error: out.Err.Error(),
		HttpStatus: int32(out.HTTPStatus), NextAttemptTime: timestamppb.New(w.Now().Add(delay))},
		ExpectedVersion: eventlog.AnyVersion, MsgID: "failed:" + in.Key + ":" + round + ":" + strconv.Itoa(attempt), Actor: "system:notification"}); err != nil {
		w.retryLater(m, err)
		return
	}
	_ = m.NakWithDelay(delay)
}

func (w *Worker) retryLater(m jetstream.Msg, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	w.Logger.Warn("delivery: could not read or record; retrying", "channel", w.Channel.String(), "subject", m.Subject(), "err", err)
	_ = m.NakWithDelay(time.Second)
}

// WebhookSender adapts a Webhook to a Worker: it looks the endpoint up when
// attempting (so a changed URL, a rotated secret or a disabled endpoint counts).
func WebhookSender(wh *Webhook) Sender {
	return func(ctx context.Context, in domain.Intent, _ []domain.DigestItem, st store.Store) Outcome {
		ep, err := st.GetEndpoint(ctx, in.EndpointID)
		if errors.Is(err, domainerr.ErrNotFound) {
			return Outcome{Err: fmt.Errorf("webhook endpoint %s is not known (yet)", in.EndpointID), Retry: true}
		}
		if err != nil {
			return Outcome{Err: err, Retry: true}
		}
		if ep.Deleted {
			return Outcome{Err: fmt.Errorf("webhook endpoint %s was deleted", ep.ID)}
		}
		if !ep.Enabled {
			return Outcome{Err: fmt.Errorf("webhook endpoint %s is disabled", ep.ID)}
		}
		return wh.Send(ctx, ep, in)
	}
}

// EmailSender adapts a Mailer to a Worker.
func EmailSender(m *Mailer) Sender {
	return func(ctx context.Context, in domain.Intent, items []domain.DigestItem, _ store.Store) Outcome {
		return m.Send(ctx, in, items)
	}
}

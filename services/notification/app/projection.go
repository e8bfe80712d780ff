package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification/convert"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Projection returns the read-model handler of the NOTIFICATION stream.
func Projection(st store.Store) eventlog.Handler { return projection{st} }

type projection struct{ st store.Store }

func (p projection) Checkpoint(ctx context.Context) (uint64, error) { return p.st.Checkpoint(ctx) }

func isNotFound(err error) bool { return errors.Is(err, domainerr.ErrNotFound) }

func (p projection) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := p.st.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	seq := ev.Sequence
	switch e := ev.Data.(type) {
	case *notificationv1.RecipientRegistered:
		r, err := p.st.GetRecipient(ctx, e.GetUserId())
		if err != nil && !isNotFound(err) {
			return err
		}
		r.UserID, r.OrganizationID, r.Email, r.Name, r.TokenLanguage = e.GetUserId(), e.GetOrganizationId(), e.GetEmail(), e.GetName(), e.GetLanguage()
		r.Version = seq
		return p.st.PutRecipient(ctx, r, seq)
	case *notificationv1.PreferencesChanged:
		r, err := p.st.GetRecipient(ctx, e.GetUserId())
		if err != nil && !isNotFound(err) {
			return err
		}
		np := convert.PreferencesFrom(e.GetPreferences())
		r.UserID = e.GetUserId()
		r.Language, r.Types, r.Quiet, r.DigestMinute = np.Language, np.Types, np.Quiet, np.DigestMinute
		r.Normalize()
		r.Version = seq
		return p.st.PutRecipient(ctx, r, seq)
	case *notificationv1.WebhookEndpointCreated:
		return p.st.PutEndpoint(ctx, domain.Endpoint{
			ID: e.GetEndpointId(), OrganizationID: e.GetOrganizationId(), URL: e.GetUrl(), Types: convert.Types(e.GetTypes()),
			Description: e.GetDescription(), Enabled: true, Secret: e.GetSecret(), Created: ev.Time, Version: seq,
		}, seq)
	case *notificationv1.WebhookEndpointChanged:
		return p.updateEndpoint(ctx, e.GetEndpointId(), seq, func(x *domain.Endpoint) {
			x.URL, x.Types, x.Description, x.Enabled = e.GetUrl(), convert.Types(e.GetTypes()), e.GetDescription(), e.GetEnabled()
		})
	case *notificationv1.WebhookSecretRotated:
		return p.updateEndpoint(ctx, e.GetEndpointId(), seq, func(x *domain.Endpoint) {
			x.PreviousSecret, x.PreviousExpires, x.Secret = x.Secret, convert.Time(e.GetPreviousExpireTime()), e.GetSecret()
		})
	case *notificationv1.WebhookEndpointDeleted:
		return p.updateEndpoint(ctx, e.GetEndpointId(), seq, func(x *domain.Endpoint) { x.Deleted, x.Enabled = true, false })
	case *notificationv1.NotificationIntended:
		return p.intended(ctx, convert.IntentFrom(e), ev, seq)
	case *notificationv1.DeliveryResendRequested:
		return p.updateDelivery(ctx, e.GetKey(), seq, func(d *domain.Delivery) {
			d.Status, d.Resends, d.NextAttempt, d.Finished = domain.DeliveryPending, int(e.GetResend()), ev.Time, zeroTime
		})
	case *notificationv1.DeliveryAttemptFailed:
		return p.updateDelivery(ctx, e.GetKey(), seq, func(d *domain.Delivery) {
			d.Status, d.Attempts, d.LastError, d.LastHTTPStatus = domain.DeliveryPending, int(e.GetAttempt()), e.GetError(), int(e.GetHttpStatus())
			d.NextAttempt = convert.Time(e.GetNextAttemptTime())
		})
	case *notificationv1.DeliverySucceeded:
		return p.updateDelivery(ctx, e.GetKey(), seq, func(d *domain.Delivery) {
			d.Status, d.Attempts, d.LastHTTPStatus, d.Finished, d.NextAttempt = domain.DeliveryDelivered, int(e.GetAttempt()), int(e.GetHttpStatus()), ev.Time, zeroTime
			d.LastError = ""
		})
	case *notificationv1.DeliveryDeadLettered:
		return p.updateDelivery(ctx, e.GetKey(), seq, func(d *domain.Delivery) {
			d.Status, d.Attempts, d.LastError, d.LastHTTPStatus, d.Finished, d.NextAttempt = domain.DeliveryDeadLettered, int(e.GetAttempts()), e.GetLastError(), int(e.GetHttpStatus()), ev.Time, zeroTime
		})
	case *notificationv1.DigestItemsSent:
		return p.st.MarkDigestSent(ctx, e.GetItemKeys(), seq)
	case *notificationv1.InboxItemRead:
		return p.st.SetInboxState(ctx, orgOf(ev.Subject), e.GetItemId(), domain.InboxRead, seq)
	case *notificationv1.InboxItemArchived:
		return p.st.SetInboxState(ctx, orgOf(ev.Subject), e.GetItemId(), domain.InboxArchived, seq)
	case *notificationv1.InboxAllRead:
		_, err := p.st.MarkAllRead(ctx, orgOf(ev.Subject), e.GetThroughSequence(), seq)
		return err
	}
	return eventlog.Permanent(fmt.Errorf("unexpected event %s on %s", ev.Type, ev.Subject))
}

var zeroTime time.Time

func orgOf(subject string) string { return strings.TrimPrefix(subject, domain.InboxSubjectPrefix) }

func (p projection) intended(ctx context.Context, in domain.Intent, ev eventlog.Event, seq uint64) error {
	switch {
	case in.Channel == domain.ChannelInbox:
		_, err := p.st.AddInboxItem(ctx, domain.InboxItem{
			ID: in.Key, OrganizationID: in.OrganizationID, Type: in.Type, MessageID: in.MessageID, Args: in.Args,
			Link: in.Link, State: domain.InboxUnread, Created: in.Source.Time, Sequence: seq,
		}, seq)
		return err
	case in.Channel == domain.ChannelEmail && in.Digest:
		if _, err := p.st.GetDigestItem(ctx, in.Key); err == nil {
			return nil
		}
		return p.st.PutDigestItem(ctx, domain.DigestItem{Key: in.Key, UserID: in.UserID, Type: in.Type, MessageID: in.MessageID,
			Args: in.Args, Link: in.Link, Created: in.Source.Time, Sequence: seq}, seq)
	default:
		if _, err := p.st.GetDelivery(ctx, in.Key); err == nil {
			return nil // planned again after the deduplication window: one delivery
		} else if !isNotFound(err) {
			return err
		}
		return p.st.PutDelivery(ctx, domain.Delivery{
			Key: in.Key, Channel: in.Channel, OrganizationID: in.OrganizationID, EndpointID: in.EndpointID,
			UserID: in.UserID, Email: in.Email, Type: in.Type, Status: domain.DeliveryPending, Created: ev.Time, Sequence: seq,
		}, seq)
	}
}

func (p projection) updateEndpoint(ctx context.Context, id string, seq uint64, fn func(*domain.Endpoint)) error {
	e, err := p.st.GetEndpoint(ctx, id)
	if err != nil {
		return eventlog.Permanent(err)
	}
	fn(&e)
	e.Version = seq
	return p.st.PutEndpoint(ctx, e, seq)
}

func (p projection) updateDelivery(ctx context.Context, key string, seq uint64, fn func(*domain.Delivery)) error {
	d, err := p.st.GetDelivery(ctx, key)
	if isNotFound(err) {
		return nil // an outcome of an intent this store never held (digest items); nothing to show
	}
	if err != nil {
		return err
	}
	fn(&d)
	return p.st.PutDelivery(ctx, d, seq)
}

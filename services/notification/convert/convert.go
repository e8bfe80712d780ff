// Package convert translates between the notification protobuf messages and
// the domain types; protobuf stays out of the domain and the stores.
package convert

import (
	"maps"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification/domain"
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func tm(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

// Types converts a list of types from protobuf.
func Types(in []notificationv1.NotificationType) []domain.Type {
	var out []domain.Type
	for _, t := range in {
		out = append(out, domain.Type(t))
	}
	return out
}

// TypesTo converts a list of types to protobuf.
func TypesTo(in []domain.Type) []notificationv1.NotificationType {
	var out []notificationv1.NotificationType
	for _, t := range in {
		out = append(out, notificationv1.NotificationType(t))
	}
	return out
}

// PreferencesFrom reads what a user sent (or what an event recorded).
func PreferencesFrom(p *notificationv1.Preferences) domain.Preferences {
	out := domain.Preferences{Language: p.GetLanguage(), DigestMinute: int(p.GetDigestMinute())}
	for _, tp := range p.GetTypes() {
		out.Types = append(out.Types, domain.TypePreference{Type: domain.Type(tp.GetType()), Email: tp.GetEmail(), Webhook: tp.GetWebhook(), Mode: domain.Mode(tp.GetMode())})
	}
	if q := p.GetQuietHours(); q != nil {
		out.Quiet = &domain.QuietHours{StartMinute: int(q.GetStartMinute()), EndMinute: int(q.GetEndMinute()), TimeZone: q.GetTimeZone()}
	}
	return out
}

// Preferences writes a user's preferences, every selectable type listed (with
// its effective choice) so clients show the defaults.
func Preferences(p domain.Preferences) *notificationv1.Preferences {
	out := &notificationv1.Preferences{Language: p.Lang(), DigestMinute: int32(p.DigestMinute), Version: p.Version, Email: p.Email}
	if out.DigestMinute == 0 {
		out.DigestMinute = domain.DefaultDigestMinute
	}
	for _, t := range domain.Selectable {
		tp := p.For(t)
		out.Types = append(out.Types, &notificationv1.TypePreference{Type: notificationv1.NotificationType(t), Email: tp.Email, Webhook: tp.Webhook, Mode: notificationv1.DeliveryMode(tp.Mode)})
	}
	if q := p.Quiet; q != nil {
		out.QuietHours = &notificationv1.QuietHours{StartMinute: int32(q.StartMinute), EndMinute: int32(q.EndMinute), TimeZone: q.TimeZone}
	}
	return out
}

// PreferencesEvent writes preferences for a PreferencesChanged event (only what the user set).
func PreferencesEvent(p domain.Preferences) *notificationv1.Preferences {
	out := &notificationv1.Preferences{Language: p.Language, DigestMinute: int32(p.DigestMinute)}
	for _, tp := range p.Types {
		out.Types = append(out.Types, &notificationv1.TypePreference{Type: notificationv1.NotificationType(tp.Type), Email: tp.Email, Webhook: tp.Webhook, Mode: notificationv1.DeliveryMode(tp.Mode)})
	}
	if q := p.Quiet; q != nil {
		out.QuietHours = &notificationv1.QuietHours{StartMinute: int32(q.StartMinute), EndMinute: int32(q.EndMinute), TimeZone: q.TimeZone}
	}
	return out
}

// Intent writes the NotificationIntended event of an intent.
func Intent(in domain.Intent) *notificationv1.NotificationIntended {
	return &notificationv1.NotificationIntended{
		Key: in.Key, Type: notificationv1.NotificationType(in.Type), Channel: notificationv1.Channel(in.Channel),
		OrganizationId: in.OrganizationID, UserId: in.UserID, Email: in.Email, Language: in.Language, EndpointId: in.EndpointID,
		MessageId: in.MessageID, Args: maps.Clone(in.Args), Link: in.Link,
		SourceEventId: in.Source.EventID, SourceEventType: in.Source.EventType, SourceSubject: in.Source.Subject, OccurTime: ts(in.Source.Time),
		Digest: in.Digest, DigestKeys: in.DigestKeys,
	}
}

// IntentFrom reads a NotificationIntended event.
func IntentFrom(e *notificationv1.NotificationIntended) domain.Intent {
	return domain.Intent{
		Key: e.GetKey(), Type: domain.Type(e.GetType()), Channel: domain.Channel(e.GetChannel()),
		OrganizationID: e.GetOrganizationId(), UserID: e.GetUserId(), Email: e.GetEmail(), Language: e.GetLanguage(), EndpointID: e.GetEndpointId(),
		MessageID: e.GetMessageId(), Args: maps.Clone(e.GetArgs()), Link: e.GetLink(),
		Source: domain.Source{EventID: e.GetSourceEventId(), EventType: e.GetSourceEventType(), Subject: e.GetSourceSubject(), Time: tm(e.GetOccurTime())},
		Digest: e.GetDigest(), DigestKeys: e.GetDigestKeys(),
	}
}

// Endpoint writes an endpoint (never its secrets).
func Endpoint(e domain.Endpoint) *notificationv1.WebhookEndpoint {
	out := &notificationv1.WebhookEndpoint{
		Id: e.ID, OrganizationId: e.OrganizationID, Url: e.URL, Types: TypesTo(e.Types), Enabled: e.Enabled,
		Description: e.Description, CreateTime: ts(e.Created), Version: e.Version,
	}
	if e.PreviousSecret != "" && time.Now().Before(e.PreviousExpires) {
		out.PreviousSecretExpireTime = ts(e.PreviousExpires)
	}
	return out
}

// InboxItem writes an item, its text rendered in lang.
func InboxItem(it domain.InboxItem, lang string) *notificationv1.InboxItem {
	title, body := domain.Render(lang, it.MessageID, it.Args)
	return &notificationv1.InboxItem{
		Id: it.ID, Type: notificationv1.NotificationType(it.Type), Title: title, Body: body, Link: it.Link,
		State: notificationv1.InboxState(it.State), CreateTime: ts(it.Created), MessageId: it.MessageID, Args: maps.Clone(it.Args),
	}
}

// Delivery writes a delivery.
func Delivery(d domain.Delivery) *notificationv1.Delivery {
	return &notificationv1.Delivery{
		Id: d.Key, Channel: notificationv1.Channel(d.Channel), Target: d.Target(), Type: notificationv1.NotificationType(d.Type),
		Status: notificationv1.DeliveryStatus(d.Status), Attempts: int32(d.Attempts), LastError: d.LastError,
		NextAttemptTime: ts(d.NextAttempt), CreateTime: ts(d.Created), FinishTime: ts(d.Finished), LastHttpStatus: int32(d.LastHTTPStatus),
	}
}

// Time reads a protobuf timestamp (zero for nil).
func Time(t *timestamppb.Timestamp) time.Time { return tm(t) }

// Timestamp writes a time (nil for zero).
func Timestamp(t time.Time) *timestamppb.Timestamp { return ts(t) }

// Package app runs the notification service's use cases: the caller's
// preferences, the organisation's inbox and its webhook endpoints. Every change
// is one event on the NOTIFICATION stream; answers come from the read model once
// the projection has applied the write (read-your-writes).
package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification/convert"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Projector is what the service needs of the running projection.
type Projector interface {
	WaitFor(ctx context.Context, seq uint64) error
}

// Service is the notification application service.
type Service struct {
	log   *eventlog.Log
	store store.Store
	proj  Projector
	now   func() time.Time
}

// New returns a service over the NOTIFICATION log, its read model and the projection feeding it.
func New(log *eventlog.Log, st store.Store, proj Projector) *Service {
	return &Service{log: log, store: st, proj: proj, now: time.Now}
}

// Store returns the read model (for the delivery workers and the planner).
func (s *Service) Store() store.Store { return s.store }

// Log returns the NOTIFICATION event log.
func (s *Service) Log() *eventlog.Log { return s.log }

// Projector returns the read-model projection.
func (s *Service) Projector() Projector { return s.proj }

// Append writes one event and waits until the read model has it.
func (s *Service) Append(ctx context.Context, subject string, e proto.Message, expected int64, msgID string) (eventlog.Appended, error) {
	res, err := s.log.Append(ctx, eventlog.Draft{Subject: subject, Event: e, ExpectedVersion: expected, MsgID: msgID, Actor: auth.FromContext(ctx).Actor()})
	if err != nil {
		return res, err
	}
	if err := s.proj.WaitFor(ctx, res.Sequence); err != nil {
		return res, fmt.Errorf("waiting for read model: %w", err)
	}
	return res, nil
}

func caller(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil || p.Subject == "" {
		return nil, fmt.Errorf("no caller: %w", domainerr.ErrUnauthenticated)
	}
	return p, nil
}

func tokenLanguage(p *auth.Principal) string {
	if len(p.Locale) >= 2 && (p.Locale[:2] == "en" || p.Locale[:2] == "es") {
		return p.Locale[:2]
	}
	return ""
}

// recipient returns the caller's record, registering the caller first when the
// service has not seen them (or their address, language or organisation
// changed): that is how the service learns whom to e-mail, in which language.
func (s *Service) recipient(ctx context.Context, idemKey string) (domain.Preferences, error) {
	p, err := caller(ctx)
	if err != nil {
		return domain.Preferences{}, err
	}
	org := ""
	if p.Has(auth.RoleCompany) {
		org = p.Organization
	}
	if org != "" && !domain.ValidID(org) {
		return domain.Preferences{}, fmt.Errorf("token organisation %q is not an id: %w", org, domainerr.ErrPermissionDenied)
	}
	r, err := s.store.GetRecipient(ctx, p.Subject)
	if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
		return r, err
	}
	lang := tokenLanguage(p)
	if err == nil && r.OrganizationID == org && r.Email == p.Email && r.Name == p.Name && r.TokenLanguage == lang {
		return r, nil
	}
	ev := &notificationv1.RecipientRegistered{UserId: p.Subject, OrganizationId: org, Email: p.Email, Name: p.Name, Language: lang}
	// The same registration twice (two first calls at once) is one event.
	msgID := eventlog.MsgID(fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s", p.Subject, org, p.Email, p.Name, lang), "recipient")
	if _, err := s.Append(ctx, domain.RecipientSubject(p.Subject), ev, eventlog.AnyVersion, msgID); err != nil {
		return r, err
	}
	return s.store.GetRecipient(ctx, p.Subject)
}

// Me registers the caller if needed and returns their record.
func (s *Service) Me(ctx context.Context) (domain.Preferences, error) { return s.recipient(ctx, "") }

// GetPreferences returns the caller's preferences.
func (s *Service) GetPreferences(ctx context.Context) (domain.Preferences, error) {
	return s.recipient(ctx, "")
}

// UpdatePreferences replaces the caller's preferences.
func (s *Service) UpdatePreferences(ctx context.Context, np domain.Preferences, expectedVersion uint64, idemKey string) (domain.Preferences, error) {
	if err := domain.ValidatePreferences(np); err != nil {
		return domain.Preferences{}, err
	}
	r, err := s.recipient(ctx, idemKey)
	if err != nil {
		return r, err
	}
	if expectedVersion != 0 && r.Version != expectedVersion {
		return r, fmt.Errorf("preferences are at version %d, not %d: %w", r.Version, expectedVersion, domainerr.ErrConflict)
	}
	np.Normalize()
	ev := &notificationv1.PreferencesChanged{UserId: r.UserID, Preferences: convert.PreferencesEvent(np)}
	expected := eventlog.AnyVersion
	if expectedVersion != 0 {
		expected = int64(expectedVersion)
	}
	if _, err := s.Append(ctx, domain.RecipientSubject(r.UserID), ev, expected, eventlog.MsgID(idemKey, "preferences", r.UserID)); err != nil {
		return r, err
	}
	return s.store.GetRecipient(ctx, r.UserID)
}

// inboxOrg is the organisation whose inbox the caller reads ("" when the
// caller acts for none: staff have an empty inbox).
func inboxOrg(ctx context.Context) (string, *auth.Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return "", nil, err
	}
	if !p.Has(auth.RoleCompany) || p.Organization == "" {
		return "", p, nil
	}
	return p.Organization, p, nil
}

// Inbox lists the caller's organisation's inbox and its unread count.
func (s *Service) Inbox(ctx context.Context, f store.InboxFilter) ([]domain.InboxItem, string, int, error) {
	org, _, err := inboxOrg(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	if f.State < domain.InboxAny || f.State > domain.InboxArchived {
		return nil, "", 0, domainerr.Invalid("state", "unknown inbox state %d", f.State)
	}
	if f.PageSize < 0 || f.PageSize > 100 {
		return nil, "", 0, domainerr.Invalid("page_size", "must be between 0 and 100, got %d", f.PageSize)
	}
	if org == "" {
		return nil, "", 0, nil
	}
	if _, err := s.recipient(ctx, ""); err != nil {
		return nil, "", 0, err
	}
	f.OrganizationID = org
	items, next, err := s.store.ListInbox(ctx, f)
	if err != nil {
		return nil, "", 0, err
	}
	n, err := s.store.CountUnread(ctx, org)
	return items, next, n, err
}

// UnreadCount is the caller's organisation's unread count (the bell).
func (s *Service) UnreadCount(ctx context.Context) (int, error) {
	org, _, err := inboxOrg(ctx)
	if err != nil || org == "" {
		return 0, err
	}
	if _, err := s.recipient(ctx, ""); err != nil {
		return 0, err
	}
	return s.store.CountUnread(ctx, org)
}

func (s *Service) itemChange(ctx context.Context, id string, e proto.Message, idemKey, scope string) (domain.InboxItem, error) {
	if !domain.ValidKey(id) {
		return domain.InboxItem{}, domainerr.Invalid("item_id", "%q is not an inbox item id (32 hex digits)", id)
	}
	org, _, err := inboxOrg(ctx)
	if err != nil {
		return domain.InboxItem{}, err
	}
	if org == "" {
		return domain.InboxItem{}, fmt.Errorf("inbox item %s: %w", id, domainerr.ErrNotFound)
	}
	if _, err := s.store.GetInboxItem(ctx, org, id); err != nil {
		return domain.InboxItem{}, err
	}
	if _, err := s.Append(ctx, domain.InboxSubject(org), e, eventlog.AnyVersion, eventlog.MsgID(idemKey, scope, org, id)); err != nil {
		return domain.InboxItem{}, err
	}
	return s.store.GetInboxItem(ctx, org, id)
}

// MarkRead marks one item read.
func (s *Service) MarkRead(ctx context.Context, id, idemKey string) (domain.InboxItem, error) {
	return s.itemChange(ctx, id, &notificationv1.InboxItemRead{ItemId: id}, idemKey, "read")
}

// Archive archives one item.
func (s *Service) Archive(ctx context.Context, id, idemKey string) (domain.InboxItem, error) {
	return s.itemChange(ctx, id, &notificationv1.InboxItemArchived{ItemId: id}, idemKey, "archive")
}

// MarkAllRead marks every item that the caller could see read.
func (s *Service) MarkAllRead(ctx context.Context, idemKey string) (int, error) {
	org, _, err := inboxOrg(ctx)
	if err != nil || org == "" {
		return 0, err
	}
	n, err := s.store.CountUnread(ctx, org)
	if err != nil || n == 0 {
		return 0, err
	}
	through, err := s.store.Checkpoint(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := s.Append(ctx, domain.InboxSubject(org), &notificationv1.InboxAllRead{ThroughSequence: through}, eventlog.AnyVersion, eventlog.MsgID(idemKey, "allread", org)); err != nil {
		return 0, err
	}
	return n, nil
}

// mayManage says whether the caller manages organisation org's endpoints: a
// user of the organisation, or an administrator.
func mayManage(p *auth.Principal, org string) error {
	if p.ActsFor(org) || p.Has(auth.RoleAdmin) {
		return nil
	}
	return fmt.Errorf("only users of organisation %s manage its webhook endpoints: %w", org, domainerr.ErrPermissionDenied)
}

// CreateEndpoint adds a webhook endpoint and returns it with its secret.
func (s *Service) CreateEndpoint(ctx context.Context, org string, in domain.EndpointInput, idemKey string) (domain.Endpoint, string, error) {
	p, err := caller(ctx)
	if err != nil {
		return domain.Endpoint{}, "", err
	}
	var v domainerr.Violations
	if err := domain.CheckID("organization_id", org); err != nil {
		v = append(v, err.(*domainerr.InvalidError).Violations...)
	}
	if err := domain.ValidateEndpoint(in); err != nil {
		v = append(v, err.(*domainerr.InvalidError).Violations...)
	}
	if err := v.Err(); err != nil {
		return domain.Endpoint{}, "", err
	}
	if err := mayManage(p, org); err != nil {
		return domain.Endpoint{}, "", err
	}
	id := uuid.NewString()
	if idemKey != "" {
		// A retried create is the same endpoint (and the same secret, read from the log).
		id = uuid.NewSHA1(uuid.NameSpaceOID, []byte(org+"\x00"+idemKey)).String()
	}
	if e, err := s.store.GetEndpoint(ctx, id); err == nil {
		return e, e.Secret, nil
	}
	ev := &notificationv1.WebhookEndpointCreated{EndpointId: id, OrganizationId: org, Url: in.URL, Types: convert.TypesTo(in.Types), Description: in.Description, Secret: domain.NewSecret()}
	if _, err := s.Append(ctx, domain.EndpointSubject(id), ev, 0, eventlog.MsgID(idemKey, "endpoint", org)); err != nil {
		return domain.Endpoint{}, "", err
	}
	e, err := s.store.GetEndpoint(ctx, id)
	return e, e.Secret, err
}

func (s *Service) endpointFor(ctx context.Context, id string) (domain.Endpoint, error) {
	if err := domain.CheckID("endpoint_id", id); err != nil {
		return domain.Endpoint{}, err
	}
	p, err := caller(ctx)
	if err != nil {
		return domain.Endpoint{}, err
	}
	e, err := s.store.GetEndpoint(ctx, id)
	if err != nil {
		return e, err
	}
	if e.Deleted {
		return e, fmt.Errorf("webhook endpoint %s: %w", id, domainerr.ErrNotFound)
	}
	if err := mayManage(p, e.OrganizationID); err != nil {
		// Do not tell others whether the endpoint exists.
		return domain.Endpoint{}, fmt.Errorf("webhook endpoint %s: %w", id, domainerr.ErrNotFound)
	}
	return e, nil
}

// ListEndpoints returns an organisation's endpoints.
func (s *Service) ListEndpoints(ctx context.Context, org string) ([]domain.Endpoint, error) {
	if err := domain.CheckID("organization_id", org); err != nil {
		return nil, err
	}
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := mayManage(p, org); err != nil {
		return nil, err
	}
	return s.store.ListEndpoints(ctx, org)
}

// UpdateEndpoint replaces an endpoint's settings.
func (s *Service) UpdateEndpoint(ctx context.Context, id string, in domain.EndpointInput, expectedVersion uint64, idemKey string) (domain.Endpoint, error) {
	if err := domain.ValidateEndpoint(in); err != nil {
		return domain.Endpoint{}, err
	}
	e, err := s.endpointFor(ctx, id)
	if err != nil {
		return e, err
	}
	if expectedVersion != 0 && e.Version != expectedVersion {
		return e, fmt.Errorf("webhook endpoint %s is at version %d, not %d: %w", id, e.Version, expectedVersion, domainerr.ErrConflict)
	}
	ev := &notificationv1.WebhookEndpointChanged{EndpointId: id, Url: in.URL, Types: convert.TypesTo(in.Types), Description: in.Description, Enabled: in.Enabled}
	expected := eventlog.AnyVersion
	if expectedVersion != 0 {
		expected = int64(expectedVersion)
	}
	if _, err := s.Append(ctx, domain.EndpointSubject(id), ev, expected, eventlog.MsgID(idemKey, "endpoint-change", id)); err != nil {
		return e, err
	}
	return s.store.GetEndpoint(ctx, id)
}

// RotateSecret issues a new secret; the previous one signs too for overlap.
func (s *Service) RotateSecret(ctx context.Context, id string, overlapHours int, idemKey string) (domain.Endpoint, string, error) {
	if overlapHours < 0 || overlapHours > 168 {
		return domain.Endpoint{}, "", domainerr.Invalid("overlap_hours", "must be between 0 and 168 (0 = default 24), got %d", overlapHours)
	}
	if overlapHours == 0 {
		overlapHours = 24
	}
	e, err := s.endpointFor(ctx, id)
	if err != nil {
		return e, "", err
	}
	ev := &notificationv1.WebhookSecretRotated{EndpointId: id, Secret: domain.NewSecret(),
		PreviousExpireTime: timestamppb.New(s.now().Add(time.Duration(overlapHours) * time.Hour))}
	res, err := s.Append(ctx, domain.EndpointSubject(id), ev, eventlog.AnyVersion, eventlog.MsgID(idemKey, "rotate", id))
	if err != nil {
		return e, "", err
	}
	e, err = s.store.GetEndpoint(ctx, id)
	if res.Duplicate {
		// The retry of a rotation returns the secret it issued (the current one).
		return e, e.Secret, err
	}
	return e, ev.GetSecret(), err
}

// DeleteEndpoint removes an endpoint.
func (s *Service) DeleteEndpoint(ctx context.Context, id, idemKey string) error {
	if _, err := s.endpointFor(ctx, id); err != nil {
		return err
	}
	_, err := s.Append(ctx, domain.EndpointSubject(id), &notificationv1.WebhookEndpointDeleted{EndpointId: id}, eventlog.AnyVersion, eventlog.MsgID(idemKey, "endpoint-delete", id))
	return err
}

// ListDeliveries returns an organisation's recent webhook deliveries.
func (s *Service) ListDeliveries(ctx context.Context, org, endpointID string, limit int) ([]domain.Delivery, error) {
	if err := domain.CheckID("organization_id", org); err != nil {
		return nil, err
	}
	if endpointID != "" && !domain.ValidID(endpointID) {
		return nil, domainerr.Invalid("endpoint_id", "%q is not an id", endpointID)
	}
	if limit < 0 || limit > 100 {
		return nil, domainerr.Invalid("page_size", "must be between 0 and 100, got %d", limit)
	}
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := mayManage(p, org); err != nil {
		return nil, err
	}
	return s.store.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: org, EndpointID: endpointID, Channel: domain.ChannelWebhook, Limit: limit})
}

// Resend asks for a webhook delivery to be made again (same webhook-id).
func (s *Service) Resend(ctx context.Context, key, idemKey string) (domain.Delivery, error) {
	if !domain.ValidKey(key) {
		return domain.Delivery{}, domainerr.Invalid("delivery_id", "%q is not a delivery id (32 hex digits)", key)
	}
	p, err := caller(ctx)
	if err != nil {
		return domain.Delivery{}, err
	}
	d, err := s.store.GetDelivery(ctx, key)
	if err != nil {
		return d, err
	}
	if d.Channel != domain.ChannelWebhook || mayManage(p, d.OrganizationID) != nil {
		return domain.Delivery{}, fmt.Errorf("delivery %s: %w", key, domainerr.ErrNotFound)
	}
	if d.Status == domain.DeliveryPending {
		return d, domainerr.Precondition("delivery", "delivery/"+key, "the delivery is still being attempted; wait for it to be delivered or dead-lettered")
	}
	ev := &notificationv1.DeliveryResendRequested{Key: key, Resend: int32(d.Resends + 1)}
	if _, err := s.Append(ctx, domain.IntentSubject(domain.ChannelWebhook, key), ev, eventlog.AnyVersion, eventlog.MsgID(idemKey, "resend", key)); err != nil {
		return d, err
	}
	return s.store.GetDelivery(ctx, key)
}

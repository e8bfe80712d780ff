// Package store is the notification read model's port: recipients and their
// preferences, webhook endpoints, inbox items, deliveries and digest items,
// each written with the stream sequence of the event that produced it, so
// applying an event twice changes nothing.
package store

import (
	"context"

	"github.com/consortia-dev/consortia/services/notification/domain"
)

// InboxFilter selects inbox items of one organisation, newest first.
type InboxFilter struct {
	OrganizationID string
	// State: InboxAny means unread and read (not archived).
	State     domain.InboxState
	PageSize  int
	PageToken string
}

// DeliveryFilter selects deliveries of one organisation, newest first.
type DeliveryFilter struct {
	OrganizationID string
	EndpointID     string
	Channel        domain.Channel
	Limit          int
}

// Store is the read model. Every write carries the sequence of the event it
// applies; a write at or below the stored checkpoint is ignored, and the
// checkpoint moves to seq.
type Store interface {
	// Checkpoint is the sequence of the last event applied (0 when empty).
	Checkpoint(ctx context.Context) (uint64, error)

	GetRecipient(ctx context.Context, userID string) (domain.Preferences, error)
	PutRecipient(ctx context.Context, p domain.Preferences, seq uint64) error
	// ListRecipients returns the users of an organisation, by user id.
	ListRecipients(ctx context.Context, organizationID string) ([]domain.Preferences, error)

	GetEndpoint(ctx context.Context, id string) (domain.Endpoint, error)
	PutEndpoint(ctx context.Context, e domain.Endpoint, seq uint64) error
	// ListEndpoints returns an organisation's endpoints that are not deleted, oldest first.
	ListEndpoints(ctx context.Context, organizationID string) ([]domain.Endpoint, error)

	// AddInboxItem stores a new item; an item with the same id is left as it is
	// (a re-planned intent never makes a second item). added says which.
	AddInboxItem(ctx context.Context, it domain.InboxItem, seq uint64) (added bool, err error)
	GetInboxItem(ctx context.Context, organizationID, id string) (domain.InboxItem, error)
	SetInboxState(ctx context.Context, organizationID, id string, state domain.InboxState, seq uint64) error
	// MarkAllRead marks unread items whose intent is at or below through as read.
	MarkAllRead(ctx context.Context, organizationID string, through, seq uint64) (int, error)
	ListInbox(ctx context.Context, f InboxFilter) ([]domain.InboxItem, string, error)
	CountUnread(ctx context.Context, organizationID string) (int, error)

	// PutDelivery stores a delivery, replacing the one with the same key.
	PutDelivery(ctx context.Context, d domain.Delivery, seq uint64) error
	GetDelivery(ctx context.Context, key string) (domain.Delivery, error)
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]domain.Delivery, error)

	// PutDigestItem stores a digest item, replacing the one with the same key
	// (marking it sent is a replace with Sent set).
	PutDigestItem(ctx context.Context, it domain.DigestItem, seq uint64) error
	GetDigestItem(ctx context.Context, key string) (domain.DigestItem, error)
	// MarkDigestSent marks digest items as sent in a digest e-mail.
	MarkDigestSent(ctx context.Context, keys []string, seq uint64) error
	// PendingDigest returns a user's unsent digest items, oldest first.
	PendingDigest(ctx context.Context, userID string) ([]domain.DigestItem, error)
}

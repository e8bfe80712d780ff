// Package grpc exposes the notification service over gRPC: it translates
// protobuf requests to application calls and results back. Errors go through
// grpcserver.Status in the server's interceptor, the one place codes are chosen.
package grpc

import (
	"context"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification/app"
	"github.com/consortia-dev/consortia/services/notification/convert"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
)

// Server implements notificationv1.NotificationServiceServer.
type Server struct {
	notificationv1.UnimplementedNotificationServiceServer
	svc *app.Service
}

// NewServer returns the gRPC adapter for svc.
func NewServer(svc *app.Service) *Server { return &Server{svc: svc} }

var key = grpcserver.IdempotencyKey

// lang is the language to render texts for the caller.
func (s *Server) lang(ctx context.Context) string {
	if r, err := s.svc.Me(ctx); err == nil {
		return r.Lang()
	}
	if p := auth.FromContext(ctx); p != nil && len(p.Locale) >= 2 && p.Locale[:2] == "en" {
		return "en"
	}
	return "es"
}

// GetPreferences implements the RPC.
func (s *Server) GetPreferences(ctx context.Context, _ *notificationv1.GetPreferencesRequest) (*notificationv1.GetPreferencesResponse, error) {
	p, err := s.svc.GetPreferences(ctx)
	if err != nil {
		return nil, err
	}
	return &notificationv1.GetPreferencesResponse{Preferences: convert.Preferences(p)}, nil
}

// UpdatePreferences implements the RPC.
func (s *Server) UpdatePreferences(ctx context.Context, r *notificationv1.UpdatePreferencesRequest) (*notificationv1.UpdatePreferencesResponse, error) {
	p, err := s.svc.UpdatePreferences(ctx, convert.PreferencesFrom(r.GetPreferences()), r.GetExpectedVersion(), key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.UpdatePreferencesResponse{Preferences: convert.Preferences(p)}, nil
}

// ListInbox implements the RPC.
func (s *Server) ListInbox(ctx context.Context, r *notificationv1.ListInboxRequest) (*notificationv1.ListInboxResponse, error) {
	items, next, unread, err := s.svc.Inbox(ctx, store.InboxFilter{State: domain.InboxState(r.GetState()), PageSize: int(r.GetPageSize()), PageToken: r.GetPageToken()})
	if err != nil {
		return nil, err
	}
	lang := s.lang(ctx)
	out := &notificationv1.ListInboxResponse{NextPageToken: next, UnreadCount: int32(unread)}
	for _, it := range items {
		out.Items = append(out.Items, convert.InboxItem(it, lang))
	}
	return out, nil
}

// GetUnreadCount implements the RPC.
func (s *Server) GetUnreadCount(ctx context.Context, _ *notificationv1.GetUnreadCountRequest) (*notificationv1.GetUnreadCountResponse, error) {
	n, err := s.svc.UnreadCount(ctx)
	if err != nil {
		return nil, err
	}
	return &notificationv1.GetUnreadCountResponse{UnreadCount: int32(n)}, nil
}

// MarkRead implements the RPC.
func (s *Server) MarkRead(ctx context.Context, r *notificationv1.MarkReadRequest) (*notificationv1.MarkReadResponse, error) {
	it, err := s.svc.MarkRead(ctx, r.GetItemId(), key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.MarkReadResponse{Item: convert.InboxItem(it, s.lang(ctx))}, nil
}

// MarkAllRead implements the RPC.
func (s *Server) MarkAllRead(ctx context.Context, _ *notificationv1.MarkAllReadRequest) (*notificationv1.MarkAllReadResponse, error) {
	n, err := s.svc.MarkAllRead(ctx, key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.MarkAllReadResponse{Marked: int32(n)}, nil
}

// ArchiveItem implements the RPC.
func (s *Server) ArchiveItem(ctx context.Context, r *notificationv1.ArchiveItemRequest) (*notificationv1.ArchiveItemResponse, error) {
	it, err := s.svc.Archive(ctx, r.GetItemId(), key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.ArchiveItemResponse{Item: convert.InboxItem(it, s.lang(ctx))}, nil
}

func endpointInput(url, description string, types []notificationv1.NotificationType, enabled bool) domain.EndpointInput {
	return domain.EndpointInput{URL: url, Description: description, Types: convert.Types(types), Enabled: enabled}
}

// CreateWebhookEndpoint implements the RPC.
func (s *Server) CreateWebhookEndpoint(ctx context.Context, r *notificationv1.CreateWebhookEndpointRequest) (*notificationv1.CreateWebhookEndpointResponse, error) {
	e, secret, err := s.svc.CreateEndpoint(ctx, r.GetOrganizationId(), endpointInput(r.GetUrl(), r.GetDescription(), r.GetTypes(), true), key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.CreateWebhookEndpointResponse{Endpoint: convert.Endpoint(e), Secret: secret}, nil
}

// ListWebhookEndpoints implements the RPC.
func (s *Server) ListWebhookEndpoints(ctx context.Context, r *notificationv1.ListWebhookEndpointsRequest) (*notificationv1.ListWebhookEndpointsResponse, error) {
	es, err := s.svc.ListEndpoints(ctx, r.GetOrganizationId())
	if err != nil {
		return nil, err
	}
	out := &notificationv1.ListWebhookEndpointsResponse{}
	for _, e := range es {
		out.Endpoints = append(out.Endpoints, convert.Endpoint(e))
	}
	return out, nil
}

// UpdateWebhookEndpoint implements the RPC.
func (s *Server) UpdateWebhookEndpoint(ctx context.Context, r *notificationv1.UpdateWebhookEndpointRequest) (*notificationv1.UpdateWebhookEndpointResponse, error) {
	e, err := s.svc.UpdateEndpoint(ctx, r.GetEndpointId(), endpointInput(r.GetUrl(), r.GetDescription(), r.GetTypes(), r.GetEnabled()), r.GetExpectedVersion(), key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.UpdateWebhookEndpointResponse{Endpoint: convert.Endpoint(e)}, nil
}

// RotateWebhookSecret implements the RPC.
func (s *Server) RotateWebhookSecret(ctx context.Context, r *notificationv1.RotateWebhookSecretRequest) (*notificationv1.RotateWebhookSecretResponse, error) {
	e, secret, err := s.svc.RotateSecret(ctx, r.GetEndpointId(), int(r.GetOverlapHours()), key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.RotateWebhookSecretResponse{Endpoint: convert.Endpoint(e), Secret: secret}, nil
}

// DeleteWebhookEndpoint implements the RPC.
func (s *Server) DeleteWebhookEndpoint(ctx context.Context, r *notificationv1.DeleteWebhookEndpointRequest) (*notificationv1.DeleteWebhookEndpointResponse, error) {
	if err := s.svc.DeleteEndpoint(ctx, r.GetEndpointId(), key(ctx)); err != nil {
		return nil, err
	}
	return &notificationv1.DeleteWebhookEndpointResponse{}, nil
}

// ListDeliveries implements the RPC.
func (s *Server) ListDeliveries(ctx context.Context, r *notificationv1.ListDeliveriesRequest) (*notificationv1.ListDeliveriesResponse, error) {
	ds, err := s.svc.ListDeliveries(ctx, r.GetOrganizationId(), r.GetEndpointId(), int(r.GetPageSize()))
	if err != nil {
		return nil, err
	}
	out := &notificationv1.ListDeliveriesResponse{}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, convert.Delivery(d))
	}
	return out, nil
}

// ResendDelivery implements the RPC.
func (s *Server) ResendDelivery(ctx context.Context, r *notificationv1.ResendDeliveryRequest) (*notificationv1.ResendDeliveryResponse, error) {
	d, err := s.svc.Resend(ctx, r.GetDeliveryId(), key(ctx))
	if err != nil {
		return nil, err
	}
	return &notificationv1.ResendDeliveryResponse{Delivery: convert.Delivery(d)}, nil
}

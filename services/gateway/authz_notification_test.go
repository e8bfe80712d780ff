package gateway_test

import (
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// notificationAuthz is the notification service's authorisation table (see
// authz_test.go for the notation). Preferences and the inbox are the caller's
// own; an inbox item is its organisation's, and anyone else's is NotFound (its
// existence is not told); webhook endpoints and deliveries are managed by the
// organisation and administrators, others' endpoints and deliveries being
// NotFound and others' organisations PermissionDenied.
var notificationAuthz = authzTable{
	Service: "consortia.notification.v1.NotificationService",
	Addr:    func(s *stack) string { return s.Notification.Addr() },
	Setup:   notificationSetup,
	Rows: []authzRow{
		//                                          anon coA coB mgrX mgrY agency admin
		{RPC: "GetPreferences", Want: ".. AA AA AA AA AA AA", Request: func(*fixture, side, bool) proto.Message {
			return &notificationv1.GetPreferencesRequest{}
		}},
		{RPC: "UpdatePreferences", Want: ".. AA AA AA AA AA AA", Request: func(*fixture, side, bool) proto.Message {
			return &notificationv1.UpdatePreferencesRequest{Preferences: &notificationv1.Preferences{Language: "es"}}
		}},
		{RPC: "ListInbox", Want: ".. AA AA AA AA AA AA", Request: func(*fixture, side, bool) proto.Message {
			return &notificationv1.ListInboxRequest{}
		}},
		{RPC: "GetUnreadCount", Want: ".. AA AA AA AA AA AA", Request: func(*fixture, side, bool) proto.Message {
			return &notificationv1.GetUnreadCountRequest{}
		}},
		{RPC: "MarkRead", Want: ".. A. A. .. .. .. ..", Denied: codes.NotFound, Request: func(f *fixture, s side, _ bool) proto.Message {
			return &notificationv1.MarkReadRequest{ItemId: f.obj("inbox item", s)}
		}},
		{RPC: "MarkAllRead", Want: ".. AA AA AA AA AA AA", Request: func(*fixture, side, bool) proto.Message {
			return &notificationv1.MarkAllReadRequest{}
		}},
		{RPC: "ArchiveItem", Want: ".. A. A. .. .. .. ..", Denied: codes.NotFound, Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.obj("inbox item", s)
			if fresh {
				id = f.freshInboxItem(s)
			}
			return &notificationv1.ArchiveItemRequest{ItemId: id}
		}},
		{RPC: "CreateWebhookEndpoint", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &notificationv1.CreateWebhookEndpointRequest{OrganizationId: f.lead[s], Url: "http://127.0.0.1:1/authz"}
		}},
		{RPC: "ListWebhookEndpoints", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &notificationv1.ListWebhookEndpointsRequest{OrganizationId: f.lead[s]}
		}},
		{RPC: "UpdateWebhookEndpoint", Want: ".. A. A. .. .. .. AA", Denied: codes.NotFound, Request: func(f *fixture, s side, _ bool) proto.Message {
			return &notificationv1.UpdateWebhookEndpointRequest{EndpointId: f.obj("endpoint", s), Url: "http://127.0.0.1:1/authz", Enabled: true}
		}},
		{RPC: "RotateWebhookSecret", Want: ".. A. A. .. .. .. AA", Denied: codes.NotFound, Request: func(f *fixture, s side, _ bool) proto.Message {
			return &notificationv1.RotateWebhookSecretRequest{EndpointId: f.obj("endpoint", s)}
		}},
		{RPC: "DeleteWebhookEndpoint", Want: ".. A. A. .. .. .. AA", Denied: codes.NotFound, Request: func(f *fixture, s side, fresh bool) proto.Message {
			id := f.obj("endpoint", s)
			if fresh {
				id = f.freshEndpoint(s)
			}
			return &notificationv1.DeleteWebhookEndpointRequest{EndpointId: id}
		}},
		{RPC: "ListDeliveries", Want: ".. A. A. .. .. .. AA", Request: func(f *fixture, s side, _ bool) proto.Message {
			return &notificationv1.ListDeliveriesRequest{OrganizationId: f.lead[s]}
		}},
		{RPC: "ResendDelivery", Want: ".. A. A. .. .. .. AA", Denied: codes.NotFound, Request: func(f *fixture, s side, _ bool) proto.Message {
			return &notificationv1.ResendDeliveryRequest{DeliveryId: f.obj("delivery", s)}
		}},
	},
}

func (f *fixture) notifications() notificationv1.NotificationServiceClient {
	return notificationv1.NewNotificationServiceClient(f.dial(f.s.Notification.Addr()))
}

// asLead is side s's first company.
func (f *fixture) asLead(s side) auth.Claims {
	return as("authz-inbox-"+f.lead[s], auth.Claims{Name: "Lead", Roles: []string{auth.RoleCompany}, Organization: f.lead[s]})
}

// inbox lists the item ids of side s's first company.
func (f *fixture) inbox(s side) []string {
	res := check(f.notifications().ListInbox(f.ctxAs(f.asLead(s)), &notificationv1.ListInboxRequest{PageSize: 100})).or(f, "inbox")
	var ids []string
	for _, it := range res.GetItems() {
		ids = append(ids, it.GetId())
	}
	return ids
}

// freshInboxItem invites side s's first company to a new consortium and
// returns the inbox item that tells it.
func (f *fixture) freshInboxItem(s side) string {
	f.t.Helper()
	before := f.inbox(s)
	f.freshConsortium(s, f.spare[s])
	var id string
	f.eventually("a new inbox item for "+f.lead[s], func() bool {
		for _, it := range f.inbox(s) {
			if !slices.Contains(before, it) {
				id = it
				return true
			}
		}
		return false
	})
	return id
}

// freshEndpoint is a webhook endpoint of side s's first company (on a port
// nothing listens on: its deliveries are retried, never delivered).
func (f *fixture) freshEndpoint(s side) string {
	res := check(f.notifications().CreateWebhookEndpoint(f.admin, &notificationv1.CreateWebhookEndpointRequest{
		OrganizationId: f.lead[s], Url: "http://127.0.0.1:1/authz"})).or(f, "endpoint")
	return res.GetEndpoint().GetId()
}

// notificationSetup gives each side's first company an inbox item, a webhook
// endpoint and a delivery to it.
func notificationSetup(f *fixture) {
	f.t.Helper()
	for _, s := range []side{sideX, sideY} {
		ep := f.freshEndpoint(s)
		f.set("endpoint", s, ep)
		f.set("inbox item", s, f.freshInboxItem(s)) // the invitation is also a delivery to ep
		f.eventually("a delivery to "+ep, func() bool {
			res := check(f.notifications().ListDeliveries(f.admin, &notificationv1.ListDeliveriesRequest{OrganizationId: f.lead[s], EndpointId: ep})).or(f, "deliveries")
			if len(res.GetDeliveries()) == 0 {
				return false
			}
			f.set("delivery", s, res.GetDeliveries()[0].GetId())
			return true
		})
	}
}

package notification_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/notification/convert"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/internal/stack"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/eventlog"

	"github.com/golang-jwt/jwt/v5"
)

// Every RPC × role: who may do what with organisation A's inbox, endpoints and
// deliveries. Objects of others are NotFound (their existence is not told).
func TestAuthorisationTable(t *testing.T) {
	s := stack.New(t, notification.Config{WebhookAllow: nil})
	const orgA, orgB = "org-a", "org-b"
	roles := map[string]*auth.Claims{
		"anonymous": nil,
		"company A": ptr(stack.Company(orgA, "es")), "company B": ptr(stack.Company(orgB, "es")),
		"manager": ptr(stack.Manager("cluster-1")),
		"agency":  ptr(auth.Claims{Name: "Agency", Roles: []string{auth.RoleAgency}, RegisteredClaims: registered("u-agency")}),
		"admin":   ptr(stack.Admin()),
	}
	ctxFor := func(role string) context.Context {
		if c := roles[role]; c != nil {
			return s.Ctx(*c)
		}
		return t.Context()
	}
	asA := ctxFor("company A")
	newEndpoint := func() string {
		res, err := s.Notifications.CreateWebhookEndpoint(asA, &notificationv1.CreateWebhookEndpointRequest{OrganizationId: orgA, Url: "https://erp.example/hook"})
		if err != nil {
			t.Fatal(err)
		}
		return res.GetEndpoint().GetId()
	}
	n := 0
	newItem := func() string {
		n++
		in := domain.Intent{Type: domain.TypeConsortiumInvited, Channel: domain.ChannelInbox, OrganizationID: orgA, MessageID: domain.MsgInvited,
			Args: map[string]string{"consortium": "UTE", "tender": "T"}, Source: domain.Source{EventID: "authz-" + time.Now().String() + string(rune('a'+n)), Time: time.Now()}}
		in.Key = domain.Key(in.Source.EventID, "org:"+orgA, domain.ChannelInbox)
		res, err := s.Notification.Service.Log().Append(t.Context(), eventlog.Draft{Subject: domain.IntentSubject(in.Channel, in.Key), Event: convert.Intent(in), ExpectedVersion: 0, MsgID: in.Key})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Notification.Service.Projector().WaitFor(t.Context(), res.Sequence); err != nil {
			t.Fatal(err)
		}
		return in.Key
	}
	// A dead-lettered webhook delivery of A.
	ep := newEndpoint()
	dl := domain.Intent{Type: domain.TypeAwardResult, Channel: domain.ChannelWebhook, OrganizationID: orgA, EndpointID: ep, MessageID: domain.MsgAwardWon,
		Source: domain.Source{EventID: "authz-delivery", Time: time.Now()}}
	dl.Key = domain.Key(dl.Source.EventID, "endpoint:"+ep, domain.ChannelWebhook)
	if _, err := s.Notification.Service.Log().Append(t.Context(), eventlog.Draft{Subject: domain.IntentSubject(dl.Channel, dl.Key), Event: convert.Intent(dl), ExpectedVersion: 0, MsgID: dl.Key}); err != nil {
		t.Fatal(err)
	}
	s.Eventually(func() bool { // the worker refuses https://erp.example? No: it is unreachable here and retried; wait for the record
		_, err := s.Notification.Service.Store().GetDelivery(t.Context(), dl.Key)
		return err == nil
	}, "delivery recorded")

	type call func(ctx context.Context) error
	rpcs := []struct {
		name string
		make func() call // fresh objects for each role's call
		want map[string]codes.Code
	}{
		{"GetPreferences", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.GetPreferences(ctx, &notificationv1.GetPreferencesRequest{})
				return err
			}
		}, all(codes.OK)},
		{"UpdatePreferences", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.UpdatePreferences(ctx, &notificationv1.UpdatePreferencesRequest{Preferences: &notificationv1.Preferences{Language: "en"}})
				return err
			}
		}, all(codes.OK)},
		{"ListInbox", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.ListInbox(ctx, &notificationv1.ListInboxRequest{})
				return err
			}
		}, all(codes.OK)},
		{"GetUnreadCount", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.GetUnreadCount(ctx, &notificationv1.GetUnreadCountRequest{})
				return err
			}
		}, all(codes.OK)},
		{"MarkRead", func() call {
			id := newItem()
			return func(ctx context.Context) error {
				_, err := s.Notifications.MarkRead(ctx, &notificationv1.MarkReadRequest{ItemId: id})
				return err
			}
		}, onlyA(codes.NotFound)},
		{"ArchiveItem", func() call {
			id := newItem()
			return func(ctx context.Context) error {
				_, err := s.Notifications.ArchiveItem(ctx, &notificationv1.ArchiveItemRequest{ItemId: id})
				return err
			}
		}, onlyA(codes.NotFound)},
		{"MarkAllRead", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.MarkAllRead(ctx, &notificationv1.MarkAllReadRequest{})
				return err
			}
		}, all(codes.OK)},
		{"CreateWebhookEndpoint", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.CreateWebhookEndpoint(ctx, &notificationv1.CreateWebhookEndpointRequest{OrganizationId: orgA, Url: "https://erp.example/h2"})
				return err
			}
		}, aAndAdmin(codes.PermissionDenied)},
		{"ListWebhookEndpoints", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.ListWebhookEndpoints(ctx, &notificationv1.ListWebhookEndpointsRequest{OrganizationId: orgA})
				return err
			}
		}, aAndAdmin(codes.PermissionDenied)},
		{"UpdateWebhookEndpoint", func() call {
			id := newEndpoint()
			return func(ctx context.Context) error {
				_, err := s.Notifications.UpdateWebhookEndpoint(ctx, &notificationv1.UpdateWebhookEndpointRequest{EndpointId: id, Url: "https://erp.example/h3", Enabled: true})
				return err
			}
		}, aAndAdmin(codes.NotFound)},
		{"RotateWebhookSecret", func() call {
			id := newEndpoint()
			return func(ctx context.Context) error {
				_, err := s.Notifications.RotateWebhookSecret(ctx, &notificationv1.RotateWebhookSecretRequest{EndpointId: id})
				return err
			}
		}, aAndAdmin(codes.NotFound)},
		{"DeleteWebhookEndpoint", func() call {
			id := newEndpoint()
			return func(ctx context.Context) error {
				_, err := s.Notifications.DeleteWebhookEndpoint(ctx, &notificationv1.DeleteWebhookEndpointRequest{EndpointId: id})
				return err
			}
		}, aAndAdmin(codes.NotFound)},
		{"ListDeliveries", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.ListDeliveries(ctx, &notificationv1.ListDeliveriesRequest{OrganizationId: orgA})
				return err
			}
		}, aAndAdmin(codes.PermissionDenied)},
		{"ResendDelivery", func() call {
			return func(ctx context.Context) error {
				_, err := s.Notifications.ResendDelivery(ctx, &notificationv1.ResendDeliveryRequest{DeliveryId: dl.Key})
				if status.Code(err) == codes.FailedPrecondition {
					return nil // allowed, but the delivery is still being attempted
				}
				return err
			}
		}, aAndAdmin(codes.NotFound)},
	}
	for _, rpc := range rpcs {
		for role, want := range rpc.want {
			got := status.Code(rpc.make()(ctxFor(role)))
			if got != want {
				t.Errorf("%s as %s: %v, want %v", rpc.name, role, got, want)
			}
		}
	}
	// Bad ids are refused at the edge, naming the field.
	_, err := s.Notifications.MarkRead(asA, &notificationv1.MarkReadRequest{ItemId: "../x"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("MarkRead with a bad id: %v", err)
	}
	_, err = s.Notifications.CreateWebhookEndpoint(asA, &notificationv1.CreateWebhookEndpointRequest{OrganizationId: "org a>", Url: "ftp://x"})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || len(st.Details()) == 0 {
		t.Errorf("CreateWebhookEndpoint with a bad organisation and URL: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func registered(sub string) jwt.RegisteredClaims { return jwt.RegisteredClaims{Subject: sub} }

// all: every signed-in role gets ok; the anonymous caller Unauthenticated.
func all(ok codes.Code) map[string]codes.Code {
	return map[string]codes.Code{"anonymous": codes.Unauthenticated, "company A": ok, "company B": ok, "manager": ok, "agency": ok, "admin": ok}
}

// onlyA: organisation A's user gets OK, every other signed-in role other.
func onlyA(other codes.Code) map[string]codes.Code {
	return map[string]codes.Code{"anonymous": codes.Unauthenticated, "company A": codes.OK, "company B": other, "manager": other, "agency": other, "admin": other}
}

// aAndAdmin: organisation A's user and administrators get OK.
func aAndAdmin(other codes.Code) map[string]codes.Code {
	m := onlyA(other)
	m["admin"] = codes.OK
	return m
}

package api

import (
	"context"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	commissiongw "github.com/consortia-dev/consortia/services/gateway/gen/consortia/commission/v1"
	membergw "github.com/consortia-dev/consortia/services/gateway/gen/consortia/member/v1"
	notificationgw "github.com/consortia-dev/consortia/services/gateway/gen/consortia/notification/v1"
	tendergw "github.com/consortia-dev/consortia/services/gateway/gen/consortia/tender/v1"
)

// Backend is a service behind the gateway.
type Backend struct {
	// Name of the service: its configuration is CONSORTIA_<NAME>_URL.
	Name string
	// DefaultURL is its gRPC address when CONSORTIA_<NAME>_URL is unset.
	DefaultURL string
	// Routes registers its generated HTTP/JSON routes (proto/gateway.yaml).
	Routes func(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error
}

// Backends are the services the gateway forwards to. Adding a service to the
// gateway is one entry here (plus its routes in proto/gateway.yaml).
var Backends = []Backend{
	{Name: "member", DefaultURL: "127.0.0.1:7101", Routes: func(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
		return membergw.RegisterMemberServiceHandlerClient(ctx, mux, memberv1.NewMemberServiceClient(cc))
	}},
	{Name: "tender", DefaultURL: "127.0.0.1:7102", Routes: func(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
		return tendergw.RegisterTenderServiceHandlerClient(ctx, mux, tenderv1.NewTenderServiceClient(cc))
	}},
	{Name: "commission", DefaultURL: "127.0.0.1:7103", Routes: func(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
		return commissiongw.RegisterCommissionServiceHandlerClient(ctx, mux, commissionv1.NewCommissionServiceClient(cc))
	}},
	{Name: "notification", DefaultURL: "127.0.0.1:7104", Routes: func(ctx context.Context, mux *runtime.ServeMux, cc grpc.ClientConnInterface) error {
		return notificationgw.RegisterNotificationServiceHandlerClient(ctx, mux, notificationv1.NewNotificationServiceClient(cc))
	}},
}

package grpcserver_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"

	"github.com/consortia-dev/consortia/services/platform/grpcserver"
)

// rawCodec sends the bytes it is given as the request message, as a broken or
// hostile client would.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*(v.(*[]byte)) = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

func serve(t *testing.T) *grpc.ClientConn {
	t.Helper()
	srv, err := grpcserver.New(grpcserver.Config{Name: "test", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return conn
}

// Bytes that are not the method's message are the client's fault:
// INVALID_ARGUMENT with a fixed message, never INTERNAL with the decoder's text;
// unary and streaming calls alike, and a good message still works afterwards.
func TestUndecodableRequestIsInvalidArgument(t *testing.T) {
	conn := serve(t)
	bad := map[string][]byte{
		"truncated field":         {0x0a, 0x05, 'a'},
		"invalid UTF-8 in string": {0x0a, 0x02, 0xff, 0xfe},
		"wire type 7":             {0x0f},
	}
	for name, payload := range bad {
		t.Run(name+"/unary", func(t *testing.T) {
			var out []byte
			err := conn.Invoke(t.Context(), "/grpc.health.v1.Health/Check", payload, &out, grpc.ForceCodecV2(rawCodec{}))
			wantUndecodable(t, err)
		})
		t.Run(name+"/stream", func(t *testing.T) {
			desc := &grpc.StreamDesc{ServerStreams: true}
			cs, err := conn.NewStream(t.Context(), desc, "/grpc.health.v1.Health/Watch", grpc.ForceCodecV2(rawCodec{}))
			if err != nil {
				t.Fatal(err)
			}
			if err := cs.SendMsg(payload); err != nil {
				t.Fatal(err)
			}
			if err := cs.CloseSend(); err != nil {
				t.Fatal(err)
			}
			var out []byte
			err = cs.RecvMsg(&out)
			if err == io.EOF {
				t.Fatal("stream ended without a status")
			}
			wantUndecodable(t, err)
		})
	}
	res, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("a valid request after bad ones: %v, %v", res, err)
	}
}

func wantUndecodable(t *testing.T, err error) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v (%q), want InvalidArgument", st.Code(), st.Message())
	}
	// The decoder's own words ("proto: cannot parse invalid wire-format data",
	// "string field contains invalid UTF-8") stay in the server log.
	for _, leak := range []string{"proto:", "cannot parse", "contains invalid", "grpc:"} {
		if strings.Contains(st.Message(), leak) {
			t.Errorf("message %q shows the decoder's text (%q)", st.Message(), leak)
		}
	}
}

package grpcserver

import (
	"context"
	"log/slog"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// errUndecodable answers a request whose bytes are not the method's message.
// The decoder's own text is logged, not returned: it is an implementation
// detail and can echo the request.
var errUndecodable = status.Error(codes.InvalidArgument,
	"the request is not a valid protobuf message for this method (malformed bytes, or a string field that is not valid UTF-8)")

// undecodable holds the messages the codec failed to decode, with the
// decoder's error, until the interceptor of their call takes them out.
// grpc-go answers a decode failure with INTERNAL before any interceptor runs;
// the codec therefore reports success and leaves the verdict to the interceptor
// (decodeUnary, decodeStream), which is the first to see the message.
var undecodable sync.Map // any (the message pointer) → error

// strictCodec is the standard protobuf codec whose decode failures become
// INVALID_ARGUMENT (the client sent them) instead of grpc-go's INTERNAL.
type strictCodec struct{ encoding.CodecV2 }

func newStrictCodec() strictCodec { return strictCodec{encoding.GetCodecV2(protocodec.Name)} }

func (c strictCodec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.CodecV2.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	if m, ok := v.(proto.Message); ok {
		proto.Reset(m) // the handler never sees half a message
	}
	undecodable.Store(v, err)
	return nil
}

// takeUndecodable returns errUndecodable when msg failed to decode.
func takeUndecodable(ctx context.Context, log *slog.Logger, method string, msg any) error {
	raw, ok := undecodable.LoadAndDelete(msg)
	if !ok {
		return nil
	}
	log.InfoContext(ctx, "undecodable request", "method", method, "err", raw)
	return errUndecodable
}

func (s *Server) decodeUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := takeUndecodable(ctx, s.cfg.Logger, info.FullMethod, req); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

func (s *Server) decodeStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	return h(srv, decodingStream{ServerStream: ss, log: s.cfg.Logger, method: info.FullMethod})
}

// decodingStream checks every received message of a stream.
type decodingStream struct {
	grpc.ServerStream
	log    *slog.Logger
	method string
}

func (d decodingStream) RecvMsg(m any) error {
	if err := d.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return takeUndecodable(d.Context(), d.log, d.method, m)
}

package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// importPath is the route of TenderService.ImportTenders (proto/gateway.yaml).
const importPath = "/v1/tenders:import"

// importHandler serves ImportTenders, a server-streaming RPC, in place of the
// generated handler so that an import refused before it starts (no token,
// wrong cluster, unreadable document) is a problem details response with its
// HTTP status like every other error. Once progress flows the response is 200
// and newline-delimited JSON, as grpc-gateway streams: {"result": progress}
// per message, the last carrying the summary; an error after that is a final
// {"error": problem} line.
func importHandler(cfg Config, mux *runtime.ServeMux, tender tenderv1.TenderServiceClient) runtime.HandlerFunc {
	unmarshal := protojson.UnmarshalOptions{}
	marshal := protojson.MarshalOptions{EmitUnpopulated: true}
	return func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
		fail := func(err error) {
			WriteProblem(w, FromStatus(status.Convert(err), cfg.ProblemTypeBase, r.URL.Path))
		}
		ctx, err := runtime.AnnotateContext(r.Context(), mux, r, "/consortia.tender.v1.TenderService/ImportTenders", runtime.WithHTTPPathPattern(importPath))
		if err != nil {
			fail(status.Error(codes.InvalidArgument, err.Error()))
			return
		}
		body, err := io.ReadAll(r.Body)
		if b := bodyOf(r); b != nil && b.tooLarge {
			tooLarge(cfg, w, r, b.raw, b.limit)
			return
		}
		if err != nil {
			fail(status.Errorf(codes.InvalidArgument, "read body: %v", err))
			return
		}
		var req tenderv1.ImportTendersRequest
		if err := unmarshal.Unmarshal(body, &req); err != nil {
			f := locate(req.ProtoReflect().Descriptor(), body, "")
			p := FromStatus(status.New(codes.InvalidArgument, "the request body does not decode: "+f.Field+": "+f.Description), cfg.ProblemTypeBase, r.URL.Path)
			p.Errors = []FieldError{f}
			WriteProblem(w, p)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stream, err := tender.ImportTenders(ctx, &req)
		if err != nil {
			fail(err)
			return
		}
		first, err := stream.Recv()
		if err != nil && !errors.Is(err, io.EOF) {
			fail(err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		for msg := first; msg != nil; {
			b, err := marshal.Marshal(msg)
			if err != nil {
				cfg.Logger.ErrorContext(ctx, "encode import progress", "err", err)
				return
			}
			if _, err := w.Write(append(append([]byte(`{"result":`), b...), "}\n"...)); err != nil {
				return // the client went away; cancel stops the import stream
			}
			_ = rc.Flush()
			msg, err = stream.Recv()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				line, _ := json.Marshal(map[string]Problem{"error": FromStatus(status.Convert(err), cfg.ProblemTypeBase, r.URL.Path)})
				_, _ = w.Write(append(line, '\n'))
				return
			}
		}
	}
}

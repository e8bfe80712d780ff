// Package telemetry sets up OpenTelemetry tracing (W3C trace context propagated
// over gRPC and NATS headers) and slog JSON logs that carry trace ids.
package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Setup installs a tracer provider and the W3C propagators. Spans always get
// trace ids (logged and propagated); they are exported over OTLP/gRPC when the
// standard OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set, with the
// exporter's other standard variables (headers, insecure, timeout). The
// resource and the sampler come from the standard environment too (Resource,
// Sampler): OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER
// and OTEL_TRACES_SAMPLER_ARG. It returns a shutdown func that flushes pending
// spans.
func Setup(service string, exporters ...sdktrace.SpanExporter) func(context.Context) error {
	res, err := Resource(context.Background(), service)
	if err != nil {
		// A partial resource (an attribute that could not be read) is still used.
		slog.Warn("telemetry resource incomplete", "err", err)
	}
	sampler, err := Sampler()
	if err != nil {
		slog.Warn("OTEL_TRACES_SAMPLER not understood; sampling every trace", "err", err)
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sampler), sdktrace.WithResource(res)}
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		if exp, err := otlptracegrpc.New(context.Background()); err == nil {
			exporters = append(exporters, exp)
		} else {
			slog.Warn("OTLP trace exporter not started", "err", err)
		}
	}
	for _, e := range exporters {
		opts = append(opts, sdktrace.WithBatcher(e))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp.Shutdown
}

// Resource describes the process: service.name "consortia-<service>" and
// service.namespace "consortia" by default, the SDK, host and runtime; then
// OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, which win.
func Resource(ctx context.Context, service string) (*resource.Resource, error) {
	return resource.New(ctx,
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithAttributes(semconv.ServiceName("consortia-"+service), semconv.ServiceNamespace("consortia")),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithProcessRuntimeName(), resource.WithProcessRuntimeVersion(), resource.WithProcessPID(),
		resource.WithFromEnv(),
	)
}

// Sampler is the sampler OTEL_TRACES_SAMPLER (and OTEL_TRACES_SAMPLER_ARG, a
// ratio for the traceidratio samplers) names: always_on, always_off,
// traceidratio, parentbased_always_on (the default), parentbased_always_off
// or parentbased_traceidratio. A value it does not understand is an error,
// with the default sampler.
func Sampler() (sdktrace.Sampler, error) {
	def := sdktrace.ParentBased(sdktrace.AlwaysSample())
	name := strings.ToLower(strings.TrimSpace(os.Getenv("OTEL_TRACES_SAMPLER")))
	arg := strings.TrimSpace(os.Getenv("OTEL_TRACES_SAMPLER_ARG"))
	ratio := func() (float64, error) {
		if arg == "" {
			return 1, nil
		}
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG=%q: want a ratio from 0 to 1", arg)
		}
		return r, nil
	}
	switch name {
	case "", "parentbased_always_on":
		return def, nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "traceidratio", "parentbased_traceidratio":
		r, err := ratio()
		if err != nil {
			return def, err
		}
		if name == "traceidratio" {
			return sdktrace.TraceIDRatioBased(r), nil
		}
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r)), nil
	}
	return def, fmt.Errorf("OTEL_TRACES_SAMPLER=%q: want always_on, always_off, traceidratio or their parentbased_ forms", name)
}

// NewLogger returns a JSON slog logger that adds trace_id and span_id from the
// context to every record.
func NewLogger(w io.Writer, level slog.Level, service string) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(traceHandler{h}).With("service", service)
}

// NewTextLogger is NewLogger writing key=value lines, for a person at a
// terminal (`consortia dev`).
func NewTextLogger(w io.Writer, level slog.Level, service string) *slog.Logger {
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(traceHandler{h}).With("service", service)
}

type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(as)}
}
func (h traceHandler) WithGroup(n string) slog.Handler { return traceHandler{h.Handler.WithGroup(n)} }

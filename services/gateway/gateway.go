// Package gateway wires the Consortia gateway: the HTTP/JSON API generated from
// the service protos (grpc-gateway, /v1/...), its OpenAPI document
// (/openapi.json), the web console (/), health (/healthz) and, in development,
// the built-in issuer's key set (/.well-known/jwks.json). It holds no data: every
// request is forwarded to the member and tender services over gRPC with the
// caller's bearer token, and each service authorises it.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/gateway/api"
	"github.com/consortia-dev/consortia/services/gateway/web"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/cpv"
)

// Config configures the gateway.
type Config struct {
	HTTPAddr string // listen address, e.g. "127.0.0.1:8080"; ":0" picks a free port
	// Backends are the services' gRPC addresses by name (api.Backends lists
	// the names): {"member": "127.0.0.1:7101", "tender": ...}.
	Backends map[string]string
	// PublicURL is the console's external base URL, e.g. "https://consortia.example";
	// https makes the cookies Secure and absolute problem type URIs use it.
	// Empty: derived from the listen address (development).
	PublicURL string
	// BellPoll is how often console pages refresh the unread count (default 10 s).
	BellPoll time.Duration
	// RequestLevel is the level of each request's log line (zero: info;
	// `consortia dev` uses debug). Server errors are logged at error.
	RequestLevel slog.Level
}

// User is a development user listed on the sign-in page.
type User = web.User

// Deps are the gateway's collaborators.
type Deps struct {
	// Issuer is the development token issuer: it enables the demo sign-in page
	// and /.well-known/jwks.json. Nil in production.
	Issuer *auth.Issuer
	// Verifier checks the console's session tokens (the services check every
	// call themselves). Defaults to the Issuer's verifier.
	Verifier auth.Verifier
	// Users are the demo users offered on the sign-in page (with Issuer).
	Users []User
	// Catalog is the CPV list for labels and the CPV interest search; nil shows codes only.
	Catalog *cpv.Catalog
	// Metrics, when set, is served at /metrics (Prometheus text format).
	Metrics http.Handler
	// Mailbox is consortia dev's SMTP capture, shown on the console's dev mailbox page.
	Mailbox web.MailboxFunc
	Logger  *slog.Logger
	// OIDC is the console's sign-in with the identity provider; nil hides it.
	OIDC *web.OIDC
}

// Gateway is a started (listening, not yet serving) gateway.
type Gateway struct {
	cfg    Config
	lis    net.Listener
	srv    *http.Server
	conns  []*grpc.ClientConn
	logger *slog.Logger
}

// New connects the gRPC clients (lazily), builds the handlers and binds the
// HTTP port. The caller must Run it (or Close it).
func New(ctx context.Context, cfg Config, d Deps) (*Gateway, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Verifier == nil && d.Issuer != nil {
		d.Verifier = d.Issuer.Verifier()
	}
	if d.Verifier == nil {
		return nil, errors.New("gateway: no token verifier (set Deps.Verifier or Deps.Issuer)")
	}
	d.Verifier = auth.NewCache(d.Verifier, auth.DefaultCacheSize) // the session cookie comes with every page
	for _, b := range api.Backends {
		if cfg.Backends[b.Name] == "" {
			return nil, fmt.Errorf("gateway: the %s service address is required", b.Name)
		}
	}
	g := &Gateway{cfg: cfg, logger: d.Logger}
	byAddr := map[string]*grpc.ClientConn{} // backends served at one address share one connection
	dial := func(addr string) (*grpc.ClientConn, error) {
		if cc, ok := byAddr[addr]; ok {
			return cc, nil
		}
		cc, err := grpc.NewClient(addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
			grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(api.MaxBodyBytes+1<<20)),
		)
		if err != nil {
			return nil, fmt.Errorf("gateway: gRPC client for %s: %w", addr, err)
		}
		g.conns = append(g.conns, cc)
		byAddr[addr] = cc
		return cc, nil
	}
	conns := map[string]grpc.ClientConnInterface{}
	for _, b := range api.Backends {
		cc, err := dial(cfg.Backends[b.Name])
		if err != nil {
			g.Close()
			return nil, err
		}
		conns[b.Name] = cc
	}

	lis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		g.Close()
		return nil, fmt.Errorf("gateway: listen %s: %w", cfg.HTTPAddr, err)
	}
	g.lis = lis
	if g.cfg.PublicURL == "" {
		g.cfg.PublicURL = "http://" + lis.Addr().String()
	}
	g.cfg.PublicURL = strings.TrimSuffix(g.cfg.PublicURL, "/")

	h, err := g.routes(ctx, d, conns)
	if err != nil {
		g.Close()
		return nil, err
	}
	g.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(d.Logger.Handler(), slog.LevelWarn),
	}
	return g, nil
}

// routes builds the top-level handler.
func (g *Gateway) routes(ctx context.Context, d Deps, conns map[string]grpc.ClientConnInterface) (http.Handler, error) {
	apiHandler, err := api.New(ctx, api.Config{ProblemTypeBase: g.cfg.PublicURL + "/problems/", Logger: d.Logger}, conns)
	if err != nil {
		return nil, err
	}
	console, err := web.New(web.Config{SecureCookies: strings.HasPrefix(g.cfg.PublicURL, "https://"), BellPollSeconds: int(g.cfg.BellPoll / time.Second)}, web.Deps{
		Member: memberv1.NewMemberServiceClient(conns["member"]), Tender: tenderv1.NewTenderServiceClient(conns["tender"]), Commission: commissionv1.NewCommissionServiceClient(conns["commission"]), Verifier: d.Verifier, Issuer: d.Issuer, Users: d.Users, Catalog: d.Catalog, Logger: d.Logger,
		Notification: notificationv1.NewNotificationServiceClient(conns["notification"]), Mailbox: d.Mailbox,
		OIDC: d.OIDC,
	})
	if err != nil {
		return nil, err
	}
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", apiHandler)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	if d.Metrics != nil {
		mux.Handle("GET /metrics", d.Metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		if d.Issuer == nil {
			api.WriteProblem(w, api.Problem{Type: g.cfg.PublicURL + "/problems/not-found", Title: "Not found", Status: http.StatusNotFound,
				Code: "NOT_FOUND", Detail: "no built-in issuer: tokens come from an external identity provider", Instance: r.URL.Path})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(d.Issuer.JWKS())
	})
	mux.HandleFunc("GET /problems/{slug}", problemDoc)
	mux.Handle("/", console)
	// Server spans for every request; the gRPC client stats handler carries
	// the trace on to the services.
	return otelhttp.NewHandler(logRequests(d.Logger, g.cfg.RequestLevel, mux), "gateway"), nil
}

// problemDoc documents a problem type: its URI dereferences to a short text.
func problemDoc(w http.ResponseWriter, r *http.Request) {
	types := api.ProblemTypes()
	title, ok := types[r.PathValue("slug")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "%s\n\nA Consortia API problem (RFC 9457). The body's \"detail\" explains this occurrence,\n\"errors\" lists invalid fields and \"violations\" lists the rules not met.\n\nAll problem types:\n", title)
	slugs := make([]string, 0, len(types))
	for s := range types {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	for _, s := range slugs {
		fmt.Fprintf(w, "  %-20s %s\n", s, types[s])
	}
}

// Addr is the HTTP address the gateway listens on.
func (g *Gateway) Addr() string { return g.lis.Addr().String() }

// URL is the console's base URL (PublicURL).
func (g *Gateway) URL() string { return g.cfg.PublicURL }

// Run serves HTTP until ctx ends, then shuts down gracefully and closes the
// gRPC clients.
func (g *Gateway) Run(ctx context.Context) error {
	defer g.Close()
	errc := make(chan error, 1)
	go func() { errc <- g.srv.Serve(g.lis) }()
	g.logger.Info("gateway serving", "http", g.Addr(), "url", g.cfg.PublicURL, "backends", g.cfg.Backends)
	select {
	case err := <-errc:
		return fmt.Errorf("gateway http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("gateway shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the gRPC clients and the listener of a gateway that is not running.
func (g *Gateway) Close() {
	for _, c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
	if g.lis != nil {
		_ = g.lis.Close()
	}
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs every request (static assets and health probes at debug).
func logRequests(log *slog.Logger, requests slog.Level, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		level := requests
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			level = slog.LevelDebug
		} else if rec.status >= 500 {
			level = slog.LevelError
		}
		if !log.Enabled(r.Context(), level) {
			return
		}
		log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}

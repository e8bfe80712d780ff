package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/platform/taxid"
)

// TestDevSurvivesSIGKILL runs the real `consortia dev` binary: an organisation
// registered right before the process is killed with SIGKILL is there after a
// restart on the same state folder, and the demo data is loaded once.
func TestDevSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the consortia binary")
	}
	bin := buildConsortia(t)
	state := t.TempDir()
	natsPort := freePort(t)
	memberAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	tenderAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	env := []string{
		"CONSORTIA_NATS_PORT=" + strconv.Itoa(natsPort),
		"CONSORTIA_MEMBER_LISTEN_ADDR=" + memberAddr,
		// Every other listener on a free port too, so parallel runs don't clash.
		"CONSORTIA_TENDER_LISTEN_ADDR=" + tenderAddr,
		fmt.Sprintf("CONSORTIA_HTTP_LISTEN_ADDR=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("CONSORTIA_NOTIFICATION_LISTEN_ADDR=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("CONSORTIA_COMMISSION_LISTEN_ADDR=127.0.0.1:%d", freePort(t)),
	}

	first := startDev(t, bin, state, env)
	if line := first.waitFor(t, "member gRPC"); !strings.Contains(line, memberAddr) {
		t.Fatalf("startup banner %q does not show %s", line, memberAddr)
	}

	issuer, err := auth.LoadOrCreateIssuer(state, devIssuer, devAudience)
	if err != nil {
		t.Fatal(err)
	}
	adminClaims := auth.Claims{Name: "Test admin", Roles: []string{auth.RoleAdmin}}
	adminClaims.Subject = "test:admin"
	adminToken, err := issuer.Issue(adminClaims, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	client := dial(t, memberAddr)
	ctx := func() context.Context {
		return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+adminToken)
	}

	year := time.Now().Year()
	demoOrgs := len(demo.Companies(year))
	checkDemo(t, client, ctx(), demoOrgs)
	if n := countOrgs(t, client, ctx()); n != demoOrgs {
		t.Fatalf("%d organisations after the first start, want the %d demo companies", n, demoOrgs)
	}
	eventsAfterSeed := streamMsgs(t, natsPort)

	taxID := validCIF(t, 4_200_001)
	res, err := client.RegisterOrganization(ctx(), &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: "Crash Test S.L.", TaxId: taxID,
		Profile:  &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_MICRO, Headcount: 3, Capabilities: []string{"cloud"}, CpvInterests: []string{"72000000-5"}},
		Turnover: []*memberv1.Turnover{{Year: int32(year - 1), AmountCents: 500_000_00}},
	})
	if err != nil {
		t.Fatalf("RegisterOrganization: %v", err)
	}
	// SIGKILL at once: no shutdown hook runs, nothing is flushed on the way out.
	first.kill(t)

	registered := res.GetOrganization()
	if registered.GetId() != domain.OrganizationID(taxID) {
		t.Fatalf("registered id %q, want %q", registered.GetId(), domain.OrganizationID(taxID))
	}

	second := startDev(t, bin, state, env)
	second.waitFor(t, "member gRPC")
	client = dial(t, memberAddr)

	got, err := client.GetOrganization(ctx(), &memberv1.GetOrganizationRequest{OrganizationId: registered.GetId()})
	if err != nil {
		t.Fatalf("GetOrganization after SIGKILL and restart: %v", err)
	}
	o := got.GetOrganization()
	if o.GetLegalName() != "Crash Test S.L." || o.GetTaxId() != taxID || o.GetVersion() != registered.GetVersion() ||
		len(o.GetTurnover()) != 1 || !o.GetCreateTime().AsTime().Equal(registered.GetCreateTime().AsTime()) {
		t.Errorf("after restart:\n got %v\nwant %v", o, registered)
	}

	// The demo data is there once: restarting seeds nothing new.
	checkDemo(t, client, ctx(), demoOrgs)
	if n := countOrgs(t, client, ctx()); n != demoOrgs+1 {
		t.Errorf("%d organisations after restart, want %d demo + 1", n, demoOrgs)
	}
	if n := streamMsgs(t, natsPort); n != eventsAfterSeed+1 {
		t.Errorf("MEMBER stream has %d events after restart, want %d (seed) + 1: the restart appended events", n, eventsAfterSeed)
	}

	// Tokens from `consortia token` work against the running stack.
	out, err := exec.Command(bin, "token", "--as", "tera-manager", "--state", state).Output()
	if err != nil {
		t.Fatalf("consortia token: %v", err)
	}
	mctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+strings.TrimSpace(string(out)))
	members, err := client.ListOrganizations(mctx, &memberv1.ListOrganizationsRequest{ClusterId: demo.ClusterID("tera")})
	if err != nil {
		t.Fatalf("ListOrganizations as tera-manager: %v", err)
	}
	if len(members.GetOrganizations()) == 0 {
		t.Error("the demo TERA cluster has no members")
	}

	// `consortia import` against the running stack: the real PLACSP feed imports
	// its two entries (--all: they are performed outside TERA's region, so the
	// default cluster-profile filter would leave them out); the second run finds
	// nothing new (feed checkpoint), and without the checkpoint the service
	// reports everything unchanged.
	feed, err := datadir.Path("placsp", "sample_placsp.atom")
	if err != nil {
		t.Fatal(err)
	}
	importFeed := func(extra ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"import", "placsp", feed, "--state", state, "--all"}, extra...)...)
		// The import command dials the tender service at its URL.
		cmd.Env = append(os.Environ(), append(env, "CONSORTIA_TENDER_URL="+tenderAddr)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("consortia import: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := importFeed(); !strings.Contains(out, "2 new, 0 updated, 0 unchanged, 0 tombstoned, 1 filtered out (1 of them withdrawn at the source") {
		t.Errorf("first import: %q", out)
	}
	if out := importFeed(); !strings.Contains(out, "nothing new since the last run") {
		t.Errorf("second import: %q", out)
	}
	if out := importFeed("--no-checkpoint"); !strings.Contains(out, "0 new, 0 updated, 2 unchanged, 0 tombstoned, 1 filtered out") {
		t.Errorf("import without checkpoint: %q", out)
	}

	// Ctrl-C ends it cleanly: exit status 0 and a last word on stdout; the
	// calls above were logged at debug only (a terminal shows what matters).
	if err := second.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	second.waitFor(t, "Consortia stopped")
	<-second.exited
	if code := second.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("consortia dev exited with %d after SIGINT, want 0; stderr:\n%s", code, second.stderr.String())
	}
	if log := second.stderr.String(); strings.Contains(log, "msg=rpc") || strings.Contains(log, "msg=http") {
		t.Errorf("request lines logged at info under consortia dev:\n%s", log)
	}
}

// checkDemo asserts the three demo clusters, marked as demo.
func checkDemo(t *testing.T, c memberv1.MemberServiceClient, ctx context.Context, demoOrgs int) {
	t.Helper()
	res, err := c.ListClusters(ctx, &memberv1.ListClustersRequest{})
	if err != nil {
		t.Fatalf("ListClusters: %v", err)
	}
	cs := res.GetClusters()
	if len(cs) != len(demo.Clusters) || len(cs) != 3 {
		t.Fatalf("%d clusters, want the 3 demo clusters: %v", len(cs), cs)
	}
	for _, cl := range cs {
		if !cl.GetDemo() || !strings.Contains(cl.GetName(), "(demo)") {
			t.Errorf("cluster %q: demo=%v, want demo=true and a name marked (demo)", cl.GetName(), cl.GetDemo())
		}
	}
	for _, want := range demo.Clusters {
		got, err := c.GetCluster(ctx, &memberv1.GetClusterRequest{ClusterId: demo.ClusterID(want.Key)})
		if err != nil || got.GetCluster().GetName() != want.Name {
			t.Errorf("demo cluster %s: %v, %v", want.Key, got, err)
		}
	}
}

func countOrgs(t *testing.T, c memberv1.MemberServiceClient, ctx context.Context) int {
	t.Helper()
	n, token := 0, ""
	for range 100 {
		res, err := c.ListOrganizations(ctx, &memberv1.ListOrganizationsRequest{PageSize: 10, PageToken: token})
		if err != nil {
			t.Fatalf("ListOrganizations: %v", err)
		}
		n += len(res.GetOrganizations())
		if token = res.GetNextPageToken(); token == "" {
			return n
		}
	}
	t.Fatal("page tokens never end")
	return 0
}

func streamMsgs(t *testing.T, natsPort int) uint64 {
	t.Helper()
	nc, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", natsPort))
	if err != nil {
		t.Fatalf("connect to the dev NATS: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	s, err := js.Stream(ctx, member.Stream)
	if err != nil {
		t.Fatalf("stream %s: %v", member.Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func validCIF(t *testing.T, n int) string {
	t.Helper()
	base := fmt.Sprintf("B%07d", n)
	for c := '0'; c <= '9'; c++ {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	t.Fatalf("no control digit for %s", base)
	return ""
}

func dial(t *testing.T, addr string) memberv1.MemberServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return memberv1.NewMemberServiceClient(conn)
}

// buildConsortia compiles this command into a temporary folder.
func buildConsortia(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "consortia")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// devProc is a running `consortia dev`.
type devProc struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line; closed at exit
	stderr *lockedBuffer
	exited chan struct{}
}

func startDev(t *testing.T, bin, state string, env []string) *devProc {
	t.Helper()
	cmd := exec.Command(bin, "dev", "--state", state)
	cmd.Env = append(os.Environ(), env...)
	p := &devProc{cmd: cmd, lines: make(chan string, 256), stderr: &lockedBuffer{}, exited: make(chan struct{})}
	lw := &lineWriter{out: p.lines}
	cmd.Stdout, cmd.Stderr = lw, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start consortia dev: %v", err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.lines)
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			t.Logf("consortia dev (pid %d) stderr:\n%s", cmd.Process.Pid, p.stderr.String())
		}
	})
	return p
}

// waitFor reads stdout lines until one contains substr.
// waitFor waits for a line containing substr for as long as the test may run:
// a busy machine starts slowly, and that is not what this test checks.
func (p *devProc) waitFor(t *testing.T, substr string) string {
	t.Helper()
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("consortia dev exited (%v) before printing %q; stderr:\n%s", p.cmd.ProcessState, substr, p.stderr.String())
			}
			if strings.Contains(line, substr) {
				return line
			}
		case <-t.Context().Done():
			t.Fatalf("consortia dev printed no %q before the test ended; stderr:\n%s", substr, p.stderr.String())
		}
	}
}

// kill sends SIGKILL (if still running) and waits for the process to end.
func (p *devProc) kill(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		return
	default:
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Errorf("kill consortia dev: %v", err)
	}
	<-p.exited // SIGKILL cannot be ignored; go test's timeout catches a hang

}

// lineWriter sends each complete line written to it on out.
type lineWriter struct {
	mu  sync.Mutex
	buf []byte
	out chan<- string
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		select {
		case w.out <- line:
		default: // nobody listening any more; drop
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

package natstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/consortia-dev/consortia/services/platform/natsauth"
)

// Cluster is a set of nats-servers on loopback, configured from the production
// configuration `consortia nats-config` generates (one account, a user per
// service with subject permissions, JetStream with fsync on every write,
// authenticated routes); only addresses and folders are replaced. With one
// node the cluster block is dropped (a standalone server).
//
// The servers run in process (StartCluster), or each in a child process of
// the test binary (StartClusterProcesses) so that one can be killed outright
// (SIGKILL: a crash) as well as stopped (SIGTERM: what Kubernetes sends).
type Cluster struct {
	t testing.TB
	// AuthDir holds the generated configuration and the users' seeds.
	AuthDir   string
	Nodes     []*Node
	processes bool

	mu     sync.Mutex
	errors []error // asynchronous errors of connections made with Connect
	admin  jetstream.JetStream
}

// Node is one server of the cluster; its addresses and store are kept across
// restarts.
type Node struct {
	Name     string
	Port     int // client port
	Route    int // cluster port
	Monitor  int // HTTP monitoring port (/healthz)
	StoreDir string

	ns     *server.Server // in process, while running
	cmd    *exec.Cmd      // child process, while running
	exited chan struct{}  // closed when the child process has exited
}

// logDirEnv, when set, is a folder where child-process servers write their
// logs (for debugging a cluster test).
const logDirEnv = "CONSORTIA_NATSTEST_LOG_DIR"

// nodeEnv carries a child process's node (JSON) and configuration file.
const nodeEnv = "CONSORTIA_NATSTEST_NODE"

type nodeSpec struct {
	Node
	Conf   string
	Single bool
}

// RunNodeIfChild runs the nats-server of StartClusterProcesses when the test
// binary was started as one of its nodes, and exits with the server. Call it
// first in TestMain.
func RunNodeIfChild() {
	v := os.Getenv(nodeEnv)
	if v == "" {
		return
	}
	var spec nodeSpec
	if err := json.Unmarshal([]byte(v), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "natstest node:", err)
		os.Exit(2)
	}
	opts, err := nodeOptions(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "natstest node:", err)
		os.Exit(2)
	}
	opts.NoSigs = false // SIGTERM: the server's own clean shutdown, then exit
	if dir := os.Getenv(logDirEnv); dir != "" {
		opts.NoLog, opts.Logtime, opts.LogFile = false, true, filepath.Join(dir, spec.Name+".log")
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "natstest node:", err)
		os.Exit(2)
	}
	ns.ConfigureLogger()
	ns.Start()
	ns.WaitForShutdown()
	os.Exit(0)
}

// StartCluster generates the configuration and starts n servers in process,
// waiting until every one is healthy. The servers stop at test end.
func StartCluster(t testing.TB, n int) *Cluster { return start(t, n, false) }

// StartClusterProcesses is StartCluster with each server in a child process
// of the test binary, whose TestMain must call RunNodeIfChild.
func StartClusterProcesses(t testing.TB, n int) *Cluster { return start(t, n, true) }

func start(t testing.TB, n int, processes bool) *Cluster {
	t.Helper()
	c := &Cluster{t: t, AuthDir: filepath.Join(t.TempDir(), "nats-auth"), processes: processes}
	var routes []string
	ports := freePorts(t, 3*n)
	for i := range n {
		node := &Node{Name: "nats-" + strconv.Itoa(i), Port: ports[3*i], Route: ports[3*i+1], Monitor: ports[3*i+2], StoreDir: filepath.Join(t.TempDir(), "js")}
		c.Nodes = append(c.Nodes, node)
		routes = append(routes, "127.0.0.1:"+strconv.Itoa(node.Route))
	}
	if _, err := natsauth.Generate(c.AuthDir, natsauth.Spec{Routes: routes}, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := range c.Nodes {
			c.Stop(i)
		}
	})
	for i := range c.Nodes {
		c.launch(i)
	}
	for i := range c.Nodes {
		c.WaitHealthy(i)
	}
	_, c.admin = c.Connect(natsauth.AdminUser)
	return c
}

// freePorts returns n distinct free ports. They are kept across restarts, so
// they are taken below the range the kernel hands out to outgoing connections
// (which could otherwise take a stopped server's port before it restarts).
func freePorts(t testing.TB, n int) []int {
	var ports []int
	for p := 20000 + os.Getpid()%5000*2; len(ports) < n && p < 32768; p++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		l.Close()
		ports = append(ports, p)
	}
	if len(ports) < n {
		t.Fatalf("natstest: %d free ports below 32768, want %d", len(ports), n)
	}
	return ports
}

// nodeOptions parses the generated configuration for one node.
func nodeOptions(spec nodeSpec) (*server.Options, error) {
	// The configuration takes the server's name from the environment.
	if err := os.Setenv(natsauth.ServerNameVar, spec.Name); err != nil {
		return nil, err
	}
	opts, err := server.ProcessConfigFile(spec.Conf)
	if err != nil {
		return nil, fmt.Errorf("generated NATS configuration: %w", err)
	}
	opts.Host, opts.Port = "127.0.0.1", spec.Port
	opts.HTTPHost, opts.HTTPPort = "127.0.0.1", spec.Monitor
	opts.StoreDir = spec.StoreDir
	opts.NoSigs, opts.NoLog = true, true
	if spec.Single {
		opts.Cluster = server.ClusterOpts{}
		opts.Routes = nil
	} else {
		opts.Cluster.Host, opts.Cluster.Port = "127.0.0.1", spec.Route
	}
	return opts, nil
}

func (c *Cluster) spec(i int) nodeSpec {
	return nodeSpec{Node: *c.Nodes[i], Conf: filepath.Join(c.AuthDir, natsauth.ServerConfFile), Single: len(c.Nodes) == 1}
}

// launch starts node i without waiting for it.
func (c *Cluster) launch(i int) {
	c.t.Helper()
	node := c.Nodes[i]
	if !c.processes {
		opts, err := nodeOptions(c.spec(i))
		if err != nil {
			c.t.Fatal(err)
		}
		ns, err := server.NewServer(opts)
		if err != nil {
			c.t.Fatal(err)
		}
		go ns.Start()
		node.ns = ns
		return
	}
	b, err := json.Marshal(c.spec(i))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), nodeEnv+"="+string(b))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	node.cmd, node.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) {
		_ = cmd.Wait()
		close(exited)
	}(node.exited)
}

// Start starts node i again, on its store, and waits until it is healthy
// (caught up with the cluster: the readiness check Kubernetes uses).
func (c *Cluster) Start(i int) {
	c.t.Helper()
	c.launch(i)
	c.WaitHealthy(i)
}

// Stop shuts node i down cleanly: SIGTERM to a child process (the server steps
// down from what it leads, then exits), Shutdown in process.
func (c *Cluster) Stop(i int) {
	node := c.Nodes[i]
	switch {
	case node.ns != nil:
		node.ns.Shutdown()
		node.ns.WaitForShutdown()
		node.ns = nil
	case node.cmd != nil:
		_ = node.cmd.Process.Signal(syscall.SIGTERM)
		<-node.exited
		node.cmd = nil
	}
}

// Kill ends node i's process at once (SIGKILL), as a crash or a lost machine.
func (c *Cluster) Kill(i int) {
	c.t.Helper()
	node := c.Nodes[i]
	if node.cmd == nil {
		c.t.Fatal("natstest: Kill needs StartClusterProcesses")
	}
	_ = node.cmd.Process.Kill()
	<-node.exited
	node.cmd = nil
}

// Running reports whether node i is up.
func (c *Cluster) Running(i int) bool { return c.Nodes[i].ns != nil || c.Nodes[i].cmd != nil }

// WaitHealthy waits until node i's /healthz answers 200: JetStream enabled,
// the meta leader known, and its replicas of every stream current.
func (c *Cluster) WaitHealthy(i int) {
	c.t.Helper()
	url := "http://127.0.0.1:" + strconv.Itoa(c.Nodes[i].Monitor) + "/healthz"
	client := &http.Client{Timeout: 5 * time.Second} // one poll, not the wait
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if n := c.Nodes[i]; n.cmd != nil {
			select {
			case <-n.exited:
				c.t.Fatalf("%s exited while starting: %v", n.Name, n.cmd.ProcessState)
			default:
			}
		}
		if c.pause() != nil {
			c.t.Fatalf("%s never became healthy (%v)", c.Nodes[i].Name, err)
		}
	}
}

// URLs lists every node's client URL (the servers a client may reconnect to).
func (c *Cluster) URLs() string {
	var urls []string
	for _, n := range c.Nodes {
		urls = append(urls, "nats://127.0.0.1:"+strconv.Itoa(n.Port))
	}
	return strings.Join(urls, ",")
}

// Seed is the path of a user's seed file (a service name or natsauth.AdminUser).
func (c *Cluster) Seed(user string) string { return filepath.Join(c.AuthDir, natsauth.SeedFile(user)) }

// Connect connects as a service's user with the options the services use
// (natsauth.ConnectOptions). Asynchronous errors the servers report
// (permission violations) are kept for Errors; transport resets are not.
// The connection closes at test end.
func (c *Cluster) Connect(user string) (*nats.Conn, jetstream.JetStream) {
	c.t.Helper()
	opts, err := natsauth.ConnectOptions(user, c.Seed(user))
	if err != nil {
		c.t.Fatal(err)
	}
	opts = append(opts, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		// A connection reset while a test kills or stops a server is the
		// transport, not the server refusing something: the client
		// reconnects, and the tests check that no write is lost.
		var transport *net.OpError
		if errors.As(err, &transport) || errors.Is(err, io.EOF) {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.errors = append(c.errors, fmt.Errorf("%s: %w", user, err))
	}))
	nc, err := nats.Connect(c.URLs(), opts...)
	if err != nil {
		c.t.Fatalf("connect as %s: %v", user, err)
	}
	c.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		c.t.Fatal(err)
	}
	return nc, js
}

// Errors returns the asynchronous errors seen so far on Connect's connections.
func (c *Cluster) Errors() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.errors...)
}

// Admin is a JetStream client as the operators' user.
func (c *Cluster) Admin() jetstream.JetStream { return c.admin }

// StreamLeader is the index of the node leading stream (-1: none now).
func (c *Cluster) StreamLeader(stream string) int {
	s, err := c.admin.Stream(c.t.Context(), stream)
	if err != nil || s.CachedInfo().Cluster == nil {
		return -1
	}
	for i, n := range c.Nodes {
		if n.Name == s.CachedInfo().Cluster.Leader && c.Running(i) {
			return i
		}
	}
	return -1
}

// WaitStreamLeader waits until stream has a leader and returns it.
func (c *Cluster) WaitStreamLeader(stream string) int {
	c.t.Helper()
	for {
		if i := c.StreamLeader(stream); i >= 0 {
			return i
		}
		if c.pause() != nil {
			c.t.Fatalf("stream %s never got a leader", stream)
		}
	}
}

var errTestOver = errors.New("test over")

// pause waits a little, or fails when the test's context ends.
func (c *Cluster) pause() error {
	t := time.NewTimer(50 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-c.t.Context().Done():
		return errTestOver
	}
}

// Pause waits a little between two polls, or fails the test when its context
// ends.
func Pause(t testing.TB) {
	t.Helper()
	timer := time.NewTimer(50 * time.Millisecond)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.Context().Done():
		t.Fatal("test over while waiting")
	}
}

// MetaLeader is the index of the node leading the JetStream meta group (-1:
// none known), from a running node's /jsz.
func (c *Cluster) MetaLeader() int {
	client := &http.Client{Timeout: 5 * time.Second}
	for i, n := range c.Nodes {
		if !c.Running(i) {
			continue
		}
		resp, err := client.Get("http://127.0.0.1:" + strconv.Itoa(n.Monitor) + "/jsz")
		if err != nil {
			continue
		}
		var jsz struct {
			Meta *struct {
				Leader string `json:"leader"`
			} `json:"meta_cluster"`
		}
		err = json.NewDecoder(resp.Body).Decode(&jsz)
		resp.Body.Close()
		if err != nil || jsz.Meta == nil {
			continue
		}
		for j, m := range c.Nodes {
			if m.Name == jsz.Meta.Leader && c.Running(j) {
				return j
			}
		}
	}
	return -1
}

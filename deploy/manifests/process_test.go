package manifests_test

// The wiring checks shared by the Kubernetes and compose tests: each
// container's environment parses with the binaries' own configuration types
// (unknown or malformed variables fail), and every peer address
// (CONSORTIA_<SERVICE>_URL) names a Service (or compose service) and a port
// that reach the process serving that service.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/gateway/api"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
)

// process is one container or compose service as deployed.
type process struct {
	where string            // file and object, for messages
	role  string            // what it serves: member, tender, gateway, ...
	env   map[string]string // its environment
}

// endpoint is a name:port that reaches a role.
type endpoint struct{ host, port string }

// defaultListen is each role's listen address when its variable is unset.
var defaultListen = map[string]string{"member": ":7101", "tender": ":7102", "commission": ":7103", "notification": ":7104", "gateway": ":8080"}

// settings are each role's own configuration types, besides service.Config.
var settings = map[string]func() []any{
	"tender":       func() []any { return []any{&tender.Peers{}} },
	"notification": func() []any { return []any{&notification.Settings{}} },
}

// listenPort is the port a process listens on, from its environment.
func (p process) listenPort() string {
	addr := defaultListen[p.role]
	if v := p.env[p.listenVar()]; v != "" {
		addr = v
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "?"
	}
	return port
}

func (p process) listenVar() string {
	if p.role == "gateway" {
		return "CONSORTIA_HTTP_LISTEN_ADDR"
	}
	return service.Prefix(p.role) + "LISTEN_ADDR"
}

// parseConfig parses p's environment as its binary does.
func (p process) parseConfig() error {
	var environ []string
	for k, v := range p.env {
		environ = append(environ, k+"="+v)
	}
	if p.role == "gateway" {
		var s gateway.Settings
		vs := []any{&s}
		for _, b := range api.Backends {
			vs = append(vs, config.Prefixed{Prefix: service.Prefix(b.Name), V: &struct {
				URL string `env:"URL"`
			}{}})
		}
		return config.ParseEnv(environ, vs...)
	}
	if !slices.Contains(config.Services, p.role) {
		return fmt.Errorf("unknown service %q", p.role)
	}
	var c service.Config
	vs := []any{&c, config.Prefixed{Prefix: service.Prefix(p.role), V: &service.Listen{}}}
	if extra, ok := settings[p.role]; ok {
		vs = append(vs, extra()...)
	}
	return config.ParseEnv(environ, vs...)
}

// roleOf reads "serve <role>" from a command line.
func roleOf(args []string) string {
	if i := slices.Index(args, "serve"); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// checkPeers parses every process's configuration and checks each peer address.
func checkPeers(procs []process, reach map[endpoint]string) []error {
	var errs []error
	roles := map[string]bool{}
	for _, p := range procs {
		roles[p.role] = true
	}
	peers := 0
	for _, p := range procs {
		if err := p.parseConfig(); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): its configuration does not parse:\n%v", p.where, p.role, err))
		}
		for _, peer := range config.Services {
			v, ok := p.env[service.Prefix(peer)+"URL"]
			if !ok {
				// The gateway must be told where every backend is; a service only its peers.
				if p.role == "gateway" && roles[peer] {
					errs = append(errs, fmt.Errorf("%s: no %sURL for the %s service", p.where, service.Prefix(peer), peer))
				}
				continue
			}
			peers++
			host, port, err := net.SplitHostPort(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %sURL=%q is not host:port", p.where, service.Prefix(peer), v))
				continue
			}
			got, ok := reach[endpoint{host, port}]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s: %sURL=%q reaches nothing (no Service %s with port %s in front of a process listening there)", p.where, service.Prefix(peer), v, host, port))
			case got != peer:
				errs = append(errs, fmt.Errorf("%s: %sURL=%q reaches the %s service, not %s", p.where, service.Prefix(peer), v, got, peer))
			}
		}
	}
	if peers == 0 {
		errs = append(errs, errors.New("no peer addresses found: the check checked nothing"))
	}
	return errs
}

// checkComplete: every service that has a binary (services/<name>/cmd/<name>)
// is deployed, and so is the gateway.
func checkComplete(where string, procs []process) []error {
	var errs []error
	for _, role := range append(slices.Clone(config.Services), "gateway") {
		if _, err := os.Stat(filepath.Join(repoRoot, "services", role, "cmd", role)); err != nil {
			continue // not built yet
		}
		if !slices.ContainsFunc(procs, func(p process) bool { return p.role == role }) {
			errs = append(errs, fmt.Errorf("%s: the %s service (services/%s/cmd/%s) is not deployed", where, role, role, role))
		}
	}
	return errs
}

// checkDataDir: the process reads the CPV/NUTS lists from the folder the
// image carries them in.
func checkDataDir(p process, dir string) []error {
	want, err := imageDataDir(dir)
	if err != nil {
		return []error{err}
	}
	if got := p.env["CONSORTIA_DATA_DIR"]; got != want {
		return []error{fmt.Errorf("%s: CONSORTIA_DATA_DIR=%q, want %q (where the image carries the CPV/NUTS lists)", p.where, got, want)}
	}
	return nil
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

// stripComments drops YAML comment lines (a document of comments only is empty).
func stripComments(doc []byte) []byte {
	var out []string
	for _, l := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

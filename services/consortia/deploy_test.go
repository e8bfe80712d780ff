package main

// The deployment manifests are configuration too: this test reads deploy/k8s
// and deploy/compose.yaml as the processes would get them, parses each
// container's environment with the same typed configuration the binaries use
// (unknown or malformed variables fail), and checks that every peer address
// (CONSORTIA_<SERVICE>_URL) names a Service, and a port, that reach the
// process serving that service.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/gateway/api"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
)

// process is one container/compose service as deployed.
type process struct {
	where string            // file and object, for messages
	role  string            // what it serves: member, tender, gateway, ...
	host  string            // compose: the service name it is reached by
	env   map[string]string // its environment
}

// endpoint is a name:port that reaches a role.
type endpoint struct{ host, port string }

// defaultListen is each role's listen address when its variable is unset.
var defaultListen = map[string]string{"member": ":7101", "tender": ":7102", "commission": ":7103", "notification": ":7104", "gateway": ":8080"}

// listenPort is the port a process listens on, from its environment.
func (p process) listenPort(t *testing.T) string {
	addr := defaultListen[p.role]
	name := service.Prefix(p.role) + "LISTEN_ADDR"
	if p.role == "gateway" {
		name = "CONSORTIA_HTTP_LISTEN_ADDR"
	}
	if v := p.env[name]; v != "" {
		addr = v
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%s: %s=%q: %v", p.where, name, addr, err)
	}
	return port
}

// parseConfig parses p's environment as its binary does.
func (p process) parseConfig() error {
	var environ []string
	for k, v := range p.env {
		environ = append(environ, k+"="+v)
	}
	switch p.role {
	case "gateway":
		var s gateway.Settings
		vs := []any{&s}
		for _, b := range api.Backends {
			vs = append(vs, config.Prefixed{Prefix: service.Prefix(b.Name), V: &struct {
				URL string `env:"URL"`
			}{}})
		}
		return config.ParseEnv(environ, vs...)
	default:
		var c service.Config
		vs := []any{&c, config.Prefixed{Prefix: service.Prefix(p.role), V: &service.Listen{}}}
		if p.role == "tender" {
			vs = append(vs, &tender.Peers{})
		}
		return config.ParseEnv(environ, vs...)
	}
}

// roleOf reads "serve <role>" from a command line.
func roleOf(args []string) string {
	if i := slices.Index(args, "serve"); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// placeholder stands for values the cluster fills in (secrets, field refs).
const placeholder = "from-the-cluster"

func TestKubernetesManifestsWireServicesToEachOther(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "deploy", "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/k8s (%v)", err)
	}
	type k8sObject struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			Selector map[string]any `yaml:"selector"`
			Ports    []struct {
				Name       string `yaml:"name"`
				Port       int    `yaml:"port"`
				TargetPort any    `yaml:"targetPort"`
			} `yaml:"ports"`
			Template struct {
				Metadata struct {
					Labels map[string]string `yaml:"labels"`
				} `yaml:"metadata"`
				Spec struct {
					Containers []struct {
						Name  string   `yaml:"name"`
						Args  []string `yaml:"args"`
						Ports []struct {
							Name          string `yaml:"name"`
							ContainerPort int    `yaml:"containerPort"`
						} `yaml:"ports"`
						Env []struct {
							Name      string `yaml:"name"`
							Value     string `yaml:"value"`
							ValueFrom any    `yaml:"valueFrom"`
						} `yaml:"env"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	var objects []k8sObject
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o k8sObject
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			objects = append(objects, o)
		}
	}

	// Where each role can be reached: Service name:port → the Deployment its
	// selector picks → the container serving the role on the target port.
	var procs []process
	reach := map[endpoint]string{}
	for _, d := range objects {
		if d.Kind != "Deployment" {
			continue
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			p := process{where: "Deployment " + d.Metadata.Name, role: roleOf(c.Args), env: map[string]string{}}
			for _, e := range c.Env {
				v := e.Value
				if e.ValueFrom != nil {
					v = placeholder
				}
				p.env[e.Name] = v
			}
			if p.role == "" {
				t.Errorf("%s: container %s runs no `serve <service>`", p.where, c.Name)
				continue
			}
			procs = append(procs, p)
			listen := p.listenPort(t)
			named := map[string]string{}
			for _, cp := range c.Ports {
				named[cp.Name] = fmt.Sprint(cp.ContainerPort)
			}
			for _, s := range objects {
				if s.Kind != "Service" || !selects(s.Spec.Selector, d.Spec.Template.Metadata.Labels) {
					continue
				}
				for _, sp := range s.Spec.Ports {
					target := fmt.Sprint(sp.TargetPort)
					if n, ok := named[target]; ok {
						target = n
					}
					if target == listen {
						reach[endpoint{s.Metadata.Name, fmt.Sprint(sp.Port)}] = p.role
					}
				}
			}
		}
	}
	checkPeers(t, procs, reach)
}

func selects(selector map[string]any, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != fmt.Sprint(v) {
			return false
		}
	}
	return true
}

func TestComposeWiresServicesToEachOther(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	var procs []process
	reach := map[endpoint]string{}
	for name, s := range compose.Services {
		role := roleOf(s.Command)
		if role == "" {
			continue // NATS, MongoDB
		}
		p := process{where: "compose service " + name, role: role, host: name, env: map[string]string{}}
		for k, v := range s.Environment {
			if strings.Contains(v, "${") {
				v = placeholder // interpolated by compose from the operator's environment
			}
			p.env[k] = v
		}
		procs = append(procs, p)
		reach[endpoint{name, p.listenPort(t)}] = role
	}
	if len(procs) == 0 {
		t.Fatal("compose.yaml runs no Consortia service")
	}
	checkPeers(t, procs, reach)
}

// checkPeers parses every process's configuration and checks each peer address.
func checkPeers(t *testing.T, procs []process, reach map[endpoint]string) {
	t.Helper()
	roles := map[string]bool{}
	for _, p := range procs {
		roles[p.role] = true
	}
	peers := 0
	for _, p := range procs {
		if err := p.parseConfig(); err != nil {
			t.Errorf("%s (%s): its configuration does not parse:\n%v", p.where, p.role, err)
		}
		for _, peer := range config.Services {
			v, ok := p.env[service.Prefix(peer)+"URL"]
			if !ok {
				// The gateway must be told where every backend is; a service only its peers.
				if p.role == "gateway" && roles[peer] {
					t.Errorf("%s: no %sURL for the %s service", p.where, service.Prefix(peer), peer)
				}
				continue
			}
			peers++
			host, port, err := net.SplitHostPort(v)
			if err != nil {
				t.Errorf("%s: %sURL=%q is not host:port", p.where, service.Prefix(peer), v)
				continue
			}
			got, ok := reach[endpoint{host, port}]
			switch {
			case !ok:
				t.Errorf("%s: %sURL=%q reaches nothing (no Service %s with port %s in front of a process listening there)", p.where, service.Prefix(peer), v, host, port)
			case got != peer:
				t.Errorf("%s: %sURL=%q reaches the %s service, not %s", p.where, service.Prefix(peer), v, got, peer)
			}
		}
	}
	if peers == 0 {
		t.Error("no peer addresses found: the check checked nothing")
	}
	t.Logf("%d processes, %d peer addresses checked", len(procs), peers)
}

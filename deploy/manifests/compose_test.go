package manifests_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/consortia-dev/consortia/services/platform/natsauth"
)

// composeEnv is the operator's environment the compose file interpolates.
var composeEnv = []string{
	"CONSORTIA_AUTH_JWKS_URL=https://id.example.org/realms/consortia/protocol/openid-connect/certs",
	"CONSORTIA_AUTH_ISSUER=https://id.example.org/realms/consortia",
	"CONSORTIA_MONGODB_URI=" + mongoURI,
}

// loadCompose loads deploy/compose.yaml as `docker compose` does (schema
// validation, interpolation, merge keys, paths resolved).
func loadCompose(ctx context.Context, tr *tree) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{tr.path("compose.yaml")},
		cli.WithEnv(composeEnv), cli.WithWorkingDirectory(tr.dir), cli.WithName("consortia"), cli.WithResolvedPaths(true))
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(ctx)
}

// checkCompose: healthchecks everywhere, services started once NATS is
// healthy, NATS on the generated configuration and the tests' version, each
// service as its own NATS user, non-root read-only containers, and the
// Kubernetes checks' wiring (configuration parses, peers reach each other).
func checkCompose(ctx context.Context, tr *tree) []error {
	p, err := loadCompose(ctx, tr)
	if err != nil {
		return []error{fmt.Errorf("compose.yaml: %w", err)}
	}
	var errs []error
	var procs []process
	reach := map[endpoint]string{}
	var natsNodes []string
	for _, name := range sortedKeys(p.Services) {
		s := p.Services[name]
		where := "compose service " + name
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			errs = append(errs, fmt.Errorf("%s: no healthcheck", where))
		}
		if strings.HasPrefix(s.Image, "nats:") {
			natsNodes = append(natsNodes, name)
			errs = append(errs, checkComposeNATS(tr, name, s)...)
			continue
		}
		role := roleOf(s.Command)
		if role == "" {
			errs = append(errs, fmt.Errorf("%s: runs neither NATS nor `serve <service>`", where))
			continue
		}
		proc := process{where: where, role: role, env: map[string]string{}}
		for k, v := range s.Environment {
			if v != nil {
				proc.env[k] = *v
			}
		}
		procs = append(procs, proc)
		reach[endpoint{name, proc.listenPort()}] = role
		if s.User == "" || s.User == "0" || s.User == "root" || strings.HasPrefix(s.User, "0:") {
			errs = append(errs, fmt.Errorf("%s: user %q: run as a non-root user", where, s.User))
		}
		if !s.ReadOnly {
			errs = append(errs, fmt.Errorf("%s: read_only: true (the binary writes nothing to its file system)", where))
		}
		if s.Build == nil || filepath.Base(s.Build.Dockerfile) != "Dockerfile" || s.Build.AdditionalContexts["data"] == "" {
			errs = append(errs, fmt.Errorf("%s: build with deploy/Dockerfile and the shared data folder as the context \"data\"", where))
		}
		errs = append(errs, checkDataDirCompose(proc, tr.dir)...)
		if role == "gateway" {
			continue
		}
		for _, n := range natsauth.Presets["compose"] {
			host, _, _ := strings.Cut(n, ":")
			if d, ok := s.DependsOn[host]; !ok || d.Condition != types.ServiceConditionHealthy {
				errs = append(errs, fmt.Errorf("%s: must depend on %s being healthy", where, host))
			}
		}
		errs = append(errs, checkComposeCreds(tr, p, proc, s)...)
		if proc.env["CONSORTIA_STREAM_REPLICAS"] != "3" {
			errs = append(errs, fmt.Errorf("%s: CONSORTIA_STREAM_REPLICAS=%q, want 3", where, proc.env["CONSORTIA_STREAM_REPLICAS"]))
		}
		errs = append(errs, checkMongoURI(proc)...)
	}
	var want []string
	for _, r := range natsauth.Presets["compose"] {
		host, _, _ := strings.Cut(r, ":")
		want = append(want, host)
	}
	if !slices.Equal(natsNodes, want) {
		errs = append(errs, fmt.Errorf("compose: NATS services %v, want %v (the routes `consortia nats-config --for compose` writes)", natsNodes, want))
	}
	errs = append(errs, checkPeers(procs, reach)...)
	errs = append(errs, checkComplete("compose", procs)...)
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// checkComposeNATS: a node runs the tests' nats-server version on the
// generated configuration, named as its routes name it.
func checkComposeNATS(tr *tree, name string, s types.ServiceConfig) []error {
	var errs []error
	where := "compose service " + name
	if err := checkNATSImage(s.Image); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", where, err))
	}
	i := slices.Index([]string(s.Command), "-c")
	if i < 0 || i+1 >= len(s.Command) {
		return append(errs, fmt.Errorf("%s: no -c CONFIG argument", where))
	}
	confPath := s.Command[i+1]
	var source string
	for _, v := range s.Volumes {
		if v.Target == confPath {
			source = v.Source
		}
	}
	want := tr.path(filepath.Join(composeSecrets, natsauth.ServerConfFile))
	if source != want {
		return append(errs, fmt.Errorf("%s: %s is mounted from %q, want the generated %s", where, confPath, source, filepath.Join(composeSecrets, natsauth.ServerConfFile)))
	}
	conf, err := os.ReadFile(source)
	if err != nil {
		return append(errs, err)
	}
	if v := s.Environment[natsauth.ServerNameVar]; v == nil || *v != name {
		errs = append(errs, fmt.Errorf("%s: %s must be %q", where, natsauth.ServerNameVar, name))
	}
	opts, err := parseNATSConf(conf, name)
	if err != nil {
		return append(errs, fmt.Errorf("%s: %w", where, err))
	}
	var routes []string
	for _, r := range opts.Routes {
		routes = append(routes, r.Host)
	}
	if !slices.Contains(routes, fmt.Sprintf("%s:%d", name, opts.Cluster.Port)) {
		errs = append(errs, fmt.Errorf("%s: not among the configuration's routes %v", where, routes))
	}
	if !slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Target == opts.StoreDir
	}) {
		errs = append(errs, fmt.Errorf("%s: JetStream's store_dir %s is not on a named volume", where, opts.StoreDir))
	}
	return errs
}

// checkComposeCreds: CONSORTIA_NATS_CREDS is a compose secret whose file is
// the service's own seed.
func checkComposeCreds(tr *tree, p *types.Project, proc process, s types.ServiceConfig) []error {
	creds := proc.env["CONSORTIA_NATS_CREDS"]
	for _, sec := range s.Secrets {
		target := sec.Target
		if !strings.HasPrefix(target, "/") {
			target = "/run/secrets/" + target
		}
		if target != creds {
			continue
		}
		def, ok := p.Secrets[sec.Source]
		if !ok {
			return []error{fmt.Errorf("%s: secret %s is not defined", proc.where, sec.Source)}
		}
		seed, err := os.ReadFile(def.File)
		if err != nil {
			return []error{fmt.Errorf("%s: secret %s: %w", proc.where, sec.Source, err)}
		}
		if err := isUser(seed, tr.users["compose"][proc.role]); err != nil {
			return []error{fmt.Errorf("%s: CONSORTIA_NATS_CREDS=%q (secret %s, %s): %w", proc.where, creds, sec.Source, def.File, err)}
		}
		return nil
	}
	return []error{fmt.Errorf("%s: CONSORTIA_NATS_CREDS=%q is not one of its secrets", proc.where, creds)}
}

// checkDataDirCompose: the image sets CONSORTIA_DATA_DIR itself; compose
// may leave it unset, or set it to the same folder.
func checkDataDirCompose(p process, dir string) []error {
	if _, ok := p.env["CONSORTIA_DATA_DIR"]; !ok {
		return nil
	}
	return checkDataDir(p, dir)
}

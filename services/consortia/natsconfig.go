package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/natsauth"
)

// runNATSConfig writes the production NATS configuration: the server
// configuration (accounts, a user per service with subject permissions,
// JetStream with fsync, authenticated routes) and each service's nkey seed.
// It prints file names and public keys, never a seed or the route password.
func runNATSConfig(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("nats-config", flag.ContinueOnError)
	out := fs.String("out", "deploy/secrets", "folder to write the configuration and seeds into (made private)")
	target := fs.String("for", "k8s", "route addresses for: k8s (StatefulSet nats-0..2 behind nats-headless) or compose (services nats-0..2)")
	routes := fs.String("routes", "", "route addresses host:port,... (overrides --for)")
	storeSize := fs.String("max-file-store", "8G", "JetStream file store limit per server (below the volume's size)")
	rotate := fs.Bool("rotate", false, "make new seeds and a new route password (default: keep those already in --out)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("nats-config: unexpected argument %q", fs.Arg(0))
	}
	spec := natsauth.Spec{MaxFileStore: *storeSize}
	if *routes != "" {
		spec.Routes = strings.Split(*routes, ",")
	} else {
		preset, ok := natsauth.Presets[*target]
		if !ok {
			return fmt.Errorf("nats-config: --for %q: want k8s or compose", *target)
		}
		spec.Routes = preset
	}
	gen, err := natsauth.Generate(*out, spec, *rotate)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "NATS configuration in %s (keep the folder secret):\n", gen.Dir)
	fmt.Fprintf(stdout, "  %-22s server configuration (%d routes; server name from $%s)\n", natsauth.ServerConfFile, len(spec.Routes), natsauth.ServerNameVar)
	users := make([]string, 0, len(gen.Users))
	for u := range gen.Users {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		state := "kept"
		if slices.Contains(gen.Created, natsauth.SeedFile(u)) {
			state = "new"
		}
		fmt.Fprintf(stdout, "  %-22s %-12s %s (%s)\n", natsauth.SeedFile(u), u, gen.Users[u], state)
	}
	fmt.Fprintf(stdout, "Point each service at its seed with CONSORTIA_NATS_CREDS=%s\n", filepath.Join("/etc/nats", natsauth.SeedFile("<service>")))
	return nil
}

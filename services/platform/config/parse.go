package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/caarlos0/env/v11"
)

// Prefix starts every variable Consortia reads.
const Prefix = "CONSORTIA_"

// Parse fills each of vs (pointers to structs with caarlos0/env `env` tags)
// from the environment, once per process. A malformed value is an error naming
// the variable; so is a CONSORTIA_ variable that none of vs (nor Others) knows:
// a typo such as CONSORTIA_MEMBR_URL must not fall back to a default silently.
// A struct with a Validate() error method is validated after parsing.
func Parse(vs ...any) error {
	return parse(os.Environ(), vs...)
}

// Prefixed parses V with every variable name prefixed, for structs shared by
// services: Prefixed{"CONSORTIA_MEMBER_", &listen} reads CONSORTIA_MEMBER_LISTEN_ADDR.
type Prefixed struct {
	Prefix string
	V      any
}

// Others are variables read by other Consortia processes (and `consortia` CLI
// subcommands). A deployment often hands one shared environment to every
// process, so a process tolerates the names its peers use.
var Others = []string{
	"CONSORTIA_TOKEN", "CONSORTIA_STATE_DIR", "CONSORTIA_NATS_PORT", "CONSORTIA_TEST_MONGODB_URI",
	"CONSORTIA_HTTP_LISTEN_ADDR", "CONSORTIA_PUBLIC_URL", "CONSORTIA_GATEWAY_URL",
}

// ParseEnv is Parse on a given environment ("NAME=value" entries), e.g. one a
// deployment manifest sets.
func ParseEnv(environ []string, vs ...any) error { return parse(environ, vs...) }

// registered are the variables of every configuration type linked into this
// binary (Register).
var (
	registeredMu sync.Mutex
	registered   = map[string]bool{}
)

// Register declares configuration types (pointers to env-tagged structs) whose
// variables a process tolerates without parsing them: a deployment often hands
// one shared environment to every process (compose's anchors, a shared
// ConfigMap), so the gateway must not refuse CONSORTIA_NATS_URL, which only the
// services read. Packages register their types in init.
func Register(vs ...any) {
	registeredMu.Lock()
	defer registeredMu.Unlock()
	for _, v := range vs {
		params, err := env.GetFieldParams(v)
		if err != nil {
			panic(fmt.Sprintf("config.Register(%T): %v", v, err))
		}
		for _, p := range params {
			registered[p.Key] = true
		}
	}
}

func parse(environ []string, vs ...any) error {
	known := map[string]bool{}
	for _, name := range Others {
		known[name] = true
	}
	registeredMu.Lock()
	for name := range registered {
		known[name] = true
	}
	registeredMu.Unlock()
	lookup := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		lookup[k] = v
	}
	var errs []error
	for _, v := range vs {
		opts := env.Options{Environment: lookup}
		if p, ok := v.(Prefixed); ok {
			v, opts.Prefix = p.V, p.Prefix
		}
		if err := env.ParseWithOptions(v, opts); err != nil {
			errs = append(errs, unwrapEnv(err)...)
			continue
		}
		params, err := env.GetFieldParamsWithOptions(v, opts)
		if err != nil {
			return err
		}
		for _, p := range params {
			known[p.Key] = true
		}
		if val, ok := v.(interface{ Validate() error }); ok {
			if err := val.Validate(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	var unknown []string
	for k := range lookup {
		if strings.HasPrefix(k, Prefix) && !known[k] && !knownElsewhere(k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		errs = append(errs, fmt.Errorf("%s: unknown variable (see the README's configuration table)", k))
	}
	return errors.Join(errs...)
}

// knownElsewhere: per-service variables of the other services
// (CONSORTIA_<SERVICE>_LISTEN_ADDR, CONSORTIA_<SERVICE>_URL).
func knownElsewhere(k string) bool {
	name := strings.TrimPrefix(k, Prefix)
	for _, svc := range Services {
		s := strings.ToUpper(svc) + "_"
		if name == s+"LISTEN_ADDR" || name == s+"URL" {
			return true
		}
	}
	return false
}

// Services are the product's gRPC services, by name.
var Services = []string{"member", "tender", "commission", "notification"}

// unwrapEnv turns caarlos0/env's aggregate error into one error per variable.
func unwrapEnv(err error) []error {
	var agg env.AggregateError
	if errors.As(err, &agg) {
		return agg.Errors
	}
	return []error{err}
}

// Describe lists each variable of the parsed structs with its value, masking
// secrets (fields tagged `secret:"true"`, passwords inside URLs), for the
// start-up log line.
func Describe(vs ...any) []any {
	var out []any
	for _, v := range vs {
		var opts env.Options
		if p, ok := v.(Prefixed); ok {
			v, opts.Prefix = p.V, p.Prefix
		}
		params, err := env.GetFieldParamsWithOptions(v, opts)
		if err != nil {
			continue
		}
		secret := secretKeys(reflect.TypeOf(v))
		for _, p := range params {
			val := os.Getenv(p.Key)
			if val == "" {
				val = p.DefaultValue
			}
			out = append(out, p.Key, Mask(val, secret[p.Key]))
		}
	}
	return out
}

// Mask hides a secret value, or the password of a URL.
func Mask(val string, secret bool) string {
	if val == "" {
		return ""
	}
	if u, err := url.Parse(val); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	if secret {
		return "xxxxx"
	}
	return val
}

// secretKeys collects the env names of fields tagged secret:"true".
func secretKeys(t reflect.Type) map[string]bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]bool{}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Struct {
			for k := range secretKeys(f.Type) {
				out[k] = true
			}
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("env"), ","); name != "" && f.Tag.Get("secret") == "true" {
			out[name] = true
		}
	}
	return out
}

// Package natsauth says what each Consortia service may do on NATS and writes
// it down for a production NATS cluster: one account with JetStream, a user per
// service identified by an nkey, with subject permissions that let the service
// publish only its own events and the JetStream API calls it needs, and
// subscribe only to its own reply inbox (JetStream delivers every message a
// service consumes there). `consortia nats-config` generates the server
// configuration and each service's seed from Grants; the services connect with
// ConnectOptions.
//
// Consumer names are not constrained: a service that may read a stream may
// create, inspect and delete consumers on it. Subject wildcards match whole
// tokens, and projection consumer names are single tokens ("tender-memberindex"),
// so a tighter rule is not expressible.
package natsauth

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Account is the NATS account every Consortia service connects to.
const Account = "CONSORTIA"

// Grant is what one service does on NATS.
type Grant struct {
	// Service is the service's name ("tender"), as in config.Services.
	Service string
	// Stream it appends to, capturing Subjects.
	Stream   string
	Subjects []string
	// Reads are the other services' streams it projects.
	Reads []string
	// Owns are its other streams: timers, key-value buckets (KV).
	Owns []Owned
}

// Owned is a stream a service keeps besides its event stream.
type Owned struct {
	Stream   string
	Subjects []string
	// Purge: the service purges subjects of it (dropped timers).
	Purge bool
	// direct: read with direct gets (key-value buckets).
	direct bool
}

// KV is the stream of a key-value bucket.
func KV(bucket string) Owned {
	return Owned{Stream: "KV_" + bucket, Subjects: []string{"$KV." + bucket + ".>"}, direct: true}
}

// Grants is every service's grant, in config.Services order.
var Grants = []Grant{
	{Service: "member", Stream: "MEMBER", Subjects: []string{"member.>"}},
	{Service: "tender", Stream: "TENDER", Subjects: []string{"tender.>"}, Reads: []string{"MEMBER"}},
	{Service: "commission", Stream: "COMMISSION", Subjects: []string{"commission.>"}, Reads: []string{"MEMBER", "TENDER"}},
	// notification: its timers are JetStream message schedules in NOTIFYTIMER
	// (services/notification/timers), its planner's positions a bucket.
	{Service: "notification", Stream: "NOTIFICATION", Subjects: []string{"notification.>"}, Reads: []string{"MEMBER", "TENDER"},
		Owns: []Owned{{Stream: "NOTIFYTIMER", Subjects: []string{"notifytimer.>"}, Purge: true}, KV("notification_planner")}},
}

// GrantOf returns the grant of a service.
func GrantOf(service string) (Grant, bool) {
	i := slices.IndexFunc(Grants, func(g Grant) bool { return g.Service == service })
	if i < 0 {
		return Grant{}, false
	}
	return Grants[i], true
}

// Check reports a Grants table out of step with config.Services.
func Check() error {
	var errs []error
	for _, s := range config.Services {
		if _, ok := GrantOf(s); !ok {
			errs = append(errs, fmt.Errorf("natsauth: no NATS grant for the %s service", s))
		}
	}
	for _, g := range Grants {
		if !slices.Contains(config.Services, g.Service) {
			errs = append(errs, fmt.Errorf("natsauth: grant for %q, which is not in config.Services", g.Service))
		}
		if !serviceName.MatchString(g.Service) {
			errs = append(errs, fmt.Errorf("natsauth: service name %q is not a single lower-case token", g.Service))
		}
	}
	return errors.Join(errs...)
}

var serviceName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// InboxPrefix is the service's reply-subject prefix: it subscribes to nothing
// else, so no other user can read its replies or deliveries.
func InboxPrefix(service string) string { return "_INBOX_" + service }

// ParkedSubjects is where projections file poison events (the PARKED stream).
var ParkedSubjects = "parked.>"

// Publish lists the subjects a service may publish to.
func (g Grant) Publish() []string {
	allow := slices.Clone(g.Subjects)
	allow = append(allow, ParkedSubjects)
	// Its own streams and PARKED (every service's eventlog.Open creates or
	// updates both).
	own := []string{g.Stream}
	for _, o := range g.Owns {
		own = append(own, o.Stream)
		allow = append(allow, o.Subjects...)
		if o.Purge {
			allow = append(allow, "$JS.API.STREAM.PURGE."+o.Stream)
		}
		if o.direct {
			// nats.go reads the account's JetStream API level before making
			// a bucket.
			allow = append(allow, "$JS.API.DIRECT.GET."+o.Stream+".>", "$JS.API.INFO")
		}
	}
	for _, s := range append(slices.Clone(own), eventlog.ParkedStream) {
		allow = append(allow, "$JS.API.STREAM.CREATE."+s, "$JS.API.STREAM.UPDATE."+s)
	}
	allow = append(allow, "$JS.API.STREAM.INFO."+eventlog.ParkedStream)
	// Streams it reads: its own and those it projects.
	for _, s := range append(own, g.Reads...) {
		allow = append(allow,
			"$JS.API.STREAM.INFO."+s,
			"$JS.API.STREAM.MSG.GET."+s,
			"$JS.API.CONSUMER.CREATE."+s+".>",
			"$JS.API.CONSUMER.INFO."+s+".>",
			"$JS.API.CONSUMER.DELETE."+s+".>",
			"$JS.API.CONSUMER.MSG.NEXT."+s+".>",
			"$JS.ACK."+s+".>",
		)
	}
	return allow
}

// Subscribe lists the subjects a service may subscribe to.
func (g Grant) Subscribe() []string { return []string{InboxPrefix(g.Service) + ".>"} }

// ConnectOptions are a service's NATS connection options: its name, its reply
// inbox and its credentials. credsFile is either the nkey seed file that
// `consortia nats-config` writes or a decentralised-auth .creds file (user JWT
// and seed); empty connects without credentials (the embedded server).
func ConnectOptions(service, credsFile string) ([]nats.Option, error) {
	opts := []nats.Option{
		nats.Name("consortia-" + service), nats.CustomInboxPrefix(InboxPrefix(service)),
		// Keep reconnecting, soon: the other servers of the cluster are up
		// while one restarts (the client adds jitter).
		nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond),
	}
	if credsFile == "" {
		return opts, nil
	}
	b, err := os.ReadFile(credsFile)
	if err != nil {
		return nil, fmt.Errorf("NATS credentials: %w", err)
	}
	if strings.Contains(string(b), "BEGIN NATS USER JWT") {
		return append(opts, nats.UserCredentials(credsFile)), nil
	}
	opt, err := nats.NkeyOptionFromSeed(credsFile)
	if err != nil {
		return nil, fmt.Errorf("NATS credentials %s: not an nkey seed or .creds file", credsFile)
	}
	return append(opts, opt), nil
}

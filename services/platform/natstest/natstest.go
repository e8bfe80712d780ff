// Package natstest starts a real embedded nats-server with JetStream for tests.
package natstest

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/consortia-dev/consortia/services/platform/natsembed"
)

// Server is a running test server with a client connection.
type Server struct {
	NS   *server.Server
	Conn *nats.Conn
	JS   jetstream.JetStream
	Dir  string
}

// Start runs a fresh server on a random port and a temp store; it stops at test end.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartIn(t, t.TempDir())
}

// StartIn runs a server on an existing store folder (to test restarts).
func StartIn(t testing.TB, dir string) *Server {
	t.Helper()
	ns, err := natsembed.Start(natsembed.Config{StoreDir: dir, SyncAlways: true})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		ns.Shutdown()
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{NS: ns, Conn: nc, JS: js, Dir: dir}
	t.Cleanup(s.Stop)
	return s
}

// Stop closes the connection and shuts the server down (idempotent).
func (s *Server) Stop() {
	if s.Conn != nil {
		s.Conn.Close()
	}
	s.NS.Shutdown()
	s.NS.WaitForShutdown()
}

package main

import (
	"net"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/natsembed"
)

// `consortia dev` runs NATS without users (the embedded default), so it
// listens on loopback only: every default address is 127.0.0.1, the embedded
// nats-server binds 127.0.0.1 and serves no monitoring port.
func TestDevListensOnLoopbackOnly(t *testing.T) {
	var d devSettings
	if err := config.ParseEnv(nil, &d); err != nil {
		t.Fatal(err)
	}
	for name, addr := range map[string]string{"member": d.MemberAddr, "tender": d.TenderAddr, "commission": d.CommissionAddr, "notification": d.NotificationAddr, "http": d.HTTPAddr} {
		host, _, err := net.SplitHostPort(addr)
		if err != nil || !net.ParseIP(host).IsLoopback() {
			t.Errorf("%s listens on %q by default, want a loopback address", name, addr)
		}
	}
	ns, err := natsembed.Start(natsembed.Config{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	tcp, ok := ns.Addr().(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		t.Errorf("embedded nats-server listens on %v, want loopback", ns.Addr())
	}
	if ns.MonitorAddr() != nil {
		t.Errorf("embedded nats-server serves monitoring on %v", ns.MonitorAddr())
	}
}

// Command commission runs the commission service alone against an external
// NATS; see the README's configuration table for its environment.
package main

import (
	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/platform/service"
)

func main() { service.Run(commission.Serve) }

// Command tender runs the tender service alone against an external NATS; see
// the README's configuration table for its environment.
package main

import (
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
)

func main() { service.Run(tender.Serve) }

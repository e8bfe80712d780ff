// Command notification runs the notification service alone against an
// external NATS; see the README's configuration table for its environment.
package main

import (
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/platform/service"
)

func main() { service.Run(notification.Serve) }

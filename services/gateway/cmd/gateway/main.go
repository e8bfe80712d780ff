// Command gateway runs the Consortia gateway alone: the HTTP/JSON API, its
// OpenAPI document and the web console, in front of the member and tender
// services. `consortia dev` runs the same gateway in process.
//
// Configuration (environment):
//
//	CONSORTIA_HTTP_LISTEN_ADDR  listen address (default :8080)
//	CONSORTIA_PUBLIC_URL      external base URL, e.g. https://consortia.example (default http://<listen address>)
//	CONSORTIA_MEMBER_URL      member service gRPC address (default 127.0.0.1:7101)
//	CONSORTIA_TENDER_URL      tender service gRPC address (default 127.0.0.1:7102)
//	CONSORTIA_AUTH_JWKS_URL   identity provider's JWKS (production), with
//	CONSORTIA_AUTH_ISSUER     expected "iss" and
//	CONSORTIA_AUTH_AUDIENCE   expected "aud" (default consortia)
//	CONSORTIA_AUTH_DEV_KEY_DIR  or: the development issuer's key folder (the state folder of `consortia dev`)
//	CONSORTIA_DATA_DIR        shared data folder (CPV list); located automatically when unset
//	CONSORTIA_LOG_LEVEL       info (default) or debug
package main

import (
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/platform/service"
)

func main() { service.Run(gateway.Serve) }
